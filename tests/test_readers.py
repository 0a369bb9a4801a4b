"""What a carer does, in a real browser: find the plan for their town, read it in brief on a phone,
and print it for a meeting."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

ANSWER = "() => document.getElementById('finder-answer').textContent.trim() !== ''"


@pytest.mark.parametrize("typed, plan, says", [
    ("Gravesend", "Kent and Medway", "Gravesend is in Gravesham Borough Council. The Kent and Medway plan covers it."),
    ("orpington", "Bromley", "Orpington is in Bromley"),
    ("Bletchley", "Milton Keynes", "Bletchley is in Milton Keynes"),
    ("Medway Council", "Kent and Medway", "covers Medway Council"),
    ("Nottinghamshire County Council", "Nottingham and Nottinghamshire", "Mansfield"),
    ("Thurrock council", "South West Essex", "covers Thurrock"),
])
def test_the_finder_names_the_plan_for_a_town_or_council(page, served_site, typed, plan, says):
    base, _ = served_site
    page.goto(base)
    page.fill("#place", typed)
    page.press("#place", "Enter")
    page.wait_for_function(ANSWER)
    answer = page.locator("#finder-answer")
    assert says in answer.text_content()
    links = answer.locator("a")
    assert links.count() == 1 and links.first.text_content() == f"Read the {plan} plan"
    links.first.click()
    assert page.locator("h1").text_content().startswith(plan)


def test_the_finder_says_when_no_plan_covers_a_place(page, served_site):
    base, _ = served_site
    page.goto(base)
    page.fill("#place", "Chelmsford")
    page.click("text=Find my plan")
    page.wait_for_function(ANSWER)
    text = " ".join(page.locator("#finder-answer").text_content().split())
    assert "No plan for Chelmsford is published here yet. This site has the plans of 5 areas." in text
    assert page.locator("#finder-answer a[href^='mailto:']").count() == 1
    assert page.locator("#finder-answer a[href$='places/']").count() == 1


def test_without_javascript_the_finder_opens_every_place_by_plan(browser, served_site):
    base, _ = served_site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base)
    page.fill("#place", "Gravesend")
    page.press("#place", "Enter")
    page.wait_for_url("**/places/?place=Gravesend")
    # A town and a council are under their plan's heading; a miss is answered in words.
    kent = page.locator("h3:has-text('Kent and Medway') + ul")
    assert "Gravesham (Gravesham Borough Council, with Kent County Council): Gravesend" in kent.text_content()
    assert "Medway (Medway Council)" in kent.text_content()
    bromley = page.locator("h3:has-text('Bromley') + ul").text_content()
    assert "Orpington" in bromley
    body = " ".join(page.locator("main").text_content().split())
    assert "Chelmsford" not in body
    assert ("If your town or council is not in this list, no plan for it is published here yet. "
            "This site has the plans of 5 areas.") in body
    context.close()


def test_a_search_for_a_place_says_which_plan_covers_it(page, served_site):
    base, _ = served_site
    page.goto(base + "search/?q=Orpington")
    page.wait_for_function(ANSWER)
    answer = page.locator("#finder-answer")
    assert "Orpington is in Bromley" in answer.text_content()
    assert answer.locator("a").get_attribute("href").endswith("areas/bromley/")
