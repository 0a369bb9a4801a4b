"""Following CONTRIBUTING.md literally works: each YAML example, as GitHub shows it, pasted where
the text says, gives content that `python build.py check` accepts."""

from __future__ import annotations

import re
import shutil

import pytest

from concordat.cli import main
from concordat.pipeline import Project, load_site

from .conftest import ROOT

GUIDE = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^( *)```yaml\n(.*?)^\1```", re.MULTILINE | re.DOTALL)


def examples() -> list[str]:
    """Each YAML example as rendered: a fence indented inside a list item loses that indentation."""
    found = []
    for match in FENCE.finditer(GUIDE):
        indent = len(match[1])
        found.append("".join(line[indent:] if line[:indent].isspace() else line
                             for line in match[2].splitlines(keepends=True)))
    return found


def by_first_key(key: str) -> str:
    [example] = [e for e in examples() if re.match(rf"(\s*#.*\n)*\s*(- )?{re.escape(key)}", e)]
    return example


def action_lines(lines: list[str], search: str) -> tuple[int, int]:
    """The first and last line (0-based, inclusive) of the action Ctrl+F finds with `search`."""
    [start] = [i for i, line in enumerate(lines) if line.strip().startswith(search.strip())]
    dash = len(lines[start]) - len(lines[start].lstrip())
    end = start
    while end + 1 < len(lines) and (not lines[end + 1].strip()
                                    or len(lines[end + 1]) - len(lines[end + 1].lstrip()) > dash):
        end += 1
    return start, end


@pytest.fixture
def project(tmp_path) -> Project:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return Project(tmp_path)


def test_every_yaml_example_is_tried_below():
    firsts = sorted(re.sub(r"(\s*#.*\n)*", "", e, count=1).split(":")[0].strip("- \n") for e in examples())
    assert firsts == ["covers", "id", "progress", "reviewed", "reviewers", "signatories", "updates"], firsts


def test_the_update_recipe_works_as_written(project):
    """Steps 1-4 of "Update a plan's progress": the file named, the action found by the search the
    guide gives, the update pasted below the action's last line, as the guide shows it."""
    step = GUIDE[GUIDE.index("## Update a plan's progress"):GUIDE.index("### Rules for plan text")]
    area = re.search(r"for example `(\w[\w-]*\.yaml)`", step)[1]
    search = re.search(r"press Ctrl\+F and type `([^`]+)`", step)[1]
    path = project.content / "areas" / area
    text = path.read_text(encoding="utf-8")
    assert text.count(search + "\n") == 1, f"{search!r} must find one action in {area}"
    lines = text.splitlines(keepends=True)
    _, end = action_lines(lines, search)
    lines[end + 1:end + 1] = [by_first_key("updates")]
    path.write_text("".join(lines), encoding="utf-8")
    site = load_site(project)
    [action] = [a for a in site.area(path.stem).actions if a.id == search.split(":", 1)[1].strip()]
    assert action.status == "green" and action.updates[-1].text == "Street triage now runs seven days a week."


def test_the_long_text_example_replaces_a_progress_line(project):
    path = project.content / "areas" / "bromley.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start, end = action_lines(lines, "- id: 1b-4")
    at = next(i for i in range(start, end + 1) if lines[i].strip().startswith("progress:"))
    stop = at + 1
    while stop <= end and len(lines[stop]) - len(lines[stop].lstrip()) > len(lines[at]) - len(lines[at].lstrip()):
        stop += 1
    lines[at:stop] = [by_first_key("progress")]
    path.write_text("".join(lines), encoding="utf-8")
    [action] = [a for a in load_site(project).area("bromley").actions if a.id == "1b-4"]
    assert action.progress.startswith("Partnership Board established")


def test_the_review_dates_signatories_and_organisation_examples_work_where_the_guide_puts_them(project):
    area = project.content / "areas" / "kent-and-medway.yaml"
    area.write_text(area.read_text(encoding="utf-8") + by_first_key("reviewed") + by_first_key("signatories"),
                    encoding="utf-8")
    orgs = project.content / "organisations.yaml"
    orgs.write_text(orgs.read_text(encoding="utf-8") + by_first_key("id"), encoding="utf-8")
    site = load_site(project)
    kent = site.area("kent-and-medway")
    assert kent.reviewed == "2016-06-30"
    assert "north-yorkshire-police" in site.organisations


def test_the_reviewers_example_then_codeowners_passes_check(project, capsys):
    area = project.content / "areas" / "kent-and-medway.yaml"
    area.write_text(area.read_text(encoding="utf-8") + by_first_key("reviewers"), encoding="utf-8")
    assert main(["codeowners"], project.root) == 0
    assert main(["check"], project.root) == 0, capsys.readouterr().err


def test_the_covers_example_is_what_the_finder_reads(project):
    """The guide's `covers` example in place of Kent and Medway's own list: check passes, and the
    place it names is found as the guide says."""
    area = project.content / "areas" / "kent-and-medway.yaml"
    text = area.read_text(encoding="utf-8")
    start = text.index("\ncovers:\n") + 1
    after = re.search(r"\n(?=[A-Za-z_])", text[start + len("covers:\n"):])
    end = start + len("covers:\n") + after.start() + 1 if after else len(text)
    area.write_text(text[:start] + by_first_key("covers") + text[end:], encoding="utf-8")
    kent = load_site(project).area("kent-and-medway")
    [place] = kent.covers
    assert (place.name, place.council, place.towns) == ("Gravesham", "Gravesham Borough Council",
                                                         ("Gravesend", "Northfleet"))
