"""Open data as publishers of UK open data do it: a Frictionless data package and a CSVW descriptor
made from the schemas, a data dictionary page, one zip of everything, each plan as a spreadsheet
that imports back, and the web's sharing conventions (Open Graph, sitemap dates, security.txt)."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from frictionless import validate

from concordat import datapackage, export
from concordat.cli import main
from concordat.pipeline import Project, build_site, load_site, security_txt
from concordat.spreadsheet import COLUMNS as SHEET_COLUMNS
from concordat.spreadsheet import area_spreadsheet

from .conftest import ROOT, make_project
from .test_living import commit_all

AT = {c.key: n for n, c in enumerate(SHEET_COLUMNS)}  # the "Plan" sheet's column of each field, from 0

AREAS = sorted(p.stem for p in (ROOT / "content/areas").glob("*.yaml"))


def test_the_data_package_describes_every_file_and_frictionless_finds_it_valid(built_site):
    package = json.loads((built_site / "data/datapackage.json").read_text(encoding="utf-8"))
    paths = {r["path"] for r in package["resources"]}
    published = {p.relative_to(built_site / "data").as_posix() for p in (built_site / "data").rglob("*")
                 if p.suffix in (".csv", ".json") and p.name not in ("datapackage.json", "csv-metadata.json")}
    assert paths == published
    for resource in package["resources"]:
        for field in resource["schema"]["fields"]:
            assert field["description"].strip(), (resource["name"], field["name"])
    report = validate(str(built_site / "data/datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_a_value_the_schema_does_not_allow_makes_the_package_invalid(built_site, tmp_path):
    """The descriptor says something: a status no plan can have is caught."""
    data = tmp_path / "data"
    shutil.copytree(built_site / "data", data)
    path = data / "actions.csv"
    path.write_text(path.read_text("utf-8-sig").replace(",not-rated,Not rated,", ",purple,Not rated,", 1),
                    encoding="utf-8-sig")
    report = validate(str(data / "datapackage.json"))
    assert not report.valid
    assert any("purple" in str(row) for row in report.flatten(["cell"]))


def test_a_column_added_without_a_description_is_refused(real_project, monkeypatch):
    site = load_site(real_project)
    monkeypatch.setattr(datapackage, "COLUMNS", [*datapackage.COLUMNS, "priority"])
    with pytest.raises(datapackage.UndescribedColumn, match="'priority'"):
        export.data_files(site)


def test_every_column_takes_its_meaning_from_the_schema_where_it_is_a_content_field():
    schema = json.loads((ROOT / "concordat/schemas/area.schema.json").read_text())
    assert datapackage.describe("timescale").description == schema["$defs"]["action"]["properties"]["timescale"][
        "description"]
    assert datapackage.describe("plan_status").allowed == tuple(schema["$defs"]["status"]["enum"])


def test_the_csvw_descriptor_names_the_columns_of_every_csv_file_in_order(built_site):
    metadata = json.loads((built_site / "data/csv-metadata.json").read_text(encoding="utf-8"))
    assert metadata["@context"] == "http://www.w3.org/ns/csvw"
    tables = {t["url"]: t for t in metadata["tables"]}
    for path in (built_site / "data").rglob("*.csv"):
        rel = path.relative_to(built_site / "data").as_posix()
        header = next(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
        assert [c["name"] for c in tables[rel]["tableSchema"]["columns"]] == header
        assert all(c["dc:description"] for c in tables[rel]["tableSchema"]["columns"])


def test_the_data_page_explains_every_column_and_which_file_to_open_in_excel(built_site):
    page = (built_site / "data/index.html").read_text(encoding="utf-8")
    for column in [*datapackage.COLUMNS, *datapackage.UPDATE_COLUMNS]:
        assert f"<dt><code>{column}</code></dt>" in page
    text = re.sub(r"<[^>]+>", "", page)
    assert "To read a plan in Excel, open its spreadsheet (.xlsx)" in text
    assert 'itemtype="https://schema.org/Dataset"' in page
    area_page = (built_site / "areas/bromley/index.html").read_text(encoding="utf-8")
    assert 'href="/data/areas/bromley.xlsx"' in area_page
    assert 'itemtype="https://schema.org/Dataset"' in area_page


def test_one_zip_holds_every_data_file_with_its_licence_and_date(built_site):
    with zipfile.ZipFile(built_site / "data/concordat-plans.zip") as archive:
        names = set(archive.namelist())
        readme = archive.read("concordat-plans/README.txt").decode()
        for path in (built_site / "data").rglob("*"):
            rel = path.relative_to(built_site / "data").as_posix()
            if path.is_file() and path.suffix != ".zip" and path.name != "index.html":
                assert f"concordat-plans/{rel}" in names
                assert archive.read(f"concordat-plans/{rel}") == path.read_bytes()
    assert "Licence: Open Government Licence v3.0" in readme
    assert re.search(r"as it was on \d{4}-\d{2}-\d{2}, the date of its last change", readme)


def cells(path: Path):
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


@pytest.mark.parametrize("slug", AREAS)
def test_each_plan_spreadsheet_has_only_text_cells_and_a_frozen_printable_header(built_site, slug):
    path = built_site / f"data/areas/{slug}.xlsx"
    found = [c for c in cells(path) if c.value is not None]
    assert found and all(c.data_type == "s" for c in found)
    with zipfile.ZipFile(path) as archive:
        assert not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in archive.namelist())
    sheet = openpyxl.load_workbook(path)["Plan"]
    assert [sheet.cell(4, n).value for n in range(1, 8)] == ["No.", "Action", "Lead", "Timescale", "Outcomes",
                                                              "Progress", "Status"]
    assert sheet.freeze_panes == "C5"
    assert sheet.print_title_rows == "$4:$4"
    assert sheet.page_setup.orientation == "landscape"


def test_a_cell_that_looks_like_a_formula_stays_text(tmp_path):
    text = (ROOT / "tests/fixtures/example-area.yaml").read_text(encoding="utf-8")
    project = make_project(tmp_path / "p", text.replace("Agree the street triage protocol",
                                                        '"=HYPERLINK(\\"http://evil.example\\")"', 1))
    build_site(project)
    found = [c for c in cells(project.output / "data/areas/exampleshire.xlsx") if c.value
             and str(c.value).startswith("=HYPERLINK")]
    assert found and all(c.data_type == "s" for c in found)


def run_import(root: Path, *args: str) -> subprocess.CompletedProcess:
    """`build.py import` in-process (tests/test_import.py runs build.py itself): its exit status and output."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["import", *args], root)
    return subprocess.CompletedProcess(["build.py", "import", *args], status, out.getvalue(), err.getvalue())


@pytest.fixture
def copy_of_project(tmp_path) -> Path:
    root = tmp_path / "copy"
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, root / name)
    return root


def test_importing_each_published_spreadsheet_gives_back_the_plan_unchanged(built_site, copy_of_project):
    for slug in AREAS:
        before = (copy_of_project / f"content/areas/{slug}.yaml").read_text(encoding="utf-8")
        done = run_import(copy_of_project, str(built_site / f"data/areas/{slug}.xlsx"))
        assert done.returncode == 0, done.stderr
        assert (copy_of_project / f"content/areas/{slug}.yaml").read_text(encoding="utf-8") == before, slug
    site = load_site(Project(copy_of_project))
    original = load_site(Project(ROOT))
    assert [a for area in site.areas for a in area.actions] == [a for area in original.areas for a in area.actions]


def test_an_edited_spreadsheet_changes_only_the_lines_of_what_was_edited(built_site, copy_of_project, tmp_path):
    book = openpyxl.load_workbook(built_site / "data/areas/milton-keynes.xlsx")
    sheet = book["Plan"]
    row = next(r for r in sheet.iter_rows(min_row=5) if r[AT["id"]].value == "1-3")
    row[AT["progress"]].value = row[AT["progress"]].value + "\nBoard agreed item #3 on 1 May"
    row[AT["status"]].value = "Not rated"
    book["Updates"].append(["1-3", "1.3", "2016-05-01", "Amber", "Street triage now runs at night."])
    edited = tmp_path / "mk.xlsx"
    book.save(edited)
    path = copy_of_project / "content/areas/milton-keynes.yaml"
    before = path.read_text(encoding="utf-8").splitlines()
    done = run_import(copy_of_project, str(edited))
    assert done.returncode == 0, done.stderr
    after = path.read_text(encoding="utf-8").splitlines()
    added = [line.strip() for line in after if line not in before]
    removed = [line for line in before if line not in after]
    assert removed == []
    assert added == ["Board agreed item #3 on 1 May", "updates:", '- date: "2016-05-01"',
                     "text: Street triage now runs at night.", "status: amber"]
    action = next(a for a in load_site(Project(copy_of_project)).area("milton-keynes").actions if a.id == "1-3")
    assert action.progress.endswith("Board agreed item #3 on 1 May")
    assert action.status == "amber" and action.plan_status == "not-rated"


@pytest.mark.parametrize("kind, column, value, message", [
    ("action", "status", "Purple", "the status 'Purple' is not one the site knows"),
    ("section", "progress", "Agreed at the May board", "is a section row, which keeps only its heading (in the Action "
                                               "column), but its Progress column says 'Agreed at the May board'"),
])
def test_a_spreadsheet_that_would_lose_or_guess_words_is_refused_with_its_row(built_site, copy_of_project, tmp_path,
                                                                            kind, column, value, message):
    book = openpyxl.load_workbook(built_site / "data/areas/milton-keynes.xlsx")
    sheet = book["Plan"]
    row = next(r[0].row for r in sheet.iter_rows(min_row=5) if r[AT["row"]].value == kind)
    sheet.cell(row, AT[column] + 1).value = value
    edited = tmp_path / "mk.xlsx"
    book.save(edited)
    before = (copy_of_project / "content/areas/milton-keynes.yaml").read_bytes()
    done = run_import(copy_of_project, str(edited))
    assert done.returncode == 1
    assert f"sheet 'Plan' row {row}" in done.stderr and message in done.stderr
    assert (copy_of_project / "content/areas/milton-keynes.yaml").read_bytes() == before


def test_every_page_says_how_it_looks_when_shared(built_site):
    for rel in ["index.html", "areas/bromley/index.html", "data/index.html"]:
        page = (built_site / rel).read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)( – .*)?</title>", page).group(1)
        assert f'<meta property="og:title" content="{title}">' in page
        description = re.search(r'<meta name="description" content="([^"]*)">', page).group(1)
        assert f'<meta property="og:description" content="{description}">' in page
        assert '<meta property="og:site_name" content="Crisis Care Concordat local action plans">' in page
        assert '<meta name="twitter:card" content="summary">' in page


def test_security_txt_names_the_contact_and_expires_within_a_year():
    site = load_site(Project(ROOT))
    for today in (dt.date(2026, 12, 2), dt.date(2026, 1, 31), dt.date(2027, 2, 28)):
        text = security_txt(site, today).decode()
        assert f"Contact: mailto:{site.config.contact_email}\n" in text
        expires = dt.date.fromisoformat(re.search(r"Expires: (\d{4}-\d{2}-\d{2})T00:00:00Z", text).group(1))
        assert dt.timedelta(days=300) < expires - today < dt.timedelta(days=365)
    assert security_txt(site, dt.date(2026, 12, 2)) == security_txt(site, dt.date(2026, 12, 30))


def test_sitemap_dates_each_page_by_the_last_change_to_what_it_shows(tmp_path):
    project = make_project(tmp_path / "p")
    other = yaml.safe_load((project.content / "areas/exampleshire.yaml").read_text())
    other.update(name="Otherton", slug="otherton")
    (project.content / "areas/otherton.yaml").write_text(yaml.safe_dump(other, sort_keys=False))
    subprocess.run(["git", "init", "-q", str(project.root)], check=True)
    (project.root / ".gitignore").write_text("site/\n.site*\n")
    commit_all(project.root, "Add the plans", "2016-01-10T10:00:00+00:00")
    path = project.content / "areas/otherton.yaml"
    path.write_text(path.read_text().replace("street triage protocol", "street-triage protocol"))
    commit_all(project.root, "Otherton: a correction", "2016-03-05T10:00:00+00:00")
    build_site(project, base_url="https://example.org/plans/")
    sitemap = (project.output / "sitemap.xml").read_text()
    dates = dict(re.findall(r"<loc>https://example.org/plans/([^<]*)</loc><lastmod>([^<]+)</lastmod>", sitemap))
    assert dates["areas/otherton/"] == dates["areas/otherton/actions/1-1/"] == "2016-03-05"
    assert dates["areas/exampleshire/"] == dates["areas/exampleshire/actions/1-1/"] == "2016-01-10"
    assert dates[""] == "2016-03-05"


def test_a_site_built_without_history_gives_no_dates_it_does_not_know(built_example):
    example_project, _ = built_example
    assert "<lastmod>" not in (example_project.output / "sitemap.xml").read_text()
    with zipfile.ZipFile(example_project.output / "data/concordat-plans.zip") as archive:
        assert "date of the content's last change is not known" in archive.read("concordat-plans/README.txt").decode()


def test_the_published_spreadsheets_are_the_same_bytes_for_the_same_content(real_project):
    site = load_site(real_project)
    area = site.area("bromley")
    assert area_spreadsheet(site.config, area, "2016-01-01") == area_spreadsheet(site.config, area, "2016-01-01")
