"""The history as the site shows it: each commit's changes to each plan, and each action's dated lines.

These are frozen objects made from the commits' records (`records.py`, a JSON-shaped dict a
commit), with what links where on the site as it is now; `action_history` merges an action's
progress updates with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import STATUS_LABELS, Action, Site
from .changes import summary

SUMMED_FROM = 3  # plans one commit changed, from which its heading sums them up rather than naming each


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


def is_correction(record: dict, corrections: set[str]) -> bool:
    """A commit is a correction if its message ends `Change-type: correction` or it is listed in
    content/corrections.txt; a merge also when every commit it brought in is one."""
    if record["correction"] or record["id"] in corrections:
        return True
    merged = record.get("merged") or []
    return bool(merged) and all(trailer or sha in corrections for sha, trailer in merged)


def from_records(records: list[dict], site: Site, corrections: set[str]) -> History:
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
