"""An area page in brief (issue 21): it opens with the plan at a glance, made from its data; each
action's status sits under its heading; the contents are numbered once. And the finder's answers,
from each plan's `covers`."""

from __future__ import annotations

import json
from collections import Counter

import lxml.html
import pytest

from concordat import places
from concordat.cli import main
from concordat.pipeline import load_site

AREAS = ["bromley", "kent-and-medway", "milton-keynes", "nottingham-and-nottinghamshire", "south-west-essex"]


def area_page(built_site, slug):
    return lxml.html.fromstring((built_site / "areas" / slug / "index.html").read_text(encoding="utf-8"))


def words(element) -> str:
    return " ".join(element.text_content().split())


@pytest.mark.parametrize("slug", AREAS)
def test_an_area_page_opens_with_the_plan_at_a_glance(built_site, slug):
    doc = area_page(built_site, slug)
    headings = [words(h) for h in doc.xpath("//main//h2")]
    assert headings[0] == "At a glance"
    assert headings.index("At a glance") < headings.index("About this plan") < headings.index(
        "Statuses and who is involved")
    glance = {words(li).split(":")[0]: words(li) for li in doc.xpath("//section[@class='glance']//li")}
    actions = json.loads((built_site / "data" / "areas" / f"{slug}.json").read_text(encoding="utf-8"))
    complete = [a for a in actions if a["status"] == "complete"]
    assert f"Actions: {len(actions)} in all." in glance["Actions"]
    for theme, n in Counter(a["theme"] for a in actions if a["theme"]).items():
        assert f"{n} under “{theme}”" in glance["Actions"]
    assert glance["Complete"].startswith(f"Complete: {len(complete)} of {len(actions)}" if complete else
                                         "Complete: none.")
    leads = Counter(name for a in actions for name in dict.fromkeys(a["lead_names"]))
    top = max(leads.values())
    assert any(f"{name} ({top})" in glance["Leads most actions"] for name, n in leads.items() if n == top)
    overdue = [a for a in actions if a["overdue_at_review"]]
    assert ("cannot say" in glance["Overdue"]) == (not actions[0]["area_reviewed"])
    assert not overdue or f"{len(overdue)} " in glance["Overdue"]


@pytest.mark.parametrize("slug", AREAS)
def test_each_action_shows_its_status_first_under_its_heading(built_site, slug):
    doc = area_page(built_site, slug)
    cards = doc.xpath("//article[@class='action']")
    assert cards
    for card in cards:
        heading, details = card[0], card[1]
        assert heading.tag.startswith("h") and details.tag == "dl"
        first = details[0]
        assert words(first.xpath("dt")[0]) == "Status" and first.xpath(".//strong[contains(@class, 'status')]")


@pytest.mark.parametrize("slug", AREAS)
def test_the_contents_are_numbered_once(built_site, slug):
    doc = area_page(built_site, slug)
    contents = doc.xpath("//nav[@class='contents']")[0]
    assert not contents.xpath(".//ol"), "a numbered list before the plan's own numbers reads '1. 1. JOINT WORKING'"
    items = [words(li) for li in contents.xpath(".//li")]
    headings = [words(h) for h in doc.xpath("//section/h2[starts-with(@id, 'section-')]")]
    assert [i for i in items if i in headings] == headings


def test_a_place_is_found_however_it_is_written(real_project):
    found = places.answers(load_site(real_project).areas)
    for typed, plan in [("Stanford le Hope", "South West Essex"), ("GRAVESHAM BOROUGH COUNCIL", "Kent and Medway"),
                        ("Sutton-in-Ashfield", "Nottingham and Nottinghamshire"), ("Penge", "Bromley"),
                        ("newport pagnell", "Milton Keynes"), ("Mansfield District Council",
                                                               "Nottingham and Nottinghamshire")]:
        assert [a.area for a in found[places.normalise(typed)]] == [plan], typed
    assert places.normalise("Chelmsford") not in found
    # A county council's answer names only the council areas the plan covers, never the whole county.
    (essex,) = found[places.normalise("Essex County Council")]
    assert essex.text == ("The South West Essex plan covers Basildon and Brentwood, which are served by "
                          "Essex County Council.")


def test_a_place_listed_twice_is_an_error_on_its_line(example_project, capsys):
    area = example_project.content / "areas" / "exampleshire.yaml"
    text = area.read_text(encoding="utf-8")
    area.write_text(text.replace("sections:", "covers:\n  - name: Exampleton\n    council: Exampleton Council\n"
                                 "    towns: [Sampleford, sampleford]\nsections:", 1), encoding="utf-8")
    line = next(i for i, ln in enumerate(area.read_text().splitlines(), 1) if "towns:" in ln)
    assert main(["check"], example_project.root) == 1
    err = capsys.readouterr().err
    assert f"exampleshire.yaml:{line}:" in err and "'sampleford' is listed twice in covers" in err
