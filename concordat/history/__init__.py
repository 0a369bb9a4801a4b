"""What changed in the plans, and when: progress updates, and the content's git history.

The build reads the history of `content/` with the `git` command (`git.py`, which reads it as
untrusted bytes): each commit that changed a plan's published content, and what it did to it in
the plan's own terms (`changes.py`). Working that out means reading two versions of each changed
area file, through the same checks as the file at HEAD, so the result for each commit is cached as
JSON inside the repository's git folder, keyed by commit id and by this code: a commit never
changes, so a new commit costs only its own diff.

Whether a commit is a correction (how a plan was copied onto the site, not progress) is not
cached: it comes from its `Change-type: correction` trailer or from the list of corrections kept
in `content/corrections.txt`, which may grow after the commit.

Nothing here depends on the day of the build; dates come from the commits, so the same
commit always gives the same pages. Without history (no git, a tarball, a shallow clone)
`read_history` says so and the changes pages say history is not available.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ContentError, ContentErrors
from ..model import STATUS_LABELS, Action, Area, Site
from ..names import is_slug
from ..yaml_reading import MAX_FILE_BYTES
from . import git
from .changes import area_change, plain, read_version, summary, word_diff

__all__ = ["History", "HistoryEvent", "NO_HISTORY", "action_history", "area_change", "head_commit",
           "history_warnings", "read_corrections", "read_history", "read_version", "review_warnings", "word_diff"]

CORRECTIONS_FILE = "corrections.txt"  # in the content folder: commits that are corrections, one id a line
SUMMED_FROM = 3  # plans one commit changed, from which its heading sums them up rather than naming each
CHUNK = 200  # commits whose files are read from git at once (bounds the memory a long history takes)


@dataclass(frozen=True)
class HistoryEvent:
    """One dated line of an action's history: a progress update, or a change to its words or status."""

    date: str  # YYYY-MM-DD
    kind: str  # "update", "change" or "correction"
    text: str  # the update's text (Markdown), or what changed in words
    status: str = ""  # the status it gave, if any: a correction gives none (it is not progress)


def action_history(action: Action, changes: tuple[HistoryEvent, ...] = ()) -> tuple[HistoryEvent, ...]:
    """The action's updates and changes, newest first (on one day, a change before an update)."""
    events = [HistoryEvent(u.date, "update", u.text, u.status) for u in action.updates] + list(changes)
    order = {"update": 0, "change": 1, "correction": 1}
    # Stable sort: same-day updates keep the file's order, newest (last) first after reversing.
    return tuple(reversed(sorted(events, key=lambda e: (e.date, order[e.kind]))))


@dataclass(frozen=True)
class DiffPart:
    op: str  # "=" unchanged, "+" added, "-" removed
    text: str


@dataclass(frozen=True)
class TextChange:
    field: str  # how a reader names it: "action text", "progress", "lead", ...
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
    other: tuple[str, ...] = ()  # other fields it changed, in words ("due date", "lead organisations")
    published: bool = False  # the action has a page now (so the change can link to it)

    @property
    def status_changed(self) -> bool:
        return self.kind == "changed" and self.status_from != self.status_to


@dataclass(frozen=True)
class AreaChange:
    """What one commit did to one area's plan; `summary` is its heading, made from the change."""

    slug: str
    name: str
    kind: str  # "added", "removed", "changed", "unreadable" (this version could not be read) or "readable"
    action_count: int  # of the plan after the commit (before it, for a removed plan)
    actions: tuple[ActionChange, ...] = ()  # empty for an added or removed plan: it is the whole plan
    other: tuple[str, ...] = ()  # parts of the plan besides its actions that changed, in words
    reason: str = ""  # why the version could not be read
    renamed_from: str = ""
    summary: str = ""


@dataclass(frozen=True)
class Commit:
    id: str
    date: str  # YYYY-MM-DD, the commit date
    timestamp: str  # ISO 8601 with offset, for feeds
    subject: str  # the editor's note: the first paragraph of the commit message
    correction: bool  # a `Change-type: correction` trailer, or listed in content/corrections.txt
    url: str | None  # on the repository host, when site.yaml names the repository
    areas: tuple[AreaChange, ...]  # never empty: a commit that changed no plan is not in the history

    @property
    def summary(self) -> str:
        """The heading of the whole commit: each plan's summary, in turn, or for more than
        `SUMMED_FROM` plans their sum ("5 plans: 12 actions updated, 2 completed")."""
        kinds = {a.kind for a in self.areas}
        if len(self.areas) < SUMMED_FROM or len(kinds) > 1:
            return "; ".join(a.summary for a in self.areas)
        said = {"added": "published", "removed": "removed", "readable": "readable again",
                "unreadable": "in versions that could not be read"}
        if kinds <= set(said):
            return f"{len(self.areas)} plans {said[kinds.pop()]}"
        whole = AreaChange(f"{len(self.areas)} plans", f"{len(self.areas)} plans", "changed", 0,
                           tuple(x for a in self.areas for x in a.actions),
                           tuple(sorted({o for a in self.areas for o in a.other})))
        return summary(whole, self.correction)


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
        """The commits that changed actions `org_id` leads, each with those actions alone (and a summary of them)."""
        found = []
        for commit in self.commits:
            for area in commit.areas:
                led = tuple(a for a in area.actions if org_id in a.leads)
                if led:
                    part = AreaChange(area.slug, area.name, area.kind, area.action_count, led)
                    found.append((commit, AreaChange(**{**part.__dict__, "summary": summary(part, commit.correction)})))
        return tuple(found)


NO_HISTORY = History(False, reason="not a git repository")


def read_history(root: Path, site: Site, content: str = "content") -> History:
    """The history of `content/` in the git repository holding `root`, using and filling the cache.

    Raises ContentErrors for a corrections list that is not one commit id a line."""
    corrections = read_corrections(root / content)
    inside = git.run(root, "rev-parse", "--is-shallow-repository", "--show-prefix", "--git-path", "concordat-history")
    if inside is None:
        return NO_HISTORY
    shallow, prefix, cache_dir = (git.text(inside).split("\n") + ["", "", ""])[:3]
    if shallow.strip() == "true":
        return History(False, reason="a shallow clone")
    cache = _cache_folder(root / cache_dir)
    try:
        records = _records(root, prefix.strip(), content, cache)
    except git.GitError as exc:
        return History(False, reason=str(exc))
    return _history(records, site, corrections)


def read_corrections(content_dir: Path) -> set[str]:
    """The commits `content/corrections.txt` lists: one full commit id a line, `#` starts a comment."""
    path = content_dir / CORRECTIONS_FILE
    try:
        raw = path.read_bytes()
    except OSError:
        return set()
    shown = f"{content_dir.name}/{CORRECTIONS_FILE}"
    text = raw.decode("utf-8", errors="replace")
    ids, errors = set(), []
    for number, line in enumerate(text.splitlines(), start=1):
        word = line.split("#", 1)[0].strip()
        if not word:
            continue
        if git.is_id(word.lower()):
            ids.add(word.lower())
        else:
            errors.append(ContentError(shown, f"'{plain(word)[:80]}' is not a full commit id", number, 1,
                                       "give the commit's whole id (40 letters and digits: git log --format=%H), "
                                       "then # and what the commit corrected"))
    if errors:
        raise ContentErrors(errors)
    return ids


def head_commit(root: Path, content: str = "content") -> str:
    """HEAD's id (and whether the clone is shallow), and the corrections list: part of the build's
    inputs, as the history is."""
    head = git.text(git.run(root, "rev-parse", "HEAD", "--is-shallow-repository") or b"").strip()
    try:
        listed = (root / content / CORRECTIONS_FILE).read_bytes()
    except OSError:
        listed = b""
    return head + "\n" + hashlib.sha256(listed).hexdigest()


def _cache_folder(cache: Path) -> Path:
    """The cache's folder for this code: what is learnt from a commit depends on how it is read."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    read_by = ("model", "model_from_content", "dates", "names", "load", "schema_check", "yaml_reading")
    for source in [*sorted(here.glob("*.py")), *(here.parent / f"{name}.py" for name in read_by),
                   here.parent / "schemas" / "area.schema.json"]:
        digest.update(source.read_bytes())
    return cache / f"v{digest.hexdigest()[:16]}"


def _records(root: Path, prefix: str, content: str, cache: Path) -> list[dict]:
    """Each commit's record, newest first: from the cache, else worked out (a chunk of commits at a time)."""
    commits = git.changed_files(root, "HEAD", content=content)
    records: list[dict | None] = []
    todo = []
    for sha, files in commits:
        record = _cached(cache, sha)
        records.append(record)
        if record is None:
            todo.append((len(records) - 1, sha, files))
    learnt = False
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start:start + CHUNK]
        for (at, _, _), record in zip(chunk, _learn(root, prefix, content, chunk), strict=True):
            records[at] = record
            if record is not None:
                _store(cache, record)
                learnt = True
    if learnt:
        _forget_other_versions(cache)
    return [r for r in records if r is not None]


def _cached(cache: Path, sha: str) -> dict | None:
    """A commit's cached record, if there is one of the right shape (a damaged file is worked out again)."""
    try:
        record = json.loads((cache / f"{sha}.json").read_text(encoding="utf-8"))
        _check_shape(record)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return record if record["id"] == sha else None


def _store(cache: Path, record: dict) -> None:
    if not git.is_id(record["id"]):
        return
    try:
        cache.mkdir(parents=True, exist_ok=True)
        temporary = cache / f".{record['id']}.tmp"
        temporary.write_text(json.dumps(record, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        temporary.replace(cache / f"{record['id']}.json")
    except OSError:
        pass  # a read-only repository: the history is still right, only not kept


def _forget_other_versions(cache: Path) -> None:
    """Delete what older code learnt: it is never read again."""
    try:
        for old in cache.parent.iterdir():
            if old != cache and re.fullmatch(r"v[0-9a-f]{16}|[0-9a-f]{40,64}\.v1\.json", old.name):
                shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()
    except OSError:
        pass


def _learn(root: Path, prefix: str, content: str, commits: list[tuple[int, str, list[git.FileChange]]]
           ) -> list[dict | None]:
    """Work out what each commit did to the area files: its message from its commit object, both
    versions of each area file by blob id, each version read (and checked) once."""
    areas_folder = f"{prefix}{content}/areas/"

    def is_area(path: str) -> bool:
        """A plan's file: content/areas/<slug>.yaml (any other name is no plan's, at HEAD or ever)."""
        name = path[len(areas_folder):]
        return path.startswith(areas_folder) and name.endswith(".yaml") and is_slug(name.removesuffix(".yaml"))

    infos = git.objects(root, [sha for _, sha, _ in commits])
    blobs_wanted = [b for _, _, files in commits for f in files
                    for b, p in ((f.before_blob, f.before_path), (f.after_blob, f.after_path)) if b and is_area(p)]
    blobs = git.objects(root, blobs_wanted, max_bytes=MAX_FILE_BYTES)
    versions: dict[tuple[str, str], Area | str] = {}

    def version(blob: str | None, path: str) -> Area | str | None:
        if blob is None or not is_area(path):
            return None
        shown = path[len(prefix):]
        if (blob, shown) not in versions:
            raw = blobs.get(blob)
            if raw is None:
                versions[blob, shown] = f"{shown}: git could not give this version"
            elif isinstance(raw, int):
                versions[blob, shown] = (f"{shown}: file is too large ({raw // 1024} KiB; "
                                         f"the limit is {MAX_FILE_BYTES // 1024} KiB)")
            else:
                versions[blob, shown] = read_version(raw, shown)
        return versions[blob, shown]

    records: list[dict | None] = []
    for _, sha, files in commits:
        raw = infos.get(sha)
        try:
            info = git.parse_commit(sha, raw) if isinstance(raw, bytes) else None
        except git.GitError:
            info = None
        if info is None:
            records.append(None)  # not a commit git can describe: left out of the history
            continue
        areas = []
        for f in files:
            before, after = version(f.before_blob, f.before_path), version(f.after_blob, f.after_path)
            renamed = f.before_path[len(prefix):] if (f.before_path != f.after_path and is_area(f.before_path)
                                                      and is_area(f.after_path)) else ""
            change = area_change(before, after, f.after_path[len(prefix):], renamed)
            if change:
                areas.append(change)
        record = {"id": sha, "timestamp": info.timestamp, "subject": plain(info.subject),
                  "correction": info.correction, "areas": sorted(areas, key=lambda a: a["slug"])}
        if info.merge and areas:
            record["merged"] = _merged(root, sha, content)
        records.append(record)
    return records


def _merged(root: Path, merge: str, content: str) -> list[list]:
    """The commits a merge brought in, each [id, whether its own message marks it a correction]."""
    ids = git.merged_commits(root, merge, content)
    found = git.objects(root, ids)
    merged = []
    for sha in ids:
        try:
            raw = found.get(sha)
            merged.append([sha, isinstance(raw, bytes) and git.parse_commit(sha, raw).correction])
        except git.GitError:
            merged.append([sha, False])
    return merged


def is_correction(record: dict, corrections: set[str]) -> bool:
    """A commit is a correction if its message ends `Change-type: correction` or it is listed in
    content/corrections.txt; a merge also when every commit it brought in is one."""
    if record["correction"] or record["id"] in corrections:
        return True
    merged = record.get("merged") or []
    return bool(merged) and all(trailer or sha in corrections for sha, trailer in merged)


def _check_shape(record: dict) -> None:
    """Raise TypeError or KeyError unless `record` has the shape `_learn` writes (a cache file may be damaged)."""
    def need(value, kind):
        if not isinstance(value, kind):
            raise TypeError(f"{value!r} is not {kind}")
        return value
    need(record, dict)
    for key in ("id", "timestamp", "subject"):
        need(record[key], str)
    if not git.is_id(record["id"]) or not re.fullmatch(r"\d{4}-\d\d-\d\dT.+", record["timestamp"]):
        raise TypeError("not a commit id and date")
    need(record["correction"], bool)
    for area in need(record["areas"], list):
        for key in ("slug", "name", "kind"):
            need(area[key], str)
        need(area["action_count"], int)
        for key in ("other", "ids"):
            [need(x, str) for x in need(area.get(key, []), list)]
        need(area.get("reason", ""), str)
        need(area.get("renamed_from", ""), str)
    for sha, trailer in need(record.get("merged", []), list):
        need(sha, str)
        need(trailer, bool)
        for action in need(area["actions"], list):
            for key in ("id", "label", "kind"):
                need(action[key], str)
            for key in ("status_from", "status_to"):
                if need(action.get(key, ""), str) and action[key] not in STATUS_LABELS:
                    raise TypeError("unknown status")
            for key in ("leads", "updates", "other"):
                [need(x, str) for x in need(action.get(key, []), list)]
            for name, parts in need(action.get("texts", []), list):
                need(name, str)
                for op, text in need(parts, list):
                    if op not in ("=", "+", "-"):
                        raise TypeError("unknown diff part")
                    need(text, str)


def _history(records: list[dict], site: Site, corrections: set[str]) -> History:
    """The records as frozen model objects, with what links where on the site as it is now."""
    repository = site.config.repository
    published = {(a.area_slug, a.id) for a in site.actions}
    names = {a.slug: a.name for a in site.areas}
    commits = []
    by_action: dict[tuple[str, str], list] = {}
    for record in records:  # newest first
        if not record["areas"]:
            continue  # changed nothing a reader sees: not listed anywhere
        date = record["timestamp"][:10]
        correction = is_correction(record, corrections)
        areas = []
        for area in record["areas"]:
            actions = []
            for a in area["actions"]:
                texts = tuple(TextChange(name, tuple(DiffPart(op, text) for op, text in parts))
                              for name, parts in a.get("texts", ()))
                change = ActionChange(
                    area["slug"], a["id"], a["label"], a["kind"], tuple(a.get("leads", ())), a.get("status_from", ""),
                    a.get("status_to", ""), texts, tuple(a.get("updates", ())), tuple(a.get("other", ())),
                    (area["slug"], a["id"]) in published)
                actions.append(change)
                event = _event(change, date, correction)
                if event:
                    by_action.setdefault((area["slug"], a["id"]), []).append(event)
            for action_id in area.get("ids", ()):
                if area["kind"] == "added":
                    by_action.setdefault((area["slug"], action_id), []).append(
                        HistoryEvent(date, "correction" if correction else "change", "Published on this site."))
            name = area["name"]
            if area["kind"] == "unreadable" and name == area["slug"]:  # nothing of it could be read, its name neither
                name = names.get(area["slug"], name)
            change = AreaChange(area["slug"], name, area["kind"], area["action_count"], tuple(actions),
                                tuple(area.get("other", ())), area.get("reason", ""), area.get("renamed_from", ""))
            areas.append(AreaChange(**{**change.__dict__, "summary": summary(change, correction)}))
        commits.append(Commit(record["id"], date, record["timestamp"], record["subject"], correction,
                              f"{repository}/commit/{record['id']}" if repository else None, tuple(areas)))
    return History(True, tuple(commits), by_action={k: tuple(v) for k, v in by_action.items()})


def _event(change: ActionChange, date: str, correction: bool) -> HistoryEvent | None:
    """An action's history line for a commit: when it was published, or its words or status changed.
    A correction's line says "corrected" and carries no status: it is not progress."""
    kind = "correction" if correction else "change"
    if change.kind == "added":
        return HistoryEvent(date, kind, "Published on this site.")
    said = []
    words = [t.field for t in change.texts] + list(change.other)
    if words:
        said.append(("Corrected" if correction else "Changed") + ": " + ", ".join(words) + ".")
    if change.status_changed:
        was, now = STATUS_LABELS[change.status_from], STATUS_LABELS[change.status_to]
        said.append(f"Status corrected from {was} to {now}." if correction else f"Status changed from {was} to {now}.")
    if not said:
        return None
    progress = change.status_to if change.status_changed and not correction else ""
    return HistoryEvent(date, kind, " ".join(said), progress)


def review_warnings(root: Path, site: Site) -> list[ContentError]:
    """A warning for each area whose next review was due before its file's latest commit.

    The latest commit, not today: the same history always gives the same warnings. Like every
    warning it is advice (`check` still passes) unless `check --strict`.
    """
    warnings = []
    for area in site.areas:
        if not area.next_review:
            continue
        latest = git.text(git.run(root, "log", "-1", "--format=%cs", "--", area.source_path) or b"").strip()
        if latest and area.next_review < latest:
            text = (root / area.source_path).read_text(encoding="utf-8")
            match = re.search(r"^review_every:", text, re.M) or re.search(r"^reviewed:", text, re.M)
            line = text.count("\n", 0, match.start()) + 1 if match else 1
            warnings.append(ContentError(
                area.source_path, f"the next review of the {area.name} plan was due on {area.next_review}, "
                f"before its latest change ({latest})", line, 1,
                "review the plan, then set reviewed: to the date of that review", level="warning"))
    return warnings


BASE_BRANCHES = ("origin/HEAD", "origin/main", "main", "origin/master", "master")


def history_warnings(root: Path, site: Site, content: str = "content") -> list[ContentError]:
    """A warning for each version of an area file, in a commit on this branch and not yet on the main
    branch, that the build refuses. Such a commit passes `check` once a later one fixes the file,
    but its version stays in the history: its changes page would say "this version could not be
    read" for good, unless the branch's commits are squashed when it is merged.

    With no main branch to compare with, every commit counts."""
    history = read_history(root, site, content)
    if not history.available:
        return []
    base = next((ref for ref in BASE_BRANCHES if git.run(root, "rev-parse", "--verify", "-q", ref + "^{commit}")), None)
    listed = git.text(git.run(root, "rev-list", "HEAD", *(["--not", base] if base else [])) or b"").split()
    new = set(listed)
    warnings = []
    for commit in history.commits:
        if commit.id not in new:
            continue
        for area in commit.areas:
            if area.kind == "unreadable":
                path = f"{content}/areas/{area.slug}.yaml"
                warnings.append(ContentError(
                    path, f"commit {commit.id[:12]} ({commit.date}, \"{commit.subject[:60]}\") has a version of this "
                    f"file the build refuses: {area.reason}", level="warning",
                    hint="squash this branch's commits when merging it, so that version never reaches the site's "
                    "history"))
    return warnings


def changes_between(versions: list[tuple[str, bytes | None, bytes | None]], site: Site) -> tuple[AreaChange, ...]:
    """What going from each area file's first version to its second does, told as the changes pages
    tell a commit, by the same `area_change` (`build.py diff` describes a pull request with it).
    Each item is (path, version before, version after), None where there was no file."""
    areas = []
    for path, before, after in versions:
        change = area_change(None if before is None else read_version(before, path),
                             None if after is None else read_version(after, path), path)
        if change:
            areas.append(change)
    record = {"id": "0" * 40, "timestamp": "", "subject": "", "correction": False,
              "areas": sorted(areas, key=lambda a: a["slug"])}
    history = _history([record], site, set())
    return history.commits[0].areas if history.commits else ()


def git_text(root: Path, *args: str) -> str | None:
    """A git command's output as text, or None where there is no git or it fails."""
    raw = git.run(root, *args)
    return None if raw is None else git.text(raw)
