"""`python build.py import`: a plan's Word or Excel file becomes an area file that passes check.

Fixtures are made here with python-docx and openpyxl in the layouts of the five source plans
(tests/plan_documents.py), with RAG colours as cell shading.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from openpyxl.styles import PatternFill

from concordat.cli import main
from concordat.errors import ContentErrors
from concordat.importing.yaml_out import plain_is_safe
from concordat.pipeline import Project, build_site, load_site

from .conftest import ROOT
from .plan_documents import FILLS, KENT_FILLS, excel_plan, shade, word_plan, write_text

LAYOUT_OF = {"nottingham-and-nottinghamshire": "national", "bromley": "national", "kent-and-medway": "kent",
             "milton-keynes": "milton-keynes", "south-west-essex": "essex"}
TEXT_FIELDS = ("number", "action", "outcomes", "lead_text", "timescale", "progress")
# Leads the content maps by the editors' knowledge, not by the plan's words (issue 9): "CCGs", "All
# CCGs" and "LAs" are the area's CCGs and councils of 2015, "Medway AMHP" is Medway Council's, "Tim
# Woodhouse" works for KCC. No registry entry names them, so the importer leaves them out and lists
# the words as not matched for the editor to map. It adds nothing the content does not have, except:
LEADS_THE_IMPORTER_ADDS = {
    ("bromley", "1b-4"): "'Police and CCG Leads required': 'CCG' is read as the area's CCG and reported as "
                         "an indirect match; the content leaves it unmapped, as no lead was named yet",
}


def load_area(slug: str) -> dict:
    return yaml.safe_load((ROOT / "content" / "areas" / f"{slug}.yaml").read_text(encoding="utf-8"))


def all_actions(area: dict) -> list[dict]:
    return area.get("preamble", []) + [a for s in area["sections"] for g in s["groups"] for a in g["actions"]]


def project_without(tmp_path: Path, slug: str | None = None) -> Project:
    """A copy of the real content, less one area (the one about to be imported)."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "content", root / "content")
    if slug:
        (root / "content" / "areas" / f"{slug}.yaml").unlink()
    return Project(root)


def run_import(project: Project, plan: Path, name: str, *extra: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["import", str(plan), "--name", name, *extra], project.root)
    return status, out.getvalue(), err.getvalue()


def imported(project: Project, slug: str) -> tuple[dict, str]:
    path = project.content / "areas" / f"{slug}.yaml"
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text), text


def with_statuses(area: dict, statuses: list[str]) -> dict:
    """The area with its actions' statuses cycling through `statuses`, so every colour is used."""
    area = copy.deepcopy(area)
    for k, action in enumerate(all_actions(area)):
        action["status"] = statuses[k % len(statuses)]
    return area


# ---------------------------------------------------------------- each source layout, RAG cells shaded


@pytest.mark.parametrize("slug", list(LAYOUT_OF))
def test_each_layout_imports_every_row_with_statuses_from_shading(tmp_path, slug):
    layout = LAYOUT_OF[slug]
    colours = list(KENT_FILLS if layout == "kent" else FILLS) + ["not-rated"]
    if layout == "essex":  # no RAG column: the colour is on the number cell, red, amber or green only
        colours = ["red", "amber", "green", "not-rated"]
    area = with_statuses(load_area(slug), colours)
    project = project_without(tmp_path, slug)
    plan = word_plan(area, layout, tmp_path / f"{slug}.docx")

    status, out, err = run_import(project, plan, area["name"])

    assert status == 0, err
    load_site(Project(project.content.parent))  # raises if `check` would fail
    result, _ = imported(project, area["slug"])
    before, after = all_actions(area), all_actions(result)
    assert [a.get("number") for a in after] == [a.get("number") for a in before]
    assert [a["status"] for a in after] == [a["status"] for a in before]
    for old, new in zip(before, after, strict=True):
        assert {f: new.get(f) for f in TEXT_FIELDS if f in old} == {f: old[f] for f in TEXT_FIELDS if f in old}
        # Each status read from the plan says what its RAG cell showed; a complete one, the key's words.
        assert bool(new.get("rag")) == (new["status"] != "not-rated"), new["id"]
        assert "status_words" not in new
        if new["status"] == "complete":
            assert new["rag"].endswith(", key: Completed"), new["rag"]
    shaded = sum(1 for a in before if a["status"] != "not-rated")
    found = [ln for ln in out.splitlines() if " in the RAG cell read as " in ln or " in the row shading read as " in ln]
    assert len(found) == shaded
    counts = {s: sum(1 for a in before if a["status"] == s) for s in ("red", "amber", "green", "complete")}
    assert "statuses: " + ", ".join(f"{s} {n}" for s, n in counts.items()) in out


def national_template_plan() -> dict:
    """A small plan in the national template with what real plans hold: bullets, numbers as printed,
    an unclear local heading, words in the RAG cell, tinted and off-palette colours."""
    def action(number, text, status, **more):
        return {"id": number.replace(".", "-"), "number": number, "action": text, "status": status,
                "timescale": "March 2016", "lead_text": "Oxleas", **more}

    return {
        "name": "Exampleshire", "slug": "exampleshire",
        "source": {"title": "Template action plan to enable delivery of shared goals of the Mental Health "
                            "Crisis Care Concordat"},
        "sections": [
            {"heading": "1. Commissioning to allow earlier intervention and responsive crisis services",
             "theme": "commissioning",
             "groups": [
                 {"heading": "Matching local need with a suitable range of services",
                  "actions": [
                      action("1.1", "Commission training:\n- Mental Health First Aid\n- Suicide prevention", "red",
                             progress="Started.\n\nBoard met twice."),
                      action("1.2", "Review the 111 directory", "amber", lead_text="Bromley CCG / Acme Trust"),
                      action("1.10", "Numbered ten, printed 1.10", "green"),
                  ]},
                 {"heading": "Improving mental health crisis services", "actions": []},
                 {"heading": "Ensuring the right numbers of high quality staff",
                  "actions": [action("1.11", "Staff the crisis line", "complete")]},
             ]},
            {"heading": "6. Local priorities", "theme": "recovery",
             "groups": [{"actions": [
                 action("6.1", "Plain words YAML reads otherwise", "not-rated", timescale="no", lead_text="on",
                        outcomes="3e-1"),
                 action("6.2", "Agree a protocol", "not-rated"),
             ]}]},
        ],
    }


def test_national_template_in_word_handles_real_document_quirks(tmp_path):
    area = national_template_plan()
    plan = word_plan(area, "national", tmp_path / "plan.docx")
    document = docx.Document(str(plan))
    first, second, key = document.tables
    assert [r.cells[0].text for r in key.rows][-1] == "Completed"  # blue is complete by the plan's own key
    row = {r.cells[0].text: r for table in document.tables for r in table.rows}
    # A tint of amber instead of amber itself.
    rag = row["1.2"].cells[6]._tc.tcPr
    rag.remove(rag[-1])
    shade(row["1.2"].cells[6], "FFEB9C")
    # The header repeated after a page break, and an empty row.
    repeat = first.add_row()
    for cell, label in zip(repeat.cells, first.rows[0].cells, strict=True):
        cell.text = label.text
    row["1.11"]._tr.addprevious(repeat._tr)
    first.add_row()
    # A colour that is no RAG colour, words instead of a colour, a lead cell merged down two rows,
    # and a row split across pages (no number, its progress continued).
    shade(row["6.1"].cells[6], "7030A0")
    row["6.2"].cells[6].text = "On track"
    merged = row["6.1"].cells[3].merge(row["6.2"].cells[3])
    merged._tc.remove(merged.paragraphs[-1]._p)
    write_text(second.add_row().cells[5], "Continued after the page break.")
    document.save(str(plan))

    project = project_without(tmp_path)
    status, out, err = run_import(project, plan, "Exampleshire")

    assert status == 0, err
    load_site(Project(project.content.parent))
    result, text = imported(project, "exampleshire")
    actions = {a["number"]: a for a in all_actions(result)}
    assert list(actions) == ["1.1", "1.2", "1.10", "1.11", "6.1", "6.2"]
    assert actions["1.1"]["action"] == "Commission training:\n- Mental Health First Aid\n- Suicide prevention"
    assert actions["1.1"]["progress"] == "Started.\n\nBoard met twice."
    assert actions["1.1"]["status"] == "red"
    assert actions["1.2"]["status"] == "amber"  # FFEB9C, Excel's pale "neutral" yellow
    assert actions["1.10"]["status"] == "green" and actions["1.11"]["status"] == "complete"
    assert actions["6.1"]["status"] == "not-rated"  # purple is not a RAG colour: not guessed
    assert actions["6.2"]["status"] == "green"  # the words "On track"
    assert actions["1.11"]["rag"] == "blue (#0070C0), key: Completed"
    assert actions["1.2"]["rag"] == "amber (#FFEB9C)" and actions["6.2"]["rag"] == "words: On track"
    assert actions["1.1"]["rag"] == "red (#FF0000), key: Not started or off track"
    assert "rag" not in actions["6.1"]
    assert actions["6.1"]["lead_text"] == actions["6.2"]["lead_text"] == "on"  # merged down: copied
    assert actions["6.2"]["progress"] == "Continued after the page break."
    assert actions["1.2"]["leads"] == ["bromley-ccg"]
    assert [g.get("heading") for g in result["sections"][0]["groups"]] == [
        g["heading"] for g in area["sections"][0]["groups"]]
    assert result["sections"][0]["groups"][1]["actions"] == []
    assert result["sections"][0]["groups"][0]["subtheme"] == "matching-local-need"
    assert result["source"]["title"] == area["source"]["title"]
    # The unclear heading: a valid placeholder theme and a comment asking the editor to choose.
    review = [line for line in text.splitlines() if "REVIEW" in line]
    assert any("'6. Local priorities'" in line and "does not clearly match a national theme" in line
               for line in review), review
    # Values YAML 1.1 and 1.2 read differently are quoted, numbers and ids always.
    assert 'timescale: "no"' in text and 'lead_text: "on"' in text and 'outcomes: "3e-1"' in text
    assert 'number: "1.10"' in text and 'id: "1-10"' in text
    assert text.startswith("# yaml-language-server: $schema=../../concordat/schemas/area.schema.json\n")
    # The report names what it did with every oddity, with table and row.
    assert "#7030A0 in the RAG cell: not a RAG colour" in out
    assert "#FFEB9C in the RAG cell read as amber" in out
    assert "table 2 row 4: no number, so joined to the action above (6.2)" in out
    assert "repeated header rows" in out and "empty rows" in out
    assert "'Acme Trust' (table 1 row 4)" in out
    assert "lead_text cell merged with the row above" in out


def test_national_template_in_excel(tmp_path):
    area = national_template_plan()
    plan = excel_plan(area, tmp_path / "plan.xlsx")
    workbook = openpyxl.load_workbook(plan)
    sheet = workbook.active
    for row in sheet.iter_rows():
        if row[0].value == "1.10":
            row[6].fill = PatternFill("solid", fgColor="FFFFFF00")  # plain yellow, used as amber
        if row[0].value == "6.2":
            row[6].value = "Complete"
    workbook.save(plan)
    project = project_without(tmp_path)

    status, out, err = run_import(project, plan, "Exampleshire")

    assert status == 0, err
    load_site(Project(project.content.parent))
    result, text = imported(project, "exampleshire")
    statuses = {a["number"]: a["status"] for a in all_actions(result)}
    assert statuses == {"1.1": "red", "1.2": "amber", "1.10": "amber", "1.11": "complete", "6.1": "not-rated",
                        "6.2": "complete"}
    rags = {a["number"]: a.get("rag") for a in all_actions(result)}
    assert rags["1.11"] == "blue (#0070C0), key: Completed" and rags["6.2"] == "words: Complete"
    assert rags["1.10"] == "amber (#FFFF00), key: In progress, at risk" and rags["6.1"] is None
    first = all_actions(result)[0]
    assert first["action"] == "Commission training:\n- Mental Health First Aid\n- Suicide prevention"
    assert "#FFFF00 in the RAG cell read as amber" in out
    assert "sheet 'Action plan'" in out


def test_an_imported_complete_status_carries_what_the_rag_cell_showed_and_passes_check(tmp_path):
    area = national_template_plan()
    plan = word_plan(area, "national", tmp_path / "plan.docx")
    document = docx.Document(str(plan))
    row = {r.cells[0].text: r for table in document.tables for r in table.rows}
    row["6.2"].cells[6].text = "Complete"  # words, no colour
    document.save(str(plan))
    project = project_without(tmp_path)

    status, out, err = run_import(project, plan, "Exampleshire")

    assert status == 0, err
    result, text = imported(project, "exampleshire")
    actions = {a["number"]: a for a in all_actions(result)}
    assert actions["1.11"]["status"] == actions["6.2"]["status"] == "complete"
    assert "status_words" not in actions["1.11"] and "status_words" not in actions["6.2"]
    assert 'rag: "blue (#0070C0), key: Completed"' in text and 'rag: "words: Complete"\n' in text
    assert "#0070C0 in the RAG cell read as complete (the plan's RAG key: 'Completed')" in out
    site = load_site(Project(project.content.parent))  # `check` accepts rag in place of status_words
    shown = {a.id: a.rag for a in site.area("exampleshire").actions}
    assert shown["1-11"] == "blue (#0070C0), key: Completed" and shown["6-2"] == "words: Complete"


def test_blue_without_the_plans_key_is_not_rated_and_reported(tmp_path):
    area = national_template_plan()
    plan = word_plan(area, "national", tmp_path / "plan.docx", key=False)
    document = docx.Document(str(plan))
    assert len(document.tables) == 2  # no key
    row = {r.cells[0].text: r for table in document.tables for r in table.rows}
    row["6.2"].cells[6].text = "Blue"  # the word alone is no more a status than the colour
    document.save(str(plan))
    project = project_without(tmp_path)

    status, out, err = run_import(project, plan, "Exampleshire")

    assert status == 0, err
    load_site(Project(project.content.parent))
    result, _ = imported(project, "exampleshire")
    actions = {a["number"]: a for a in all_actions(result)}
    assert actions["1.11"]["status"] == "not-rated" and "rag" not in actions["1.11"]
    assert actions["6.2"]["status"] == "not-rated" and "rag" not in actions["6.2"]
    assert actions["1.1"]["rag"] == "red (#FF0000)"  # red, amber and green need no key
    assert ("table 1 row 8 (action 1.11): #0070C0 in the RAG cell: blue, which only the plan's RAG key could "
            "make complete, and the plan has no RAG key, status left to the words") in out
    assert "words in the RAG cell: 'Blue'" in out
    assert "statuses: red 1, amber 1, green 1, complete 0, not-rated 3" in out


# ---------------------------------------------------------------- round trip of the five plans


@pytest.mark.parametrize("slug", list(LAYOUT_OF))
def test_round_trip_of_each_content_file_through_word(tmp_path, slug):
    area = load_area(slug)
    project = project_without(tmp_path, slug)
    plan = word_plan(area, LAYOUT_OF[slug], tmp_path / f"{slug}.docx")

    status, out, err = run_import(project, plan, area["name"])

    assert status == 0, err
    load_site(Project(project.content.parent))
    result, _ = imported(project, slug)
    before, after = all_actions(area), all_actions(result)
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        assert {f: new.get(f) for f in TEXT_FIELDS} == {f: old.get(f) for f in TEXT_FIELDS}, old["id"]
        assert new["status"] == old["status"], old["id"]
        # The plan's words for a complete status are in its progress or timescale, which the round
        # trip keeps; the status itself comes back from the shaded RAG cell, which `rag` records.
        assert bool(new.get("rag")) == (new["status"] != "not-rated"), old["id"]
        if old["status"] == "complete":
            assert old["status_words"] and new["rag"].endswith("key: Completed"), old["id"]
        if old["id"] != "governance":  # Kent's unnumbered first row: its id was chosen by hand
            assert new["id"] == old["id"]
    added = {(slug, old["id"]) for old, new in zip(before, after, strict=True)
             if set(new.get("leads", [])) - set(old.get("leads", []))}
    assert added == {k for k in LEADS_THE_IMPORTER_ADDS if k[0] == slug}
    unmatched = [ln.strip()[1:].split("' (")[0] for ln in out.splitlines() if ln.startswith("  '")]
    for old, new in zip(before, after, strict=True):
        if set(old.get("leads", [])) == set(new.get("leads", [])):
            assert new.get("leads", []) == old.get("leads", []), old["id"]  # in the same order
        elif set(old.get("leads", [])) - set(new.get("leads", [])):
            # An organisation missed is behind words the report lists as not matched.
            assert any(name in old["lead_text"] for name in unmatched), (old["id"], unmatched)
    shape = [(s["heading"], [g.get("heading") for g in s["groups"]]) for s in area["sections"]]
    assert [(s["heading"], [g.get("heading") for g in s["groups"]]) for s in result["sections"]] == shape
    for key in ("kpis", "glossary"):
        if key in area:
            assert result.get(key) == area[key]


def test_a_lead_written_as_the_start_of_a_name_or_as_a_type_alone_is_matched_and_reported(tmp_path):
    """"South East Coast Ambulance" is the start of only one organisation's name; "Police" and "the
    ambulance service" name the one police force and ambulance service the plan names elsewhere."""
    area = national_template_plan()
    actions = area["sections"][0]["groups"][0]["actions"]
    actions[0]["lead_text"] = "South East Coast Ambulance"
    actions[1]["lead_text"] = "Kent Police"
    actions[2]["lead_text"] = "Police and the ambulance service"
    area["sections"][1]["groups"][0]["actions"][1]["lead_text"] = "Police and Crime Commissioner"
    project = project_without(tmp_path)
    plan = word_plan(area, "national", tmp_path / "plan.docx")

    status, out, err = run_import(project, plan, "Exampleshire")

    assert status == 0, err
    result, _ = imported(project, "exampleshire")
    leads = {a["number"]: a.get("leads", []) for a in all_actions(result)}
    assert leads["1.1"] == ["secamb"] and leads["1.2"] == ["kent-police"]
    assert leads["1.10"] == ["kent-police", "secamb"]
    assert "kent-police" not in leads["6.2"]  # the Police and Crime Commissioner is not the police force
    assert "'South East Coast Ambulance' read as secamb (the start of its name)" in out
    assert "'Police' read as kent-police (the only one named elsewhere in the plan)" in out
    assert "'the ambulance service' read as secamb (the only one named elsewhere in the plan)" in out


def test_an_xlsx_whose_rag_colours_are_lost_gets_a_review_note_the_build_will_not_publish(tmp_path):
    plan = excel_plan(national_template_plan(), tmp_path / "plan.xlsx", key=False)
    book = openpyxl.load_workbook(plan)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                cell.fill = PatternFill()
    book.save(plan)
    project = project_without(tmp_path)

    status, out, err = run_import(project, plan, "Exampleshire")

    assert status == 0, err
    result, text = imported(project, "exampleshire")
    assert {a["status"] for a in all_actions(result)} == {"not-rated"}
    assert "\n# REVIEW: the plan has a RAG column (6 rows), but no status" in text
    site = load_site(Project(project.content.parent))
    [note] = [w for w in site.unfinished if "RAG column" in w.message]
    assert note.path == "content/areas/exampleshire.yaml" and note.line == 4
    with pytest.raises(ContentErrors):
        build_site(Project(project.content.parent), out_dir=tmp_path / "site")


def test_invisible_characters_inside_words_are_removed_and_reported(tmp_path):
    area = national_template_plan()
    actions = area["sections"][0]["groups"][0]["actions"]
    actions[1]["action"] = "Review the 111 direc\u00adtory"
    actions[2]["progress"] = "Street\u200btriage agreed"
    project = project_without(tmp_path)
    plan = word_plan(area, "national", tmp_path / "plan.docx")

    status, out, err = run_import(project, plan, "Exampleshire")

    assert status == 0, err
    result, text = imported(project, "exampleshire")
    assert "\u00ad" not in text and "\u200b" not in text
    found = {a["number"]: a for a in all_actions(result)}
    assert found["1.2"]["action"] == "Review the 111 directory" and found["1.10"]["progress"] == "Streettriage agreed"
    assert "a soft hyphen removed from 'directory'" in out
    assert "a zero-width space removed from 'Streettriage'" in out


# ---------------------------------------------------------------- existing files


def test_existing_file_is_replaced_only_with_force(tmp_path):
    area = national_template_plan()
    plan = word_plan(area, "national", tmp_path / "plan.docx")
    project = project_without(tmp_path)
    assert run_import(project, plan, "Exampleshire")[0] == 0
    path = project.content / "areas" / "exampleshire.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")

    status, out, err = run_import(project, plan, "Exampleshire")
    assert status == 2 and out == ""
    assert err == ("error: content/areas/exampleshire.yaml already exists: add --update to import it again keeping "
                   "your edits, or --force to replace it\n")
    assert path.read_text(encoding="utf-8").endswith("# edited by hand\n")

    assert run_import(project, plan, "Exampleshire", "--force")[0] == 0
    assert "# edited by hand" not in path.read_text(encoding="utf-8")


def test_importing_again_with_update_keeps_what_the_editor_fixed_and_says_what_it_kept(tmp_path):
    """The order CONTRIBUTING gives: import, fix by hand, add the missing organisations, import
    again with --update: the hand edits stay, the new organisations are matched."""
    plan = word_plan(national_template_plan(), "national", tmp_path / "plan.docx")
    project = project_without(tmp_path)
    assert run_import(project, plan, "Exampleshire")[0] == 0
    path = project.content / "areas" / "exampleshire.yaml"
    text = path.read_text(encoding="utf-8")
    # By hand: the placeholder theme set and its REVIEW note deleted, a lead added, an update, a region.
    text = re.sub(r"(?m)^    # .*\n(?=(    # .*\n)*    theme: recovery)", "", text)
    assert "REVIEW" not in text.split("sections:")[1]
    edits = [("    theme: recovery", "    theme: quality-of-treatment"),
             ("slug: exampleshire\n", "slug: exampleshire\nregion: london\n"),
             ('rag: "red (#FF0000), key: Not started or off track"\n',
              'rag: "red (#FF0000), key: Not started or off track"\n            updates:\n'
              '              - date: "2016-05-01"\n                text: The training began in May.\n'
              "                status: amber\n")]
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    text = text[:text.index('id: "6-2"')] + text[text.index('id: "6-2"'):].replace("leads: [oxleas]",
                                                                                "leads: [oxleas, kent-police]", 1)
    path.write_text(text, encoding="utf-8")
    load_site(Project(project.content.parent))  # the hand-edited file is valid
    orgs = project.content / "organisations.yaml"
    orgs.write_text(orgs.read_text(encoding="utf-8") + "  - id: acme-trust\n    name: Acme Trust\n"
                    "    type: nhs-trust\n", encoding="utf-8")

    status, out, err = run_import(project, plan, "Exampleshire", "--update")

    assert status == 0, err
    result, text = imported(project, "exampleshire")
    actions = {a["id"]: a for a in all_actions(result)}
    assert result["region"] == "london" and result["sections"][1]["theme"] == "quality-of-treatment"
    assert "REVIEW" not in text.split("sections:")[1]  # the note the editor deleted stays deleted
    assert actions["1-1"]["updates"] == [{"date": "2016-05-01", "text": "The training began in May.",
                                          "status": "amber"}]
    assert actions["6-2"]["leads"] == ["oxleas", "kent-police"]
    assert actions["1-2"]["leads"] == ["bromley-ccg", "acme-trust"]  # the organisation added since
    assert "Kept from the edited content/areas/exampleshire.yaml:" in out
    for note in ["  region", "  theme 'quality-of-treatment' of section '6. Local priorities'",
                 "  action 1-1: updates", "  action 6-2: leads", "  action 1-2: leads (and newly matched: acme-trust)"]:
        assert note in out.splitlines(), (note, out)
    load_site(Project(project.content.parent))


# ---------------------------------------------------------------- bad files


BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
                  .replace("&lol0;", "&lol;") + "]>")
EXTERNAL = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


def _swap_part(source: Path, target: Path, part: str, change) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info.filename, change(data) if info.filename == part else data)
    return target


def _with_dtd(dtd: str, entity: str, root_tag: bytes, text_tag: bytes):
    def change(data: bytes) -> bytes:
        body = data[data.index(root_tag):]
        return dtd.encode() + body.replace(text_tag, text_tag + entity.encode(), 1)
    return change


def _good_docx(tmp_path: Path) -> Path:
    return word_plan(national_template_plan(), "national", tmp_path / "good.docx")


def _good_xlsx(tmp_path: Path) -> Path:
    return excel_plan(national_template_plan(), tmp_path / "good.xlsx")


def bad_text_as_docx(tmp_path):
    path = tmp_path / "plan.docx"
    path.write_text("No. Action Timescale\n1 Do things\n")
    return path, "is not a real .docx file (it is not a ZIP package)"


def bad_pdf(tmp_path):
    path = tmp_path / "plan.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    return path, "only Word .docx and Excel .xlsx files can be imported"


def bad_old_word(tmp_path):
    path = tmp_path / "plan.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088))
    return path, "is an old-style Word 97-2003 file"


def bad_password(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    path = tmp_path / "locked.docx"
    with _good_docx(tmp_path).open("rb") as plain, path.open("wb") as locked:
        OOXMLFile(plain).encrypt("secret", locked)
    return path, "is password-protected"


def bad_password_xlsx(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    path = tmp_path / "locked.xlsx"
    with _good_xlsx(tmp_path).open("rb") as plain, path.open("wb") as locked:
        OOXMLFile(plain).encrypt("secret", locked)
    return path, "is password-protected"


def bad_no_tables(tmp_path):
    document = docx.Document()
    document.add_paragraph("1. Commissioning to allow earlier intervention and responsive crisis services")
    document.add_paragraph("1.1 Commission training")
    path = tmp_path / "plan.docx"
    document.save(str(path))
    return path, "has no tables"


def bad_no_action_table(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Budget", "Amount"
    path = tmp_path / "plan.docx"
    document.save(str(path))
    return path, "no table has a header row with an Action column"


def bad_huge(tmp_path):
    path = tmp_path / "plan.docx"
    with path.open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(21 * 1024 * 1024)
    return path, "is too large (21.0 MiB; the limit is 20 MiB)"


def bad_zip_bomb(tmp_path):
    path = tmp_path / "plan.docx"
    shutil.copy(_good_docx(tmp_path), path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/bomb.xml", b"\0" * (70 * 1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    return path, "refused as a possible zip bomb"


def bad_many_parts(tmp_path):
    path = tmp_path / "plan.xlsx"
    shutil.copy(_good_xlsx(tmp_path), path)
    with zipfile.ZipFile(path, "a") as archive:
        for k in range(1001):
            archive.writestr(f"xl/extra/{k}.xml", b"<x/>")
    return path, "parts (the limit is 1000): refused"


def bad_billion_laughs(tmp_path):
    path = _swap_part(_good_docx(tmp_path), tmp_path / "laughs.docx", "word/document.xml",
                      _with_dtd(BILLION_LAUGHS, "&lol9;", b"<w:document", b"<w:t>"))
    return path, "part word/document.xml declares a DTD or XML entities"


def bad_external_entity(tmp_path):
    path = _swap_part(_good_docx(tmp_path), tmp_path / "xxe.docx", "word/document.xml",
                      _with_dtd(EXTERNAL, "&secret;", b"<w:document", b"<w:t>"))
    return path, "part word/document.xml declares a DTD or XML entities"


def bad_external_entity_xlsx(tmp_path):
    path = _swap_part(_good_xlsx(tmp_path), tmp_path / "xxe.xlsx", "xl/worksheets/sheet1.xml",
                      _with_dtd(EXTERNAL, "&secret;", b"<worksheet", b"<v>"))
    return path, "part xl/worksheets/sheet1.xml declares a DTD or XML entities"


def bad_wrong_kind(tmp_path):
    path = tmp_path / "plan.docx"
    shutil.copy(_good_xlsx(tmp_path), path)
    return path, "is not a real Word .docx file (it looks like Excel file: name it .xlsx)"


def bad_damaged(tmp_path):
    path = tmp_path / "plan.docx"
    data = _good_docx(tmp_path).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path, "is not a real .docx file"


def bad_huge_merged_range(tmp_path):
    """A few KB that openpyxl would lay out as 17 billion merged cells."""
    path = _swap_part(_good_xlsx(tmp_path), tmp_path / "merged.xlsx", "xl/worksheets/sheet1.xml",
                      lambda data: data.replace(b"</sheetData>", b'</sheetData><mergeCells count="1">'
                                                b'<mergeCell ref="A1:XFD1048576"/></mergeCells>', 1))
    assert path.stat().st_size < 64 * 1024
    return path, "far more than a plan: refused"


def bad_wide_span(tmp_path):
    """A Word cell spanning 200 million columns."""
    path = _swap_part(_good_docx(tmp_path), tmp_path / "span.docx", "word/document.xml",
                      lambda data: data.replace(b"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val="200000000"/>', 1))
    return path, "part word/document.xml has tables of more than 250,000 cells"


def bad_wide_gap_before_a_row(tmp_path):
    path = _swap_part(_good_docx(tmp_path), tmp_path / "before.docx", "word/document.xml",
                      lambda data: data.replace(b"<w:tr>", b'<w:tr><w:trPr><w:gridBefore w:val="99999999"/>'
                                                b"</w:trPr>", 1))
    return path, "far more than a plan: refused"


def bad_many_cells(tmp_path):
    """300,000 empty cells: small on disk, hundreds of MB once openpyxl has made them."""
    rows = b"".join(b'<row r="%d">' % r + b"".join(b'<c r="%s%d"/>' % (col, r) for col in COLUMNS) + b"</row>"
                    for r in range(1, 3001))
    path = _swap_part(_good_xlsx(tmp_path), tmp_path / "cells.xlsx", "xl/worksheets/sheet1.xml",
                      lambda data: data[:data.index(b"<sheetData>") + 11] + rows + data[data.index(b"</sheetData>"):])
    return path, "part xl/worksheets/sheet1.xml has tables of more than 250,000 cells"


COLUMNS = [openpyxl.utils.get_column_letter(c).encode() for c in range(1, 101)]


def _reencoded(encoding: str, bom: bool):
    def change(data: bytes) -> bytes:
        text = (EXTERNAL + data[data.index(b"<w:document"):].decode("utf-8").replace("<w:t>", "<w:t>&secret;", 1))
        text = text.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
        return ("\ufeff" if bom else "").encode(encoding) + text.encode(encoding)
    return change


def bad_dtd_in_utf32(tmp_path):
    path = _swap_part(_good_docx(tmp_path), tmp_path / "utf32.docx", "word/document.xml",
                      _reencoded("utf-32-le", bom=True))
    return path, "part word/document.xml declares a DTD or XML entities"


def bad_dtd_in_utf16_without_bom(tmp_path):
    path = _swap_part(_good_docx(tmp_path), tmp_path / "utf16.docx", "word/document.xml",
                      _reencoded("utf-16-be", bom=False))
    return path, "part word/document.xml declares a DTD or XML entities"


def bad_dtd_in_a_part_named_png(tmp_path):
    path = tmp_path / "png.docx"
    shutil.copy(_good_docx(tmp_path), path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("word/media/image9.png", EXTERNAL + '<w:p xmlns:w="urn:x">&secret;</w:p>')
    return path, "part word/media/image9.png declares a DTD or XML entities"


def bad_utf7(tmp_path):
    """UTF-7 would hide '<!DOCTYPE' as '+ADw-!DOCTYPE'."""
    path = _swap_part(_good_docx(tmp_path), tmp_path / "utf7.docx", "word/document.xml",
                      lambda data: data.replace(b"encoding='UTF-8'", b"encoding='UTF-7'", 1))
    return path, "is written in the UTF-7 encoding, which Word and Excel never use"


def bad_many_rows(tmp_path):
    """Rows with nothing in them still cost openpyxl an object each."""
    rows = b"".join(b'<row r="%d" ht="15"/>' % r for r in range(1, 260_001))
    path = _swap_part(_good_xlsx(tmp_path), tmp_path / "rows.xlsx", "xl/worksheets/sheet1.xml",
                      lambda data: data.replace(b"</sheetData>", rows + b"</sheetData>", 1))
    return path, "part xl/worksheets/sheet1.xml has tables of more than 250,000 cells"


BAD_FILES = [bad_text_as_docx, bad_pdf, bad_old_word, bad_password, bad_password_xlsx, bad_no_tables,
             bad_no_action_table, bad_huge, bad_zip_bomb, bad_many_parts, bad_billion_laughs, bad_external_entity,
             bad_external_entity_xlsx, bad_wrong_kind, bad_damaged, bad_huge_merged_range, bad_wide_span,
             bad_wide_gap_before_a_row, bad_many_cells, bad_dtd_in_utf32, bad_dtd_in_utf16_without_bom,
             bad_dtd_in_a_part_named_png, bad_utf7, bad_many_rows]


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("make", BAD_FILES, ids=lambda f: f.__name__.removeprefix("bad_"))
def test_bad_file_gets_one_line_error_and_writes_nothing(tmp_path, make):
    """In-process (an exception escaping main fails the test as a traceback would); the next test runs
    build.py itself on one bad file."""
    project = project_without(tmp_path)
    plan, message = make(tmp_path)
    before = _tree_digest(project.content)

    status, out, err = run_import(project, plan, "Exampleshire")

    assert status == 1, err
    assert "Traceback" not in err and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], err
    assert _tree_digest(project.content) == before


@pytest.mark.parametrize("make", [bad_zip_bomb, bad_billion_laughs], ids=lambda f: f.__name__.removeprefix("bad_"))
def test_build_py_import_of_a_bad_file_exits_1_with_one_line_and_writes_nothing(tmp_path, make):
    project = project_without(tmp_path)
    shutil.copy(ROOT / "build.py", project.root / "build.py")
    plan, message = make(tmp_path)
    before = _tree_digest(project.content)

    result = subprocess.run([sys.executable, "build.py", "import", str(plan), "--name", "Exampleshire"],
                            cwd=project.root, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr
    assert _tree_digest(project.content) == before


def test_the_xml_libraries_do_not_expand_entities_even_without_the_precheck(tmp_path):
    """The pre-check refuses any DTD; beneath it python-docx and openpyxl are configured safely too."""
    from docx.oxml.parser import parse_xml
    from openpyxl.xml.functions import iterparse

    expanded = parse_xml(EXTERNAL.encode() + b'<w:p xmlns:w="urn:x">&secret;</w:p>')
    assert "root:" not in "".join(expanded.itertext())
    with pytest.raises(Exception) as raised:
        list(iterparse(io.BytesIO(EXTERNAL.encode() + b"<x>&secret;</x>")))
    assert type(raised.value).__module__.startswith("defusedxml")
    with pytest.raises(Exception, match="amplification|Detected an entity reference loop"):
        parse_xml(BILLION_LAUGHS.encode() + b'<w:p xmlns:w="urn:x">&lol9;</w:p>')


@pytest.mark.parametrize("value, safe", [
    ("Kent Police", True), ("March 2016", True), ("no", False), ("on", False), ("Yes", False), ("y", False),
    ("3e-1", False), ("012", False), ("1.10", False), ("2016-03", False), ("1:20", False), ("0x1F", False),
    (".inf", False), ("null", False), ("~", False), ("- item", False), ("Note: this", False), ("a #b", False),
    ("15-16", False), ("TBC", True), ("", False), (" padded", False),
])
def test_plain_values_are_only_left_unquoted_when_yaml_1_1_and_1_2_agree(value, safe):
    assert plain_is_safe(value) is safe
