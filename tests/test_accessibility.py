"""Accessibility in a real browser: axe on every page, reflow at 320 px, keyboard-only search,
visible focus, and no request leaving the site."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}


def html_pages(folder):
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*.html")
        if "pagefind" not in p.relative_to(folder).parts
    )


def page_url(base, relative: str) -> str:
    return base + relative.removesuffix("index.html")


def one_of_each_kind(folder) -> list[str]:
    """One page of every template: the home page, an area, an action, a theme, ..."""
    kinds: dict[str, str] = {}
    for rel in html_pages(folder):
        parts = rel.split("/")
        key = "/".join(parts[:1] + [k for k in ("actions", "page", "changes") if k in parts])
        kinds.setdefault(key, rel)
    return sorted(kinds.values())


def test_axe_finds_no_violations_on_any_page(browser, served_site):
    base, folder = served_site
    axe = Axe()
    context = browser.new_context()
    page = context.new_page()
    failures = []
    for rel in html_pages(folder):
        page.goto(page_url(base, rel))
        result = axe.run(page, options=AXE_OPTIONS)
        for violation in result.response["violations"]:
            targets = [n["target"] for n in violation["nodes"][:3]]
            failures.append(f"{rel}: {violation['id']} ({violation['impact']}): {violation['help']} {targets}")
    context.close()
    assert failures == []


SEARCHES = ["q=crisis", "q=street+triage", "q=Kent+2.31", "q=zqxjv&area=Bromley&status=Complete", "q=CRTH",
            "q=AHMP"]
SEARCH_DONE = ("() => document.getElementById('search-status').textContent"
               " && !document.getElementById('search-results').hasAttribute('aria-busy')")


@pytest.mark.parametrize("search", SEARCHES)
def test_search_results_page_has_no_axe_violations(page, served_site, search):
    """Results, no results with filters, and a suggested glossary term."""
    base, _ = served_site
    page.goto(base + "search/?" + search)
    page.wait_for_function(SEARCH_DONE)
    result = Axe().run(page, options=AXE_OPTIONS)
    assert [v["id"] for v in result.response["violations"]] == []


def test_search_outcome_is_announced_once(page, served_site):
    """Each search changes the live region to one message, once its results are on the page;
    the same search again is announced again."""
    base, _ = served_site
    page.goto(base + "search/")
    page.evaluate("""() => {
        window.announced = [];
        new MutationObserver(() => {
            const text = document.getElementById('search-status').textContent;
            if (text) window.announced.push([text, document.querySelectorAll('#search-results > li').length]);
        }).observe(document.getElementById('search-status'), {childList: true, characterData: true, subtree: true});
    }""")
    for query in ["street triage", "zqxjv", "street triage", "street triage"]:
        page.evaluate("() => { window.announced = []; }")
        page.fill("#q", query)
        page.press("#q", "Enter")
        page.wait_for_function(SEARCH_DONE)
        page.wait_for_timeout(200)
        announced = page.evaluate("() => window.announced")
        shown = page.locator("#search-results > li").count()
        assert announced == [[page.text_content("#search-status"), shown]], (query, announced)
        assert (shown == 0) == announced[0][0].startswith(("No actions found", "No action uses")), announced


@pytest.mark.parametrize("search", SEARCHES)
def test_search_results_stay_usable_at_320px(browser, served_site, search):
    base, _ = served_site
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(base + "search/?" + search)
    page.wait_for_function(SEARCH_DONE)
    overflow = page.evaluate("""() => {
        const doc = document.documentElement;
        const wide = [...document.querySelectorAll('main *')].filter(el => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && (r.right > doc.clientWidth + 1 || r.left < -1) && !el.closest('.visually-hidden');
        }).slice(0, 3).map(el => el.tagName + '.' + el.className + ': ' + el.textContent.slice(0, 40));
        return {scroll: doc.scrollWidth, client: doc.clientWidth, wide};
    }""")
    assert overflow["scroll"] <= overflow["client"] and overflow["wide"] == [], overflow
    links = page.locator("#search-results h2 a, #search-help a")
    if links.count():
        first = links.first
        box = first.bounding_box()
        assert box["height"] >= 16 and box["x"] >= 0 and box["x"] + box["width"] <= 320, box
        href = first.get_attribute("href")
        first.click()
        page.wait_for_url("**" + href.split("?")[0] + "*")
    context.close()


def test_every_page_kind_reflows_at_320px(browser, served_site):
    base, folder = served_site
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    problems = []
    for rel in one_of_each_kind(folder):
        page.goto(page_url(base, rel))
        overflow = page.evaluate("""() => {
            const doc = document.documentElement;
            const wide = [...document.querySelectorAll('body *')].filter(el => {
                const r = el.getBoundingClientRect();
                return r.width > 0 && (r.right > doc.clientWidth + 1 || r.left < -1)
                    && !el.closest('.table-wrap') && !el.closest('.skip-link') && !el.closest('.visually-hidden');
            }).slice(0, 3).map(el => el.tagName + '.' + el.className);
            return {scroll: doc.scrollWidth, client: doc.clientWidth, wide};
        }""")
        if overflow["scroll"] > overflow["client"] or overflow["wide"]:
            problems.append(f"{rel}: {overflow}")
    context.close()
    assert problems == []


def test_first_tab_reaches_the_skip_link_and_it_works(page, served_site):
    base, _ = served_site
    page.goto(base)
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.className, document.activeElement.textContent]")
    assert focused == ["skip-link", "Skip to main content"]
    assert page.evaluate("() => getComputedStyle(document.activeElement).left") == "0px"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def focus_is_visible(page) -> bool:
    return page.evaluate("""() => {
        const s = getComputedStyle(document.activeElement);
        return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
    }""")


def test_search_by_keyboard_alone(page, served_site):
    base, folder = served_site
    page.goto(base)
    # Tab from the top of the page to the search box on the home page.
    for _ in range(30):
        page.keyboard.press("Tab")
        assert focus_is_visible(page) or page.evaluate("() => document.activeElement === document.body")
        if page.evaluate("() => document.activeElement.id") == "home-q":
            break
    else:
        pytest.fail("the search box on the home page cannot be reached with Tab")
    page.keyboard.type("crisis")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=crisis")
    page.wait_for_selector("#search-results li a")
    status = page.locator("#search-status")
    assert status.get_attribute("role") == "status"
    assert "found" in status.text_content()
    # From the search box, Tab moves through the form to the first result.
    page.focus("#q")
    for _ in range(12):
        page.keyboard.press("Tab")
        assert focus_is_visible(page)
        if page.evaluate("() => !!document.activeElement.closest('#search-results')"):
            break
    else:
        pytest.fail("the search results cannot be reached with Tab")
    href = page.evaluate("() => document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url("**" + href)
    assert page.locator("h1").count() == 1


def test_no_request_leaves_the_site(browser, served_site):
    base, folder = served_site
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
    context = browser.new_context()
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    for rel in one_of_each_kind(folder):
        page.goto(page_url(base, rel))
    page.goto(base + "search/?q=crisis")
    page.wait_for_selector("#search-results li")
    context.close()
    assert len(requests) > 10
    outside = [u for u in requests if not u.startswith(origin + "/") and not u.startswith("data:")]
    assert outside == []


def test_content_security_policy_is_not_violated(browser, served_site):
    """Search works under the page's own CSP, and nothing on any page kind breaks it."""
    base, folder = served_site
    context = browser.new_context()
    page = context.new_page()
    messages = []
    page.on("console", lambda m: messages.append(m.text) if m.type in ("error", "warning") else None)
    for rel in one_of_each_kind(folder):
        page.goto(page_url(base, rel))
    page.goto(base + "search/?q=crisis")
    page.wait_for_selector("#search-results li")
    context.close()
    assert [m for m in messages if "Content Security Policy" in m or "Refused" in m] == []


RUN_TOGETHER = """() => {
    // Two boxes side by side on one line with no space between them read as one word
    // ("AreaSouth West Essex"): a block-level box always starts a new line of innerText.
    const wordAtEnd = /[\\p{L}\\p{N}]$/u, wordAtStart = /^[\\p{L}\\p{N}]/u;
    const inline = (el) => getComputedStyle(el).display.startsWith('inline');
    const shown = (node) => node.nodeType === 1 ? node.getClientRects().length > 0
                                               : node.nodeType === 3 && node.textContent !== '';
    const problems = [];
    for (const parent of document.body.querySelectorAll('*')) {
        const kids = [...parent.childNodes].filter(shown);
        for (let i = 1; i < kids.length; i++) {
            const [a, b] = [kids[i - 1], kids[i]];
            if (a.nodeType !== 1 || b.nodeType !== 1 || !inline(a) || !inline(b)) continue;
            if (wordAtEnd.test(a.innerText) && wordAtStart.test(b.innerText)) {
                problems.push(a.innerText.slice(-30) + '|' + b.innerText.slice(0, 30));
            }
        }
    }
    // And each label, in its parent's own innerText, is followed by a space, a line or a colon.
    for (const label of document.querySelectorAll('dt, th, label, legend, caption, .caption, .result-ref')) {
        if (!shown(label)) continue;
        const text = label.parentElement.innerText, own = label.innerText.trim();
        const at = text.indexOf(own);
        const next = text.charAt(at + own.length);
        if (own && at >= 0 && wordAtStart.test(next)) problems.push(own + '|' + text.slice(at + own.length, 30));
    }
    return problems;
}"""


def test_no_label_runs_into_its_value(browser, served_site):
    """On one page of every kind, every area page and the search results, no label runs into its
    value in the text a screen reader or a copy and paste gets (innerText)."""
    base, folder = served_site
    context = browser.new_context()
    page = context.new_page()
    pages = sorted(set(one_of_each_kind(folder)) | {p for p in html_pages(folder) if p.count("/") == 2
                                                      and p.startswith("areas/")})
    problems = []
    for rel in pages:
        page.goto(page_url(base, rel))
        problems += [f"{rel}: {p}" for p in page.evaluate(RUN_TOGETHER)]
    for search in SEARCHES:
        page.goto(base + "search/?" + search)
        page.wait_for_function(SEARCH_DONE)
        problems += [f"search/?{search}: {p}" for p in page.evaluate(RUN_TOGETHER)]
    context.close()
    assert len(pages) >= 10
    assert problems == []


def test_an_action_pages_editing_links_pass_axe_reflow_and_keyboard(browser, tmp_path):
    """With site.yaml's GitHub repository, the action page's "About this action" block, and its
    two links, pass axe, fit 320 px and are reached with Tab."""
    from concordat.pipeline import build_site

    from .browser import serve_folder
    from .conftest import make_project

    project = make_project(tmp_path / "p")
    site_file = project.content / "site.yaml"
    site_file.write_text(site_file.read_text() + "repository: https://github.com/example/plans\n")
    build_site(project, base_url="/")
    with serve_folder(project.output) as origin:
        context = browser.new_context(viewport={"width": 320, "height": 640})
        page = context.new_page()
        page.goto(origin + "/areas/exampleshire/actions/1-2/")
        assert page.get_by_role("heading", name="About this action").is_visible()
        violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
        assert [v["id"] for v in violations] == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        reached = []
        for _ in range(60):
            page.keyboard.press("Tab")
            reached.append(page.evaluate("document.activeElement.textContent.trim()"))
        assert "Edit this action on GitHub" in reached and "Suggest a correction" in reached
        context.close()
