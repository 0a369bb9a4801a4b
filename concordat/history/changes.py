"""What one change did to one plan, in the plan's own terms, and the plain words that sum it up.

`area_change` is the one place a change is worked out: the changes pages, the feeds, each action's
history (and `build.py diff`) all show what it returns. Both versions are read as the build reads
the file at HEAD (`load.load_bytes`: the same limits, schema and model), so a version the build
would refuse is "a version that could not be read", never a crash or a guess.
"""

from __future__ import annotations

import dataclasses
import difflib
import re

from ..dates import parse_due
from ..load import load_bytes
from ..model import Action, Area
from ..model_from_content import build_area

UNCHANGED_SHOWN = 24  # words and spaces kept either side of a change; longer unchanged text becomes "…"
MAX_DIFF_WORDS = 3000  # words and spaces in a field, before and after together, beyond which a change
# shows the whole old text replaced by the whole new one (a word diff costs about the square of its size)
TEXT_FIELDS = {"text": "action text", "outcomes": "outcomes", "progress": "progress", "lead_text": "lead",
               "timescale": "timescale", "number": "number"}  # shown as word differences
# How a reader names the model's other fields; a field not named here is named after itself
# ("rag_column" -> "rag column"), so a field added to the model is never a silent change.
FIELD_WORDS = {"leads": "lead organisations", "due": "due date", "status_words": "status words", "rag": "RAG rating",
               "sic": "[sic] notes", "theme_id": "theme", "subtheme_id": "sub-heading", "section_heading": "heading",
               "group_heading": "heading", "plan_status": "the plan's status", "number_under": "number",
               "source_title": "source", "source_date": "source", "source_date_note": "source",
               "source_url": "source", "kpi_intro": "KPIs", "kpi_headings": "KPIs", "kpis": "KPIs",
               "reviewed": "review dates", "review_every": "review dates", "signatories_recorded": "signatories",
               "rag_column": "RAG column"}
# Shown otherwise: an action's words, status and updates; a plan's actions and its place (a rename).
# An action's copies of its plan's values (its area, RAG column, overdue at review) are the plan's changes.
ACTION_SHOWN = {*TEXT_FIELDS, "status", "updates", "area_slug", "rag_column", "overdue_at_review"}
PLAN_SHOWN = {"preamble", "sections", "source_path", "slug"}
# XML 1.0 allows none of these; a commit message may hold any of them, and a feed must stay XML.
_NOT_XML = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def plain(text: str) -> str:
    """Text from the history as a page or feed may show it: CR line ends as LF, tabs as spaces, and
    characters XML forbids (control characters, lone surrogates) removed."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))


def read_version(raw: bytes, path: str) -> Area | str:
    """One version of an area file as the model's Area, or, if the build would refuse it, the first
    reason why (one line)."""
    doc, errors = load_bytes(raw, path, "area", as_published=True)
    if errors or doc is None:
        return str(errors[0]) if errors else f"{path}: could not be read"
    data = doc.data
    try:
        area = build_area(data, path)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return f"{path}: could not be read ({type(exc).__name__})"
    stem = path.rsplit("/", 1)[-1].removesuffix(".yaml")
    if area.slug != stem:
        return f"{path}: slug '{area.slug}' does not match the file name '{stem}.yaml'"
    for action in area.actions:
        for date in [action.due, *(u.date for u in action.updates)]:
            if date and parse_due(date) is None:
                return f"{path}: '{date}' is not a real date ({action.label})"
    if area.reviewed and parse_due(area.reviewed) is None:
        return f"{path}: '{area.reviewed}' is not a real date (reviewed)"
    return area


def word_diff(old: str, new: str) -> list[list[str]]:
    """A word-level difference: [op, text] runs, op '=' (same), '+' (added) or '-' (removed).
    Fields too long to compare word by word in reasonable time are shown as replaced whole."""
    old, new = plain(old), plain(new)
    a, b = re.findall(r"\s+|[^\s]+", old), re.findall(r"\s+|[^\s]+", new)
    if len(a) + len(b) > MAX_DIFF_WORDS:
        return [[op, t] for op, t in (("-", old), ("+", new)) if t]
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


def area_change(before: Area | str | None, after: Area | str | None, path: str = "",
                renamed_from: str = "") -> dict | None:
    """What a change did to one area file, as JSON-ready data, or None when it changed nothing the
    site publishes (a reformatted file, a comment, the file unchanged).

    `before` and `after` are the versions as `read_version` gives them: an Area, the reason it
    could not be read, or None where there was no file. The result has `slug`, `name`,
    `kind` ("added", "removed", "changed", or "unreadable" when `after` could not be read),
    `action_count` (of the plan after the change, before it for a removed plan) and:
    `actions` (each changed action: `id`, `label`, `leads`, `kind` "added"/"removed"/"changed",
    and for a changed one `status_from`, `status_to`, `texts` as [field, word diff], `updates`
    (dates of progress updates added) and `other` (other fields changed, in words)); `other`
    (parts of the plan besides its actions that changed, in words); `ids` (for an added plan:
    its actions); `reason` (for an unreadable version); `renamed_from`.
    """
    if isinstance(after, str):
        shown = before if isinstance(before, Area) else None
        slug = shown.slug if shown else path.rsplit("/", 1)[-1].removesuffix(".yaml")
        return {"slug": slug, "name": shown.name if shown else slug, "kind": "unreadable", "reason": plain(after),
                "action_count": len(shown.actions) if shown else 0, "actions": [], "other": []}
    old = before if isinstance(before, Area) else None
    if old is None and after is None:
        return None
    current = after or old
    change = {"slug": current.slug, "name": plain(current.name),
              "kind": "added" if old is None else "removed" if after is None else "changed",
              "action_count": len(current.actions), "actions": [], "other": []}
    if renamed_from:
        change["renamed_from"] = plain(renamed_from)
    if old is None or after is None:
        if old is None:
            change["ids"] = [a.id for a in after.actions]  # for each action's history: when it was published
            if isinstance(before, str):
                change["kind"] = "readable"  # after a version that could not be read
        return change
    if dataclasses.replace(old, source_path="") == dataclasses.replace(after, source_path="") and not renamed_from:
        return None
    was_actions = {a.id: a for a in old.actions}
    now_actions = {a.id: a for a in after.actions}
    for action_id in [*now_actions, *(i for i in was_actions if i not in now_actions)]:
        record = _action_change(was_actions.get(action_id), now_actions.get(action_id))
        if record:
            change["actions"].append(record)
    change["other"] = _fields_changed(old, after, PLAN_SHOWN)
    if not change["actions"] and _outline(old) != _outline(after):
        change["other"].append("headings or order")  # the same actions, arranged differently
    if not change["actions"] and not change["other"] and not renamed_from:
        change["other"] = ["details"]
    return change


def _action_change(was: Action | None, now: Action | None) -> dict | None:
    shown = now or was
    record = {"id": shown.id, "label": plain(shown.heading), "leads": list(shown.leads)}
    if was is None or now is None:
        record["kind"] = "added" if was is None else "removed"
        return record
    if not _fields_changed(was, now, ACTION_SHOWN - {*TEXT_FIELDS, "status", "updates"}):
        return None  # the same action (in a renamed plan, or one whose RAG column note changed)
    record["kind"] = "changed"
    record["status_from"], record["status_to"] = was.status, now.status
    record["texts"] = [[words, word_diff(getattr(was, name), getattr(now, name))]
                       for name, words in TEXT_FIELDS.items() if getattr(was, name) != getattr(now, name)]
    known = set(was.updates)
    record["updates"] = [u.date for u in now.updates if u not in known]
    record["other"] = _fields_changed(was, now, ACTION_SHOWN)
    if not record["updates"] and set(now.updates) != known:
        record["other"].append("progress updates")
    if not (record["texts"] or record["updates"] or record["other"] or record["status_from"] != record["status_to"]):
        record["other"] = ["details"]
    return record


def _outline(area: Area) -> tuple:
    """A plan's headings and the order of its actions, without the actions themselves."""
    return (tuple(a.id for a in area.preamble),
            tuple((s.heading, s.theme_id, tuple((g.heading, g.theme_id, g.subtheme_id, tuple(a.id for a in g.actions))
                                                for g in s.groups)) for s in area.sections))


def _fields_changed(old, new, shown_otherwise: set[str]) -> list[str]:
    """The reader's names of the dataclass fields that differ between two versions, but those in
    `shown_otherwise`."""
    return sorted({FIELD_WORDS.get(f.name, f.name.replace("_", " ")) for f in dataclasses.fields(old)
                   if f.name not in shown_otherwise and getattr(old, f.name) != getattr(new, f.name)})


def summary(change, correction: bool) -> str:
    """A change's heading, made from the change (an AreaChange): "Bromley: 2 actions updated, 1 completed".
    A correction's changed actions are "corrected", whatever it did to their status."""
    name = change.name
    if change.kind in ("added", "removed", "unreadable", "readable"):
        return f"{name}: " + {"added": "plan published", "removed": "plan removed",
                              "unreadable": "this version could not be read",
                              "readable": "plan readable again"}[change.kind]
    counts: dict[str, int] = {}
    for action in change.actions:
        if action.kind != "changed":
            key = action.kind
        elif correction:
            key = "corrected"
        elif action.status_changed and action.status_to == "complete":
            key = "completed"
        elif action.status_changed:
            key = "status changed"
        else:
            key = "updated"
        counts[key] = counts.get(key, 0) + 1
    order = ("corrected", "completed", "status changed", "updated", "added", "removed")
    said = []
    for key in sorted(counts, key=order.index):
        n = counts[key]
        said.append(f"{n} {('action' if n == 1 else 'actions') + ' ' if not said else ''}{key}")
    if change.other:
        said.append(f"{', '.join(change.other)} {'corrected' if correction else 'changed'}")
    if change.renamed_from:
        said.append("file renamed")
    return f"{name}: " + ", ".join(said)
