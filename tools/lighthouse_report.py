"""Lighthouse report on the home, an area, a theme and the search page.

    python tools/lighthouse_report.py [--out reports/lighthouse]

Builds the site into a temporary folder, serves it on 127.0.0.1, runs Lighthouse (npm
`lighthouse`, with Debian's Chromium) on each page, writes each page's JSON report and a
summary (`summary.md`) into the output folder, and exits 1 unless every page scores
accessibility, best practices and SEO 100 and performance at least 95.

The tests (tests/test_lighthouse.py) hold the scores that a busy machine cannot change
(accessibility, best practices, SEO); performance is timed, so it is reported here, and the
tests check what it is made of instead: the bytes and requests of each page kind.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from concordat.pipeline import Project, build_site  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, serve_folder  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
PAGES = {"home": "", "area": "areas/kent-and-medway/", "theme": "themes/urgent-emergency-access/",
         "search": "search/?q=street+triage"}
REQUIRED = {"accessibility": 1.0, "best-practices": 1.0, "seo": 1.0, "performance": 0.95}
UNTIMED = ("accessibility", "best-practices", "seo")  # what load on the machine cannot change


def run(out: Path, site: Path | None = None) -> dict[str, dict[str, float]]:
    """Score the pages of `site` (a built site, served at its root), or of the site built afresh."""
    if site is None:
        with tempfile.TemporaryDirectory() as tmp:
            build_site(Project(ROOT), out_dir=Path(tmp) / "site")
            return run(out, Path(tmp) / "site")
    out.mkdir(parents=True, exist_ok=True)
    scores: dict[str, dict[str, float]] = {}
    with serve_folder(site) as origin:
        for name, path in PAGES.items():
            report = out / f"{name}.json"
            subprocess.run(
                [str(LIGHTHOUSE), f"{origin}/{path}", "--quiet", "--output=json", f"--output-path={report}",
                 "--only-categories=accessibility,performance,best-practices,seo",
                 "--chrome-flags=" + " ".join(CHROMIUM_ARGS)],
                check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=180,
            )
            data = json.loads(report.read_text(encoding="utf-8"))
            scores[name] = {k: data["categories"][k]["score"] for k in REQUIRED}
            scores[name]["failed audits"] = [
                a["id"] for a in data["audits"].values()
                if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") == "binary"
            ]
    lines = ["| page | accessibility | best practices | SEO | performance | failed audits |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, s in scores.items():
        lines.append(f"| {name} | {s['accessibility']:.2f} | {s['best-practices']:.2f} | {s['seo']:.2f} | "
                     f"{s['performance']:.2f} | {', '.join(s['failed audits']) or '-'} |")
    (out / "summary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return scores


def meets_targets(scores, categories=tuple(REQUIRED)) -> bool:
    return all(s[k] is not None and s[k] >= REQUIRED[k] for s in scores.values() for k in categories)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "lighthouse")
    args = parser.parse_args()
    sys.exit(0 if meets_targets(run(args.out)) else 1)
