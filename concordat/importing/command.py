"""The `import` command: a plan's .docx or .xlsx in, a reviewed-ready area file and a report out.

Nothing is written unless the whole import succeeds and the new file passes the same checks as
`python build.py check`; an existing area file is replaced only with --force (or, keeping what
an editor changed, --update). A published spreadsheet (`data/areas/<slug>.xlsx`) goes back into
its area file instead.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from ..errors import ContentError, display_path
from ..load import ContentFiles, load_document
from ..names import is_slug, slug_problem, slugify
from ..raw_text import remove_invisible
from ..spreadsheet import SpreadsheetError, is_area_spreadsheet, read_area_spreadsheet
from ..validate import check_area_references
from .file_checks import PlanFileError
from .files import read_plan
from .hand_edits import keep_hand_edits
from .imported import ImportedPlan
from .reader import PlanReader
from .yaml_out import MODELINE, dump_area, dump_data
from .yaml_update import update_actions

# What `check` says when a plan's text is beyond the site's limits, which no importer can change.
BEYOND_LIMITS = ("is too long (", "file is too large")


class _NotImported(Exception):
    """Why nothing was written, in the one line the editor sees."""


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
        themes, organisations, reader = _read_document(plan_path, name, slug, content_dir, project_root)
        kept_notes: list[str] = []
        if update and target.exists():
            kept_notes = _keep_edits(reader.plan, target, shown, project_root)
        text, removed = _area_text(reader.plan, plan_path, slug, themes, organisations, project_root)
    except _NotImported as exc:
        return _fail(str(exc))
    target.parent.mkdir(parents=True, exist_ok=True)
    _write(target, slug, text)
    _print_report(reader, organisations, plan_path, shown, text, kept_notes, removed)
    return 0


def _read_document(plan_path: Path, name: str, slug: str, content_dir: Path,
                   project_root: Path) -> tuple[list[dict], dict[str, dict], PlanReader]:
    """The registry's themes and organisations, and the plan read (its report kept in the reader);
    a refusal or failure as one line."""
    try:
        themes, organisations = _registry(ContentFiles(content_dir), project_root)
        blocks = read_plan(plan_path)
        reader = PlanReader(name, slug, themes, organisations)
        reader.read(blocks)
    except PlanFileError as exc:
        raise _NotImported(str(exc)) from None
    except ContentError as exc:
        raise _NotImported(f"{exc} (fix it first: run `python build.py check`)") from None
    except ValueError as exc:
        raise _NotImported(f"{plan_path.name}: {exc}") from None
    except (MemoryError, RecursionError):  # a limit of this machine, not a fault of the importer
        raise _NotImported(f"{plan_path.name} is too large or too deeply nested to import on this computer") from None
    except Exception as exc:  # a plan the importer cannot cope with: one line, and nothing written
        raise _NotImported(f"{plan_path.name} could not be imported ({type(exc).__name__}: {exc}); "
                           "please report this") from None
    return themes, organisations, reader


def _keep_edits(plan: ImportedPlan, target: Path, shown: str, project_root: Path) -> list[str]:
    existing, errors = load_document(target, "area", project_root)
    if existing is None or errors:
        raise _NotImported(f"{shown} has errors, so what was edited in it cannot be kept: fix them first "
                           f"(`python build.py check`), or replace it with --force")
    return keep_hand_edits(plan, existing.data, target.read_text(encoding="utf-8"))


def _area_text(plan: ImportedPlan, plan_path: Path, slug: str, themes: list[dict], organisations: dict[str, dict],
               project_root: Path) -> tuple[str, list[str]]:
    """The area file's text and the invisible characters removed from it, once it passes check."""
    # Invisible characters inside words (a soft hyphen, a zero-width space) would break search
    # for the word: removed, and each listed in the report.
    text, removed = remove_invisible(dump_area(plan, plan_path.name))
    problems = _check(text, slug, themes, organisations, project_root)
    if problems:
        if any(limit in problems[0] for limit in BEYOND_LIMITS):  # the plan's own text, not an importer fault
            raise _NotImported(f"the imported file would not pass check ({problems[0]}); nothing was written: "
                               "that is more than the site takes, so shorten it (in the plan, or in --name)")
        raise _NotImported(f"the imported file would not pass check ({problems[0]}); nothing was written, "
                           "please report this")
    return text, removed


def _print_report(reader: PlanReader, organisations: dict[str, dict], plan_path: Path, shown: str, text: str,
                  kept_notes: list[str], removed: list[str]) -> None:
    print(f"Wrote {shown} from {plan_path.name}:")
    for line in reader.report.summary(reader.plan, organisations):
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
    _write(target, slug, text)
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


def _write(target: Path, slug: str, text: str) -> None:
    """Replace the area file in one step, so a failure midway leaves the old file whole."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, prefix=f".{slug}.",
                                     suffix=".tmp", delete=False) as handle:
        handle.write(text)
    os.replace(handle.name, target)


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
