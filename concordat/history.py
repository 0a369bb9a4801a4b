"""What changed in the plans, and when: progress updates, and the content's git history.

The build reads the history of `content/` with the `git` command: each commit that touched
it, and what it did to each plan in the plan's own terms (actions added and removed, status
changes, changed words). Working that out means parsing two versions of each changed area
file, so the result for each commit is cached as JSON inside the repository's git folder,
keyed by commit id: a commit never changes, so a new commit costs only its own diff.

Nothing here depends on the day of the build; dates come from the commits, so the same
commit always gives the same pages. Without history (no git, a tarball, a shallow clone)
`read_history` says so and the changes pages say history is not available.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ContentError
from .model import STATUS_LABELS, Action, Site


@dataclass(frozen=True)
class HistoryEvent:
    """One dated line of an action's history: a progress update, or a change to its words or status."""

    date: str  # YYYY-MM-DD
    kind: str  # "update" or "change"
    text: str  # the update's text (Markdown), or what changed in words
    status: str = ""  # the status it gave, if any


def action_history(action: Action, changes: tuple[HistoryEvent, ...] = ()) -> tuple[HistoryEvent, ...]:
    """The action's updates and changes, newest first (on one day, a change before an update)."""
    events = [HistoryEvent(u.date, "update", u.text, u.status) for u in action.updates] + list(changes)
    order = {"update": 0, "change": 1}
    # Stable sort: same-day updates keep the file's order, newest (last) first after reversing.
    return tuple(reversed(sorted(events, key=lambda e: (e.date, order[e.kind]))))


UNCHANGED_SHOWN = 24  # words and spaces kept either side of a change; longer unchanged text becomes "…"
CACHE_FORMAT = 1  # bump when what is learnt per commit changes: old cache files are then ignored
TEXT_FIELDS = {"action": "action text", "outcomes": "outcomes", "progress": "progress", "lead_text": "lead",
               "timescale": "timescale", "number": "number"}


@dataclass(frozen=True)
class DiffPart:
    op: str  # "=" unchanged, "+" added, "-" removed
    text: str


@dataclass(frozen=True)
class TextChange:
    field: str  # how a reader names it: "action", "progress", "lead", ...
    parts: tuple[DiffPart, ...]


@dataclass(frozen=True)
class ActionChange:
    """What one commit did to one action."""

    area_slug: str
    id: str
    label: str
    kind: str  # "added", "removed" or "changed"
    leads: tuple[str, ...] = ()
    status_from: str = ""
    status_to: str = ""
    texts: tuple[TextChange, ...] = ()
    updates: tuple[str, ...] = ()  # dates of progress updates this commit added
    published: bool = False  # the action has a page now (so the change can link to it)

    @property
    def status_changed(self) -> bool:
        return self.kind == "changed" and self.status_from != self.status_to


@dataclass(frozen=True)
class AreaChange:
    """What one commit did to one area's plan."""

    slug: str
    name: str
    kind: str  # "added", "removed" or "changed"
    action_count: int  # of the plan after the commit (before it, for a removed plan)
    actions: tuple[ActionChange, ...] = ()  # empty for an added or removed plan: it is the whole plan


@dataclass(frozen=True)
class Commit:
    id: str
    date: str  # YYYY-MM-DD, the commit date
    timestamp: str  # ISO 8601 with offset, for feeds
    subject: str
    correction: bool  # a `Change-type: correction` trailer
    url: str | None  # on the repository host, when site.yaml names the repository
    files: tuple[str, ...]  # content files it touched
    areas: tuple[AreaChange, ...]


@dataclass(frozen=True)
class History:
    """The content's history, newest commit first; `available` is False without git history."""

    available: bool
    commits: tuple[Commit, ...] = ()
    reason: str = ""
    by_action: dict = field(default_factory=dict)  # (area slug, action id) -> tuple[HistoryEvent, ...]

    def for_area(self, slug: str) -> tuple[tuple[Commit, AreaChange], ...]:
        return tuple((c, a) for c in self.commits for a in c.areas if a.slug == slug)

    def for_organisation(self, org_id: str) -> tuple[tuple[Commit, AreaChange], ...]:
        found = []
        for commit in self.commits:
            for area in commit.areas:
                led = tuple(a for a in area.actions if org_id in a.leads)
                if led:
                    found.append((commit, AreaChange(area.slug, area.name, area.kind, area.action_count, led)))
        return tuple(found)


NO_HISTORY = History(False, reason="not a git repository")


def read_history(root: Path, site: Site, content: str = "content") -> History:
    """The history of `content/` in the git repository holding `root`, using and filling the cache."""
    inside = git(root, "rev-parse", "--is-shallow-repository", "--show-prefix", "--git-path", "concordat-history")
    if inside is None:
        return NO_HISTORY
    shallow, prefix, cache_dir = (inside.split("\n") + ["", "", ""])[:3]
    if shallow.strip() == "true":
        return History(False, reason="a shallow clone")
    log = git(root, "log", "--no-merges", "--name-only", "-z",
              "--format=%x1e%H%x1f%P%x1f%cI%x1f%s%x1f%(trailers:key=Change-type,valueonly,separator=%x2C)",
              "--", content)
    if log is None:
        return History(False, reason="git could not read the history")
    cache = (root / cache_dir) if not Path(cache_dir).is_absolute() else Path(cache_dir)
    commits = []
    todo = []
    for chunk in log.split("\x1e")[1:]:
        header, _, names = chunk.partition("\x00")
        sha, parents, stamp, subject, trailer = (header.split("\x1f") + [""] * 5)[:5]
        files = tuple(sorted(n.strip("\n") for n in names.split("\x00") if n.strip("\n")))
        record = _cached(cache, sha)
        if record is None:
            record = {"id": sha, "parent": parents.split(" ")[0] if parents else "", "timestamp": stamp,
                      "subject": subject, "correction": "correction" in trailer.strip().lower(),
                      "files": list(files)}
            todo.append(record)
        commits.append(record)
    if todo:
        _learn(root, prefix.strip(), content, todo)
        for record in todo:
            _store(cache, record)
    return _history(commits, site)


def git(root: Path, *args: str) -> str | None:
    """Output of a git command in `root`, or None where there is no git or no repository."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False,
                              env={**os.environ, "LC_ALL": "C"})
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def head_commit(root: Path) -> str:
    """HEAD's id (and whether the clone is shallow): part of the build's inputs, as the history is."""
    return (git(root, "rev-parse", "HEAD", "--is-shallow-repository") or "").strip()


def _cached(cache: Path, sha: str) -> dict | None:
    try:
        return json.loads((cache / f"{sha}.v{CACHE_FORMAT}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _store(cache: Path, record: dict) -> None:
    try:
        cache.mkdir(parents=True, exist_ok=True)
        temporary = cache / f".{record['id']}.tmp"
        temporary.write_text(json.dumps(record, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        temporary.replace(cache / f"{record['id']}.v{CACHE_FORMAT}.json")
    except OSError:
        pass  # a read-only repository: the history is still right, only not kept


def _learn(root: Path, prefix: str, content: str, records: list[dict]) -> None:
    """Work out each commit's changes to the area files, reading both versions in one `git cat-file`."""
    wanted = []
    for record in records:
        paths = [f for f in record["files"] if f.startswith(f"{content}/areas/") and f.endswith(".yaml")]
        record["paths"] = paths
        for path in paths:
            if record["parent"]:
                wanted.append(f"{record['parent']}:{prefix}{path}")
            wanted.append(f"{record['id']}:{prefix}{path}")
    blobs = _cat_files(root, wanted)
    parsed: dict[bytes, dict | None] = {}  # a version is the "after" of one commit and the "before" of the next
    for record in records:
        areas = []
        for path in record.pop("paths"):
            before = _parse(blobs.get(f"{record['parent']}:{prefix}{path}"), parsed) if record["parent"] else None
            after = _parse(blobs.get(f"{record['id']}:{prefix}{path}"), parsed)
            change = area_change(before, after)
            if change:
                areas.append(change)
        record["areas"] = sorted(areas, key=lambda a: a["slug"])


def _cat_files(root: Path, objects: list[str]) -> dict[str, bytes]:
    """Many blobs through one `git cat-file --batch`: object name -> bytes (missing ones left out)."""
    if not objects:
        return {}
    done = subprocess.run(["git", "-C", str(root), "cat-file", "--batch"], input="\n".join(objects).encode() + b"\n",
                          capture_output=True, check=False)
    out, at, found = done.stdout, 0, {}
    for name in objects:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        at = end + 1
        if len(header) == 3:
            size = int(header[2])
            found[name] = out[at:at + size]
            at += size + 1
    return found


def _parse(blob: bytes | None, parsed: dict) -> dict | None:
    """An area file's data, or None if it is missing or not a readable plan (history may hold broken commits)."""
    if blob is None:
        return None
    key = blob
    if key not in parsed:
        try:
            data = yaml.load(blob, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            data = None
        parsed[key] = data if isinstance(data, dict) and isinstance(data.get("slug"), str) else None
    return parsed[key]


def _actions(data: dict | None) -> dict[str, dict]:
    if not data:
        return {}
    found = {}
    try:
        for action in data.get("preamble") or ():
            found[str(action["id"])] = action
        for section in data.get("sections") or ():
            for group in section.get("groups") or ():
                for action in group.get("actions") or ():
                    found[str(action["id"])] = action
    except (TypeError, KeyError, AttributeError):
        pass
    return {k: v for k, v in found.items() if isinstance(v, dict)}


def _status(action: dict) -> str:
    """The status shown for a version of an action: its latest update's, else the plan's (as the model does)."""
    updates = sorted((u for u in action.get("updates") or () if isinstance(u, dict)), key=lambda u: str(u.get("date")))
    status = str(action.get("status", ""))
    for update in updates:
        status = str(update.get("status", status))
    return status if status in STATUS_LABELS else "not-rated"


def _label(action: dict) -> str:
    number = str(action.get("number") or "")
    if number:
        return f"Action {number}"
    first = next((ln.strip(" -•·*") for ln in str(action.get("action", "")).splitlines() if ln.strip(" -•·*")), "")
    return first[:100] + ("…" if len(first) > 100 else "")


def word_diff(old: str, new: str) -> list[list[str]]:
    """A word-level difference: [op, text] runs, op '=' (same), '+' (added) or '-' (removed)."""
    a, b = re.findall(r"\s+|[^\s]+", old), re.findall(r"\s+|[^\s]+", new)
    parts: list[list[str]] = []

    def add(op: str, words: list[str]) -> None:
        if words:
            if parts and parts[-1][0] == op:
                parts[-1][1] += "".join(words)
            else:
                parts.append([op, "".join(words)])
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            same = a[i1:i2]
            if len(same) > 2 * UNCHANGED_SHOWN + 2:  # a long unchanged run: keep its ends around the change
                same = same[:UNCHANGED_SHOWN] * (i1 > 0) + [" … "] + same[-UNCHANGED_SHOWN:] * (i2 < len(a))
            add("=", same)
        else:
            add("-", a[i1:i2])
            add("+", b[j1:j2])
    return parts


def area_change(before: dict | None, after: dict | None) -> dict | None:
    """What a commit did to one area file, as JSON-ready data; None if nothing a reader would see."""
    current = after or before
    if current is None:
        return None
    old, new = _actions(before), _actions(after)
    change = {"slug": current["slug"], "name": str(current.get("name", current["slug"])),
              "kind": "added" if before is None else "removed" if after is None else "changed",
              "action_count": len(new if after is not None else old), "actions": []}
    if change["kind"] != "changed":
        change["ids"] = list(new if after is not None else ())  # for each action's history: when it was published
        return change
    for action_id in [*new, *(i for i in old if i not in new)]:
        was, now = old.get(action_id), new.get(action_id)
        shown = now or was
        record = {"id": action_id, "label": _label(shown), "leads": [str(x) for x in shown.get("leads") or ()]}
        if was is None:
            record["kind"] = "added"
        elif now is None:
            record["kind"] = "removed"
        else:
            record["kind"] = "changed"
            record["status_from"], record["status_to"] = _status(was), _status(now)
            record["texts"] = [[TEXT_FIELDS[f], word_diff(str(was.get(f, "")), str(now.get(f, "")))]
                               for f in TEXT_FIELDS if str(was.get(f, "")) != str(now.get(f, ""))]
            dates = {(u.get("date"), u.get("text"), u.get("status")) for u in was.get("updates") or ()
                     if isinstance(u, dict)}
            record["updates"] = sorted(str(u.get("date")) for u in now.get("updates") or ()
                                       if isinstance(u, dict) and (u.get("date"), u.get("text"), u.get("status"))
                                       not in dates)
            if record["status_from"] == record["status_to"] and not record["texts"] and not record["updates"]:
                continue
        change["actions"].append(record)
    return change  # with no action changed: other parts of the plan did (its KPIs, notes, ...)


def _history(records: list[dict], site: Site) -> History:
    """The cached records as frozen model objects, with what links where on the site as it is now."""
    repository = site.config.repository
    published = {(a.area_slug, a.id) for a in site.actions}
    commits = []
    by_action: dict[tuple[str, str], list] = {}
    for record in records:  # newest first
        date = record["timestamp"][:10]
        areas = []
        for area in record.get("areas", ()):
            actions = []
            for a in area["actions"]:
                texts = tuple(TextChange(name, tuple(DiffPart(op, text) for op, text in parts))
                              for name, parts in a.get("texts", ()))
                change = ActionChange(
                    area["slug"], a["id"], a["label"], a["kind"], tuple(a.get("leads", ())), a.get("status_from", ""),
                    a.get("status_to", ""), texts, tuple(a.get("updates", ())), (area["slug"], a["id"]) in published)
                actions.append(change)
                event = _event(change, date, record["correction"])
                if event:
                    by_action.setdefault((area["slug"], a["id"]), []).append(event)
            for action_id in area.get("ids", ()):
                by_action.setdefault((area["slug"], action_id), []).append(
                    HistoryEvent(date, "change", "Published on this site."))
            areas.append(AreaChange(area["slug"], area["name"], area["kind"], area["action_count"], tuple(actions)))
        commits.append(Commit(record["id"], date, record["timestamp"], record["subject"], record["correction"],
                              f"{repository}/commit/{record['id']}" if repository else None,
                              tuple(record["files"]), tuple(areas)))
    return History(True, tuple(commits), by_action={k: tuple(v) for k, v in by_action.items()})


def _event(change: ActionChange, date: str, correction: bool) -> HistoryEvent | None:
    """An action's history line for a commit: when it was published, or its words or status changed."""
    if change.kind == "added":
        return HistoryEvent(date, "change", "Published on this site.")
    words = [t.field for t in change.texts]
    said = []
    if words:
        said.append(("Corrected" if correction else "Changed") + ": " + ", ".join(words) + ".")
    if change.status_changed:
        said.append(f"Status changed from {STATUS_LABELS[change.status_from]} to {STATUS_LABELS[change.status_to]}.")
    if not said:
        return None
    return HistoryEvent(date, "change", " ".join(said), change.status_to if change.status_changed else "")


def review_warnings(root: Path, site: Site) -> list[ContentError]:
    """A warning for each area whose next review was due before its file's latest commit.

    The latest commit, not today: the same history always gives the same warnings. Like every
    warning it is advice (`check` still passes) unless `check --strict`.
    """
    warnings = []
    for area in site.areas:
        if not area.next_review:
            continue
        latest = (git(root, "log", "-1", "--format=%cs", "--", area.source_path) or "").strip()
        if latest and area.next_review < latest:
            text = (root / area.source_path).read_text(encoding="utf-8")
            match = re.search(r"^review_every:", text, re.M) or re.search(r"^reviewed:", text, re.M)
            line = text.count("\n", 0, match.start()) + 1 if match else 1
            warnings.append(ContentError(
                area.source_path, f"the next review of the {area.name} plan was due on {area.next_review}, "
                f"before its latest change ({latest})", line, 1,
                "review the plan, then set reviewed: to the date of that review", level="warning"))
    return warnings


def changes_between(versions: list[tuple[bytes | None, bytes | None]], site: Site) -> tuple[AreaChange, ...]:
    """What going from each area file's first version to its second does, told as the changes pages
    tell a commit (`build.py diff` shows a pull request with it). None for a missing version."""
    parsed: dict[bytes, dict | None] = {}
    areas = [change for before, after in versions if (change := area_change(_parse(before, parsed),
                                                                            _parse(after, parsed)))]
    record = {"id": "", "timestamp": "", "subject": "", "correction": False, "files": [],
              "areas": sorted(areas, key=lambda a: a["slug"])}
    return _history([record], site).commits[0].areas
