"""The five published plans, checked for the kinds of mistake a reader browsing by organisation,
theme or status would hit (issue 9): merged actions, leads that find no organisation or the
wrong one, statuses the plan's words do not give, hospitals shown as other names of trusts,
sub-themes claimed for the wrong actions, and typos the site might be blamed for.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT
from .test_seeds import SEEDS, page_text

AREAS = ROOT / "content" / "areas"
REGISTRY = yaml.safe_load((ROOT / "content" / "organisations.yaml").read_text(encoding="utf-8"))["organisations"]
ORGS = {o["id"]: o for o in REGISTRY}

# The CCGs each area had in 2015: a lead naming "CCGs" stands for them.
KENT_CCGS = {"ashford-ccg", "canterbury-and-coastal-ccg", "dartford-gravesham-and-swanley-ccg", "medway-ccg",
             "south-kent-coast-ccg", "swale-ccg", "thanet-ccg", "west-kent-ccg"}
NOTTS_CCGS = {"bassetlaw-ccg", "mansfield-and-ashfield-ccg", "newark-and-sherwood-ccg", "nottingham-city-ccg",
              "nottingham-north-and-east-ccg", "nottingham-west-ccg", "rushcliffe-ccg"}
SOUTH_NOTTS = {"nottingham-north-and-east-ccg", "nottingham-west-ccg", "rushcliffe-ccg"}
MID_NOTTS = {"mansfield-and-ashfield-ccg", "newark-and-sherwood-ccg"}
NOTTS_COUNCILS = {"nottingham-city-council", "nottinghamshire-county-council"}
SWE_CCGS = {"basildon-and-brentwood-ccg", "thurrock-ccg"}
SOUTH_ESSEX_CCGS = SWE_CCGS | {"castle-point-and-rochford-ccg", "southend-ccg"}
# Kent and Medway's acute trusts in 2015 ("Acute Trusts", "Acute Services").
KENT_ACUTE = {"dartford-and-gravesham-nhs-trust", "east-kent-hospitals", "maidstone-and-tunbridge-wells-nhs-trust",
              "medway-nhs-foundation-trust"}
NOTTS_DISTRICTS = {"ashfield-district-council", "bassetlaw-district-council", "broxtowe-borough-council",
                   "gedling-borough-council", "mansfield-district-council", "newark-and-sherwood-district-council",
                   "rushcliffe-borough-council"}

# Wordings in a lead that stand for a group of organisations (or, mapped to nothing, that name no
# organisation the plan identifies), tried in order before organisations' own names.
GROUPS: dict[str, list[tuple[str, set[str]]]] = {
    "kent-and-medway": [(r"\bAcute (Trusts|Services)\b", KENT_ACUTE),
                        (r"\bCCG[sS]?\b", KENT_CCGS), (r"\bLAs\b", {"kcc", "medway-council"}),
                        (r"\bMedway\b(?! CCG)", {"medway-council"})],
    "milton-keynes": [(r"\bCCG\b", {"milton-keynes-ccg"})],
    "nottingham-and-nottinghamshire": [
        (r"Mid-Nottinghamshire and Bassetlaw CCGs", MID_NOTTS | {"bassetlaw-ccg"}),
        (r"Nottingham City and South County CCGs", SOUTH_NOTTS | {"nottingham-city-ccg"}),
        (r"Erewash CCG and City and County CCGs", NOTTS_CCGS | {"erewash-ccg"}),
        (r"\bNottinghamshire CCGs\b", NOTTS_CCGS - {"nottingham-city-ccg"}),  # the county's, not the City's
        (r"\bdistrict councils\b", NOTTS_DISTRICTS),
        (r"\bCCGs\b", NOTTS_CCGS), (r"\bLocal Authorities\b", NOTTS_COUNCILS),
        (r"Nottingham City (and|&) Nottinghamshire County", NOTTS_COUNCILS),
        (r"\bMind\b", {"bassetlaw-mind"})],  # "NHS Bassetlaw CCG have commissioned local Mind"
    "south-west-essex": [(r"\bCPR CCG\b", {"castle-point-and-rochford-ccg"}),
                         (r"\bSouth Essex CCGs\b", SOUTH_ESSEX_CCGS),
                         # Those 1.12 names: "CCGs CAMHS Commissioners ECC/TBC/SBC".
                         (r"\bCAMHS Commissioners\b", SWE_CCGS | {"ecc", "thurrock-council", "southend-council"}),
                         (r"\bDistrict Councils\b", {"basildon-council", "brentwood-council"}),
                         (r"\bCCG(s|’s)?\b", SWE_CCGS), (r"\bLAs\b", {"ecc", "thurrock-council"}),
                         (r"\bHealthwatch\b", {"healthwatch-essex", "healthwatch-thurrock"})],
    "bromley": [(r"Police and CCG Leads required", set()),  # no lead named yet
                (r"\bCCG\b", {"bromley-ccg"})],
}

# People a lead names without their organisation, where the plan itself says where they work
# (the words saying so must be in one of the plan's leads).
PEOPLE: dict[str, dict[str, tuple[set[str], str]]] = {
    "kent-and-medway": {"Tim Woodhouse": ({"kcc"}, "Kent Public Health (Tim Woodhouse)"),
                        "Sue Scamell": ({"kcc"}, "KCC Sue Scamell")},
    "milton-keynes": {
        "Paul Halstead": ({"thames-valley-police"}, "Paul Halstead Deputy Area Commander TVP"),
        "Lesley Halford": ({"cnwl"}, "Lesley Halford Deputy Director CNWL"),
        "Tracey Chapman": ({"mkc", "milton-keynes-ccg"},
                           "Tracey Chapman Senior Joint Commissioner Mental Health MKC/CCG"),
        "Wayland Lousley": ({"mkc", "milton-keynes-ccg"},
                            "Wayland Lousley Interim Mental Health Transformation Manager, MKC /CCG"),
    },
}


def load(slug: str) -> dict:
    return yaml.safe_load((AREAS / f"{slug}.yaml").read_text(encoding="utf-8"))


def actions(data: dict) -> list[dict]:
    return list(data.get("preamble", [])) + [a for s in data["sections"] for g in s["groups"] for a in g["actions"]]


def by_number(slug: str) -> dict[str, dict]:
    return {a["number"]: a for a in actions(load(slug)) if "number" in a}


def strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def squash(text: str) -> str:
    return " ".join(text.split())


def named_organisations(slug: str, lead_text: str) -> set[str]:
    """Ids of the organisations a lead names: its group wordings first, then names and short names, longest first."""
    return read_lead(slug, lead_text)[0]


def read_lead(slug: str, lead_text: str) -> tuple[set[str], str]:
    """The organisations a lead names, and what is left of it once their names are taken out."""
    text, named = lead_text, set()
    for pattern, ids in GROUPS.get(slug, []):
        if re.search(pattern, text):
            named |= ids
            text = re.sub(pattern, " ", text)
    names = sorted(((n, o["id"]) for o in REGISTRY for n in [o["name"], *o.get("short_names", [])]),
                   key=lambda pair: -len(pair[0]))
    for name, org_id in names:
        pattern = rf"(?<!\w){re.escape(name)}(?!\w)"
        flags = re.IGNORECASE if len(name) > 4 else 0  # "East of England Ambulance service"; not "MC" in words
        if re.search(pattern, text, flags):
            named.add(org_id)
            text = re.sub(pattern, " ", text, flags=flags)
    for person, (ids, _) in PEOPLE.get(slug, {}).items():
        if person in lead_text:
            named |= ids
    return named, text


# What is left of a lead once the organisations it names are taken out, cut at its separators;
# a part that names a group or organisation (it has one of GROUP_WORDS) must map, or be here.
LEAD_PARTS = re.compile(r"[/,;&\n()]|\b(?:[Ww]orking with:?|with|and|or|etc|to monitor|required|leading for)\b")
GROUP_WORDS = re.compile(r"\b(?:CCGs?|[Cc]ouncils?|[Tt]rusts?|[Ss]ervices|[Cc]ommissioners|[Pp]roviders|"
                         r"[Aa]gencies|[Pp]artners|[Pp]artnership|[Bb]oard|[Gg]roup|stake ?holders|GPs|VSOs|"
                         r"[Ss]ector|[Mm]embers|[Ll]eads|[Oo]rganisations|[Pp]olice|All)\b(?! member)")
# Generic phrases: they name no one organisation, so they map to none (the page lists only the
# organisations that are named, or says the lead organisation is not identified).
GENERIC_LEADS = {
    "All", "All agencies", "All Agencies", "All Concordat stake holders", "All concordat stakeholders",
    "All Commissioning Leads", "All Concordat Members", "Representatives",  # Kent 2.1
    "All subgroup partners", "All partners", "all Partners", "All Providers", "all providers",
    "Commissioned services", "referring organisations", "Voluntary Providers", "Vol sector providers",
    "GPs", "VSOs", "CAMHS providers", "IAPT providers",
    "providers",  # Nottingham 6, "111 providers": NHS 111 is named
    "Commissioning leads",  # Kent 2.18, "CCG Commissioning leads": the CCGs are named
    # Nottingham 20: departments of the councils named before them, "Nottingham City & Nottinghamshire
    # County Councils (Children’s Social Care/ Children’s Services)".
    "Councils", "Children’s Social Care", "Children’s Services",
    "Partnership Board", "Steering Group", "MH Concordat Steering Group", "Crisis Care Task Group",
    "South Essex concordat action plan group chair",
    "all main signatories", "declaration",  # Nottingham 1: "all main signatories to the declaration"
    "Police", "CCG Leads",  # Bromley 4b: "Police and CCG Leads required": no lead named yet
    "Linked", "SRG Plans", "System Resilience Projects",  # Kent 2.18: plans and projects, not organisations
}


SLUGS = sorted(p.stem for p in AREAS.glob("*.yaml"))


@pytest.mark.parametrize("slug", SLUGS)
def test_every_organisation_a_lead_names_is_mapped_and_nothing_else(slug):
    wrong = []
    for action in actions(load(slug)):
        named = named_organisations(slug, action.get("lead_text", ""))
        leads = set(action.get("leads", []))
        trusts = {ORGS[lead]["run_by"] for lead in leads if ORGS[lead].get("run_by")}
        if named - leads:
            wrong.append(f"{action['id']}: lead names {sorted(named - leads)} but leads leave them out")
        if leads - named - trusts:
            wrong.append(f"{action['id']}: leads {sorted(leads - named - trusts)} that its lead does not name")
    assert wrong == []


def test_every_lead_that_maps_to_nothing_is_a_generic_phrase():
    """Each part of a lead that names a group or organisation maps to organisations, unless it
    is one of the generic phrases above ("All agencies", "GPs", "VSOs")."""
    unmapped = {}
    for slug in SLUGS:
        for action in actions(load(slug)):
            _, rest = read_lead(slug, action.get("lead_text", ""))
            for part in LEAD_PARTS.split(rest):
                part = re.sub(r"^the ", "", squash(part).strip(" .:-"))
                if part and GROUP_WORDS.search(part) and part not in GENERIC_LEADS:
                    unmapped.setdefault(part, []).append(f"{slug} {action.get('number', action['id'])}")
    assert unmapped == {}


def test_people_are_mapped_only_where_the_plan_says_where_they_work():
    for slug, people in PEOPLE.items():
        leads = [squash(a.get("lead_text", "")) for a in actions(load(slug))]
        for person, (ids, evidence) in people.items():
            assert person in evidence and any(squash(evidence) in lead for lead in leads), (slug, person)
            assert ids <= named_organisations(slug, evidence.replace(person, "")), (slug, person)
    # Named people whose organisation the plan does not give: no leads from them.
    mk, kent = by_number("milton-keynes"), by_number("kent-and-medway")
    assert "leads" not in mk["1.6"] and "Amanda Farr" in mk["1.6"]["lead_text"]
    assert "leads" not in kent["4.2"] and kent["4.2"]["lead_text"] == "Alan Heyes and Dianne Meddick"
    assert kent["4.5"]["leads"] == kent["4.11"]["leads"] == kent["4.1"]["leads"] == ["kcc"]


def test_the_group_leads_the_issue_found_unmapped_now_reach_organisation_pages(built_site):
    unled = {"kent-and-medway": ["2.18", "3.1", "3.2", "3.3", "3.5", "4.9"],
             "south-west-essex": ["1.2", "1.9", "3.4", "3.8", "5.2", "5.7", "5.8"],
             "nottingham-and-nottinghamshire": ["24", "37", "38", "41", "42", "43", "44", "47"]}
    for slug, numbers in unled.items():
        plan = by_number(slug)
        for number in numbers:
            action = plan[number]
            assert action["leads"], (slug, number)
            page = page_text(built_site / "organisations" / action["leads"][0] / "index.html")
            assert squash(action["action"])[:60] in page, (slug, number)
    notts = by_number("nottingham-and-nottinghamshire")
    assert {"mansfield-and-ashfield-ccg", "newark-and-sherwood-ccg", "bassetlaw-ccg"} <= set(notts["9"]["leads"])
    assert SOUTH_NOTTS | {"nottingham-city-ccg"} <= set(notts["10"]["leads"])
    assert "nhs-111" in notts["6"]["leads"]
    [bromley_1b4] = [a for a in actions(load("bromley")) if a["id"] == "1b-4"]
    assert "leads" not in bromley_1b4


def test_kent_and_medway_has_the_plans_numbered_actions_each_with_its_own_lead():
    seed = SEEDS / "000_364b023ab1be3fc2.txt"
    if not seed.exists():
        pytest.skip("the source plans are not beside the project")
    # "2.33 Canterbury…", "4.4.1 Pilot…", but not dates such as 1.4.16
    printed = re.findall(r"(?m)^\t?(\d\.\d+(?:\.\d(?!\d))?)(?=\s)", seed.read_text(encoding="utf-8"))
    kent = actions(load("kent-and-medway"))
    numbers = [a["number"] for a in kent if "number" in a]
    assert numbers == printed
    assert len(printed) == 59 and len(kent) == 60  # and the governance row
    plan = by_number("kent-and-medway")
    assert [plan[n]["lead_text"] for n in ("2.32", "2.33", "2.34")] == [
        "KMPT/SPFT/ KP", "Kent Police JH", "Kent Police JH with LP"]
    assert plan["2.33"]["action"] == "Canterbury Christchurch 136 Research"
    assert "Canterbury Christchurch" in plan["2.33"]["progress"] and "Canterbury" not in plan["2.32"]["progress"]
    assert plan["2.34"]["progress"].endswith("6 steps to wellbeing")
    assert (plan["4.4"]["timescale"], plan["4.4"]["status"]) == ("Complete", "complete")
    assert plan["4.4.1"]["timescale"] == "01.04.2016" and "Open Dialogue" in plan["4.4.1"]["progress"]


@pytest.mark.parametrize("slug", SLUGS)
def test_numbers_are_single_numbers_not_ranges(slug):
    for action in actions(load(slug)):
        assert re.fullmatch(r"\d+(\.\d+)*", action.get("number", "0")), action["number"]


def test_statuses_follow_the_plans_words(built_site):
    complete = {slug: {a["id"]: a for a in actions(load(slug)) if a["status"] == "complete"} for slug in SLUGS}
    for slug, done in complete.items():
        for action in done.values():
            said = squash(action.get("progress", "") + " " + action.get("timescale", ""))
            assert squash(action["status_words"]) in said, (slug, action["id"])
    kent, notts = complete["kent-and-medway"], complete["nottingham-and-nottinghamshire"]
    assert {"governance", "4-4", "2-4"} <= set(kent) and "4-4-1" not in kent
    assert {"28", "2", "17"} <= set(notts) and "35" not in notts
    assert "2a-1" in complete["bromley"]
    page = page_text(built_site / "areas/nottingham-and-nottinghamshire/actions/28/index.html")
    assert "Status Complete The plan says: “Training was completed by June 2015”" in page


def test_hospitals_are_their_own_entries_run_by_their_trusts(built_site):
    trusts = {o["id"]: o for o in REGISTRY if o["type"] == "nhs-trust"}
    for trust in trusts.values():
        for name in trust.get("short_names", []):
            assert name not in ("PRUH", "Royal Bethlem", "Bassetlaw Hospital"), (trust["id"], name)
    assert (ORGS["pruh"]["type"], ORGS["pruh"]["run_by"]) == ("hospital", "kings-college-hospital")
    assert (ORGS["bethlem-royal-hospital"]["run_by"]) == "slam"
    page = page_text(built_site / "organisations/pruh/index.html")
    assert "Type Hospital run by King's College Hospital NHS Foundation Trust" in page
    trust = page_text(built_site / "organisations/kings-college-hospital/index.html")
    assert "Hospitals it runs Princess Royal University Hospital" in trust
    action = page_text(built_site / "areas/bromley/actions/3a-4/index.html")
    assert ("Princess Royal University Hospital (a hospital run by King's College Hospital NHS Foundation Trust)"
            in action)


def test_registry_names_the_organisations_not_national_names_or_misspellings():
    assert ORGS["nottingham-citycare"]["name"] == "Nottingham CityCare Partnership"
    assert ORGS["secamb"]["name"] == "South East Coast Ambulance Service NHS Foundation Trust"
    assert not {o["name"] for o in REGISTRY} & {"Mind", "Healthwatch"}
    # "CPR CCG" is never spelt out in the plan, like SEPT and BTUH: it is Castle Point and Rochford CCG.
    assert "CPR CCG" in ORGS["castle-point-and-rochford-ccg"]["short_names"]
    for o in REGISTRY:
        if o["type"] == "clinical-commissioning-group":
            assert re.fullmatch(r"NHS .+ Clinical Commissioning Group", o["name"]), o["name"]


def test_sub_themes_are_claimed_only_for_actions_about_them():
    notts = load("nottingham-and-nottinghamshire")
    groups = [(g, a) for s in notts["sections"] for g in s["groups"] for a in g["actions"]]
    heading = "Improved services for those with co-existing mental health and substance misuse issues"
    for group, action in groups:
        if action["number"] == "34":
            assert (group["heading"], group["subtheme"]) == (heading, "substance-misuse")
        if 35 <= int(action["number"]) <= 41:
            assert group["heading"] == heading and "subtheme" not in group, action["number"]
    mk = {g["heading"]: (g.get("theme") or s["theme"], g.get("subtheme"))
          for s in load("milton-keynes")["sections"] for g in s["groups"]}
    assert mk["Understanding mental health crisis"] == ("commissioning", "right-numbers-of-staff")
    assert mk["Equal Access to Services"] == ("access-before-crisis", "mental-health-services-access")
    assert mk["Advice and Information"] == ("access-before-crisis", None)


def test_the_printed_heading_is_shown_once_and_no_sub_heading_claimed_for_35(built_site):
    area = (built_site / "areas/nottingham-and-nottinghamshire/index.html").read_text(encoding="utf-8")
    heading = "Improved services for those with co-existing mental health and substance misuse issues"
    assert area.count(f">{heading}</h3>") == 1
    own = page_text(built_site / "areas/nottingham-and-nottinghamshire/actions/35/index.html")
    assert "Heading in the plan 3. Urgent and emergency access to crisis care — Improved services" in own
    assert "National sub-heading" not in own
    # On the theme page too the heading is not simply printed twice: the second says why it is there.
    theme = page_text(built_site / "themes/urgent-emergency-access/index.html")
    assert theme.count(f"care — {heading}") == 2
    assert (f"care — {heading} (more actions under this heading in the plan, not about its national "
            "sub-heading)") in theme


def test_the_plans_typos_are_kept_and_marked_beside_the_text(built_site):
    # Found by reading the source texts (and a spelling checker's list of their unknown words):
    # every typo the plans print in an action, each copied exactly.
    typos = {("kent-and-medway", "2-1"): "Oct 2105", ("south-west-essex", "5-3"): "From April 015",
             ("south-west-essex", "4-1"): "with mental health problems at the",
             ("south-west-essex", "5-7"): "criris", ("south-west-essex", "3-11"): "ands136",
             ("south-west-essex", "1-25"): "current practise", ("south-west-essex", "1-29"): "best practise",
             ("south-west-essex", "3-10"): "long terms conditions", ("south-west-essex", "1-20"): "CYP with LLD",
             ("nottingham-and-nottinghamshire", "18"): "mulit-disciplinary",
             ("nottingham-and-nottinghamshire", "19"): "Code of Practise", ("bromley", "1a-7"): "un necessary"}
    assert {(a["area_slug"], a["id"], t) for a in json.loads((built_site / "data" / "actions.json").read_text(
        encoding="utf-8")) for t in a["sic"]} == {(slug, action_id, t) for (slug, action_id), t in typos.items()}
    for (slug, action_id), typo in typos.items():
        [action] = [a for a in actions(load(slug)) if a["id"] == action_id]
        assert typo in action["sic"]
        page = (built_site / "areas" / slug / "actions" / action_id / "index.html").read_text(encoding="utf-8")
        note = (f"<p class=\"sic-note\" data-pagefind-ignore>Written this way in the plan: "
                f"“{html.escape(typo, quote=False)}” [sic]</p>")
        assert note in page
        dd = page[page.index(note) - 2000:page.index(note)]
        assert typo in html.unescape(re.sub(r"<[^>]+>", "", dd)), "the note is beside the field with the typo"
        assert "[sic]" not in yaml.safe_dump(action.get("timescale", "") + action["action"])


def test_each_area_page_says_its_document_is_undated_and_what_its_latest_entry_is(built_site):
    for slug in SLUGS:
        data = load(slug)
        note = data["source"]["date_note"]
        assert "date" not in data["source"]
        quoted = re.findall(r"“([^”]+)”", note)
        assert quoted, note
        plan = squash(" ".join(strings({k: v for k, v in data.items() if k != "source"})))
        for words in quoted:
            assert squash(words) in plan, f"{slug}: “{words}” is not in the plan"
        page = page_text(built_site / "areas" / slug / "index.html")
        assert f"The document is undated. {squash(note)}" in page


def test_kpi_table_uses_the_plans_own_column_headings(built_site):
    kent = load("kent-and-medway")
    assert "kpi_intro" not in kent
    page = (built_site / "areas/kent-and-medway/index.html").read_text(encoding="utf-8")
    head = page[page.index("<thead>"):page.index("</thead>")]
    assert re.findall(r"<th scope=\"col\">([^<]*)</th>", head) == [
        "No.", "Proposed KPI", "Current baseline (2014 unless otherwise specified)",
        "Target (including achievement date)"]
    note = page_text(built_site / "areas/kent-and-medway/index.html")
    assert "Completed Note from this site: The colour beside each rating was lost in the source document" in note


def test_nottingham_1_keeps_the_tiers_nested_under_kaleidoscope(built_site):
    page = (built_site / "areas/nottingham-and-nottinghamshire/actions/1/index.html").read_text(encoding="utf-8")
    kaleidoscope = page.index("commissioned Kaleidoscope Plus Group")
    nested = page[kaleidoscope:page.index("have commissioned local Mind")]
    assert nested.count("<ul>") == 1 and nested.count("<li>Tier ") == 7 and nested.count("</ul>") == 1


def test_bromley_id_is_quoted_so_every_yaml_reader_reads_text():
    assert '- id: "3e-1"' in Path(AREAS / "bromley.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("slug, action_id, line", [
    ("south-west-essex", "4-2", "Reduction in railway suicides"),
    ("milton-keynes", "1-3", "Revised Timescale from July 2015 based on work required to complete"),
])
def test_a_line_after_a_list_is_its_own_paragraph_not_part_of_the_bullet(built_site, slug, action_id, line):
    """In the plan the line stands on its own under the list; Markdown's lazy continuation would
    make it the second half of the bullet above."""
    page = (built_site / "areas" / slug / "actions" / action_id / "index.html").read_text(encoding="utf-8")
    assert f"<p>{line}</p>" in page
    items = re.findall(r"<li>(.*?)</li>", page, re.DOTALL)
    assert not [item for item in items if line in item]


def test_no_bullet_runs_on_into_the_next_line_of_the_plan(built_site):
    """A list item never holds a line break: each line of a plan's cell is its own line."""
    run_on = [str(p.relative_to(built_site)) for p in (built_site / "areas").rglob("index.html")
              if re.search(r"<li>[^<]*<br />", p.read_text(encoding="utf-8"))]
    assert run_on == []


def test_a_lead_that_names_no_organisation_says_so_on_the_page(built_site):
    """"All agencies", "Partnership Board", a person with no organisation: the page says the lead
    organisation is not identified, rather than leaving a reader to wonder."""
    said = "Lead organisation not identified: the lead the plan gives names no one organisation."
    records = json.loads((built_site / "data" / "actions.json").read_text(encoding="utf-8"))
    unidentified = [a for a in records if a["lead_text"] and not a["leads"]]
    assert len(unidentified) >= 20
    for action in records:
        page = page_text(built_site / action["url"].strip("/") / "index.html")
        assert (said in page) == (action in unidentified), action["url"]
