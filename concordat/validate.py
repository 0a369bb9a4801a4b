"""Stage 2, validate: check what no single schema can.

Schema checks happen as each file loads; here come the cross references between files
(organisation, theme and sub-theme ids), uniqueness of slugs and ids, and real dates.
Every problem is collected, so `build.py check` can report them all in one run.
"""

from __future__ import annotations

import re
from pathlib import Path

from .compare import missing_agencies
from .dates import parse_due
from .errors import ContentError
from .importing.rag import rag_problem, words_status
from .load import Document, LoadedContent
from .memo import derived
from .model import ORGANISATION_TYPES, STATUS_LABELS, Site
from .names import quoted_in
from .schema_check import did_you_mean


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
    org_ids: dict[str, str | None] = {}  # organisation id -> the trust that runs it, for a hospital
    if orgs_doc and orgs_doc.path not in content.broken:
        errors.extend(_unique_ids(orgs_doc, ("organisations",), orgs_doc.data["organisations"], "organisation"))
        org_ids = {o["id"]: o.get("run_by") for o in orgs_doc.data["organisations"]}
        errors.extend(_check_hospitals(orgs_doc, org_ids))
        errors.extend(_check_short_names(orgs_doc))
    site_doc = content.site
    regions: set[str] | None = None  # None: the site file cannot be trusted, so regions are not checked
    if site_doc and site_doc.path not in content.broken:
        listed = site_doc.data.get("regions", [])
        errors.extend(_unique_ids(site_doc, ("regions",), listed, "region"))
        regions = {r["id"] for r in listed}

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
        if regions is not None and isinstance(doc.data.get("region"), str):
            errors.extend(_known(doc, ("region",), doc.data["region"], regions, "region"))
        if references_checkable:
            try:
                # Cached (`memo`): the preview re-checks only the file that was saved.
                errors.extend(derived(_reference_errors, doc, (themes, org_ids)))
            except (KeyError, TypeError, AttributeError, IndexError):
                # Only a file the schema check has already faulted may be unreadable here.
                if doc.path not in content.broken:
                    raise
    return errors


def _reference_errors(doc: Document, known: tuple[dict[str, set[str]], dict[str, str | None]]) -> list[ContentError]:
    return check_area_references(doc, *known)


def check_area_references(doc: Document, themes: dict[str, set[str]],
                          org_ids: dict[str, str | None]) -> list[ContentError]:
    """Ids an area file points at must exist; its own ids must be unique; dates must be real;
    what an action quotes from the plan (status words, typos) must be in its text."""
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

    for i, signatory in enumerate(data.get("signatories", [])):
        errors.extend(_known(doc, ("signatories", i), signatory, org_ids, "organisation"))

    errors.extend(_check_places(doc, data.get("covers", [])))

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
            trust = org_ids.get(lead)
            if trust and trust not in action["leads"]:
                errors.append(doc.error(at + ("leads", li), f"'{lead}' is a hospital run by '{trust}'",
                                        f"add {trust} to leads too, so the trust's page lists this action"))
        errors.extend(_check_quotes(doc, at, action))
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


def _check_quotes(doc: Document, at: tuple, action: dict) -> list[ContentError]:
    """A status comes from the plan: its words (status_words) or its RAG cell as the importer read
    it (rag); the editors' own rating goes in a dated update. Quoted words and typos must be the plan's."""
    errors = []
    said = "\n".join([action.get("progress", ""), action.get("timescale", "")]
                     + [u["text"] for u in action.get("updates", [])])
    words, rag, status = action.get("status_words"), action.get("rag"), action["status"]
    if status in STATUS_LABELS:  # else the schema check has reported it
        if status != "not-rated" and not words and not rag:
            errors.append(doc.error(at + ("status",), f"'{status}' needs the plan's words that say so",
                                    "add status_words: copied from the progress or timescale, e.g. Completed; "
                                    "a rating of your own goes in a dated update instead (updates: - date: "
                                    f"YYYY-MM-DD, text: what has happened, status: {status}), and keep "
                                    "status: as the plan gives it"))
        if words:
            errors.extend(_check_status_words(doc, at, words, status, said))
        if rag:
            problem = rag_problem(rag, status)
            if problem:
                errors.append(doc.error(at + ("rag",), f"rag '{rag}' {problem}",
                                        "rag is written by `python build.py import` from the plan's RAG cell: "
                                        "leave it as imported; for the plan's words use status_words, and for a "
                                        "rating of your own a dated update"))
    text = "\n".join(action.get(f, "") for f in ("action", "outcomes", "lead_text", "timescale", "progress"))
    for i, typo in enumerate(action.get("sic", [])):
        if not quoted_in(typo, text):
            errors.append(doc.error(at + ("sic", i), f"'{typo}' is not in this action's text",
                                    "copy the misspelt words exactly as the plan prints them"))
    return errors


STATUS_PHRASE_WORDS = 3  # status_words this long are a phrase of the plan's even without a status word


def _check_status_words(doc: Document, at: tuple, words: str, status: str, said: str) -> list[ContentError]:
    """status_words are a phrase of the plan's that gives the status: whole words of the progress or
    timescale, either a status word ("Completed", "on track") or at least a few words of it."""
    where = at + ("status_words",)
    phrase = " ".join(words.split())
    if not quoted_in(words, said):
        return [doc.error(where, f"'{words}' is not in this action's progress or timescale",
                          "copy the plan's words exactly")]
    if not re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", " ".join(said.split())):
        return [doc.error(where, f"'{words}' is only part of a word in the progress or timescale",
                          "copy whole words: the phrase that says how far the action has got")]
    says = words_status(phrase)
    if says is None and len(phrase.split()) < STATUS_PHRASE_WORDS:
        return [doc.error(where, f"'{words}' does not say how far the action has got",
                          "copy the plan's whole phrase that gives the status, e.g. Completed, or "
                          "Training was completed by June 2015")]
    if says and status != "not-rated" and says != status:
        return [doc.error(where, f"'{words}' says {says}, but status is {status}",
                          "give the status the plan's words say, or copy the words that say this status")]
    return []


def _check_hospitals(doc: Document, run_by: dict[str, str | None]) -> list[ContentError]:
    """A hospital names the trust that runs it; only a hospital does."""
    errors = []
    for i, org in enumerate(doc.data["organisations"]):
        trust = org.get("run_by")
        if org["type"] == "hospital" and not trust:
            errors.append(doc.error(("organisations", i, "type"), f"hospital '{org['id']}' needs run_by",
                                    "give the id of the trust that runs it"))
        elif trust and org["type"] != "hospital":
            errors.append(doc.error(("organisations", i, "run_by"), f"'{org['id']}' has run_by but is not a hospital",
                                    "set type: hospital, or remove run_by"))
        elif trust:
            errors.extend(_known(doc, ("organisations", i, "run_by"), trust, run_by, "organisation"))
            if run_by.get(trust):
                errors.append(doc.error(("organisations", i, "run_by"), f"'{trust}' is itself a hospital",
                                        "give the trust that runs it"))
    return errors


def _check_short_names(doc: Document) -> list[ContentError]:
    """A short name that stops where the organisation's name has a comma ("Dartford" of "NHS
    Dartford, Gravesham and Swanley ...") is a name that YAML's [a, b] list cut at its comma."""
    errors = []
    for i, org in enumerate(doc.data["organisations"]):
        for j, short in enumerate(org.get("short_names", ())):
            if re.search(rf"(?<!\w){re.escape(short)}\s*,", org["name"], re.IGNORECASE):
                errors.append(doc.error(
                    ("organisations", i, "short_names", j),
                    f"short name '{short}' of '{org['id']}' stops at a comma of its name '{org['name']}'",
                    "in a list in [ ], a comma starts the next name: put a name that has a comma in quotes, "
                    'for example [DGS CCG, "Dartford, Gravesham and Swanley CCG"]'))
    return errors


def required_agency_warnings(content: LoadedContent, site: Site) -> list[ContentError]:
    """A warning for each type of organisation site.yaml requires that an area names neither as a lead
    nor as a signatory (`compare.missing_agencies`). Run on valid content only, once it is modelled
    (`site`, whose areas are `content.areas` in order): a warning is advice, never a reason not to publish."""
    if not site.required_types:
        return []
    needs = (site.required_types, {o.id: o.type for o in site.organisations.values()})
    return [doc.warning(
        ("signatories",) if area.signatories_recorded else ("name",),
        f"no '{ORGANISATION_TYPES[kind]}' organisation is named in this plan as a lead or a signatory",
        f"content/site.yaml requires one of type '{kind}': add its id to `signatories` if it signed "
        "the plan, or to the `leads` of an action it leads")
        for doc, area in zip(content.areas, site.areas, strict=True) for kind in derived(missing_agencies, area, needs)]


def _known(doc: Document, at: tuple, value: str, known, kind: str) -> list[ContentError]:
    if value in known:
        return []
    hint = did_you_mean(value, known)
    if kind == "organisation" and not hint:
        hint = "add it to content/organisations.yaml first"
    if kind == "region" and not hint:
        hint = ("use one of: " + ", ".join(sorted(known))) if known else "list the regions in content/site.yaml first"
    return [doc.error(at, f"unknown {kind} '{value}'", hint)]


def _check_places(doc: Document, covers: list[dict]) -> list[ContentError]:
    """A place listed twice in one plan is a copying mistake: the finder would show it twice."""
    errors = []
    seen: dict[str, tuple] = {}
    for i, council_area in enumerate(covers):
        named = [(("covers", i, "name"), council_area["name"])]
        named += [(("covers", i, "towns", t), town) for t, town in enumerate(council_area.get("towns", []))]
        for at, place in named:
            key = " ".join(place.casefold().split())
            if key in seen:
                line = doc.where(*seen[key])[0]
                errors.append(doc.error(at, f"'{place}' is listed twice in covers",
                                        f"it is already on line {line}: list each place once"))
            seen.setdefault(key, at)
    return errors


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
