"""Command line: `python build.py [build|check|diff|codeowners|offline-copy|serve|new-area|import]`."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

from .errors import ContentError, ContentErrors, describe_os_error, display_path
from .names import slug_problem, slugify
from .pipeline import BuildOptions, Project, build_site, default_progress, load_site
from .raw_text import STARTER_PLACEHOLDERS
from .search import SearchIndexError
from .write import OutputFolderError


def _annotated(error: ContentError, changed: set[str] | None) -> bool:
    """Whether to annotate it on the pull request: under GitHub Actions, and (given the files the
    pull request changes) only in those, so standing warnings elsewhere do not crowd out its own."""
    return os.environ.get("GITHUB_ACTIONS") == "true" and (changed is None or
                                                          Path(error.path).as_posix() in changed)


def report(errors: list[ContentError], changed: set[str] | None = None) -> None:
    """Print errors like a compiler; under GitHub Actions also as annotations on the pull request."""
    for error in errors:
        print(error, file=sys.stderr)
        if _annotated(error, changed):
            print(error.github_annotation())
    print(f"{len(errors)} error{'s' if len(errors) != 1 else ''} in content: nothing was published.", file=sys.stderr)


def report_warnings(warnings: tuple[ContentError, ...], annotate: bool, changed: set[str] | None = None) -> None:
    """Print warnings like errors, prefixed "warning:"; `annotate` adds GitHub Actions annotations
    (only `check` does, so a pull request that runs both check and build shows each once)."""
    for warning in warnings:
        print(warning, file=sys.stderr)
        if annotate and _annotated(warning, changed):
            print(warning.github_annotation())
    if warnings:
        print(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''} in content "
              "(`python build.py check --strict` treats them as errors).", file=sys.stderr)


def cmd_build(args, project: Project) -> int:
    try:
        result = build_site(project, BuildOptions(out_dir=args.out, base_url=args.base_url, full=args.full,
                                                  workers=args.workers, progress=default_progress))
    except ContentErrors as exc:
        report(exc.errors)
        return 1
    except SearchIndexError as exc:
        print(f"error: {exc}; nothing was published.", file=sys.stderr)
        return 1
    except OutputFolderError as exc:
        print(f"error: {exc}; nothing was written.", file=sys.stderr)
        return 2
    except OSError as exc:  # a full or read-only disk, say
        where = f"cannot write {display_path(args.out or project.output, project.root)}"
        print(f"error: {describe_os_error(exc, where)}; nothing was published.", file=sys.stderr)
        return 1
    report_warnings(result.warnings, annotate=False)
    print(result.summary())
    return 0


def cmd_check(args, project: Project) -> int:
    changed = None
    if args.changed_since:
        from .review import ReviewError, changed_files, merge_base_of

        base = merge_base_of(project.root, args.changed_since)
        try:
            changed = set(changed_files(project.root, base)) if base else None
        except ReviewError:
            changed = None
        if changed is None:
            print(f"note: cannot tell which files changed since {args.changed_since}: annotating every file",
                  file=sys.stderr)
    try:
        site = load_site(project)
    except ContentErrors as exc:
        report(exc.errors, changed)
        _summarise(args.summary, exc.errors, (), changed)
        return 1
    from .history import history_warnings, review_warnings
    from .review import codeowners_errors

    owners = codeowners_errors(project.root, site)
    try:
        warnings = site.warnings + tuple(review_warnings(project.root, site)) + tuple(
            history_warnings(project.root, site)) + tuple(w for w in owners if w.level == "warning")
    except ContentErrors as exc:  # the corrections list
        report(exc.errors, changed)
        _summarise(args.summary, exc.errors, (), changed)
        return 1
    errors = [e for e in owners if e.level == "error"]
    if args.strict:
        errors, warnings = errors + [dataclasses.replace(w, level="error") for w in warnings], ()
    if errors:
        report(errors, changed)
        _summarise(args.summary, errors, warnings, changed)
        return 1
    report_warnings(warnings, annotate=os.environ.get("GITHUB_ACTIONS") == "true", changed=changed)
    valid = (f"Content is valid: {len(site.areas)} areas, {len(site.actions)} actions, "
             f"{len(site.organisations)} organisations.")
    _summarise(args.summary, [], warnings, changed, valid)
    print(valid)
    return 0


def _summarise(summary: Path | None, errors, warnings, changed: set[str] | None, valid: str = "") -> None:
    """Append the check's result to a Markdown file (the job summary): counts, and every error and
    warning, those in the files the pull request changes first."""
    if summary is None:
        return

    def ours(error: ContentError) -> bool:
        return changed is None or Path(error.path).as_posix() in changed

    lines = ["## Check", ""]
    lines.append(f"**{len(errors)} error{'s' if len(errors) != 1 else ''}**: the change cannot be merged until "
                 f"{'they are' if len(errors) != 1 else 'it is'} fixed." if errors else f"Passed. {valid}")
    lines.append("")
    for title, found in (("Errors", errors), ("Warnings", warnings)):
        if not found:
            continue
        mine = [e for e in found if ours(e)]
        others = [e for e in found if not ours(e)]
        lines.append(f"{title}: {len(mine)} in the files this change touches, {len(others)} in other files "
                     "(shown here, not on the files)." if changed is not None else f"{title}: {len(found)}.")
        lines.append("")
        lines += [f"- `` {e} ``" for e in mine + others]
        lines.append("")
    with open(summary, "a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


def cmd_diff(args, project: Project) -> int:
    from .review import ReviewError, as_json, as_markdown, as_text, review

    try:
        found = review(project, args.base, committed=args.committed)
    except ReviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if args.format == "markdown":  # the job summary says why this part is missing
            print(f"## What this change does to the plans\n\nIt cannot be told: {exc}.\n")
        return 2
    if args.format == "json":
        sys.stdout.write(as_json(found))
    elif args.format == "markdown":
        sys.stdout.write(as_markdown(found, args.preview))
    else:
        sys.stdout.write(as_text(found))
    return 0


def cmd_offline_copy(args, project: Project) -> int:
    from .load import load_document
    from .model_from_content import build_config
    from .review import ReviewError, offline_copy

    site_dir = (args.site or project.output).resolve()
    if not (site_dir / "index.html").is_file():
        print(f"error: there is no built site in {site_dir}: run `python build.py` first", file=sys.stderr)
        return 2
    document, errors = load_document(project.content / "site.yaml", "site", project.root)
    if errors or document is None:
        report(errors)
        return 1
    try:
        pages = offline_copy(site_dir, args.dest, build_config(document.data, args.base_url).base_path)
    except ReviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Wrote {args.dest}: {pages} pages that open from the folder (open index.html).")
    return 0


def cmd_codeowners(args, project: Project) -> int:
    from .review import write_codeowners

    try:
        site = load_site(project)
    except ContentErrors as exc:
        report(exc.errors)
        return 1
    path = write_codeowners(project.root, site)
    named = sum(1 for a in site.areas if a.reviewers)
    print(f"Wrote {path.relative_to(project.root).as_posix()}: reviewers for {named} of {len(site.areas)} areas.")
    return 0


def cmd_serve(args, project: Project) -> int:
    from .serve import serve

    return serve(project, host=args.host, port=args.port)


STARTER = """\
# yaml-language-server: $schema=../../concordat/schemas/area.schema.json
# A new area's plan. Fill in each field; `python build.py check` says what is missing or wrong.
# The fields are described in CONTRIBUTING.md. Nothing is published until every REVIEW note and
# placeholder below is gone: `python build.py check` lists them.
name: {name}
slug: {slug}
# The plan's title, exactly as printed (leave it out if the plan prints none):
# source:
#   title: ...
sections:
  # REVIEW: replace this section with the plan's own sections, groups and actions, then delete this note.
  - heading: 1. Commissioning to allow earlier intervention and responsive crisis services
    theme: commissioning
    groups:
      - heading: Matching local need with a suitable range of services
        subtheme: matching-local-need
        actions:
          - id: "1"
            number: "1"
            action: {action}
            lead_text: {lead}
            status: not-rated
"""


def cmd_new_area(args, project: Project) -> int:
    problem = slug_problem(args.name)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    slug = slugify(args.name)
    path = project.content / "areas" / f"{slug}.yaml"
    if path.exists():
        print(f"error: {display_path(path, project.root)} already exists", file=sys.stderr)
        return 2
    name = args.name.strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Every value quoted: a slug such as "no" or "1e3" is text to every YAML reader only in quotes.
    action, lead = STARTER_PLACEHOLDERS
    text = STARTER.format(name=json.dumps(name), slug=json.dumps(slug), action=action, lead=lead)
    path.write_text(text, encoding="utf-8")
    print(f"Wrote {display_path(path, project.root)}: replace its placeholders with the plan's words, then run "
          "`python build.py check`.")
    return 0


def cmd_import(args, project: Project) -> int:
    from .importing.command import import_plan

    return import_plan(args.plan, args.name, project.content, project.root, force=args.force, update=args.update)


def utf8_output() -> None:
    """Messages quote the plans' words, which Windows' code page (cp1252, used where output goes
    to a pipe or a file, as in CI) cannot always spell: write UTF-8 there, as everywhere else."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    utf8_output()
    parser = argparse.ArgumentParser(prog="build.py", description="Build the Crisis Care Concordat plans site.")
    sub = parser.add_subparsers(dest="command")
    build = sub.add_parser("build", help="build the site into site/ (the default)")
    for p in (parser, build):
        p.add_argument("--base-url", help="override content/site.yaml base_url, e.g. /my-repo/")
        p.add_argument("--out", type=Path, help="output folder (default: site/)")
        p.add_argument("--full", action="store_true", help="render every page, ignoring the previous build")
        p.add_argument("--workers", type=int,
                       help="processes to render with (default: one a core; Linux only, see README)")
    check = sub.add_parser("check", help="check every content file and report all errors and warnings")
    check.add_argument("--strict", action="store_true",
                       help="treat warnings (a missing required agency, a review overdue) as errors")
    check.add_argument("--changed-since", metavar="BASE",
                       help="under GitHub Actions, annotate only the files changed since BASE (others are printed)")
    check.add_argument("--summary", type=Path, metavar="FILE",
                       help="also append the result in Markdown to FILE (e.g. $GITHUB_STEP_SUMMARY)")
    diff = sub.add_parser("diff", help="say what a change does to the plans, compared with BASE (default: main)")
    diff.add_argument("base", nargs="?", help="the branch or commit to compare with (default: main); "
                                              "the comparison starts where HEAD left it")
    diff.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    diff.add_argument("--committed", action="store_true", help="compare HEAD, leaving out uncommitted edits")
    diff.add_argument("--preview", metavar="ARTIFACT", help="(markdown) say how to open the built site from "
                                                            "this GitHub Actions artifact")
    sub.add_parser("codeowners", help="write .github/CODEOWNERS from the reviewers each area file names")
    offline = sub.add_parser("offline-copy", help="copy the built site to a folder whose pages open without "
                                                  "a web server (a pull request's preview)")
    offline.add_argument("dest", type=Path, help="a new folder for the copy")
    offline.add_argument("--site", type=Path, help="the built site (default: site/)")
    offline.add_argument("--base-url", help="the base URL the site was built with, if not content/site.yaml's")
    serve = sub.add_parser("serve", help="preview with live reload on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    new = sub.add_parser("new-area", help="write a starter file for a new area")
    new.add_argument("name", help='the area\'s name, e.g. "North Yorkshire"')
    imp = sub.add_parser("import", help="write an area file from its Word (.docx) or Excel (.xlsx) action plan, "
                                        "or put a plan's spreadsheet from this site (data/areas/<slug>.xlsx) back")
    imp.add_argument("plan", type=Path, help="the plan: PLAN.docx or PLAN.xlsx")
    imp.add_argument("--name", help='the area\'s name, e.g. "North Yorkshire" (not needed for a spreadsheet '
                                    "from this site)")
    again = imp.add_mutually_exclusive_group()
    again.add_argument("--update", action="store_true",
                       help="import the plan again into the area's existing file, keeping what was edited by hand")
    again.add_argument("--force", action="store_true", help="replace the area's file if it already exists")
    args = parser.parse_args(argv)
    project = Project((root or Path.cwd()).resolve())
    commands = {None: cmd_build, "build": cmd_build, "check": cmd_check, "serve": cmd_serve, "new-area": cmd_new_area,
                "import": cmd_import, "diff": cmd_diff, "codeowners": cmd_codeowners,
                "offline-copy": cmd_offline_copy}
    try:
        return commands[args.command](args, project)
    except OSError as exc:  # a full or read-only disk, a name too long for the file system
        print(f"error: {describe_os_error(exc)}", file=sys.stderr)
        return 1
