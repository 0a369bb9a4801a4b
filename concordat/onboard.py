"""The `import` command: a plan's .docx or .xlsx in, a reviewed-ready area file and a report out.

Nothing is written unless the whole import succeeds and the new file passes the same checks as
`python build.py check`; an existing area file is replaced only with --force.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from .area_yaml import MODELINE, dump_area, dump_data, update_actions
from .errors import ContentError, display_path
from .importer import ImportedPlan, PlanReader
from .load import ContentFiles, load_document
from .names import is_slug, slug_problem, slugify
from .plan_files import PlanFileError, read_plan
from .raw_text import remove_invisible
from .spreadsheet import SpreadsheetError, is_area_spreadsheet, read_area_spreadsheet
from .validate import check_area_references

# What `check` says when a plan's text is beyond the site's limits, which no importer can change.
BEYOND_LIMITS = ("is too long (", "file is too large")


def import_plan(plan_path: Path, name: str | None, content_dir: Path, project_root: Path, force: bool = False,
                update: bool = False) -> int:
    """Run the import; print the report, or one line saying why nothing was written. Returns the exit status.

    With `update`, the area's existing file is read first and what an editor fixed or added by
    hand (leads, themes, statuses with their words, updates, region, ...) is kept in the new one."""
    try:
        published = is_area_spreadsheet(plan_path)
    except PlanFileError as exc:
        return _fail(str(exc))
    except Exception:  # not a readable workbook: read_plan says why below
        published = False
    if published:
        return import_spreadsheet(plan_path, content_dir, project_root)
    if not name:
        return _fail("give the area's name with --name, e.g. --name \"North Yorkshire\"", 2)
    name = " ".join(name.split())
    problem = slug_problem(name)
    if problem:
        return _fail(problem, 2)
    slug = slugify(name)
    target = content_dir / "areas" / f"{slug}.yaml"
    shown = display_path(target, project_root)
    if target.exists() and not (force or update):
        return _fail(f"{shown} already exists: add --update to import it again keeping your edits, "
                     "or --force to replace it", 2)
    try:
        themes, organisations = _registry(ContentFiles(content_dir), project_root)
        blocks = read_plan(plan_path)
        reader = PlanReader(name, slug, themes, organisations)
        plan = reader.read(blocks)
    except PlanFileError as exc:
        return _fail(str(exc))
    except ContentError as exc:
        return _fail(f"{exc} (fix it first: run `python build.py check`)")
    except ValueError as exc:
        return _fail(f"{plan_path.name}: {exc}")
    except (MemoryError, RecursionError):  # a limit of this machine, not a fault of the importer
        return _fail(f"{plan_path.name} is too large or too deeply nested to import on this computer")
    except Exception as exc:  # a plan the importer cannot cope with: one line, and nothing written
        return _fail(f"{plan_path.name} could not be imported ({type(exc).__name__}: {exc}); please report this")
    kept_notes: list[str] = []
    if update and target.exists():
        existing, errors = load_document(target, "area", project_root)
        if existing is None or errors:
            return _fail(f"{shown} has errors, so what was edited in it cannot be kept: fix them first "
                         f"(`python build.py check`), or replace it with --force")
        kept_notes = keep_hand_edits(plan, existing.data, target.read_text(encoding="utf-8"))
    # Invisible characters inside words (a soft hyphen, a zero-width space) would break search
    # for the word: removed, and each listed in the report.
    text, removed = remove_invisible(dump_area(plan, plan_path.name))
    problems = _check(text, slug, themes, organisations, project_root)
    if problems:
        if any(limit in problems[0] for limit in BEYOND_LIMITS):  # the plan's own text, not an importer fault
            return _fail(f"the imported file would not pass check ({problems[0]}); nothing was written: "
                         "that is more than the site takes, so shorten it (in the plan, or in --name)")
        return _fail(f"the imported file would not pass check ({problems[0]}); nothing was written, please report this")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, prefix=f".{slug}.",
                                     suffix=".tmp", delete=False) as handle:
        handle.write(text)
    os.replace(handle.name, target)
    print(f"Wrote {shown} from {plan_path.name}:")
    for line in reader.report.summary(plan, organisations):
        print(line)
    if kept_notes:
        print(f"Kept from the edited {shown}:")
        for note in kept_notes:
            print(f"  {note}")
    if removed:
        print(f"Invisible characters removed (they hide inside a word and break search for it), in {shown}:")
        for note in removed:
            print(f"  {note}")
    review = text.count("# REVIEW:")
    print(f"Next: check the {review} REVIEW comment{'s' if review != 1 else ''} in {shown} and the lines above, "
          "run `python build.py check`, preview with `python build.py serve`, then open a pull request.")
    return 0


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


def import_spreadsheet(path: Path, content_dir: Path, project_root: Path) -> int:
    """Put a plan's published spreadsheet (`data/areas/<slug>.xlsx`, perhaps edited in Excel) back
    into its area file: its sections and preamble are replaced by the spreadsheet's, and every
    other line of the file (name, source, KPIs, glossary, comments) stays as it was. A new area
    gets a file with its name, its id and the actions."""
    try:
        data = read_area_spreadsheet(path)
    except (PlanFileError, SpreadsheetError) as exc:
        return _fail(str(exc))
    slug = data.get("slug", "")
    if not is_slug(slug):
        return _fail(f"{path.name}: the spreadsheet's area id (sheet 'Plan', beside 'Area id:' in row 3) is "
                     f"{slug!r}; put back the id the site wrote there, e.g. bromley")
    target = content_dir / "areas" / f"{slug}.yaml"
    shown = display_path(target, project_root)
    actions = "\n".join(dump_data({k: data[k] for k in ("preamble", "sections") if k in data})) + "\n"
    dropped: list[str] = []
    if target.exists():
        old = target.read_text(encoding="utf-8")
        text, dropped = update_actions(old, data)
    else:
        text = "\n".join([MODELINE, *dump_data({"name": data.get("name") or slug, "slug": slug})]) + "\n" + actions
    themes, organisations = _registry(ContentFiles(content_dir), project_root)
    problems = _check(text, slug, themes, organisations, project_root)
    if problems:
        return _fail(f"{path.name} would not make a valid area file: {problems[0]} (nothing was written)")
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, prefix=f".{slug}.",
                                     suffix=".tmp", delete=False) as handle:
        handle.write(text)
    os.replace(handle.name, target)
    count = sum(len(g.get("actions", [])) for s in data.get("sections", []) for g in s["groups"])
    print(f"Wrote the {count + len(data.get('preamble', []))} actions of {path.name} into {shown}; "
          "everything else in the file is as it was.")
    if dropped:
        print(f"These {len(dropped)} comment lines were among the old actions and are not in the new file "
              "(put back any that matter):")
        for line in dropped:
            print("  " + line)
    print("Next: look at the change (`git diff`), run `python build.py check`, then open a pull request.")
    return 0


def _registry(content: ContentFiles, root: Path) -> tuple[list[dict], dict[str, dict]]:
    themes, errors = load_document(content.themes_file, "themes", root)
    orgs, more = load_document(content.organisations_file, "organisations", root)
    if errors or more:
        raise (errors + more)[0]
    return themes.data["themes"], {o["id"]: o for o in orgs.data["organisations"]}


def _check(text: str, slug: str, themes: list[dict], organisations: dict[str, dict], root: Path) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{slug}.yaml"
        path.write_text(text, encoding="utf-8")
        doc, errors = load_document(path, "area", Path(folder))
        if not errors and doc is not None:
            errors = check_area_references(doc, {t["id"]: {s["id"] for s in t["subthemes"]} for t in themes},
                                           {org_id: org.get("run_by") for org_id, org in organisations.items()})
    return [str(e) for e in errors]


def _fail(message: str, status: int = 1) -> int:
    print(f"error: {message}", file=sys.stderr)
    return status
