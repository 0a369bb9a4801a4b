"""Command line: `python build.py [build|check|serve|new-area|import]`."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

from .errors import ContentError, ContentErrors, describe_os_error, display_path
from .model import slug_problem, slugify
from .pipeline import Project, build_site, default_progress, load_site
from .search import SearchIndexError
from .write import OutputFolderError


def report(errors: list[ContentError]) -> None:
    """Print errors like a compiler; under GitHub Actions also as annotations on the pull request."""
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for error in errors:
        print(error, file=sys.stderr)
        if annotate:
            print(error.github_annotation())
    print(f"{len(errors)} error{'s' if len(errors) != 1 else ''} in content: nothing was published.", file=sys.stderr)


def report_warnings(warnings: tuple[ContentError, ...], annotate: bool) -> None:
    """Print warnings like errors, prefixed "warning:"; `annotate` adds GitHub Actions annotations
    (only `check` does, so a pull request that runs both check and build shows each once)."""
    for warning in warnings:
        print(warning, file=sys.stderr)
        if annotate:
            print(warning.github_annotation())
    if warnings:
        print(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''} in content "
              "(`python build.py check --strict` treats them as errors).", file=sys.stderr)


def cmd_build(args, project: Project) -> int:
    try:
        result = build_site(project, out_dir=args.out, base_url=args.base_url, full=args.full,
                            progress=default_progress, workers=args.workers)
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
    try:
        site = load_site(project)
    except ContentErrors as exc:
        report(exc.errors)
        return 1
    from .history import history_warnings, review_warnings

    try:
        warnings = site.warnings + tuple(review_warnings(project.root, site)) + tuple(
            history_warnings(project.root, site))
    except ContentErrors as exc:  # the corrections list
        report(exc.errors)
        return 1
    if args.strict and warnings:
        report([dataclasses.replace(w, level="error") for w in warnings])
        return 1
    report_warnings(warnings, annotate=os.environ.get("GITHUB_ACTIONS") == "true")
    print(f"Content is valid: {len(site.areas)} areas, {len(site.actions)} actions, "
          f"{len(site.organisations)} organisations.")
    return 0


def cmd_serve(args, project: Project) -> int:
    from .serve import serve

    return serve(project, host=args.host, port=args.port)


STARTER = """\
# yaml-language-server: $schema=../../concordat/schemas/area.schema.json
# A new area's plan. Fill in each field; `python build.py check` says what is missing or wrong.
# The fields are described in CONTRIBUTING.md.
name: {name}
slug: {slug}
source:
  title: {title}
sections:
  - heading: 1. Commissioning to allow earlier intervention and responsive crisis services
    theme: commissioning
    groups:
      - heading: Matching local need with a suitable range of services
        subtheme: matching-local-need
        actions:
          - id: "1"
            number: "1"
            action: Describe the first action here.
            lead_text: Name the lead organisation here.
            timescale: March 2027
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
    title = f"{name} Mental Health Crisis Care Concordat action plan"
    path.parent.mkdir(parents=True, exist_ok=True)
    # Every value quoted: a slug such as "no" or "1e3" is text to every YAML reader only in quotes.
    text = STARTER.format(name=json.dumps(name), title=json.dumps(title), slug=json.dumps(slug))
    path.write_text(text, encoding="utf-8")
    print(f"Wrote {display_path(path, project.root)}: edit it, then run `python build.py check`.")
    return 0


def cmd_import(args, project: Project) -> int:
    from .onboard import import_plan

    return import_plan(args.plan, args.name, project.content, project.root, force=args.force)


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
    serve = sub.add_parser("serve", help="preview with live reload on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    new = sub.add_parser("new-area", help="write a starter file for a new area")
    new.add_argument("name", help='the area\'s name, e.g. "North Yorkshire"')
    imp = sub.add_parser("import", help="write an area file from its Word (.docx) or Excel (.xlsx) action plan")
    imp.add_argument("plan", type=Path, help="the plan: PLAN.docx or PLAN.xlsx")
    imp.add_argument("--name", required=True, help='the area\'s name, e.g. "North Yorkshire"')
    imp.add_argument("--force", action="store_true", help="replace the area's file if it already exists")
    args = parser.parse_args(argv)
    project = Project((root or Path.cwd()).resolve())
    commands = {None: cmd_build, "build": cmd_build, "check": cmd_check, "serve": cmd_serve, "new-area": cmd_new_area,
                "import": cmd_import}
    try:
        return commands[args.command](args, project)
    except OSError as exc:  # a full or read-only disk, a name too long for the file system
        print(f"error: {describe_os_error(exc)}", file=sys.stderr)
        return 1
