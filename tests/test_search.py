"""Search, in a real browser: a phrase from an action finds it, filters narrow correctly."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser


def actions(served_site):
    _, folder = served_site
    return json.loads((folder / "data" / "actions.json").read_text(encoding="utf-8"))


def search(page, base, query="", **filters):
    page.goto(base + "search/")
    if query:
        page.fill("#q", query)
    for name, value in filters.items():
        page.select_option(f"#filter-{name}", value)
    page.press("#q", "Enter")
    page.wait_for_function(
        "() => { const s = document.getElementById('search-status').textContent; "
        "return s && !s.startsWith('Searching'); }"
    )
    status = page.text_content("#search-status")
    links = page.eval_on_selector_all("#search-results a", "els => els.map(e => e.getAttribute('href'))")
    return status, links


def phrase_of(action) -> str:
    words = action["title"].rstrip("…").split()
    return " ".join(words[:8])


def test_phrase_from_an_action_finds_it(page, served_site):
    base, _ = served_site
    target = next(a for a in actions(served_site) if len(a["title"].split()) >= 6)
    status, links = search(page, base, phrase_of(target))
    assert "found" in status and not status.startswith("No")
    path = target["url"]
    assert path in links, (status, links[:5])


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
        """async ([base, wanted]) => {
            const pf = await import(base + 'pagefind/pagefind.js');
            await pf.options({baseUrl: new URL(base).pathname});
            await pf.init();
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
