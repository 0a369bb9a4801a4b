"""Living plans: progress updates decide the status shown, appear as a timeline and in the open data;
review dates and the actions overdue at the last review."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess

import pytest
import yaml

from concordat.errors import ContentErrors
from concordat.export import COLUMNS, data_files
from concordat.pipeline import build_site, load_site

from .conftest import make_project
from .in_process_cli import run_build_py
from .test_incremental import FILES, every_field_content, occurrences, schema_fields, write_content


def updated_project(tmp_path):
    """The example area with two updates (given out of order) on action 1.1 and a review date."""
    content = every_field_content()
    action = content["area"]["sections"][0]["groups"][0]["actions"][0]
    action["updates"] = [
        {"date": "2016-03-31", "text": "Line **open** at night.", "status": "amber"},
        {"date": "2015-11-02", "text": "Recruitment started.", "status": "red"},
    ]
    project = make_project(tmp_path / "p")
    write_content(project, content)
    return project


def test_an_update_may_say_complete_in_its_own_words_but_the_plan_status_still_needs_the_plans(tmp_path):
    """An update is the editors' dated statement: its text backs its `complete`. The plan's own
    `status: complete` still needs the plan's words (status_words) or its RAG cell (rag)."""
    content = every_field_content()
    action = content["area"]["sections"][0]["groups"][0]["actions"][0]
    action.pop("status_words", None)
    action.pop("rag", None)
    action["status"] = "not-rated"
    action["updates"] = [{"date": "2016-09-30", "text": "The line now runs every night.", "status": "complete"}]
    project = make_project(tmp_path / "p")
    write_content(project, content)
    shown = next(a for a in load_site(project).actions if a.id == action["id"])
    assert (shown.status, shown.plan_status) == ("complete", "not-rated")

    action["status"] = "complete"
    write_content(project, content)
    with pytest.raises(ContentErrors) as refused:
        load_site(project)
    assert any("'complete' needs the plan's words" in e.message for e in refused.value.errors)


def text_of(html: str) -> str:
    """The words a reader sees, one space between them."""
    return re.sub(r" ([.,;:])", r"\1", re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_the_latest_update_gives_the_status_shown_everywhere(tmp_path):
    project = updated_project(tmp_path)
    build_site(project, workers=1)
    out = project.output
    page = text_of((out / "areas/exampleshire/actions/1-1/index.html").read_text())
    assert "Status Amber From the update of 31 March 2016; the plan itself gives: Not rated." in page
    assert 'data-pagefind-filter="status">Amber<' in (out / "areas/exampleshire/actions/1-1/index.html").read_text()
    area = text_of((out / "areas/exampleshire/index.html").read_text())
    assert "Amber 2 of 4 actions" in area  # 1.1 by its update, 2.1 by the plan
    theme = (out / "themes/commissioning/index.html").read_text()
    assert re.search(r'Action 1\.1: .*?status-amber', theme, re.S)
    record = next(r for r in json.loads((out / "data/actions.json").read_text()) if r["id"] == "1-1")
    assert (record["status"], record["plan_status"]) == ("amber", "not-rated")


def test_action_page_shows_the_updates_as_a_timeline_newest_first_in_written_dates(tmp_path):
    project = updated_project(tmp_path)
    build_site(project, workers=1)
    html = (project.output / "areas/exampleshire/actions/1-1/index.html").read_text()
    history = html[html.index('id="history-h"'):]
    items = re.findall(r'<li class="timeline-item">(.*?)</li>\s*(?=<li class="timeline-item">|</ol>)', history, re.S)
    assert [text_of(i).split(" Progress")[0].strip() for i in items] == ["31 March 2016", "2 November 2015"]
    assert "<strong>open</strong>" in items[0] and 'datetime="2016-03-31"' in items[0]
    assert "status-red" in items[1]
    other = (project.output / "areas/exampleshire/actions/1-2/index.html").read_text()
    assert "No progress updates have been published for this action yet." in other


def test_updates_are_in_the_json_as_a_list_and_in_the_csv_as_the_latest_plus_updates_csv(tmp_path):
    project = updated_project(tmp_path)
    files = data_files(load_site(project))
    record = next(r for r in json.loads(files["data/actions.json"]) if r["id"] == "1-1")
    assert record["updates"] == [
        {"date": "2015-11-02", "status": "red", "status_label": "Red", "text": "Recruitment started."},
        {"date": "2016-03-31", "status": "amber", "status_label": "Amber", "text": "Line **open** at night."},
    ]
    rows = list(csv.DictReader(io.StringIO(files["data/actions.csv"].decode("utf-8-sig"))))
    row = next(r for r in rows if r["id"] == "1-1")
    assert (row["latest_update_date"], row["latest_update_status"], row["latest_update_text"], row["status"]) == (
        "2016-03-31", "amber", "Line **open** at night.", "amber")
    assert next(r for r in rows if r["id"] == "1-2")["latest_update_date"] == ""
    updates = list(csv.DictReader(io.StringIO(files["data/updates.csv"].decode("utf-8-sig"))))
    assert [(u["id"], u["date"], u["status"]) for u in updates] == [
        ("1-1", "2015-11-02", "red"), ("1-1", "2016-03-31", "amber")]
    assert updates[0]["url"].endswith("/areas/exampleshire/actions/1-1/")


# Schema fields the open data leaves out on purpose. The exports are of actions: what describes
# the plan as a document, or only arranges it on the page, is published on the area page instead.
NOT_EXPORTED = {
    ("area", "source", "url"): "the published document's address: on the area page",
    ("area", "source", "date"): "the published document's date as written: on the area page",
    ("area", "source", "title"): "the published document's title: on the area page",
    ("area", None, "introduction"): "prose about the plan, on the area page",
    ("area", None, "kpi_intro"): "KPIs are not actions: on the area page",
    ("area", "kpi", "number"): "KPIs are not actions",
    ("area", "kpi", "group"): "KPIs are not actions",
    ("area", "kpi", "measure"): "KPIs are not actions",
    ("area", "kpi", "baseline"): "KPIs are not actions",
    ("area", "kpi", "target"): "KPIs are not actions",
    ("area", "glossary_entry", "term"): "abbreviations: on the area and glossary pages",
    ("area", "glossary_entry", "meaning"): "abbreviations: on the area and glossary pages",
    ("area", "note", "heading"): "notes such as a key to ratings: on the area page",
    ("area", "note", "text"): "notes such as a key to ratings: on the area page",
    ("area", "note", "editor_note"): "the editors' note beside a plan's note: on the area page",
    ("area", "source", "date_note"): "a note on the document's date: on the area page",
    ("area", None, "reviewers"): "who reviews changes to the file, in .github/CODEOWNERS: how the repository is "
                                 "run, not part of the plan",
    ("area", "kpi_heading_row", "number"): "KPIs are not actions",
    ("area", "kpi_heading_row", "measure"): "KPIs are not actions",
    ("area", "kpi_heading_row", "baseline"): "KPIs are not actions",
    ("area", "kpi_heading_row", "target"): "KPIs are not actions",
    ("area", "section", "theme"): "exported as the action's theme_id (a group may override it)",
    ("area", "group", "theme"): "exported as the action's theme_id",
    ("organisations", "organisation", "type"): "describes the organisation, not the action",
    ("organisations", "organisation", "short_names"): "abbreviations of organisation names, for search",
    ("organisations", "organisation", "url"): "the organisation's website: on its page",
    ("organisations", "organisation", "run_by"): "describes the organisation (a hospital's trust): on its page",
    ("site", None, "title"): "site settings, not plan data",
    ("site", None, "base_url"): "used in every exported url instead",
    ("site", None, "contact_email"): "site settings, not plan data",
    ("site", None, "description"): "site settings, not plan data",
    ("site", None, "repository"): "site settings: where the content's history is published",
    ("site", None, "branch"): "site settings: the branch the action pages' edit links open",
    ("site", None, "required_organisation_types"): "site settings: advice in check and on the area pages",
    ("site", "licence", "title"): "the data's licence: in data/datapackage.json, the CSVW descriptor and the zip",
    ("site", "licence", "url"): "the data's licence: in data/datapackage.json, the CSVW descriptor and the zip",
    ("site", "region", "id"): "regions group areas: in data/comparison.csv, not per action",
    ("site", "region", "name"): "regions group areas: in data/comparison.csv, not per action",
    ("site", "glossary_entry", "term"): "abbreviations: on the glossary page",
    ("site", "glossary_entry", "meaning"): "abbreviations: on the glossary page",
    ("themes", "theme", "number"): "the theme's title and id are exported",
    ("themes", "theme", "summary"): "describes the theme: on its page",
}


def test_every_schema_field_reaches_the_exports_or_is_left_out_on_purpose(tmp_path):
    """A value of each field in the every-field content must be found in both the JSON and the CSV
    exports, unless NOT_EXPORTED says why not: so a new field cannot be left out silently."""
    content = every_field_content()
    project = make_project(tmp_path / "p")
    write_content(project, content)
    files = data_files(load_site(project))
    records = json.loads(files["data/actions.json"])
    csv_text = "".join(files[f"data/{name}.csv"].decode("utf-8-sig") for name in ("actions", "updates", "places"))
    exported = json.dumps([records, json.loads(files["data/places.json"])], ensure_ascii=False)
    wanted = set().union(*(schema_fields(n) for n in FILES))
    containers = {f for f in wanted if any(g[1] and g[1].split(".")[0] == f[2] for g in wanted)}
    unknown = set(NOT_EXPORTED) - wanted
    assert not unknown, f"NOT_EXPORTED names fields no schema has: {sorted(unknown, key=str)}"
    missing = []
    for name in FILES:
        data = content[name] if name != "area" else yaml.safe_load(yaml.safe_dump(content[name]))
        for field, paths in occurrences(name, data).items():
            if field in NOT_EXPORTED or field in containers:
                continue
            found = False  # some value of the field reaches the exports (a theme with no actions has none)
            for at in paths:
                value = data
                for part in at:
                    value = value[part]
                if isinstance(value, dict) or (isinstance(value, list) and value and isinstance(value[0], dict)):
                    found = True  # a container: its own fields are checked
                    continue
                values = value if isinstance(value, list) else [value]
                found = found or all(json.dumps(v, ensure_ascii=False).strip('"') in exported
                                     and str(v) in csv_text for v in values)
            if not found:
                missing.append(field)
    assert not missing, f"these fields do not reach the exports; export them or add to NOT_EXPORTED: {missing}"
    assert {"updates", "plan_status", "overdue_at_review", "area_reviewed", "area_next_review"} <= set(records[0])
    assert "updates" not in COLUMNS and "latest_update_text" in COLUMNS


def test_area_page_shows_review_dates_and_flags_actions_overdue_at_that_review(tmp_path):
    project = updated_project(tmp_path)  # reviewed 2016-06-30, every 6 months; 1.1 due 2016-04
    area = project.content / "areas/exampleshire.yaml"
    data = yaml.safe_load(area.read_text())
    # An update after the review completes 1.1: it was still not complete at the review.
    data["sections"][0]["groups"][0]["actions"][0]["updates"].append(
        {"date": "2016-08-01", "text": "Done.", "status": "complete"})
    area.write_text(yaml.safe_dump(data, sort_keys=False))
    build_site(project, workers=1)
    out = project.output
    page = text_of((out / "areas/exampleshire/index.html").read_text())
    assert "Last reviewed: 30 June 2016 Next review due: 30 December 2016" in page
    assert "1 action was overdue at the last review" in page
    action = text_of((out / "areas/exampleshire/actions/1-1/index.html").read_text())
    assert ("Overdue at last review This action was due April 2016 and was not complete when the plan was last "
            "reviewed, on 30 June 2016.") in action
    assert "Overdue at last review" not in text_of((out / "areas/exampleshire/actions/1-2/index.html").read_text())
    assert "Overdue at last review" in (out / "themes/commissioning/index.html").read_text()
    assert "Last reviewed 30 June 2016. Next review due 30 December 2016." in text_of((out / "index.html").read_text())
    assert "Plan last reviewed 30 June 2016." in text_of((out / "themes/commissioning/index.html").read_text())
    record = next(r for r in json.loads((out / "data/actions.json").read_text()) if r["id"] == "1-1")
    assert (record["overdue_at_review"], record["area_reviewed"], record["area_next_review"]) == (
        True, "2016-06-30", "2016-12-30")

    # Judged against the review date, not the day of the build: reviewed before the due date, not overdue.
    data["reviewed"] = "2016-03-31"
    area.write_text(yaml.safe_dump(data, sort_keys=False))
    build_site(project, workers=1)
    assert "Overdue at last review" not in (out / "areas/exampleshire/index.html").read_text()
    assert "Next review due: 30 September 2016" in text_of((out / "areas/exampleshire/index.html").read_text())


def commit_all(root, message: str, date: str) -> None:
    """Commit everything in `root` with the author and committer date given (ISO 8601)."""
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": "Editor",
           "GIT_AUTHOR_EMAIL": "editor@example.org", "GIT_COMMITTER_NAME": "Editor",
           "GIT_COMMITTER_EMAIL": "editor@example.org"}
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(root), "commit", "-q", "--allow-empty", "-m", message], check=True, env=env)


def run_check(root, *options):
    return run_build_py(root, "check", *options)


def test_check_warns_when_the_next_review_was_due_before_the_latest_commit(tmp_path):
    project = updated_project(tmp_path)  # next review due 2016-12-30
    subprocess.run(["git", "init", "-q", str(project.root)], check=True)
    commit_all(project.root, "Plan as reviewed", "2016-07-01T12:00:00+00:00")
    done = run_check(project.root)
    assert done.returncode == 0 and "next review" not in done.stderr  # (the fixture lacks required agencies)
    area = project.content / "areas/exampleshire.yaml"
    area.write_text(area.read_text().replace("Fewer people wait", "Fewer people now wait"))
    commit_all(project.root, "A later edit", "2017-02-01T12:00:00+00:00")
    done = run_check(project.root)
    assert done.returncode == 0, done.stderr  # a warning does not fail the check
    line = next(n for n, text in enumerate(area.read_text().splitlines(), 1) if text.startswith("review_every:"))
    assert (f"content/areas/exampleshire.yaml:{line}:1: warning: the next review of the Exampleshire plan was "
            "due on 2016-12-30, before its latest change (2017-02-01)") in done.stderr
    assert "Content is valid" in done.stdout
    strict = run_check(project.root, "--strict")  # like every warning, an error under --strict
    assert strict.returncode == 1 and "Content is valid" not in strict.stdout
    assert f"content/areas/exampleshire.yaml:{line}:1: the next review of the Exampleshire plan" in strict.stderr
