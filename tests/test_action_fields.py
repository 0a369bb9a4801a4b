"""Every field the schema gives an action is published everywhere a field must be.

The fields come from concordat/schemas/area.schema.json (`$defs.action`), not from a list kept
here, so a field added to the schema fails each place that does not carry it yet, and the
failure names the place. The places that take the field from one table (`ACTION_TEXT_FIELDS`
in concordat/model.py: build_action, the spreadsheet's rows) need no edit for a new text field;
the others are checked here: the model, the open data columns and the data package, the
spreadsheet read back, "what changed" in the history, the action and area pages, and the
benchmark's country and its Hugo twin.
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import io

import pytest
import yaml

from concordat import spreadsheet
from concordat.datapackage import COLUMNS, FROM_SCHEMA, UPDATE_COLUMNS
from concordat.export import action_record, csv_row, data_files
from concordat.history.changes import area_change
from concordat.model import ACTION_ATTRIBUTES, Action
from concordat.model_from_content import build_area
from concordat.pipeline import build_site, load_site
from concordat.schema_check import load_schema
from concordat.spreadsheet import read_area_spreadsheet
from tools.benchmark import THEMES, make_country
from tools.hugo_country import make_hugo_site

from .conftest import make_project
from .test_incremental import edited, every_field_content, free_text_fields, write_content

SCHEMA = load_schema("area")
FIELDS = SCHEMA["$defs"]["action"]["properties"]
UPDATE_FIELDS = SCHEMA["$defs"]["update"]["properties"]
TEXT = free_text_fields("area", "action")  # what a reader reads as the plan wrote it
HUGO_NAMES = {"leads": "organisations"}  # the Hugo twin's name for a field, where it has another


def marker(name: str) -> str:
    """Words of a free-text field that no other field holds."""
    return "Zq" + name.replace("_", "")


@pytest.fixture(scope="module")
def content() -> dict:
    """The test content with every action field, each free-text field of action 1-1 ending in its marker."""
    content = every_field_content()
    action = content["area"]["sections"][0]["groups"][0]["actions"][0]
    for name in TEXT:
        action[name] = f"{action.get(name, '')} {marker(name)}".strip()
    return content


@pytest.fixture(scope="module")
def project(content, tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("fields") / "p")
    write_content(project, content)
    return project


def carriers(area: dict) -> dict[str, dict]:
    """Field -> the first action of the area file that gives it."""
    actions = [*area.get("preamble", ()), *(a for s in area["sections"] for g in s["groups"] for a in g["actions"])]
    return {name: found for name in FIELDS if (found := next((a for a in actions if name in a), None))}


def as_data(value):
    """A model value as the area file writes it: tuples as lists, an update as its fields."""
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, tuple):
        return [as_data(v) for v in value]
    return value


def test_the_test_content_gives_every_action_field(content):
    missing = [name for name in FIELDS if name not in carriers(content["area"])]
    assert not missing, f"add these action fields to every_field_content() in tests/test_incremental.py: {missing}"


def test_every_action_field_is_in_the_model(content):
    """concordat/model.py `Action` has each field (under its name in ACTION_ATTRIBUTES, if another),
    and build_action fills it from the file."""
    area = build_area(content["area"], "content/areas/exampleshire.yaml")
    attributes = {f.name for f in dataclasses.fields(Action)}
    by_id = {a.id: a for a in area.actions}
    for name, data in carriers(content["area"]).items():
        attribute = ACTION_ATTRIBUTES.get(name, name)
        assert attribute in attributes, f"concordat/model.py: Action has no field for the schema's {name!r}"
        assert as_data(getattr(by_id[data["id"]], attribute)) == data[name], (
            f"concordat/model_from_content.py build_action: {name!r} is not read from the file "
            "(a text field: add it to ACTION_TEXT_FIELDS in concordat/model.py)")


def test_every_action_field_is_a_column_of_the_open_data(content, project):
    """concordat/datapackage.py has a column for each field (COLUMNS; FROM_SCHEMA then says which
    field it holds, so the data dictionary describes it) and concordat/export.py action_record fills it."""
    site = load_site(project)
    area = site.areas[0]
    by_id = {a.id: a for a in area.actions}
    column_of = {field: column for column, (schema, owner, field) in FROM_SCHEMA.items()
                 if (schema, owner) == ("area", "action")}
    for name, data in carriers(content["area"]).items():
        if name == "updates":
            continue
        column = column_of.get(name)
        assert column in COLUMNS, (f"concordat/datapackage.py COLUMNS: no column holds the action field {name!r}: "
                                   "add one named after it (or map another to it in FROM_SCHEMA)")
        record = action_record(area, by_id[data["id"]], site.config, site.themes, site.organisations)
        assert record.get(column) == data[name], f"concordat/export.py action_record: {column!r} is not {name!r}"
        assert column in csv_row(record)
    files = data_files(site)
    header = next(csv.reader(io.StringIO(files["data/actions.csv"].decode("utf-8-sig"))))
    assert header == COLUMNS
    update = carriers(content["area"])["updates"]["updates"][0]
    rows = list(csv.DictReader(io.StringIO(files["data/updates.csv"].decode("utf-8-sig"))))
    for name in UPDATE_FIELDS:
        assert name in UPDATE_COLUMNS, f"concordat/datapackage.py UPDATE_COLUMNS: add the update's {name!r}"
        assert rows[0][name] == update[name], f"concordat/export.py update_rows: {name!r}"


def test_every_action_field_comes_back_from_the_spreadsheet(content, project, tmp_path):
    """concordat/spreadsheet.py writes each field in a column (COLUMNS; updates on their own sheet)
    and reads it back unchanged."""
    missing = [name for name in FIELDS if name not in {c.key for c in spreadsheet.COLUMNS} | {"updates"}]
    assert not missing, f"concordat/spreadsheet.py COLUMNS: no column holds the action fields {missing}"
    site = load_site(project)
    path = tmp_path / "exampleshire.xlsx"
    path.write_bytes(data_files(site)["data/areas/exampleshire.xlsx"])
    read = carriers(read_area_spreadsheet(path))
    for name, data in carriers(content["area"]).items():
        assert read.get(name, {}).get(name) == data[name], (
            f"concordat/spreadsheet.py: the action field {name!r} does not come back from the spreadsheet "
            "(add a Column for it; a text field also to ACTION_TEXT_FIELDS in concordat/model.py)")


def test_editing_any_action_field_is_named_in_what_changed(content):
    """concordat/history/changes.py: an edit to any field shows, in words, as a change to its action."""
    before = build_area(content["area"], "content/areas/exampleshire.yaml")
    for name, data in carriers(content["area"]).items():
        if name == "id":  # another id is another action: one removed, one added
            continue
        changed = copy.deepcopy(content)
        action = carriers(changed["area"])[name]
        action[name] = ([*action[name], {"date": "2016-06-30", "text": "Now open all day.", "status": "green"}]
                        if name == "updates" else edited(("area", "action", name), action[name], changed))
        change = area_change(before, build_area(changed["area"], "content/areas/exampleshire.yaml"))
        records = [r for r in (change or {"actions": []})["actions"] if r["id"] == data["id"]]
        assert records and records[0]["kind"] == "changed", f"history: editing {name!r} changes no action"
        record = records[0]
        said = [*(words for words, _ in record["texts"]), *record["other"], *record["updates"]]
        assert said or record["status_from"] != record["status_to"], f"history: editing {name!r} is not shown"
        assert "details" not in said, (f"concordat/history/changes.py: editing {name!r} reads only 'details'; "
                                       "name it in TEXT_FIELDS or FIELD_WORDS")


def test_every_free_text_field_is_on_the_action_and_area_pages(project):
    """templates/macros.html (used by action.html and area.html) shows each free-text field."""
    build_site(project)
    for page in ("areas/exampleshire/actions/1-1/index.html", "areas/exampleshire/index.html"):
        html = (project.output / page).read_text(encoding="utf-8")
        missing = [name for name in TEXT if marker(name) not in html]
        assert not missing, f"templates: {page} does not show the action fields {missing}"


def test_the_benchmarks_country_and_its_hugo_twin_have_every_action_field(tmp_path):
    """tools/benchmark.py's country gives each field to some action, and tools/hugo_country.py
    passes it on to the Hugo page's front matter."""
    make_country(tmp_path / "country", areas=1, actions=4 * len(THEMES))
    area = yaml.safe_load(next((tmp_path / "country" / "content" / "areas").glob("*.yaml")).read_text(encoding="utf-8"))
    given = carriers(area)
    missing = [name for name in FIELDS if name not in given]
    assert not missing, f"tools/benchmark.py make_country: no action has {missing}"
    make_hugo_site(tmp_path / "country", tmp_path / "hugo")
    for name, data in given.items():
        page = tmp_path / "hugo" / "content" / "areas" / area["slug"] / "actions" / f"{data['id']}.md"
        front = yaml.safe_load(page.read_text(encoding="utf-8").split("---\n")[1])
        assert front.get(HUGO_NAMES.get(name, name)), f"tools/hugo_country.py: the front matter has no {name!r}"
