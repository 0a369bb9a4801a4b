"""Lighthouse scores for the main page kinds (see tools/lighthouse_report.py), and each page kind's
weight in bytes and requests against a budget: what makes a page fast on a slow phone, measured
in a way a busy machine cannot change (Lighthouse's own performance score is timed, so it is
in the report, not here)."""

from __future__ import annotations

import pytest

from tools import lighthouse_report

pytestmark = pytest.mark.browser


def test_lighthouse_scores_meet_the_targets(tmp_path, built_site):
    if not lighthouse_report.LIGHTHOUSE.exists():
        pytest.fail("Lighthouse is not installed: run `bash tests/setup.sh`")
    scores = lighthouse_report.run(tmp_path / "lighthouse", built_site)  # the site as published, at its root
    assert set(scores) == set(lighthouse_report.PAGES)
    assert lighthouse_report.meets_targets(scores, lighthouse_report.UNTIMED), scores


# Page kind -> (a page of that kind, most KiB its page and everything it loads may weigh, most requests).
# The real pages weighed about half of each budget in December 2026 (the largest plan's page 159 KiB;
# a search for "street triage" 174 KiB in 19 requests, most of it Pagefind's WebAssembly and index).
BUDGETS = {
    "home": ("", 60, 6),
    "largest area": ("areas/nottingham-and-nottinghamshire/", 320, 6),
    "action": ("areas/kent-and-medway/actions/2-14/", 60, 6),
    "theme": ("themes/urgent-emergency-access/", 140, 6),
    "organisation": ("organisations/kmpt/", 80, 6),
    "comparison": ("compare/", 60, 6),
    "changes": ("changes/", 80, 6),
    "data": ("data/", 60, 6),
    "search": ("search/?q=street+triage", 350, 30),
}


@pytest.mark.parametrize("kind", BUDGETS)
def test_each_page_kind_stays_within_its_budget_of_bytes_and_requests(browser, served_site_one_index, kind):
    base, _ = served_site_one_index
    path, most_kib, most_requests = BUDGETS[kind]
    context = browser.new_context()
    page = context.new_page()
    loaded: list[tuple[str, int]] = []
    page.on("requestfinished", lambda request: loaded.append((request.url, request.sizes()["responseBodySize"])))
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    if kind == "search":
        page.wait_for_function("() => document.getElementById('search-status').textContent")
        page.wait_for_load_state("networkidle")
    context.close()
    kib = sum(size for _, size in loaded) / 1024
    assert loaded and all(url.startswith(base.split("/concordat/")[0]) for url, _ in loaded)
    assert kib <= most_kib, f"{kind}: {kib:.0f} KiB > {most_kib} KiB: {sorted(loaded, key=lambda x: -x[1])[:5]}"
    assert len(loaded) <= most_requests, f"{kind}: {len(loaded)} requests: {[u for u, _ in loaded]}"
