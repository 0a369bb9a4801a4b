"""Editors are told exactly what is wrong with a content file, and where."""

from __future__ import annotations

import pytest

from concordat.errors import ContentErrors
from concordat.pipeline import load_site

from .conftest import FIXTURES, make_project

EXAMPLE = (FIXTURES / "example-area.yaml").read_text(encoding="utf-8")


def errors_for(tmp_path, area_text: str) -> list[str]:
    project = make_project(tmp_path / "p", area_text)
    with pytest.raises(ContentErrors) as caught:
        load_site(project)
    return [str(e) for e in caught.value.errors]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_example_content_is_valid(example_project):
    site = load_site(example_project)
    assert [a.id for a in site.areas[0].actions] == ["governance", "1-1", "1-2"]


def test_unknown_organisation_names_file_line_column_and_suggests(tmp_path):
    text = EXAMPLE.replace("leads: [xmpt, example-police]", "leads: [xmtp, example-police]")
    [error] = errors_for(tmp_path, text)
    line = line_of(text, "leads: [xmtp")
    assert error == (f"content/areas/exampleshire.yaml:{line}:21: unknown organisation 'xmtp' "
                     "(did you mean 'xmpt'?)")


def test_unknown_field_suggests_the_right_one(tmp_path):
    text = EXAMPLE.replace("    timescale: May 2015", "    timescal: May 2015")
    [error] = errors_for(tmp_path, text)
    assert f"exampleshire.yaml:{line_of(text, 'timescal: May')}:13: unknown field 'timescal'" in error
    assert "did you mean 'timescale'?" in error


def test_every_error_is_reported_not_just_the_first(tmp_path):
    text = EXAMPLE.replace("status: complete", "status: finished").replace("theme: access-before-crisis",
                                                                            "theme: acess-before-crisis")
    errors = errors_for(tmp_path, text)
    assert len(errors) == 2
    assert any("'finished' is not a valid status" in e for e in errors)
    assert any("unknown theme 'acess-before-crisis' (did you mean 'access-before-crisis'?)" in e for e in errors)


def test_missing_required_field(tmp_path):
    text = EXAMPLE.replace("            status: complete\n", "")
    [error] = errors_for(tmp_path, text)
    assert "is missing required field 'status'" in error


def test_number_must_be_quoted(tmp_path):
    text = EXAMPLE.replace('number: "1.2"', "number: 1.20")
    [error] = errors_for(tmp_path, text)
    assert "'number' should be text, not a number (1.20)" in error
    assert 'put it in quotes: "1.20"' in error


def test_duplicate_key_and_duplicate_action_id(tmp_path):
    text = EXAMPLE.replace("          - id: 1-2", "          - id: 1-1")
    text = text.replace("    timescale: Annually", "    timescale: Annually\n    timescale: Monthly")
    errors = errors_for(tmp_path, text)
    assert any("duplicate key 'timescale'" in e for e in errors)
    assert any("duplicate action id '1-1'" in e for e in errors)


def test_tab_indentation_gets_a_hint(tmp_path):
    text = EXAMPLE.replace("  title: Exampleshire", "\ttitle: Exampleshire")
    [error] = errors_for(tmp_path, text)
    assert error.startswith("content/areas/exampleshire.yaml:")
    assert "tabs" in error


def test_impossible_date(tmp_path):
    text = EXAMPLE.replace("due: 2016-04", "due: 2016-13")
    [error] = errors_for(tmp_path, text)
    assert "'2016-13' is not a real date" in error


def test_subtheme_must_belong_to_its_theme(tmp_path):
    text = EXAMPLE.replace("subtheme: matching-local-need", "subtheme: staff-safety")
    [error] = errors_for(tmp_path, text)
    assert "unknown sub-theme of 'commissioning' 'staff-safety'" in error


def test_slug_must_match_file_name(tmp_path):
    text = EXAMPLE.replace("slug: exampleshire", "slug: other-place")
    [error] = errors_for(tmp_path, text)
    assert "slug 'other-place' does not match the file name 'exampleshire.yaml'" in error


@pytest.mark.parametrize("value", ["no", "On", "yes", "off", "012", "1_000", "3e-1", "0o12", "1:30", "08"])
def test_a_value_yaml_1_1_and_1_2_read_differently_must_be_quoted(tmp_path, value):
    text = EXAMPLE.replace("lead_text: All CCGs", f"lead_text: {value}")
    [error] = errors_for(tmp_path, text)
    line = line_of(text, f"lead_text: {value}")
    assert error.startswith(f"content/areas/exampleshire.yaml:{line}:24: 'lead_text' should be text")
    assert error.endswith(f'(put it in quotes: "{value}")')
    load_site(make_project(tmp_path / "quoted", text.replace(f"lead_text: {value}", f'lead_text: "{value}"')))


def test_complete_needs_the_plans_own_words(tmp_path):
    text = EXAMPLE.replace("            status_words: Completed\n", "")
    [error] = errors_for(tmp_path, text)
    assert error.startswith(f"content/areas/exampleshire.yaml:{line_of(text, 'status: complete')}:21: "
                            "'complete' needs the plan's words that say so")
    text = EXAMPLE.replace("status_words: Completed", "status_words: Finished")
    [error] = errors_for(tmp_path / "2", text)
    assert f":{line_of(text, 'status_words')}:27: 'Finished' is not in this action's progress or timescale" in error


def test_a_typo_marked_sic_must_be_in_the_action(tmp_path):
    text = EXAMPLE.replace("            status_words: Completed\n",
                           "            status_words: Completed\n            sic: [May 2015, Mya 2015]\n")
    [error] = errors_for(tmp_path, text)
    assert f":{line_of(text, 'sic:')}:29: 'Mya 2015' is not in this action's text" in error


def test_a_hospital_names_its_trust_and_brings_it_into_leads(tmp_path):
    project = make_project(tmp_path / "p", EXAMPLE.replace("leads: [xmpt, example-police]",
                                                           "leads: [example-general, example-police]"))
    orgs = project.content / "organisations.yaml"
    orgs.write_text(orgs.read_text() + "  - id: example-general\n    name: Exampleshire General Hospital\n"
                    "    type: hospital\n    run_by: xmpt\n  - id: lone-hospital\n    name: Lone Hospital\n"
                    "    type: hospital\n")
    with pytest.raises(ContentErrors) as caught:
        load_site(project)
    errors = sorted(str(e) for e in caught.value.errors)
    assert any("'example-general' is a hospital run by 'xmpt' (add xmpt to leads too" in e for e in errors)
    assert any("content/organisations.yaml:" in e and "hospital 'lone-hospital' needs run_by" in e for e in errors)


def test_a_short_name_cut_at_the_names_comma_is_refused(tmp_path):
    """`[DGS CCG, Dartford, Gravesham and Swanley CCG]` is three names to YAML, not two: check
    names the one that stops at a comma of the organisation's name, and says to quote it."""
    project = make_project(tmp_path / "p", EXAMPLE)
    orgs = project.content / "organisations.yaml"
    entry = ("  - id: dgs-ccg\n    name: NHS Dartford, Gravesham and Swanley Clinical Commissioning Group\n"
             "    short_names: [DGS CCG, Dartford, Gravesham and Swanley CCG]\n"
             "    type: clinical-commissioning-group\n")
    orgs.write_text(orgs.read_text() + entry)
    with pytest.raises(ContentErrors) as caught:
        load_site(project)
    [error] = [str(e) for e in caught.value.errors]
    line = line_of(orgs.read_text(), "short_names: [DGS CCG, Dartford")
    assert error.startswith(f"content/organisations.yaml:{line}:28: short name 'Dartford' of 'dgs-ccg' stops at a "
                            "comma of its name")
    assert 'put a name that has a comma in quotes, for example [DGS CCG, "Dartford, Gravesham' in error
    # Quoted, it is one name, and the content is valid.
    orgs.write_text(orgs.read_text().replace("[DGS CCG, Dartford, Gravesham and Swanley CCG]",
                                             '[DGS CCG, "Dartford, Gravesham and Swanley CCG"]'))
    load_site(project)
