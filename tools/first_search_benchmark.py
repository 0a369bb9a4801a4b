"""How long the first search takes on a slow phone: a measure, not a test (timings depend on the machine).

Builds the real site, serves it, and in Chromium with the network slowed to 1.6 Mbps and 150 ms
round trips and the CPU slowed 4x (Chrome's "slow 4G" and a mid-range phone), opens the search
page, clicks the search box, types a query as a person would (about 5 keys a second) and presses
Enter. It prints the time from Enter to the results, and from opening the page to the results.
The index starts to load when the box gets focus (assets/search.js), so most of it is fetched
while the words are typed. `--no-typing` presses Enter at once after focus, which shows the
time the index takes to load on its own.

    python tools/first_search_benchmark.py [--query "street triage"] [--repeat 3] [--no-typing]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from concordat.pipeline import Project, build_site  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, serve_folder  # noqa: E402

SLOW_NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8,
                "uploadThroughput": 750_000 / 8}
DONE = ("() => document.getElementById('search-status').textContent"
        " && !document.getElementById('search-results').hasAttribute('aria-busy')")


def first_search(browser, base: str, query: str, typing: bool) -> tuple[float, float]:
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    opened = time.perf_counter()
    page.goto(base + "search/", wait_until="load")
    page.click("#q")
    page.keyboard.type(query, delay=200 if typing else 0)
    pressed = time.perf_counter()
    page.keyboard.press("Enter")
    page.wait_for_function(DONE, timeout=60_000)
    shown = time.perf_counter()
    context.close()
    return shown - pressed, shown - opened


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--query", default="street triage")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-typing", action="store_true", help="press Enter as soon as the box has focus")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        build_site(Project(ROOT), out_dir=out, base_url="/")
        with serve_folder(out) as origin, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            runs = [first_search(browser, origin + "/", args.query, not args.no_typing) for _ in range(args.repeat)]
            browser.close()
    after_enter = [r[0] for r in runs]
    print(f"first search for {args.query!r}, 1.6 Mbps, 150 ms, CPU 4x slower, "
          f"{'typed at 5 keys a second' if not args.no_typing else 'Enter at once'}:")
    print("  Enter to results: " + ", ".join(f"{t:.2f} s" for t in after_enter)
          + f" (median {statistics.median(after_enter):.2f} s)")
    print("  page opened to results: " + ", ".join(f"{r[1]:.2f} s" for r in runs))


if __name__ == "__main__":
    main()
