"""The importer's pieces on their own (concordat/importing/): what an editor relies on when a plan
is imported, checked in milliseconds with a few made-up organisations and themes, no site build
and no Word file."""

from __future__ import annotations

import pytest

from concordat.importing.columns import COLUMN_WORDS, header_columns
from concordat.importing.ids import assign_ids
from concordat.importing.imported import ImportedAction, ImportedGroup, ImportedPlan, ImportedSection
from concordat.importing.leads import LeadMatcher
from concordat.importing.rag import RagKey, hue_status, rag_problem, rag_shown, words_status
from concordat.importing.reader import PlanReader
from concordat.importing.tables import Cell, Paragraph, Row, Table, clean_text, tidy_lines
from concordat.importing.themes import THEME_SURE, Themes

ORGANISATIONS = {
    "secamb": {"name": "South East Coast Ambulance Service NHS Foundation Trust", "short_names": ["SECAmb"],
               "type": "ambulance-service"},
    "kent-police": {"name": "Kent Police", "type": "police"},
    "medway-council": {"name": "Medway Council", "short_names": ["MC"], "type": "local-authority"},
    "medway-ccg": {"name": "NHS Medway Clinical Commissioning Group", "short_names": ["Medway CCG"],
                   "type": "clinical-commissioning-group"},
    "swale-ccg": {"name": "NHS Swale Clinical Commissioning Group", "short_names": ["Swale CCG"],
                  "type": "clinical-commissioning-group"},
    "kmpt": {"name": "Kent and Medway NHS and Social Care Partnership Trust", "short_names": ["KMPT"],
             "type": "mental-health-trust"},
    "darent-valley": {"name": "Darent Valley Hospital", "type": "hospital", "run_by": "dgt"},
    "dgt": {"name": "Dartford and Gravesham NHS Trust", "type": "nhs-trust"},
}
THEMES = [
    {"id": "commissioning", "number": 1,
     "title": "Commissioning to allow earlier intervention and responsive crisis services",
     "subthemes": [{"id": "matching-local-need", "title": "Matching local need with a suitable range of services"}]},
    {"id": "access-before-crisis", "number": 2, "title": "Access to support before crisis point",
     "subthemes": [{"id": "primary-care-access", "title": "Improve access to support via primary care"}]},
]


def leads(text: str, area: str = "Medway") -> tuple[list[str], list[str], list[str]]:
    return LeadMatcher(ORGANISATIONS, area).match(text)


# ---------------------------------------------------------------- leads


def test_a_lead_written_as_the_start_of_a_name_is_matched_and_the_editor_told():
    ids, unmatched, notes = leads("South East Coast Ambulance")
    assert ids == ["secamb"] and unmatched == []
    assert notes == ["'South East Coast Ambulance' read as secamb (the start of its name)"]


def test_an_abbreviation_in_capitals_matches_only_in_capitals():
    assert leads("MC and KMPT")[:2] == (["medway-council", "kmpt"], [])
    assert leads("the mc team")[:2] == ([], ["the mc team"])


def test_a_and_b_ccgs_names_two_ccgs():
    ids, _, notes = leads("Medway and Swale CCGs")
    assert ids == ["medway-ccg", "swale-ccg"]
    assert notes == ["'Swale CCG' read as swale-ccg", "'Medway CCG' read as medway-ccg"]


def test_a_bare_ccg_is_the_areas_own_only_where_the_area_has_one():
    assert leads("CCG", area="Medway") == (["medway-ccg"], [], ["'CCG' read as the area's CCG, medway-ccg"])
    assert leads("CCG", area="Exampleshire")[:2] == ([], ["CCG"])


def test_a_hospital_brings_the_trust_that_runs_it():
    ids, _, notes = leads("Darent Valley Hospital")
    assert ids == ["darent-valley", "dgt"]
    assert notes == ["'darent-valley' is a hospital run by dgt: dgt added"]


def test_words_naming_no_organisation_are_listed_for_the_editor():
    assert leads("Joe Bloggs / KMPT; Public Health")[:2] == (["kmpt"], ["Joe Bloggs", "Public Health"])


def test_a_person_and_a_type_named_alone_are_read_from_elsewhere_in_the_plan():
    matcher = LeadMatcher(ORGANISATIONS, "Exampleshire")
    assert matcher.match("the police")[0] == []  # the plan has named no police force yet
    matcher.learn_named(["Kent Police and KMPT"])
    matcher.learn_people(["Tracey Chapman\nSenior Commissioner\nKMPT"])
    assert matcher.match("the police") == (
        ["kent-police"], [], ["'the police' read as kent-police (the only one named elsewhere in the plan)"])
    assert matcher.match("Tracey Chapman") == (
        ["kmpt"], [], ["'Tracey Chapman' read as kmpt (named with them elsewhere in the plan)"])


# ---------------------------------------------------------------- RAG


@pytest.mark.parametrize("words, status", [
    ("On track", "green"), ("Completed", "complete"), ("Achieved", "complete"), ("Not yet started", "red"),
    ("Off track", "red"), ("In progress", "amber"), ("At risk", "amber"), ("delayed but on track", "amber"),
    ("R", "red"), ("a", "amber"), ("Green", "green"), ("Blue", None), ("See notes", None), ("", None),
])
def test_rag_words_give_a_status_only_where_they_say_one(words, status):
    assert words_status(words) == status


def test_blue_shading_is_complete_only_where_the_plans_key_says_so():
    assert [hue_status(c) for c in ("FF0000", "FFC000", "00B050", "0070C0", "FFFFFF")] == [
        "red", "amber", "green", None, None]
    status, how, _ = RagKey().read("0070C0")
    assert status is None and how.endswith("the plan has no RAG key")
    key = RagKey([("0070C0", "complete", "Completed"), ("FF0000", "red", "Not started")])
    assert key.read("0072C4") == ("complete", "the plan's RAG key: 'Completed'", "Completed")  # near enough
    assert key.read("00B050") == ("green", "", "")  # a colour the key lacks: the usual hues


def test_check_accepts_what_the_importer_wrote_and_refuses_a_rag_typed_by_hand():
    written = rag_shown("0070C0", "Completed", "")
    assert written == "blue (#0070C0), key: Completed"
    assert rag_problem(written, "complete") is None
    assert rag_problem(written, "green") == "does not give the status 'green'"
    assert rag_problem(rag_shown("00B050", "", "", "across the row"), "green") is None
    assert rag_problem("words: On track", "green") is None
    assert rag_problem("looked green to me", "green") == "is not in the form `python build.py import` writes"


# ---------------------------------------------------------------- columns, themes, ids, cell text


def row(number: int, *cells: str | Cell) -> Row:
    return Row(number, [Cell(c) if isinstance(c, str) else c for c in cells])


def test_columns_are_known_by_their_header_words_not_their_place():
    national = row(1, "No.", "Action ", "Time-scale ", "Led By", "Outcomes", "Summary progress",
                   "Red/Amber/Green (RAG)")
    assert header_columns(national, COLUMN_WORDS, {"action"}, 3) == {
        0: "number", 1: "action", 2: "timescale", 3: "lead_text", 4: "outcomes", 5: "progress", 6: "status"}
    own = row(1, "No.", "Deliverables/actions", "Lead", "Timescales", "RAG")
    assert header_columns(own, COLUMN_WORDS, {"action"}, 3) == {
        0: "number", 1: "action", 2: "lead_text", 3: "timescale", 4: "status"}
    assert header_columns(row(1, "Plan", "Notes"), COLUMN_WORDS, {"action"}, 3) is None


def test_a_heading_is_placed_under_a_theme_only_where_its_words_match_closely():
    themes = Themes(THEMES)
    theme, score = themes.best_theme("2. Access to support before crisis point")
    assert theme["id"] == "access-before-crisis" and score >= THEME_SURE
    assert themes.best_theme("Joint working")[1] < THEME_SURE


def test_ids_are_the_plans_numbers_unless_a_number_is_used_twice():
    def plan(*groups: list[str]) -> ImportedPlan:
        section = ImportedSection("1. Commissioning", "commissioning", groups=[
            ImportedGroup(heading=f"Sub-heading {k}", actions=[
                ImportedAction("row", {"number": n} if n else {}) for n in numbers])
            for k, numbers in enumerate(groups)])
        return ImportedPlan("X", "x", preamble=[ImportedAction("row")], sections=[section])

    unique = plan(["1.1", "1.2a"], ["1.3", ""])
    assign_ids(unique)
    assert [a.id for a in unique.actions()] == ["preamble-1", "1-1", "1-2a", "1-3", "1b-action-2"]
    repeated = plan(["1", "2"], ["1"])  # numbering restarts under each sub-heading (Bromley)
    assign_ids(repeated)
    assert [a.id for a in repeated.actions()] == ["preamble-1", "1a-1", "1a-2", "1b-1"]


def test_cell_text_keeps_bullets_as_list_items_and_drops_what_yaml_cannot_hold():
    assert tidy_lines(["• one", "", "", "· two  ", "-"]) == "- one\n\n- two"
    assert clean_text("a\tb\x0bc\x07") == "a b\nc"


# ---------------------------------------------------------------- the reader, on tables made by hand


def test_a_plans_tables_become_actions_with_statuses_leads_and_a_report():
    key = Table("table 1", [row(1, Cell("Not started", "FF0000")), row(2, Cell("Completed", "0070C0"))])
    actions = Table("table 2", [
        row(1, "No.", "Action", "Led by", "RAG"),
        row(2, "1.1", "Review the pathway", "KMPT", Cell("", "00B050")),
        row(3, "", "and publish it", "", ""),  # the same row, split across a page break
        row(4, "1.2", "Street triage", "Joe Bloggs", "On track"),
        row(5, "1.3", "Beds", "KMPT", Cell("", "0070C0")),
    ])
    blocks = [Paragraph(1, "Exampleshire crisis care action plan", True), key,
              Paragraph(2, "1. Commissioning to allow earlier intervention and responsive crisis services", True),
              actions]
    reader = PlanReader("Exampleshire", "exampleshire", THEMES, ORGANISATIONS)
    plan = reader.read(blocks)

    assert plan.title == "Exampleshire crisis care action plan"
    assert [s.theme for s in plan.sections] == ["commissioning"]
    assert [(a.id, a.fields["action"], a.status, a.rag, a.leads) for a in plan.actions()] == [
        ("1-1", "Review the pathway\nand publish it", "green", "green (#00B050)", ["kmpt"]),
        ("1-2", "Street triage", "green", "words: On track", []),
        ("1-3", "Beds", "complete", "blue (#0070C0), key: Completed", ["kmpt"]),
    ]
    assert plan.notes == [{"heading": "RAG key", "text": "Not started\nCompleted"}]
    summary = "\n".join(reader.report.summary(plan, ORGANISATIONS))
    assert "statuses: red 0, amber 0, green 2, complete 1, not-rated 0 (from shading 2, from words 1)" in summary
    assert "table 2 row 3: no number, so joined to the action above (1.1)" in summary
    assert "  'Joe Bloggs' (table 2 row 4)" in summary


def test_a_plan_without_an_action_table_is_refused_with_the_columns_it_needs():
    reader = PlanReader("X", "x", THEMES, ORGANISATIONS)
    with pytest.raises(ValueError, match=r"no table has a header row with an Action column"):
        reader.read([Table("table 1", [row(1, "Name", "Role"), row(2, "Jo", "Chair")])])
