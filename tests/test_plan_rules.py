"""The model's rules on their own (`dates`, `names`, the schema check's text rules, how YAML 1.1
and 1.2 read a plain value): no site is built, and a failure names the rule at fault."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from concordat.dates import add_months, long_date, overdue_at, plan_period, status_at, written_month
from concordat.model import STATUS_LABELS, Update
from concordat.model_from_content import build_area
from concordat.names import (
    action_heading,
    action_label,
    first_words,
    is_slug,
    number_subheadings,
    slug_problem,
    slugify,
)
from concordat.schema_check import load_schema, resolve, text_problems
from concordat.yaml_reading import STR, yaml12_tag, yaml_versions_disagree


def area(actions: list[dict], source: dict | None = None, **fields) -> dict:
    """An area file's data with one section of `actions`."""
    return {"name": "Kent", "slug": "kent", "source": source or {}, **fields,
            "sections": [{"heading": "One", "theme": "access", "groups": [{"actions": actions}]}]}


def action(number: str = "1", **fields) -> dict:
    return {"id": number.replace(".", "-"), "number": number, "action": "Agree a protocol", "status": "amber",
            **fields}


# --- dates ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, words", [("2016-03-31", "31 March 2016"), ("2016-03", "March 2016"),
                                          ("2016-03-01", "1 March 2016")])
def test_a_date_is_written_as_people_write_it(value, words):
    assert long_date(value) == words


@pytest.mark.parametrize("words, month", [
    ("Training was completed by 18 Nov 2015", "2015-11"),
    ("1st of April 2015", "2015-04"),
    ("Sept 2015", "2015-09"),
    ("first draft in October 2015, signed March 2016", "2016-03"),  # the last one written
    ("in 2015", None),
    ("", None),
])
def test_the_month_a_plan_writes_is_read_from_its_words(words, month):
    assert written_month(words) == month


@pytest.mark.parametrize("day, months, then", [
    (dt.date(2016, 1, 31), 1, dt.date(2016, 2, 29)),  # the shorter month's last day
    (dt.date(2015, 1, 31), 1, dt.date(2015, 2, 28)),
    (dt.date(2015, 11, 15), 3, dt.date(2016, 2, 15)),  # into the next year
    (dt.date(2015, 6, 30), 12, dt.date(2016, 6, 30)),
])
def test_the_next_review_is_months_after_the_last(day, months, then):
    assert add_months(day, months) == then


@pytest.mark.parametrize("due, status, reviewed, overdue", [
    ("2015-10-31", "amber", "2016-01-01", "2016-01-01"),
    ("2015-10", "red", "2015-11-01", "2015-11-01"),
    ("2015-10", "red", "2015-10-31", None),  # a month-only date means by the end of that month
    ("2015-10-31", "complete", "2016-01-01", None),  # a complete action is never overdue
    ("2016-02-01", "amber", "2016-01-01", None),
    ("2015-10-31", "amber", None, None),  # no review: judged against no day, never the build's
    (None, "amber", "2016-01-01", None),
])
def test_an_action_is_overdue_only_if_due_before_the_review_and_not_complete(due, status, reviewed, overdue):
    assert overdue_at(due, status, reviewed) == overdue


def test_the_status_shown_on_a_day_is_the_latest_update_by_then_else_the_plans():
    updates = (Update("2016-01-10", "Started.", "amber"), Update("2016-03-01", "Done.", "complete"))
    assert status_at("red", updates, None) == "complete"
    assert status_at("red", updates, "2016-02-01") == "amber"
    assert status_at("red", updates, "2016-03-01") == "complete"  # on the day counts
    assert status_at("red", updates, "2015-12-31") == "red"


def test_a_plan_printed_with_a_date_is_dated_by_it():
    dates = build_area(area([action()], {"date": "March 2017"}), "kent.yaml").dates
    assert dates.written == "March 2017 (the date printed on the plan)" and dates.month == "2017-03"


def test_an_undated_plan_is_dated_by_the_progress_entry_its_date_note_quotes():
    progress = "Protocol signed in May 2015. Review will be delivered in April 2016."
    data = area([action(progress=progress)], {"date_note": "Undated; latest entry “signed in May 2015”."})
    dates = build_area(data, "kent.yaml").dates
    assert dates.written == "Not dated; in or after May 2015, the month of its latest progress entry"
    assert dates.latest_progress == "May 2015, in the plan (Action 1)"  # not April 2016, which it expects


def test_an_update_on_the_site_is_the_latest_progress_over_the_plans_own():
    updates = [{"date": "2016-03-31", "text": "Done.", "status": "complete"}]
    dates = build_area(area([action(updates=updates), action("2", progress="Ongoing")]), "kent.yaml").dates
    assert dates.latest_progress == "31 March 2016, an update on this site (Action 1)"
    assert dates.written == "Not dated"


def test_an_undated_plan_without_progress_is_dated_by_its_timescales():
    data = area([action(due="2016-03"), action("2", due="2015-10-31")])
    dates = build_area(data, "kent.yaml").dates
    assert dates.written == "Not dated; its timescales run from 31 October 2015 to March 2016"
    assert dates.latest_progress == "None: the plan reports no progress"


def test_the_home_page_says_what_period_the_plans_cover():
    plans = [build_area(area([action(due="2016-03")], {"date": "March 2015"}), "a.yaml"),
             build_area(area([action(due="2017-01")], {"date": "June 2016"}), "b.yaml"),
             build_area(area([action()]), "c.yaml")]
    assert plan_period(plans).sentences == (
        "Plans from 3 local areas are published here so far.",
        "2 of them are dated, by the date printed on the plan or its latest progress entry, from March 2015 "
        "to June 2016; 1 is not dated.",
        "Their timescales run from March 2016 to January 2017.")


def test_review_dates_give_the_next_review_and_the_overdue_actions():
    data = area([action(due="2015-12"), action("2", due="2016-06")], reviewed="2016-01-31", review_every=1)
    plan = build_area(data, "kent.yaml")
    assert plan.next_review == "2016-02-29"
    assert [a.overdue_at_review for a in plan.actions] == ["2016-01-31", None]


# --- names ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, slug", [("Kent and Medway", "kent-and-medway"), ("Ōxford", "oxford"),
                                        ("Brent & Harrow (North)", "brent-harrow-north"), ("Straße", "strasse")])
def test_a_name_gives_its_web_address(name, slug):
    assert slugify(name) == slug and is_slug(slug) and slug_problem(name) is None


@pytest.mark.parametrize("text, ok", [("2-14", True), ("kent", True), ("kent--medway", False), ("-kent", False),
                                      ("Kent", False), ("kent\n", False), ("kent_medway", False), ("", False)])
def test_the_slug_form_is_the_schemas(text, ok):
    assert is_slug(text) is ok


def test_a_name_that_cannot_make_a_web_address_says_why():
    assert "'ж'" in slug_problem("Кент жи")
    assert "use letters or digits" in slug_problem("—")
    longest = load_schema("area")["$defs"]["slug"]["maxLength"]
    assert f"the limit is {longest}" in slug_problem("a" * (longest + 1))


def test_an_action_name_is_cut_at_a_word_near_the_limit():
    text = "Develop " + "a shared local protocol for " * 10
    cut = first_words(text, 60)
    assert cut.endswith(" …") and len(cut) <= 62 and text.startswith(cut[:-2])
    assert text[len(cut) - 2] == " "  # the cut falls between words, not inside one


def test_an_action_that_goes_on_after_its_first_line_is_marked_so():
    assert first_words("- Agree a protocol\n- Train staff") == "Agree a protocol …"
    assert first_words("Agree a protocol") == "Agree a protocol"


def test_an_action_is_named_by_its_number_and_first_words():
    assert action_label("2.14", "Agree a protocol") == "Action 2.14"
    assert action_label("1", "Agree", "Training") == "Action 1 under “Training”"
    assert action_label("", "Agree a protocol") == "Agree a protocol"
    assert action_heading("2.14", "Agree a protocol") == "Action 2.14: Agree a protocol"
    long = action_heading("1", "word " * 100)
    assert len(long) <= 142 and long.startswith("Action 1: word")


def test_a_number_given_twice_is_told_apart_by_its_sub_heading():
    data = {"sections": [
        {"heading": "Access", "groups": [{"heading": "Training", "actions": [{"id": "a", "number": "1"}]},
                                         {"heading": "Places", "actions": [{"id": "b", "number": "1"}]}]},
        {"heading": "Care", "groups": [{"heading": "Training", "actions": [{"id": "c", "number": "1"},
                                                                           {"id": "d", "number": "2"}]}]}]}
    assert number_subheadings(data) == {"a": "Access — Training", "b": "Places", "c": "Care — Training"}
    assert number_subheadings(None) == {} and number_subheadings({"sections": "oops"}) == {}


# --- the schema's words, and YAML's -----------------------------------------------------------

def test_the_statuses_are_the_schemas_in_words():
    assert STATUS_LABELS == {"red": "Red", "amber": "Amber", "green": "Green", "complete": "Complete",
                             "not-rated": "Not rated"}
    assert list(STATUS_LABELS) == load_schema("area")["$defs"]["status"]["enum"]


def test_a_text_field_is_checked_by_its_schema_in_an_editors_words():
    schema = load_schema("area")
    slug = resolve(schema, {"$ref": "#/$defs/slug", "description": "kept"})
    assert slug["description"] == "kept" and slug["maxLength"] == schema["$defs"]["slug"]["maxLength"]
    assert text_problems(slug, "id", "2-14") == []
    assert text_problems(slug, "id", "2.14") == [("'2.14' is not a valid id", slug["errorMessage"])]
    status = resolve(schema, {"$ref": "#/$defs/status"})
    assert text_problems(status, "status", "gren") == [("'gren' is not a valid status", "did you mean 'green'?")]
    assert text_problems({"minLength": 1}, "action", "  ", required=True) == [
        ("'action' is empty", "give it a value: this field is required")]
    assert text_problems({}, "action", "a\tb")[0][0] == "'action' contains a tab (U+0009)"


@pytest.mark.parametrize("value, tag", [("3e-1", "tag:yaml.org,2002:float"), ("012", "tag:yaml.org,2002:int"),
                                        ("~", "tag:yaml.org,2002:null"), ("no", STR), ("1:30", STR),
                                        ("True", "tag:yaml.org,2002:bool"), ("2016-03", STR)])
def test_how_yaml_1_2_reads_a_plain_value(value, tag):
    assert yaml12_tag(value) == tag


@pytest.mark.parametrize("value, disagree", [("no", True), ("3e-1", True), ("1:30", True), ("012", False),
                                             ("2016-03-31", False), ("Kent", False)])
def test_a_plain_value_the_two_yaml_versions_read_differently_is_found(value, disagree):
    node = yaml.compose(f"key: {value}").value[0][1]
    assert bool(yaml_versions_disagree(node)) is disagree
