"""What a carer does, in a real browser: find the plan for their town, read it in brief on a phone,
and print it for a meeting."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from .test_accessibility import one_of_each_kind, page_url

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


def phone(browser, large_text=False, height=640, **options):
    """A 320 px wide phone; with `large_text`, the browser's text size at 200% (as Android's font
    scaling does: every rem doubles), set through Chromium's own font-size setting."""
    context = browser.new_context(viewport={"width": 320, "height": height}, **options)
    page = context.new_page()
    if large_text:
        context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    return context, page


SIDEWAYS = """() => {
    const doc = document.documentElement;
    const wide = [...document.querySelectorAll('body *')].filter(el => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.right > doc.clientWidth + 1 && !el.closest('.table-wrap')
            && !el.closest('.skip-link') && !el.closest('.visually-hidden');
    }).slice(0, 3).map(el => el.tagName + '.' + el.className + ': ' + el.textContent.trim().slice(0, 30));
    return {scroll: doc.scrollWidth, client: doc.clientWidth, wide,
            font: getComputedStyle(document.body).fontSize};
}"""


def test_no_page_scrolls_sideways_at_320px_with_200_percent_text(browser, served_site):
    base, folder = served_site
    context, page = phone(browser, large_text=True)
    problems = []
    for rel in one_of_each_kind(folder):
        page.goto(page_url(base, rel))
        found = page.evaluate(SIDEWAYS)
        assert found["font"] == "34px", found  # 1.0625rem of a 32 px default: the setting took
        if found["scroll"] > found["client"] or found["wide"]:
            problems.append(f"{rel}: {found}")
    context.close()
    assert problems == []


SEARCH_DONE = ("() => document.getElementById('search-status').textContent"
               " && !document.getElementById('search-results').hasAttribute('aria-busy')")


@pytest.mark.parametrize("large_text", [False, True])
def test_after_a_search_on_a_phone_the_count_and_first_result_are_in_view(browser, served_site, large_text):
    """320 x 640: the filters are folded away, so pressing Search shows its outcome; opening them
    shows every filter."""
    base, _ = served_site
    context, page = phone(browser, large_text=large_text)
    page.goto(base + "search/")
    page.fill("#q", "street triage")
    page.press("#q", "Enter")
    page.wait_for_function(SEARCH_DONE)
    view = page.viewport_size["height"]
    status = page.locator("#search-status").bounding_box()
    first = page.locator("#search-results > li").first.bounding_box()
    if large_text:  # text twice the size: the count at least, and the results start, without scrolling
        assert status["y"] + status["height"] <= view and first["y"] < view, (status, first)
    else:
        assert status["y"] + status["height"] <= view and first["y"] + 40 <= view, (status, first)
    assert not page.locator("#filter-area").is_visible()
    page.click(".filters-toggle summary")
    assert all(page.locator(f"#filter-{name}").is_visible() for name in ("area", "theme", "organisation", "status"))
    context.close()


def test_filters_in_the_address_are_shown_open(browser, served_site):
    base, _ = served_site
    context, page = phone(browser)
    page.goto(base + "search/?q=crisis&area=Bromley")
    page.wait_for_function(SEARCH_DONE)
    assert page.locator("#filter-area").is_visible() and page.input_value("#filter-area") == "Bromley"
    context.close()


@pytest.mark.parametrize("large_text", [False, True])
def test_the_crisis_line_is_in_the_first_screen_of_every_page_kind(browser, served_site, large_text):
    base, folder = served_site
    context, page = phone(browser, large_text=large_text, height=568)
    problems = []
    for rel in [*one_of_each_kind(folder), "search/index.html"]:
        page.goto(page_url(base, rel))
        line = page.locator(".crisis-line")
        text = " ".join(line.text_content().split())
        box = line.bounding_box()
        if not (box and box["y"] + box["height"] <= 568):
            problems.append(f"{rel}: {box}")
        for words in ("Need help now?", "NHS 111", "mental health option", "999", "Samaritans on 116 123"):
            assert words in text, (rel, text)
    context.close()
    assert problems == []


AREA_PAGES = ["bromley", "kent-and-medway", "milton-keynes", "nottingham-and-nottinghamshire", "south-west-essex"]
MOST_A4_PAGES = {"milton-keynes": 13}  # 16 actions: the measure (17 pages before)


def printed_pages(page, url, pdf_path) -> list[str]:
    """The page as Chromium prints it to A4, as each printed page's text (poppler's pdftotext)."""
    page.goto(url)
    page.emulate_media(media="print")
    pdf_path.write_bytes(page.pdf(format="A4", prefer_css_page_size=True))
    text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return text.split("\f")[:-1]


@pytest.mark.parametrize("slug", AREA_PAGES)
def test_an_area_page_prints_as_a_document(page, served_site, slug, tmp_path):
    base, folder = served_site
    printed = printed_pages(page, f"{base}areas/{slug}/", tmp_path / f"{slug}.pdf")
    assert len(printed) <= MOST_A4_PAGES.get(slug, 200), len(printed)
    # The address and date it was printed, at the top of the first page.
    today = page.evaluate("() => new Date().toLocaleDateString('en-GB', "
                          "{day: 'numeric', month: 'long', year: 'numeric'})")
    first = " ".join(printed[0].split())
    assert f"Printed from {base}areas/{slug}/ on {today}." in first
    # No links that only work on a screen.
    everything = "\n".join(printed)
    for screen_only in ("Skip to main content", "Skip the summary", "Atom feed", "Download this plan", "Home ›",
                        "Page for action"):
        assert screen_only not in everything, screen_only
    # Every action's status is on the same printed page as its heading, and no heading ends a page.
    headings = 0
    for number, text in enumerate(printed, start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        for i, line in enumerate(lines):
            if re.match(r"Action \d[\d.]*[a-z]?(:|$)", line):
                headings += 1
                assert any(nxt.startswith("Status") for nxt in lines[i + 1:i + 4]), (number, line, lines[i + 1:i + 4])
    actions = json.loads((folder / "data" / "areas" / f"{slug}.json").read_text(encoding="utf-8"))
    assert headings == sum(1 for a in actions if a["number"])
    # Nothing lost: every action's words are printed (the first words of each, as pdftotext lays them out).
    flat = " ".join(everything.split())
    for action in actions:
        first_words = " ".join(action["action"].replace("- ", " ").split()[:3])
        assert first_words in flat, (action["id"], first_words)
