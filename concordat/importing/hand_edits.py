"""`import --update`: keep what an editor fixed or added by hand in an area's file when its plan
is imported again. The plan's own words always come from the document."""

from __future__ import annotations

from .imported import ImportedPlan

KEPT_AREA_FIELDS = ("region", "signatories", "reviewed", "review_every", "introduction", "kpi_headings")
KEPT_SOURCE_FIELDS = ("date", "url", "date_note", "rag_column")
KEPT_ACTION_FIELDS = ("status_words", "sic", "due", "updates")


def keep_hand_edits(plan: ImportedPlan, old: dict, old_text: str) -> list[str]:
    """Put into `plan` what an editor fixed or added by hand in the area's file `old`: the fields
    the import does not write, leads and themes as corrected, and a status given with the plan's
    words where the import read none. Returns a note of each thing kept, for the report.

    The plan's own words (action, progress, timescale...) always come from the document. Leads
    are the edited ones, with any the import now matches added; a REVIEW note the editor deleted
    stays deleted."""
    notes = []

    def still_there(comments: list[str]) -> list[str]:
        return [c for c in comments if " ".join(c.split()[:6]) in " ".join(old_text.split())]

    plan.kept = {k: old[k] for k in KEPT_AREA_FIELDS if k in old}
    source = {k: old["source"][k] for k in KEPT_SOURCE_FIELDS if k in old.get("source", {})}
    if source:
        plan.kept["source"] = source
    notes += [f"{k}" for k in plan.kept if k != "source"] + [f"source {k}" for k in source]
    old_sections = {s["heading"]: s for s in old.get("sections", [])}
    for section in plan.sections:
        before = old_sections.get(section.heading)
        if not before:
            continue
        section.comments = still_there(section.comments)
        if before["theme"] != section.theme:
            notes.append(f"theme '{before['theme']}' of section '{_short(section.heading)}'")
            section.theme, section.comments = before["theme"], []
        old_groups = {g.get("heading"): g for g in before.get("groups", [])}
        for group in section.groups:
            was = old_groups.get(group.heading)
            if was:
                group.comments = still_there(group.comments)
            if was and (was.get("theme"), was.get("subtheme")) != (group.theme, group.subtheme):
                notes.append(f"theme and sub-theme of '{_short(group.heading or section.heading)}'")
                group.theme, group.subtheme, group.comments = was.get("theme"), was.get("subtheme"), []
    old_actions = {a["id"]: a for a in old.get("preamble", [])}
    old_actions.update({a["id"]: a for s in old.get("sections", []) for g in s["groups"] for a in g["actions"]})
    for action in plan.actions():
        was = old_actions.pop(action.id, None)
        if was is None:
            continue
        kept = [k for k in KEPT_ACTION_FIELDS if k in was]
        action.kept = {k: was[k] for k in kept}
        old_leads = list(was.get("leads", []))
        if old_leads != action.leads:
            added = [i for i in action.leads if i not in old_leads]
            action.leads = old_leads + added
            kept.insert(0, "leads" + (f" (and newly matched: {', '.join(added)})" if added else ""))
        if action.status == "not-rated" and was["status"] != "not-rated" and not action.rag:
            action.status = was["status"]
            action.rag = was.get("rag", "")
            kept.insert(0, "status")
        if kept:
            notes.append(f"action {action.id}: {', '.join(kept)}")
    notes += [f"action {gone}: not in the plan any more, so not kept (check the plan)" for gone in old_actions]
    return notes


def _short(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."
