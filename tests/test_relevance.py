"""Search relevance, measured: what service users and carers would type, and the actions that
must come up in the first three results.

The expected actions were chosen by reading the plans, not by running the search: for each
query, the actions whose own words are about what was asked. Where several actions are equally
about it, `needed` says how many of them must fill the top three. The test searches through
the real search page in Chromium, writes every query's top three to
reports/search-relevance.txt (and prints it: `pytest -s`), and fails naming each query whose
expected actions dropped out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

REPORT = Path(__file__).resolve().parent.parent / "reports" / "search-relevance.txt"


@dataclass(frozen=True)
class Query:
    query: str
    expected: tuple[str, ...]  # "area-slug/action-id"
    needed: int = 0  # how many of `expected` must be in the top 3; 0 means all of them

    @property
    def required(self) -> int:
        return self.needed or min(3, len(self.expected))


KENT, MK, NOTTS, SWE, BROMLEY = "kent-and-medway", "milton-keynes", "nottingham-and-nottinghamshire", \
    "south-west-essex", "bromley"

QUERIES = (
    # The issue's own list.
    Query("police cells", (f"{KENT}/2-10", f"{KENT}/2-14", f"{KENT}/2-15", f"{KENT}/2-16", f"{NOTTS}/26"), 3),
    Query("place of safety", (f"{KENT}/2-9", f"{KENT}/2-10", f"{KENT}/2-11", f"{KENT}/2-13", f"{KENT}/2-14",
                              f"{KENT}/2-15", f"{MK}/2-3"), 3),
    Query("section 136", (f"{KENT}/2-27", f"{KENT}/2-28", f"{SWE}/3-1", f"{NOTTS}/26", f"{NOTTS}/27",
                          f"{MK}/2-3", f"{BROMLEY}/4a-1", f"{SWE}/3-11"), 3),
    Query("s136", (f"{KENT}/2-27", f"{KENT}/2-28", f"{SWE}/3-1", f"{NOTTS}/26", f"{NOTTS}/27",
                   f"{MK}/2-3", f"{BROMLEY}/4a-1", f"{SWE}/3-11"), 3),
    Query("street triage", (f"{SWE}/3-5", f"{NOTTS}/17")),
    Query("crisis cafe", (f"{KENT}/4-2",)),
    Query("children and young people", (f"{NOTTS}/21", f"{NOTTS}/40", f"{NOTTS}/41", f"{NOTTS}/23",
                                        f"{NOTTS}/20", f"{KENT}/3-6", f"{SWE}/1-19"), 2),
    Query("carers", (f"{BROMLEY}/2b-3", f"{SWE}/3-6", f"{NOTTS}/3", f"{BROMLEY}/2b-4"), 2),
    Query("A&E", (f"{SWE}/1-10", f"{SWE}/1-16", f"{SWE}/2-1", f"{SWE}/5-3", f"{BROMLEY}/3a-1"), 2),
    Query("ambulance waiting times", (f"{SWE}/1-18",)),
    Query("suicide", (f"{BROMLEY}/1a-9", f"{NOTTS}/14", f"{NOTTS}/1", f"{SWE}/4-2"), 2),
    Query("out of hours", (f"{KENT}/2-20", f"{SWE}/3-9", f"{BROMLEY}/3a-2"), 2),
    Query("CAMHS", (f"{SWE}/2-3", f"{SWE}/3-4", f"{SWE}/1-12", f"{SWE}/1-13", f"{SWE}/3-3", f"{BROMLEY}/1a-3",
                    f"{MK}/1-6", f"{NOTTS}/24", f"{NOTTS}/51", f"{NOTTS}/20"), 3),
    Query("liaison psychiatry", (f"{NOTTS}/18", f"{BROMLEY}/3a-1", f"{KENT}/2-19", f"{SWE}/1-15", f"{MK}/2-5"), 2),
    Query("training for police", (f"{NOTTS}/28", f"{NOTTS}/29")),
    # More of what people look for, in the plans' words and in plain words.
    Query("crisis café", (f"{KENT}/4-2",)),
    Query("section 135", (f"{KENT}/2-28",)),
    Query("crisis line", (f"{SWE}/1-7", f"{SWE}/3-4")),
    Query("helpline for carers", (f"{SWE}/3-6",)),
    Query("self-harm", (f"{KENT}/3-9", f"{SWE}/2-1", f"{SWE}/2-3")),
    Query("self harm", (f"{KENT}/3-9", f"{SWE}/2-1", f"{SWE}/2-3")),
    Query("drug and alcohol", (f"{SWE}/1-4", f"{SWE}/1-14", f"{MK}/1-5"), 2),
    Query("intoxicated", (f"{KENT}/2-11", f"{KENT}/2-12", f"{MK}/1-5"), 2),
    Query("restraint", (f"{NOTTS}/33", f"{NOTTS}/39")),
    Query("advocacy", (f"{SWE}/2-4", f"{SWE}/3-12", f"{SWE}/5-1", f"{NOTTS}/41"), 2),
    Query("home treatment team", (f"{NOTTS}/8", f"{SWE}/2-4", f"{BROMLEY}/2b-2", f"{SWE}/1-11", f"{SWE}/1-32"), 2),
    Query("CRHT", (f"{SWE}/1-11", f"{SWE}/1-32", f"{KENT}/2-30", f"{NOTTS}/8", f"{SWE}/2-4"), 2),
    Query("NHS 111", (f"{KENT}/1-2", f"{NOTTS}/6", f"{SWE}/1-24", f"{BROMLEY}/1a-5"), 2),
    Query("British Transport Police", (f"{KENT}/2-26", f"{SWE}/2-2", f"{SWE}/4-2")),
    Query("dementia", (f"{BROMLEY}/1a-7", f"{BROMLEY}/5a-2", f"{KENT}/4-7", f"{SWE}/5-5"), 2),
    Query("housing", (f"{SWE}/3-10",)),
    Query("crisis plans", (f"{BROMLEY}/5a-2", f"{KENT}/4-7", f"{SWE}/5-5", f"{SWE}/5-6", f"{NOTTS}/49"), 2),
    Query("information sharing", (f"{KENT}/2-18", f"{MK}/1-3", f"{SWE}/4-3", f"{KENT}/3-10", f"{SWE}/3-7"), 2),
    Query("frequent attenders", (f"{BROMLEY}/4b-1",)),
    Query("transition", (f"{SWE}/1-13", f"{NOTTS}/22")),
    Query("ambulance", (f"{SWE}/1-18", f"{NOTTS}/33", f"{SWE}/3-1", f"{NOTTS}/27"), 2),
    # Spelled out, where the plans mostly use the abbreviation.
    Query("accident and emergency", (f"{SWE}/1-10", f"{SWE}/1-16", f"{SWE}/2-1", f"{SWE}/5-3", f"{BROMLEY}/3a-1"), 2),
    Query("approved mental health professional", (f"{KENT}/3-4", f"{KENT}/2-20", f"{KENT}/2-30", f"{NOTTS}/25",
                                                  f"{SWE}/3-9"), 2),
)


def action_key(href: str) -> str:
    return re.sub(r"^.*/areas/([^/]+)/actions/([^/]+)/$", r"\1/\2", href)


def top_three(page, base: str, query: str) -> list[str]:
    page.goto(base + "search/?q=" + quote(query))
    page.wait_for_function("() => document.getElementById('search-status').textContent"
                           " && !document.getElementById('search-results').hasAttribute('aria-busy')")
    links = page.eval_on_selector_all("#search-results > li h2 a", "els => els.map(e => e.getAttribute('href'))")
    return [action_key(href) for href in links[:3]]


def test_relevance_suite(page, served_site_one_index):
    base, folder = served_site_one_index
    assert not (folder / "pagefind-2").exists()
    lines, misses = [], []
    for q in QUERIES:
        top = top_three(page, base, q.query)
        found = [key for key in top if key in q.expected]
        ok = len(found) >= q.required
        lines.append(f"{'ok  ' if ok else 'MISS'} {q.query!r}: " + ", ".join(top or ["(no results)"]))
        if not ok:
            misses.append(f"{q.query!r}: top 3 {top}, wanted {q.required} of {list(q.expected)}")
    report = "\n".join([f"Search relevance: {len(QUERIES) - len(misses)} of {len(QUERIES)} queries as expected",
                        *lines]) + "\n"
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(report, encoding="utf-8")
    print("\n" + report)
    assert len(QUERIES) >= 30
    assert misses == [], "\n".join(misses) + "\n\n" + report


# --- Words no action uses, fragments, and one thing written three ways (issue 17) -------------

DONE = ("() => document.getElementById('search-status').textContent"
        " && !document.getElementById('search-results').hasAttribute('aria-busy')")


def search_page(page, base: str, query: str) -> tuple[str, list[str]]:
    """The status line and every result's action (all pages of results)."""
    page.goto(base + "search/?q=" + quote(query))
    page.wait_for_function(DONE)
    while page.is_visible("#search-more"):
        count = page.locator("#search-results > li").count()
        page.click("#search-more")
        page.wait_for_function(f"() => document.querySelectorAll('#search-results > li').length > {count}")
    links = page.eval_on_selector_all("#search-results > li h2 a", "els => els.map(e => e.getAttribute('href'))")
    return page.text_content("#search-status"), [action_key(href) for href in links]


# Words in no plan (checked against the open data below), as the issue found them matched by
# the start of other words: "Orpington" by every "or", "Bletchley" by "b)", "polise" by
# "SPoA", "sucide" by "SU", "drunk" by "Dr".
UNKNOWN = {"Orpington": None, "Bletchley": None, "polise": "police", "sucide": "suicide", "drunk": None}


def plan_words(folder: Path) -> set[str]:
    actions = json.loads((folder / "data" / "actions.json").read_text(encoding="utf-8"))
    text = " ".join(str(a.get(f) or "") for a in actions for f in ("action", "outcomes", "lead_text", "progress"))
    return set(re.findall(r"\w+", text.lower()))


def test_a_word_no_action_uses_finds_nothing_and_says_so(page, served_site_one_index):
    base, folder = served_site_one_index
    used = plan_words(folder)
    for word, suggested in UNKNOWN.items():
        assert word.lower() not in used
        status, found = search_page(page, base, word)
        assert found == [], (word, found[:5])
        expected = f"No action uses the word “{word}”."
        if suggested:
            assert suggested in used
            expected += f" Did you mean {suggested}?"
            link = page.locator("#search-help").get_by_role("link", name=suggested, exact=True)
            assert link.is_visible()
        else:
            assert page.locator("#search-help").get_by_text("Did you mean").count() == 0, word
        assert status == expected, word
    # With a word that actions do use, the unknown one still finds nothing, and says which it is.
    status, found = search_page(page, base, "police Orpington")
    assert found == [] and status == "No actions found for “police Orpington”: no action uses the word “Orpington”."
    assert page.locator("#search-help").get_by_role("link", name="Search for “police” only").is_visible()


def test_short_fragments_match_only_whole_words(page, served_site_one_index):
    base, folder = served_site_one_index
    used = plan_words(folder)
    # "ca" begins "care", "CAMHS", "carers": it is not a word of any plan, so it finds nothing.
    assert "ca" not in used and {"care", "camhs"} <= used
    status, found = search_page(page, base, "ca")
    assert found == [] and status == "No action uses the word “ca”."
    # "Dr" is a word of one plan; "dr" finds that action, not every "drug" and "drop-in".
    actions = json.loads((folder / "data" / "actions.json").read_text(encoding="utf-8"))
    with_dr = {f"{a['area_slug']}/{a['id']}" for a in actions
               if re.search(r"\bDr\b", " ".join(str(a.get(f) or "") for f in ("action", "outcomes", "lead_text",
                                                                                 "progress")))}
    status, found = search_page(page, base, "dr")
    assert with_dr and set(found) == with_dr, (found, with_dr)
    # One letter on its own is not searched for.
    status, found = search_page(page, base, "b")
    assert found == [] and "one letter on its own is not searched for" in status


A_AND_E = re.compile(r"\bA\s*(?:&|\+|/|and)\s*E\b|\baccident\s+(?:and|&)\s+emergency\b", re.IGNORECASE)


def test_a_and_e_written_three_ways_finds_the_same_actions(page, served_site_one_index):
    """"A and E", "A&E" and "accident and emergency" (and "A & E", "A/E") find the same actions:
    every action that writes A&E in any of these ways, and no other."""
    base, folder = served_site_one_index
    actions = json.loads((folder / "data" / "actions.json").read_text(encoding="utf-8"))
    fields = ("action", "outcomes", "lead_text", "progress")
    wanted = {f"{a['area_slug']}/{a['id']}" for a in actions
              if A_AND_E.search(" ".join(str(a.get(f) or "") for f in fields)
                                + " ".join(u["text"] for u in a.get("updates") or []))}
    assert len(wanted) >= 15
    for query in ("A and E", "A&E", "accident and emergency", "A & E", "A/E"):
        status, found = search_page(page, base, query)
        assert set(found) == wanted, (query, sorted(set(found) ^ wanted))
        assert status == f"{len(wanted)} actions found for “{query}”."


def test_police_finds_police_and_policing_not_policy(page, served_site_one_index):
    """Stemming joins "police", "polices" and "policing"; it no longer lets "police" run on
    into "policy": an action about an "Operational Policy" that never mentions the police is
    not a result, and no excerpt marks "policy"."""
    base, folder = served_site_one_index
    page.goto(base + "search/")
    page.wait_for_load_state()
    status, found = search_page(page, base, "police")
    records = page.evaluate("""async (base) => {
        const pf = await import(base + 'pagefind/pagefind.js');
        await pf.options({baseUrl: new URL(base).pathname});
        await pf.init();
        const r = await pf.search(null, {});
        return Promise.all(r.results.map(x => x.data().then(
            d => [d.url, d.content + ' ' + Object.values(d.meta).join(' ')])));
    }""", base)
    police = re.compile(r"(?<![^\W_])polic(?:e|es|ed|ing)(?![^\W_])", re.IGNORECASE)
    says_police = {action_key(url) for url, text in records if police.search(text)}
    assert "kent-and-medway/2-2" not in says_police  # "Develop a system-wide ‘Operational Policy’"
    assert set(found) == says_police
    marks = page.locator("#search-results mark").all_inner_texts()
    assert marks and not [m for m in marks if re.search(r"polic(?:y|ies)", m, re.IGNORECASE)]
