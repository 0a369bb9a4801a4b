"""Search, in a real browser: a phrase from an action finds it, filters narrow correctly, results
read as sentences, only what an action says is indexed, and a search that finds nothing helps."""

from __future__ import annotations

import json
import re
from collections import Counter
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import yaml

from .browser import serve_folder
from .conftest import ROOT, make_project

pytestmark = pytest.mark.browser

DONE = ("() => document.getElementById('search-status').textContent"
        " && !document.getElementById('search-results').hasAttribute('aria-busy')")


def actions(served_site):
    _, folder = served_site
    return json.loads((folder / "data" / "actions.json").read_text(encoding="utf-8"))


# Pagefind opened as the search page opens it: the first index, then the others merged in.
OPEN_ENGINE = """
    const pf = await import(base + 'pagefind/pagefind.js');
    await pf.options({baseUrl: new URL(base).pathname});
    await pf.init();
    for (const folder of JSON.parse(document.getElementById('search-form').dataset.moreIndexes)) {
        await pf.mergeIndex(new URL(base).pathname + folder, {baseUrl: new URL(base).pathname});
    }
"""


def search(page, base, query="", **filters):
    page.goto(base + "search/")
    if query:
        page.fill("#q", query)
    if filters:
        page.click(".filters-toggle summary")  # the filters are folded away until asked for
    for name, value in filters.items():
        page.select_option(f"#filter-{name}", value)
    page.press("#q", "Enter")
    page.wait_for_function(DONE)
    status = page.text_content("#search-status")
    links = page.eval_on_selector_all("#search-results a", "els => els.map(e => e.getAttribute('href'))")
    return status, links


def phrase_of(action) -> str:
    words = action["title"].rstrip("…").split()
    return " ".join(words[:8])


def test_phrase_from_an_action_finds_it_whichever_index_holds_it(page, served_site):
    """The browser suite's site has its actions in several search indexes (as a national site
    has); the search page searches them all: an action of every area is found."""
    base, folder = served_site
    indexes = sorted(p.name for p in folder.glob("pagefind*"))
    assert len(indexes) > 2, indexes
    for area in dict.fromkeys(a["area"] for a in actions(served_site)):
        target = next(a for a in actions(served_site) if a["area"] == area and len(a["title"].split()) >= 6)
        status, links = search(page, base, phrase_of(target))
        assert "found" in status and not status.startswith("No")
        assert target["url"] in links, (area, status, links[:5])


def test_filters_narrow_the_results(page, served_site):
    base, _ = served_site
    data = actions(served_site)
    target = next(a for a in reversed(data) if a["leads"] and len(a["title"].split()) >= 6)
    status, links = search(page, base, phrase_of(target), area=target["area"])
    assert target["url"] in links
    assert all(f"/areas/{target['area_slug']}/" in link for link in links), links

    other = next(a["area"] for a in data if a["area"] != target["area"])
    status, links = search(page, base, phrase_of(target), area=other)
    assert target["url"] not in links

    # Status alone, no words: every result has that status, and the count matches the data.
    complete = [a for a in data if a["status"] == "complete"]
    status, links = search(page, base, status="Complete")
    assert status.startswith(f"{len(complete)} action"), status


def test_organisation_and_theme_filters(page, served_site):
    base, _ = served_site
    data = actions(served_site)
    target = next(a for a in data if a["lead_names"] and a["theme"])
    org = target["lead_names"][0]
    led = [a for a in data if org in a["lead_names"]]
    status, _ = search(page, base, organisation=org)
    assert status.startswith(f"{len(led)} action"), status
    in_theme = [a for a in data if a["theme"] == target["theme"]]
    status, _ = search(page, base, theme=target["theme"])
    assert status.startswith(f"{len(in_theme)} action"), status


def test_every_action_is_in_the_search_index(page, served_site):
    """Each action's own words, searched within its area, bring up that action's page."""
    base, _ = served_site
    page.goto(base + "search/")
    wanted = [{"q": phrase_of(a), "area": a["area"], "url": a["url"]} for a in actions(served_site)]
    missing = page.evaluate(
        """async ([base, wanted]) => {""" + OPEN_ENGINE + """
            const missing = [];
            for (const w of wanted) {
                const r = await pf.search(w.q, {filters: {area: w.area}});
                const urls = await Promise.all(r.results.slice(0, 15).map(x => x.data().then(d => d.url)));
                if (!urls.includes(w.url)) missing.push(w.url + ' <- ' + w.q);
            }
            return missing;
        }""",
        [base, wanted],
    )
    assert missing == []


def test_searching_for_a_hospital_finds_the_trust_that_runs_it(page, served_site):
    """Hospitals are their own organisations, each shown as run by its trust: searching the
    hospital's name finds its actions, whose pages name the trust."""
    base, _ = served_site
    led = [a for a in actions(served_site) if "Princess Royal University Hospital" in a["lead_names"]]
    assert led and all("King's College Hospital NHS Foundation Trust" in a["lead_names"] for a in led)
    status, links = search(page, base, "Princess Royal University Hospital")
    assert all(a["url"] in links for a in led), (status, links[:5])
    status, _ = search(page, base, organisation="Princess Royal University Hospital")
    assert status.startswith(f"{len(led)} action"), status
    page.goto(base + led[0]["url"].split("/", 2)[2])
    assert "(a hospital run by King's College Hospital NHS Foundation Trust)" in page.text_content("main")


def open_search(page, base, query="", **filters):
    """The search page opened at a search's address, as a link or a bookmark would."""
    params = "&".join(f"{k}={quote(v)}" for k, v in {"q": query, **filters}.items() if v)
    page.goto(f"{base}search/?{params}")
    page.wait_for_function(DONE)


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def engine_search(page, base, searches):
    """[(query, filters)] -> for each, the URLs of all its results, from Pagefind itself."""
    page.goto(base + "search/")
    return page.evaluate(
        """async ([base, searches]) => {""" + OPEN_ENGINE + """
            const out = [];
            for (const [q, filters] of searches) {
                const r = await pf.search(q, {filters});
                out.push(await Promise.all(r.results.map(x => x.data().then(d => d.url))));
            }
            return out;
        }""",
        [base, searches],
    )


@pytest.mark.parametrize("query", ["street triage", "place of safety", "police cells", "crisis cafe"])
def test_excerpts_keep_their_spaces_word_for_word(browser, served_site, query):
    """Highlights sit between words with their spaces, and each excerpt is the action's own text,
    word for word: no label, no heading, no word run into the next."""
    base, _ = served_site
    context = browser.new_context()
    page, source = context.new_page(), context.new_page()
    open_search(page, base, query)
    results = page.evaluate("""() => [...document.querySelectorAll('#search-results > li')].slice(0, 8).map(li => {
        const p = li.querySelector('.result-excerpt');
        const marks = p ? [...p.querySelectorAll('mark')].map(m => {
            const before = m.previousSibling ? m.previousSibling.textContent : '';
            const after = m.nextSibling ? m.nextSibling.textContent : '';
            return [before.slice(-1), m.textContent, after.slice(0, 1)];
        }) : [];
        return {url: li.querySelector('h2 a').getAttribute('href'), text: p ? p.innerText : '', marks};
    })""")
    assert len(results) >= 2, query
    assert any(r["marks"] for r in results)
    for result in results:
        for before, marked, after in result["marks"]:
            # Pagefind marks whole words, so a highlight starts and ends at a space or at the edge.
            assert before in ("", " ") and after in ("", " "), (result["url"], before, marked, after)
        source.goto(urlsplit(base).scheme + "://" + urlsplit(base).netloc + result["url"])
        said = source.evaluate("() => [...document.querySelectorAll('[data-pagefind-body]')]"
                               ".map(e => e.innerText).join(' ')")
        excerpt, original = words(result["text"].strip("…")), words(said)
        assert excerpt, result
        assert any(original[i:i + len(excerpt)] == excerpt for i in range(len(original))), \
            f"{result['url']}: {result['text']!r} is not word for word in {said!r}"
    context.close()


def test_a_result_shows_what_a_reader_needs_to_pick_it(page, served_site):
    base, _ = served_site
    records = actions(served_site)
    numbers = Counter((a["area_slug"], a["number"]) for a in records)
    target = next(a for a in records if a["number"] and numbers[(a["area_slug"], a["number"])] == 1
                  and a["lead_text"] and a["timescale"] and len(a["title"].split()) >= 6)
    open_search(page, base, phrase_of(target), area=target["area"])
    item = page.locator("#search-results > li").first
    assert item.locator("h2 a").get_attribute("href") == target["url"]
    heading = " ".join(item.locator("h2").inner_text().split())
    # "Action 1", or where the plan gives the number to several actions, "Action 1 under “<sub-heading>”"
    assert heading.startswith(f"{target['area']} · Action {target['number']}") and heading.endswith(target["title"])
    facts = item.locator(".result-facts li").all_inner_texts()
    assert facts[0] == f"Status: {target['status_label']}"
    assert facts[1].startswith("Lead: " + " ".join(target["lead_text"].split())[:60])
    assert facts[2].startswith("Timescale: " + " ".join(target["timescale"].split())[:60])
    assert item.locator(".result-excerpt mark").count() >= 1


def test_only_what_the_action_says_is_indexed(page, served_site):
    """No label, heading or page furniture in any action's indexed text, and filters and
    metadata stay short (they travel with every result)."""
    base, _ = served_site
    page.goto(base + "search/")
    records = page.evaluate("""async (base) => {""" + OPEN_ENGINE + """
        const r = await pf.search(null, {});
        return Promise.all(r.results.map(x => x.data().then(d => ({url: d.url, content: d.content,
                                                                  meta: d.meta, filters: d.filters}))));
    }""", base)
    by_url = {a["url"]: a for a in actions(served_site)}
    assert {r["url"] for r in records} == set(by_url)
    furniture = ["Lead organisations", "National theme", "Heading in the plan", "No status given",
                 "See this action", "Timescale", "Outcomes"]
    for record in records:
        action = by_url[record["url"]]
        content = record["content"]
        assert words(content)[:3] == words(action["action"])[:3], record["url"]
        for label in furniture:
            if label.lower() not in " ".join(action[f] or "" for f in ("action", "outcomes", "lead_text",
                                                                           "progress")).lower():
                assert label not in content, (record["url"], label)
        # Metadata stays far below a page's text; the longest is the other names of an action's
        # lead organisations (up to about ten CCGs, trusts and councils: under 1,000 characters).
        assert all(len(v) <= 1200 for v in record["meta"].values()), record["meta"]
        assert all(len(v) <= 200 for vs in record["filters"].values() for v in vs), record["filters"]
        assert record["meta"]["title"] == action["title"]
        assert record["meta"]["area"] == action["area"]
        assert record["meta"]["status"] == action["status_label"]


def area_word(area: str) -> str:
    return area.split()[0]


def test_an_actions_number_within_its_area_finds_it_first(page, served_site):
    """"Kent 2.33" brings up that action first; so does every area and number that names one
    action, including numbers that begin others ("2.1" and "2.10" to "2.19")."""
    base, _ = served_site
    data = actions(served_site)
    kent = [a for a in data if a["area_slug"] == "kent-and-medway"]
    # The plan's 2.32 to 2.34 may be one action or three: either way "Kent 2.33" finds it first.
    target = next(a for a in kent if a["number"] == "2.33" or re.search(r"^2\.33\b", a["action"], re.M))
    open_search(page, base, "Kent 2.33")
    assert page.locator("#search-results h2 a").first.get_attribute("href") == target["url"]

    cases = []
    for area in sorted({a["area"] for a in data}):
        own = [a for a in data if a["area"] == area and a["number"]]
        counts = Counter(a["number"] for a in own)
        unique = [a for a in own if counts[a["number"]] == 1]
        # The hardest first: numbers that begin other numbers; then every fifth.
        prefixes = [a for a in unique if any(o["number"].startswith(a["number"]) and o is not a for o in own)]
        cases += (prefixes + unique[::5])[:8]
    assert len(cases) >= 15
    wrong = []
    for action in cases:
        query = f"{area_word(action['area'])} {action['number']}"
        open_search(page, base, query)
        first = page.locator("#search-results h2 a").first.get_attribute("href")
        if first != action["url"]:
            wrong.append(f"{query!r}: first {first}, wanted {action['url']}")
    assert wrong == []


def test_organisation_names_and_abbreviations_find_each_other(page, served_site):
    """An action whose lead is written only as an abbreviation ("KMPT") is found by the
    organisation's full name, and one written only in full is found by the abbreviation."""
    base, folder = served_site
    registry = json.loads((folder / "data" / "actions.json").read_text(encoding="utf-8"))
    orgs = {o["id"]: o for o in yaml.safe_load((ROOT / "content" / "organisations.yaml")
                                               .read_text(encoding="utf-8"))["organisations"]}
    checks = []
    for action in registry:
        lead = action["lead_text"] or ""
        for org_id in action["leads"]:
            org = orgs[org_id]
            shorts = [s for s in org.get("short_names", ()) if s != org["name"]]
            used = [s for s in shorts if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", lead)]
            if used and org["name"].lower() not in lead.lower():
                checks.append((org["name"], action))
            elif org["name"].lower() in lead.lower() and shorts and not used:
                checks.append((shorts[0], action))
    assert any(q == "Kent and Medway NHS and Social Care Partnership Trust" for q, _ in checks)
    assert len({q for q, _ in checks}) >= 5
    found = engine_search(page, base, [(q, {"area": a["area"]}) for q, a in checks])
    missing = [f"{q!r} -> {a['url']}" for (q, a), urls in zip(checks, found, strict=True) if a["url"] not in urls]
    assert missing == []


def test_no_results_says_so_keeps_the_search_and_offers_ways_out(page, served_site):
    base, _ = served_site
    # "intoxicated" is a word of the Kent and Milton Keynes plans, not of Bromley's.
    assert not [a for a in actions(served_site) if a["area"] == "Bromley" and "intoxicated" in str(a).lower()]
    open_search(page, base, "intoxicated", area="Bromley", status="Complete")
    assert page.text_content("#search-status") == \
        "No actions found for “intoxicated” in Bromley, with the status Complete."
    assert page.locator("#search-results > li").count() == 0
    # The query and the filters stay as they were.
    assert page.input_value("#q") == "intoxicated"
    assert page.input_value("#filter-area") == "Bromley"
    assert page.input_value("#filter-status") == "Complete"
    help_box = page.locator("#search-help")
    assert help_box.is_visible()
    all_areas = parse_qs(urlsplit(help_box.get_by_role("link", name="Search all areas").get_attribute("href")).query)
    assert all_areas == {"q": ["intoxicated"], "status": ["Complete"]}
    cleared = parse_qs(urlsplit(help_box.get_by_role("link", name="Clear the filters").get_attribute("href")).query)
    assert cleared == {"q": ["intoxicated"]}
    help_box.get_by_role("link", name="Search all areas").click()
    page.wait_for_function(DONE)
    assert page.input_value("#filter-area") == ""
    assert page.input_value("#filter-status") == "Complete"
    assert page.input_value("#q") == "intoxicated"


@pytest.mark.parametrize("typed, term", [("CRTH", "CRHT"), ("CAHMS", "CAMHS"), ("AHMP", "AMHP"),
                                         ("ahmp assessments", "AMHP assessments")])
def test_a_close_glossary_term_is_suggested(page, served_site, typed, term):
    """A slip in an abbreviation: "Did you mean …?", announced with the outcome and offered as a
    link. (Pagefind answers a word it does not know with the words that begin it, so "AHMP"
    finds actions, all about "a".)"""
    base, _ = served_site
    open_search(page, base, typed)
    assert page.text_content("#search-status").endswith(f"Did you mean {term}?")
    assert " ".join(page.locator("#search-help li").first.inner_text().split()) == f"Did you mean {term}?"
    page.locator("#search-help").get_by_role("link", name=term, exact=True).click()
    page.wait_for_function(DONE)
    assert page.input_value("#q") == term
    assert re.fullmatch(r"\d+ actions? found for “[^”]+”\.", page.text_content("#search-status"))
    assert page.locator("#search-help").is_hidden()


def test_no_suggestion_when_nothing_is_close(page, served_site):
    base, _ = served_site
    for query in ("zqxjv", "street triage", "crisis care", "bed", "gap"):
        open_search(page, base, query)
        assert "Did you mean" not in page.text_content("#search-status"), query
        assert page.locator("#search-help").get_by_text("Did you mean").count() == 0, query


def test_an_actions_own_words_count_more_than_its_progress_notes(browser, tmp_path):
    """Two actions with the same words: the one that says "zebra" in its action text ranks above
    the one that says it in its progress notes, though it comes second in the plan."""
    area = (
        "name: Exampleshire\nslug: exampleshire\nsource:\n  title: Example plan\nsections:\n"
        "  - heading: 1. Commissioning\n    theme: commissioning\n    groups:\n      - actions:\n"
        "          - id: 1-1\n            number: '1.1'\n            action: |-\n"
        "              Meet partners every month\n              Work continues\n"
        "            progress: Open a zebra crisis service\n            status: not-rated\n"
        "          - id: 1-2\n            number: '1.2'\n            action: |-\n"
        "              Meet partners every month\n              Open a zebra crisis service\n"
        "            progress: Work continues\n            status: not-rated\n"
    )
    from concordat.pipeline import build_site
    project = make_project(tmp_path / "project", area)
    build_site(project, out_dir=tmp_path / "site")
    context = browser.new_context()
    page = context.new_page()
    with serve_folder(tmp_path / "site") as origin:
        open_search(page, origin + "/", "zebra")
        links = page.eval_on_selector_all("#search-results h2 a", "els => els.map(e => e.getAttribute('href'))")
    context.close()
    assert links == ["/areas/exampleshire/actions/1-2/", "/areas/exampleshire/actions/1-1/"]


def test_a_word_no_action_uses_is_said_plainly_at_320_px(browser, served_site):
    """On a 320 px wide phone: the status says no action uses the word, the suggestion is a
    link that fits, and following it finds actions."""
    base, _ = served_site
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    open_search(page, base, "polise")
    assert page.text_content("#search-status") == "No action uses the word “polise”. Did you mean police?"
    assert page.locator("#search-results > li").count() == 0
    link = page.locator("#search-help").get_by_role("link", name="police", exact=True)
    box = link.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    link.click()
    page.wait_for_function(DONE)
    assert re.fullmatch(r"\d+ actions found for “police”\.", page.text_content("#search-status"))
    open_search(page, base, "A and E")
    first = page.text_content("#search-status")
    open_search(page, base, "accident and emergency")
    assert first.split()[0] == page.text_content("#search-status").split()[0]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    context.close()


# --- Fragments in bundles (issue 22) ------------------------------------------------------------

def marked_words(page) -> list[list[str]]:
    """Each result's marked words, lower case, as shown."""
    return page.eval_on_selector_all(
        "#search-results > li",
        "els => els.map(e => [...e.querySelectorAll('mark')].map(m => m.textContent.toLowerCase()))")


def test_results_load_their_excerpts_from_fragment_bundles(page, served_site):
    """Pagefind's fragment files are bundled a few to a file: a search's results, from every
    index, show their excerpts with the words searched for marked, each read from its bundle;
    no fragment file of its own is asked for."""
    base, folder = served_site
    responses = []
    page.on("response", lambda r: responses.append((urlsplit(r.url).path, r.status)))
    status, links = search(page, base, "crisis")
    assert re.match(r"\d+ actions found", status), status
    shown = page.locator("#search-results > li").count()
    assert shown == len(links) > 5
    assert page.locator("#search-results > li .result-excerpt").count() == shown
    assert all(words and all(w.startswith("crisis") for w in words) for words in marked_words(page))
    bundles = [(path, code) for path, code in responses if path.endswith(".pf_bundle")]
    assert bundles and all(code == 200 for _, code in bundles), bundles
    assert len({path.split("/fragment/")[0] for path, _ in bundles}) > 1, "results from one index only"
    assert not [path for path, _ in responses if path.endswith(".pf_fragment")]
    # The first page of results needs no more bundles than it shows results, each loaded once.
    assert len(bundles) == len(set(bundles)) <= shown


@pytest.fixture(scope="module")
def served_country(tmp_path_factory):
    """The benchmark's synthetic country at a small size (6 areas of 80 actions) in three
    search indexes, built and served."""
    from concordat.pipeline import build_site
    from tools.benchmark import make_country

    root = tmp_path_factory.mktemp("country")
    project = make_country(root / "country", areas=6, actions=80)
    build_site(project, out_dir=root / "site", index_shard_size=200)
    with serve_folder(root / "site") as origin:
        yield origin + "/", root / "site"


def test_a_larger_site_has_few_search_files_and_every_result_loads(page, served_country):
    from concordat import search as index

    base, folder = served_country
    indexes = sorted(folder.glob("pagefind*"))
    assert len(indexes) == 3
    actions = json.loads((folder / "data" / "actions.json").read_text(encoding="utf-8"))
    assert sum(index.check_index(i) for i in indexes) == len(actions) == 480
    for each in indexes:
        pages = index.check_index(each)
        fragments = list((each / "fragment").iterdir())
        assert len(fragments) == -(-pages // index.FRAGMENTS_PER_BUNDLE)
        assert all(f.suffix == ".pf_bundle" for f in fragments)
        assert sum(1 for f in each.rglob("*") if f.is_file()) < 30 + pages / index.FRAGMENTS_PER_BUNDLE
    by_url = {a["url"]: a for a in actions}
    page.goto(base + "search/")
    loaded = page.evaluate(
        """async ([base, queries]) => {""" + OPEN_ENGINE + """
            const out = {};
            for (const q of queries) {
                const r = await pf.search(q);
                out[q] = await Promise.all(r.results.map(x => x.data().then(
                    d => ({url: d.url, title: d.meta.title, area: d.filters.area, excerpt: d.excerpt}))));
            }
            return out;
        }""",
        [base, ["crisis", "police", "carers", "training"]],
    )
    for query, results in loaded.items():
        assert len(results) > 20, query
        assert len({r["url"] for r in results}) == len(results), query
        for r in results:
            action = by_url[r["url"]]  # the result's own fragment: its address, title and area
            assert r["area"] == [action["area"]] and r["title"] and "<mark>" in r["excerpt"], (query, r)
