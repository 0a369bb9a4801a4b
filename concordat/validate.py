"""Stage 2, validate: check what no single schema can.

Schema checks happen as each file loads; here come the cross references between files
(organisation, theme and sub-theme ids), uniqueness of slugs and ids, and real dates.
Every problem is collected, so `build.py check` can report them all in one run.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ContentError
from .load import Document, LoadedContent, did_you_mean, parse_due


def validate(content: LoadedContent) -> list[ContentError]:
    """Every cross-reference problem in the loaded content (schema problems are already in it)."""
    errors: list[ContentError] = []
    themes_doc, orgs_doc = content.themes, content.organisations
    themes: dict[str, set[str]] = {}
    if themes_doc and themes_doc.path not in content.broken:
        errors.extend(_unique_ids(themes_doc, ("themes",), themes_doc.data["themes"], "theme"))
        for i, theme in enumerate(themes_doc.data["themes"]):
            errors.extend(_unique_ids(themes_doc, ("themes", i, "subthemes"), theme["subthemes"], "sub-theme"))
            themes[theme["id"]] = {s["id"] for s in theme["subthemes"]}
    org_ids: set[str] = set()
    if orgs_doc and orgs_doc.path not in content.broken:
        errors.extend(_unique_ids(orgs_doc, ("organisations",), orgs_doc.data["organisations"], "organisation"))
        org_ids = {o["id"] for o in orgs_doc.data["organisations"]}

    references_checkable = bool(themes_doc and orgs_doc) and not {themes_doc.path, orgs_doc.path} & content.broken
    for doc in content.areas:
        slug = doc.data.get("slug") if isinstance(doc.data, dict) else None
        if not isinstance(slug, str):
            continue
        # A slug must match its file name, so no two areas can share one.
        stem = Path(doc.path).stem
        if stem != slug:
            errors.append(doc.error(("slug",), f"slug '{slug}' does not match the file name '{stem}.yaml'",
                                    f"rename the file to {slug}.yaml, or set slug: {stem}"))
        if references_checkable:
            try:
                errors.extend(check_area_references(doc, themes, org_ids))
            except (KeyError, TypeError, AttributeError, IndexError):
                # Only a file the schema check has already faulted may be unreadable here.
                if doc.path not in content.broken:
                    raise
    return errors


def check_area_references(doc: Document, themes: dict[str, set[str]], org_ids: set[str]) -> list[ContentError]:
    """Ids an area file points at must exist; its own ids must be unique; dates must be real."""
    errors: list[ContentError] = []
    data = doc.data
    action_paths: list[tuple] = [("preamble", i) for i in range(len(data.get("preamble", [])))]
    for si, section in enumerate(data["sections"]):
        at = ("sections", si)
        errors.extend(_known(doc, at + ("theme",), section["theme"], themes, "theme"))
        for gi, group in enumerate(section["groups"]):
            gat = at + ("groups", gi)
            theme_id = group.get("theme", section["theme"])
            if "theme" in group:
                errors.extend(_known(doc, gat + ("theme",), theme_id, themes, "theme"))
            if "subtheme" in group and theme_id in themes:
                errors.extend(_known(doc, gat + ("subtheme",), group["subtheme"], themes[theme_id],
                                     f"sub-theme of '{theme_id}'"))
            action_paths += [gat + ("actions", ai) for ai in range(len(group["actions"]))]

    if "reviewed" in data and parse_due(data["reviewed"]) is None:
        errors.append(doc.error(("reviewed",), f"'{data['reviewed']}' is not a real date"))
    first_seen: dict[str, tuple] = {}
    for at in action_paths:
        action = _get(data, at)
        if action["id"] in first_seen:
            line = doc.where(*first_seen[action["id"]], "id")[0]
            errors.append(doc.error(at + ("id",), f"duplicate action id '{action['id']}'",
                                    f"already used on line {line}; ids must be unique within a plan"))
        first_seen.setdefault(action["id"], at)
        for li, lead in enumerate(action.get("leads", [])):
            errors.extend(_known(doc, at + ("leads", li), lead, org_ids, "organisation"))
        if "due" in action and parse_due(action["due"]) is None:
            errors.append(doc.error(at + ("due",), f"'{action['due']}' is not a real date"))
        for ui, update in enumerate(action.get("updates", [])):
            if parse_due(update["date"]) is None:
                errors.append(doc.error(at + ("updates", ui, "date"), f"'{update['date']}' is not a real date"))

    terms: dict[str, int] = {}
    for gi, entry in enumerate(data.get("glossary", [])):
        if entry["term"] in terms:
            errors.append(doc.error(("glossary", gi, "term"), f"glossary term '{entry['term']}' is listed twice"))
        terms[entry["term"]] = gi
    return errors


def _known(doc: Document, at: tuple, value: str, known, kind: str) -> list[ContentError]:
    if value in known:
        return []
    hint = did_you_mean(value, known)
    if kind == "organisation" and not hint:
        hint = "add it to content/organisations.yaml first"
    return [doc.error(at, f"unknown {kind} '{value}'", hint)]


def _unique_ids(doc: Document, at: tuple, items: list[dict], kind: str) -> list[ContentError]:
    seen: set[str] = set()
    errors = []
    for i, item in enumerate(items):
        if item["id"] in seen:
            errors.append(doc.error(at + (i, "id"), f"duplicate {kind} id '{item['id']}'"))
        seen.add(item["id"])
    return errors


def _get(data, at: tuple):
    for part in at:
        data = data[part]
    return data
