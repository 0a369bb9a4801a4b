"""Who is in each plan, and how the areas compare (issue 11): required agencies are checked and
shown, every organisation has a known type, and the comparison pages count what the open data says."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections import Counter

import lxml.html
import pytest
import yaml

from concordat import compare
from concordat.cli import main
from concordat.model import ORGANISATION_TYPES, STATUS_LABELS, Action
from concordat.pipeline import build_site, load_site, make_environment
from concordat.render import render_page
from concordat.routes import routes
from concordat.schema_check import load_schema
from tools.benchmark import make_country

from .conftest import make_project

AREA_FILE = "content/areas/exampleshire.yaml"


@pytest.fixture
def no_police_no_ambulance(tmp_path):
    """Exampleshire, whose plan names its mental health trust as a lead and its CCG and council as
    signatories (the council leads nothing), but no police force and no ambulance service."""
    project = make_project(tmp_path / "p")
    orgs_file = project.content / "organisations.yaml"
    orgs = yaml.safe_load(orgs_file.read_text(encoding="utf-8"))
    orgs["organisations"] += [
        {"id": "exampleshire-ccg", "name": "NHS Exampleshire CCG", "type": "clinical-commissioning-group"},
        {"id": "exampleshire-council", "name": "Exampleshire County Council", "type": "local-authority"},
    ]
    orgs_file.write_text(yaml.safe_dump(orgs, sort_keys=False), encoding="utf-8")
    area_file = project.content / "areas" / "exampleshire.yaml"
    text = area_file.read_text(encoding="utf-8").replace("leads: [xmpt, example-police]", "leads: [xmpt]")
    text = text.replace("source:\n", "signatories: [exampleshire-ccg, exampleshire-council]\nsource:\n", 1)
    area_file.write_text(text, encoding="utf-8")
    return project


def signatories_line(project) -> int:
    lines = (project.content / "areas" / "exampleshire.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.startswith("signatories:"))


def test_check_warns_about_each_missing_agency_with_file_and_line(no_police_no_ambulance, capsys, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert main(["check"], no_police_no_ambulance.root) == 0
    err = capsys.readouterr().err
    warnings = re.findall(rf"^{re.escape(AREA_FILE)}:(\d+):(\d+): warning: no '([^']+)' organisation", err, re.M)
    assert sorted(w[2] for w in warnings) == ["Ambulance service", "Police"]
    assert {int(w[0]) for w in warnings} == {signatories_line(no_police_no_ambulance)}
    assert "::warning" not in err


def test_check_annotates_warnings_under_github_actions(no_police_no_ambulance, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["check"], no_police_no_ambulance.root) == 0
    out = capsys.readouterr().out
    line = signatories_line(no_police_no_ambulance)
    annotations = re.findall(rf"^::warning file={re.escape(AREA_FILE)},line={line},col=\d+::no '([^']+)'", out, re.M)
    assert sorted(annotations) == ["Ambulance service", "Police"]


def test_check_strict_fails_on_a_missing_agency(no_police_no_ambulance, capsys):
    assert main(["check", "--strict"], no_police_no_ambulance.root) == 1
    err = capsys.readouterr().err
    assert f"{AREA_FILE}:{signatories_line(no_police_no_ambulance)}:" in err
    assert "no 'Police' organisation" in err and "2 errors in content" in err


def test_a_plan_that_names_every_required_agency_has_no_warning(example_project, capsys):
    # The example plan's leads are its mental health trust and its police force.
    site_file = example_project.content / "site.yaml"
    site = yaml.safe_load(site_file.read_text(encoding="utf-8"))
    site["required_organisation_types"] = ["mental-health-trust", "police"]
    site_file.write_text(yaml.safe_dump(site, sort_keys=False), encoding="utf-8")
    assert main(["check", "--strict"], example_project.root) == 0
    assert "warning" not in capsys.readouterr().err


def test_build_prints_the_warnings_but_publishes(no_police_no_ambulance, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["--full"], no_police_no_ambulance.root) == 0
    captured = capsys.readouterr()
    assert captured.err.count(": warning: no '") == 2
    assert "::warning" not in captured.out  # check annotates; a build in the same workflow does not repeat them
    assert (no_police_no_ambulance.output / "areas" / "exampleshire" / "index.html").is_file()
    # A second build with nothing changed still says what is wrong.
    assert main([], no_police_no_ambulance.root) == 0
    assert capsys.readouterr().err.count(": warning: no '") == 2


def test_the_dashboard_says_which_agencies_are_missing(no_police_no_ambulance):
    build_site(no_police_no_ambulance, workers=1)
    html = (no_police_no_ambulance.output / "areas" / "exampleshire" / "index.html").read_text(encoding="utf-8")
    doc = lxml.html.fromstring(html)
    dashboard = doc.xpath("//section[@aria-labelledby='summary']")[0]
    text = " ".join(dashboard.text_content().split())
    assert "Not named: Ambulance service, Police." in text
    assert "Police: not named (none leads an action or is recorded as signing the plan)" in text
    marks = {}
    for item in dashboard.xpath(".//ul[@class='agency-list']/li"):
        icon = item.xpath(".//svg")[0]
        label = item.xpath(".//strong")[0].text_content().rstrip(":")
        marks[label] = icon.get("aria-label")
        assert icon.get("role") == "img"
        assert ("not named" in item.text_content()) == (icon.get("aria-label") == "Not named")  # in words too
    assert marks == {"Clinical commissioning group": "Present", "NHS mental health trust": "Present",
                     "Ambulance service": "Not named", "Police": "Not named", "Local authority": "Present"}
    # A signatory that leads no action still counts as involved.
    assert "Exampleshire County Council: leads no actions, signatory" in text
    assert "Exampleshire Mental Health Partnership Trust: leads 1 action" in text
    # The dashboard comes before the actions, with a link past it to the first of them.
    skip = doc.xpath("//a[text()='Skip the summary and go to the actions']")[0]
    assert skip.get("href") == "#plan-wide" and doc.get_element_by_id("plan-wide") is not None
    assert html.index('id="summary"') < html.index('id="plan-wide"')


def test_an_unknown_organisation_type_is_an_error_with_a_suggestion(example_project, capsys):
    orgs_file = example_project.content / "organisations.yaml"
    text = orgs_file.read_text(encoding="utf-8")
    orgs_file.write_text(text.replace("type: police", "type: polise"), encoding="utf-8")
    line = next(i for i, ln in enumerate(orgs_file.read_text().splitlines(), 1) if "polise" in ln)
    assert main(["check"], example_project.root) == 1
    err = capsys.readouterr().err
    assert f"content/organisations.yaml:{line}:11: 'polise' is not a valid type (did you mean 'police'?)" in err


def test_the_fixed_list_of_organisation_types_is_the_schemas():
    organisation_types = load_schema("organisations")["$defs"]["organisation"]["properties"]["type"]["enum"]
    assert organisation_types == list(ORGANISATION_TYPES)
    assert load_schema("site")["$defs"]["organisation_type"]["enum"] == list(ORGANISATION_TYPES)


def test_unknown_signatories_and_regions_are_errors(example_project, capsys):
    area_file = example_project.content / "areas" / "exampleshire.yaml"
    text = area_file.read_text(encoding="utf-8")
    area_file.write_text(text.replace("source:\n", "region: londn\nsignatories: [example-polise]\nsource:\n", 1),
                         encoding="utf-8")
    assert main(["check"], example_project.root) == 1
    err = capsys.readouterr().err
    assert f"{AREA_FILE}:5:15: unknown organisation 'example-polise' (did you mean 'example-police'?)" in err
    assert f"{AREA_FILE}:4:9: unknown region 'londn' (did you mean 'london'?)" in err


def _tables(html: str) -> dict[str, dict]:
    """Each comparison table of a page: its column headers and, per row header, its cells' text."""
    doc = lxml.html.fromstring(html)
    tables = {}
    for table in doc.xpath("//table[starts-with(@id, 'by-') or starts-with(@id, 'theme-')]"):
        headers = [" ".join(th.text_content().split()) for th in table.xpath("./thead/tr/th")]
        assert all(th.get("scope") == "col" for th in table.xpath("./thead/tr/th"))
        rows = {}
        for tr in table.xpath("./tbody/tr"):
            th = tr.xpath("./th")[0]
            assert th.get("scope") == "row"
            rows[th.text_content().strip()] = [" ".join(td.text_content().split()) for td in tr.xpath("./td")]
        assert table.xpath("./caption") and table.getparent().get("role") == "region"
        tables[table.get("id")] = {"columns": headers[1:], "rows": rows}
    return tables


def _phrase(statuses: Counter) -> str:
    """How a cell reads: "3 actions: 1 complete, 2 not rated", or "0 actions"."""
    total = sum(statuses.values())
    if not total:
        return "0 actions"
    parts = [f"{statuses[s]} {label.lower()}" for s, label in STATUS_LABELS.items() if statuses[s]]
    return f"{total} action{'s' if total != 1 else ''}: " + ", ".join(parts)


def test_the_comparison_counts_what_the_open_data_says(built_site):
    actions = json.loads((built_site / "data" / "actions.json").read_text(encoding="utf-8"))
    by_theme: dict[tuple[str, str], Counter] = {}
    by_subtheme: dict[tuple[str, str, str], Counter] = {}
    for a in actions:
        if not a["theme_id"]:
            by_theme.setdefault((a["area"], "Plan-wide (before the themes)"), Counter())[a["status"]] += 1
            continue
        by_theme.setdefault((a["area"], a["theme"]), Counter())[a["status"]] += 1
        sub = a["subtheme"] or compare.NO_SUBTHEME_TITLE
        by_subtheme.setdefault((a["area"], a["theme_id"], sub), Counter())[a["status"]] += 1
    areas = {a["area"] for a in actions}
    seen: Counter = Counter()
    checked = 0
    for page in sorted((built_site / "compare").rglob("index.html")):
        for table_id, table in _tables(page.read_text(encoding="utf-8")).items():
            if table_id == "by-region":
                continue
            for area, cells in table["rows"].items():
                seen[(area, table_id)] += 1
                for column, cell in zip(table["columns"], cells, strict=True):
                    if table_id == "by-theme":
                        title = re.sub(r"^\d+\. ", "", column)
                        expected = by_theme.get((area, title), Counter())
                    else:
                        expected = by_subtheme.get((area, table_id.removeprefix("theme-"), column), Counter())
                    assert cell == _phrase(expected), (page, table_id, area, column)
                    checked += 1
    # Every area is in each table exactly once, and every action is counted in some cell.
    assert set(seen.values()) == {1} and {area for area, _ in seen} == areas
    assert sum(1 for key in seen if key[1] == "by-theme") == len(areas)
    assert sum(sum(c.values()) for c in by_theme.values()) == len(actions)
    assert checked > 100


def test_the_comparison_csv_counts_what_the_open_data_says(built_site):
    actions = json.loads((built_site / "data" / "actions.json").read_text(encoding="utf-8"))
    text = (built_site / "data" / "comparison.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and set(rows[0]) == set(compare.COMPARISON_COLUMNS)
    for row in rows:
        if row["level"] == "theme":
            mine = [a for a in actions if a["area"] == row["area"] and a["theme_id"] == row["theme_id"]]
        else:
            mine = [a for a in actions if a["area"] == row["area"] and a["theme_id"] == row["theme_id"]
                    and (a["subtheme"] or compare.NO_SUBTHEME_TITLE) == row["subtheme"]]
        assert int(row["actions"]) == len(mine)
        for status in STATUS_LABELS:
            assert int(row[status.replace("-", "_")]) == sum(1 for a in mine if a["status"] == status)
    themed = sum(int(r["actions"]) for r in rows if r["level"] == "theme")
    assert themed == sum(1 for a in actions if a["theme_id"])
    assert themed == sum(int(r["actions"]) for r in rows if r["level"] == "sub-heading")


def test_organisation_pages_and_index_give_the_same_counts(built_site):
    actions = json.loads((built_site / "data" / "actions.json").read_text(encoding="utf-8"))
    led = [a for a in actions if "oxleas" in a["leads"]]
    expected = _phrase(Counter(a["status"] for a in led))
    page = lxml.html.fromstring((built_site / "organisations" / "oxleas" / "index.html").read_text("utf-8"))
    summary = " ".join(page.xpath("//section[@aria-labelledby='org-summary']")[0].text_content().split())
    assert f"leads {expected}" in summary
    areas = {a["area"] for a in led}
    rows = page.xpath("//table/tbody/tr/th")
    assert {th.text_content().strip() for th in rows} == areas
    index = " ".join(lxml.html.fromstring((built_site / "organisations" / "index.html").read_text("utf-8"))
                     .text_content().split())
    assert f"Oxleas NHS Foundation Trust (Oxleas, Oxleas NHS FT, Oxleas FT): leads {expected}; named in 1 area" in index
    assert len(areas) == 1


def test_overdue_counts_actions_due_before_the_last_review_and_not_complete():
    def action(due, status):
        return Action("a", f"{due}-{status}", "1", "text", status, None, None, None, None, due=due)
    actions = [action("2016-03", "red"), action("2016-03", "complete"), action("2017-01", "amber"),
               action(None, "red")]
    assert compare.overdue(actions, "2016-12-31") == 1
    assert compare.overdue(actions, "2017-06") == 2
    assert compare.overdue(actions, None) is None  # no review date: nothing to measure against


@pytest.fixture(scope="module")
def country(tmp_path_factory):
    """The benchmark's national scale: 150 areas of 80 actions, in 9 regions."""
    return make_country(tmp_path_factory.mktemp("country"), areas=150, actions=80)


def test_comparison_pages_stay_small_at_national_scale(country):
    site = load_site(country)
    env = make_environment(country, site)
    pages = [p for p in routes(site) if p.template == "compare.html"]
    assert len(pages) == 1 + 9  # the regions, then one page for each region
    sizes = {p.url: len(gzip.compress(render_page(env, p), 9)) for p in pages}
    assert max(sizes.values()) < 100 * 1024, sizes
    regions_page = lxml.html.fromstring(render_page(env, pages[0]))
    links = regions_page.xpath("//ul[@class='region-links']//a/@href")
    assert links == [site.config.base_path + p.url for p in pages[1:]]
    assert sum(len(_tables(render_page(env, p).decode())["by-theme"]["rows"]) for p in pages[1:]) == 150


def test_areas_without_a_region_are_compared_on_the_national_page(example_project):
    area_file = example_project.content / "areas" / "exampleshire.yaml"
    text = area_file.read_text(encoding="utf-8")
    placed = text.replace("name: Exampleshire", "name: Placeshire").replace("slug: exampleshire", "slug: placeshire")
    (example_project.content / "areas" / "placeshire.yaml").write_text(
        placed.replace("source:\n", "region: london\nsource:\n", 1), encoding="utf-8")
    build_site(example_project, workers=1)
    national = _tables((example_project.output / "compare" / "index.html").read_text(encoding="utf-8"))
    assert list(national["by-region"]["rows"]) == ["London"]
    assert national["by-region"]["rows"]["London"][0] == "2 actions: 1 complete, 1 not rated"  # theme 1: 1.1, 1.2
    assert list(national["by-theme"]["rows"]) == ["Exampleshire"]
    london = _tables((example_project.output / "compare" / "london" / "index.html").read_text(encoding="utf-8"))
    assert list(london["by-theme"]["rows"]) == ["Placeshire"]
    area_page = (example_project.output / "areas" / "placeshire" / "index.html").read_text(encoding="utf-8")
    assert 'href="/compare/london/"' in area_page
