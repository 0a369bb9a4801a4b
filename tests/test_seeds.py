"""Every action of every source plan is published with its words intact.

The source plans are the plain-text extractions in ../shared/seeds/. Each line of each one
(table furniture aside) must be in its area's YAML word for word, and every action in the
YAML must be on its area's page and in the open data.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import pytest

from .conftest import ROOT
from .seed_coverage import SEED_AREAS, missing_lines

SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def seeds() -> Path:
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the source plans are missing: {SEEDS}")
        pytest.skip(f"the source plans are not beside the project ({SEEDS})")
    return SEEDS


@pytest.mark.parametrize("seed_name,slug", sorted(SEED_AREAS.items()))
def test_every_line_of_the_source_plan_is_in_the_yaml(seeds, seed_name, slug):
    area = ROOT / "content" / "areas" / f"{slug}.yaml"
    assert area.exists(), f"{slug}.yaml has not been written"
    assert missing_lines(seeds / seed_name, area, slug) == []


def page_text(path: Path) -> str:
    # Inline tags (abbreviations, links, emphasis) join the words around them; block tags separate.
    text = re.sub(r"</?(a|abbr|strong|em|span|time)\b[^>]*>", "", path.read_text(encoding="utf-8"))
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text))


def squash(text: str) -> str:
    """Words only: Markdown list markers and line breaks become plain spaces."""
    text = re.sub(r"(?m)^\s*(?:[-*]|\d+[.)])\s+", " ", text)  # list markers: shown as list items
    text = text.replace("**", "")
    return re.sub(r"\s+", " ", text).strip()


def test_every_action_is_on_its_area_page_and_its_own_page(built_site):
    data = json.loads((built_site / "data" / "actions.json").read_text(encoding="utf-8"))
    # Actions in each source plan, counted by hand from the documents. Kent and Medway's: its
    # governance row, 58 numbered rows (2.25, 3.7, 3.8 and 4.3 are not printed) and 4.4.1, with
    # 2.32, 2.33 and 2.34 separate although they share one table row.
    counts = {"kent-and-medway": 60, "milton-keynes": 16, "south-west-essex": 64,
              "nottingham-and-nottinghamshire": 51, "bromley": 42}
    assert {slug: sum(a["area_slug"] == slug for a in data) for slug in counts} == counts
    pages: dict[str, str] = {}
    for action in data:
        slug = action["area_slug"]
        if slug not in pages:
            pages[slug] = page_text(built_site / "areas" / slug / "index.html")
        own = page_text(built_site / "areas" / slug / "actions" / action["id"] / "index.html")
        for field in ("action", "outcomes", "progress", "lead_text", "timescale"):
            for line in action[field].splitlines():
                words = squash(line)
                if words:
                    assert words in pages[slug], f"{slug} {action['number']} {field}: {words!r}"
                    assert words in own, f"{slug} {action['number']} {field}: {words!r}"
