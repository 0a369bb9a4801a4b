"""The public record tells the truth (issue 17): pages name each action by what it says, say only
what the content records, date the plans, and explain the abbreviations the site knows.

Read as a reader does: the text of real elements of the built site (lxml), in Chromium where
what a browser shows matters.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import lxml.html
import pytest


def parsed(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def text(element) -> str:
    """What a reader sees of an element: its text, without its `hidden` parts."""
    element = lxml.html.fromstring(lxml.html.tostring(element))
    for hidden in element.xpath(".//*[@hidden]"):
        hidden.drop_tree()
    return " ".join(element.text_content().split())


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# --- Names that carry meaning -------------------------------------------------------------------

def test_no_two_pages_share_a_title(built_site):
    titles = Counter(text(parsed(p).find(".//title")) for p in html_pages(built_site))
    assert [t for t, n in titles.items() if n > 1] == []


@pytest.mark.parametrize("slug", ["bromley", "milton-keynes", "kent-and-medway"])
def test_action_headings_and_links_say_what_each_action_is_and_none_repeats(built_site, slug):
    page = parsed(built_site / "areas" / slug / "index.html")
    headings = [text(h) for h in page.xpath("//article[@class='action']/*[contains(@class, 'action-heading')]")]
    assert headings and len(set(headings)) == len(headings), Counter(headings).most_common(3)
    links = [text(a) for a in page.xpath("//article[@class='action']//p[@class='permalink']/a")]
    assert len(set(links)) == len(links) == len(headings)
    for heading in headings:
        assert len(heading) < 200
        if heading.startswith("Action "):
            label, words = heading.split(": ", 1)
            assert len(words.split()) >= 2, heading  # first words of the action, not only its number


def test_bromley_numbers_carry_their_sub_heading(built_site):
    page = parsed(built_site / "areas/bromley/actions/1a-1/index.html")
    assert text(page.xpath("//h1")[0]) == ("Bromley · Action 1 under “Matching local need with a suitable range "
                                            "of services” Community Mental Health Re-configuration / Developing "
                                            "improved crisis response")
    assert text(page.find(".//title")).startswith(
        "Action 1 under “Matching local need with a suitable range of services”: Community Mental Health")
    listing = parsed(built_site / "themes/commissioning/index.html")
    names = [text(a) for a in listing.xpath("//h2[@id='area-bromley']/following-sibling::ul[@class='action-list']//a")]
    assert "Action 1 under “Matching local need with a suitable range of services”: Community Mental Health " \
           "Re-configuration / Developing improved …" in names


def test_a_long_first_line_is_cut_at_a_word_near_140_characters():
    from concordat.names import action_heading, first_words

    words = "Develop a local protocol to " + "co-ordinate the multi-agency approach " * 6
    cut = first_words(words)
    assert cut.endswith(" …") and len(cut) <= 142 and words.startswith(cut[:-2])
    assert words[len(cut) - 2] == " "  # cut between words, never inside one
    assert first_words("Develop a local protocol to\n\n- Co-ordinate") == "Develop a local protocol to …"
    assert action_heading("1.1", "Develop a local protocol to\n- Co-ordinate") == \
        "Action 1.1: Develop a local protocol to …"
    assert action_heading("", "Ensure governance is in place") == "Ensure governance is in place"


# --- Say only what is recorded ------------------------------------------------------------------

def signed_column(page: lxml.html.HtmlElement) -> list[str]:
    table = page.xpath("//table[.//th[normalize-space()='Signed the plan']]")
    return [text(td) for td in table[0].xpath(".//tbody/tr/td[2]")] if table else []


def test_where_no_signatories_are_recorded_no_page_says_an_organisation_did_not_sign(built_site):
    answers = Counter()
    for path in (built_site / "organisations").glob("*/index.html"):
        answers.update(signed_column(parsed(path)))
    assert answers and set(answers) == {"Not recorded"}, answers  # no area of the real plans records them
    bromley = text(parsed(built_site / "areas/bromley/index.html").xpath("//section[@aria-labelledby='summary']")[0])
    assert "Ambulance service: not named (none leads an action; who signed the plan is not recorded)" in bromley
    assert "Who signed this plan is not recorded on this site" in bromley
    assert "signed the plan)" not in bromley


def test_where_signatories_are_recorded_the_organisation_page_says_yes_or_no(example_project):
    from concordat.pipeline import build_site

    area_file = example_project.content / "areas" / "exampleshire.yaml"
    area_file.write_text(area_file.read_text().replace("source:\n", "signatories: [xmpt]\nsource:\n", 1))
    build_site(example_project, workers=1)
    answers = {path.parent.name: signed_column(parsed(path))
               for path in (example_project.output / "organisations").glob("*/index.html")}
    assert answers["xmpt"] == ["Yes"]
    assert answers["example-police"] == ["No"]


# --- Abbreviations that are explained ---------------------------------------------------------

NOT_EXPLAINED_IN = "dt|option|select|textarea|button|label|summary|script|style|svg|title".split("|")


def known_terms(project, slug: str | None) -> set[str]:
    """What the site can explain on a page: the site glossary, the organisations' abbreviations and,
    on an area's pages, its own glossary."""
    from concordat.pipeline import load_content, make_site

    site = make_site(load_content(project.content))
    terms = {e.term for e in site.glossary} | {t for o in site.organisations.values() for t in o.abbreviations}
    if slug:
        terms |= {e.term for e in site.area(slug).glossary}
    return terms


def test_every_abbreviation_the_site_knows_is_marked_on_every_kind_of_page(built_site, real_project):
    import re

    slugs = [None, *(p.name for p in (built_site / "areas").iterdir())]
    terms = {slug: known_terms(real_project, slug) for slug in slugs}
    checked: Counter = Counter()
    unexplained = []
    for path in html_pages(built_site):
        rel = path.relative_to(built_site).parts
        if rel[0].startswith("pagefind"):
            continue
        main = parsed(path).find(".//main")
        if main is None:
            continue
        marked = {" ".join(a.text_content().split()) for a in main.iter("abbr")}
        for element in [*main.iter(*NOT_EXPLAINED_IN), *main.iter("abbr")]:
            if element.getparent() is not None:
                element.drop_tree()
        words = main.text_content()
        slug = rel[1] if rel[0] == "areas" and len(rel) > 2 else None
        used = {t for t in terms[slug] if re.search(rf"(?<![\w&]){re.escape(t)}(?=s?(?!\w))", words)}
        unexplained += [f"{'/'.join(rel)}: {t}" for t in sorted(used - marked)]
        if used:
            checked[rel[0] if len(rel) > 1 else "home"] += 1
    assert unexplained == []
    # The organisations' own abbreviations the issue names, and a shared term, are explained.
    mk = parsed(built_site / "areas/milton-keynes/index.html")
    titles = {a.text_content(): a.get("title") for a in mk.iter("abbr")}
    assert titles["MKC"] == "Milton Keynes Council" and titles["TVP"] == "Thames Valley Police"
    assert titles["ED"].startswith("Emergency department")
    assert {"home", "areas", "themes", "organisations", "glossary"} <= set(checked), checked


def test_the_glossary_page_says_which_plans_have_their_own(built_site):
    intro = text(parsed(built_site / "glossary/index.html").xpath("//main//p")[0])
    assert "Kent and Medway also has a glossary of its own" in intro
    assert "every plan" not in intro.lower() and "each plan" not in intro.lower()


# --- How old the plans are, and what "Not rated" means ---------------------------------------

def plan_dates_of(page: lxml.html.HtmlElement) -> dict[str, str]:
    block = page.xpath("//main//dl[contains(@class, 'plan-dates')]")[0]
    return {text(div.find("dt")): text(div.find("dd")) for div in block.findall("div")}


@pytest.mark.parametrize("slug, written, latest", [
    ("bromley", "Not dated; in or after October 2015, the month of its latest progress entry",
     "October 2015, in the plan (Action 7)"),
    ("milton-keynes", "Not dated; in or after November 2015, the month of its latest progress entry",
     "November 2015, in the plan (Action 2.2)"),
    ("south-west-essex", "Not dated; its timescales run from January 2015 to April 2017",
     "None: the plan reports no progress"),
])
def test_each_area_page_says_near_its_heading_when_the_plan_was_written(built_site, slug, written, latest):
    html = (built_site / "areas" / slug / "index.html").read_text(encoding="utf-8")
    assert html.index("<h1") < html.index("plan-dates") < html.index('id="summary"')
    assert plan_dates_of(lxml.html.fromstring(html)) == {"Plan written": written, "Latest progress entry": latest}


def test_a_dated_update_is_the_latest_progress_entry_and_a_printed_date_dates_the_plan():
    from concordat.model_from_content import build_area

    data = {"name": "X", "slug": "x", "source": {"date": "November 2015", "date_note": "Latest is “in May 2015”."},
            "sections": [{"heading": "H", "theme": "t", "groups": [{"actions": [
                {"id": "1", "number": "1", "action": "Do it", "status": "red", "progress": "Began in May 2015.",
                 "updates": [{"date": "2016-03-31", "text": "Done", "status": "complete"}]}]}]}]}
    dates = build_area(data, "x.yaml").dates
    assert dates.written == "November 2015 (the date printed on the plan)"
    assert dates.latest_progress == "31 March 2016, an update on this site (Action 1)"
    del data["sections"][0]["groups"][0]["actions"][0]["updates"]
    assert build_area(data, "x.yaml").dates.latest_progress == "May 2015, in the plan (Action 1)"


def test_the_home_page_says_how_many_plans_are_published_and_what_period_they_cover(built_site, real_project):
    areas = len(list((real_project.content / "areas").glob("*.yaml")))
    said = text(parsed(built_site / "index.html").xpath("//main//p[@class='plan-period']")[0])
    assert said.startswith(f"Plans from {areas} local areas are published here so far.")
    assert "from October 2015 to November 2015; 1 is not dated." in said
    assert "Their timescales run from December 2014 to April 2017." in said
    cards = parsed(built_site / "index.html").xpath("//main//li[@class='card']")
    assert len(cards) == areas and all("Written: " in text(c) and "Latest progress entry: " in text(c) for c in cards)


@pytest.mark.parametrize("slug, meaning", [
    ("south-west-essex", "the plan has no column for a Red, Amber or Green (RAG) status"),
    ("kent-and-medway", "the copy of the plan this site was made from does not show the colours"),
    ("bromley", "the copy of the plan this site was made from does not show the colours"),
])
def test_not_rated_is_explained_truly_for_each_plan_beside_its_counts(built_site, slug, meaning):
    page = parsed(built_site / "areas" / slug / "index.html")
    counts = page.xpath("//section[@aria-labelledby='summary']//ul[@class='status-summary']")[0]
    explained = text(counts.getnext())
    assert explained.startswith("“Not rated” means") and meaning in explained
    action = next((built_site / "areas" / slug / "actions").iterdir())
    notes = [text(n) for n in parsed(action / "index.html").xpath("//span[@class='status-note']")]
    assert "No status given in the plan." not in notes


def test_the_accessibility_statement_says_why_for_each_plan(built_site):
    limits = text(parsed(built_site / "accessibility/index.html").xpath("//h2[.='Known limitations']")[0].getnext())
    assert "South West Essex has no Red, Amber or Green column at all" in limits
    assert "Bromley, Kent and Medway, Milton Keynes and Nottingham and Nottinghamshire rated their actions" in limits
    assert "lost when the documents were converted" not in limits


@pytest.mark.browser
def test_search_results_for_bromleys_repeated_numbers_say_which_sub_heading(page, served_site):
    """Bromley has two actions numbered 1 that begin with the same words, under two sub-headings:
    in the results, as on the pages, each carries its own."""
    from .test_search import open_search

    base, _ = served_site
    open_search(page, base, "Reviewing impact of Winter Resilience additional funding", area="Bromley")
    refs = [" ".join(r.split()) for r in page.locator("#search-results > li h2 .result-ref").all_inner_texts()]
    assert "Bromley · Action 1 under “Improving mental health crisis services”" in refs
    assert "Bromley · Action 1 under “Ensuring the right numbers of high quality staff”" in refs
