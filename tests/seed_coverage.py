"""Check that every line of a source plan survives, word for word, in its area's YAML.

The seeds are plain-text extractions of the published plans. Each cell line of a seed,
bullets and surrounding space aside, must appear verbatim in the area's content. Lines
that are table furniture (column headings, stray debris) are listed, one per line, in
tests/seed_ignores/<area-slug>.txt.

Usage: python tests/seed_coverage.py SEED_FILE AREA_YAML
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

# Seeds whose tail is a garbled second extraction of the same document: cut at the marker.
GARBLED_FROM = {
    "001_46ac9b184385de43.txt": "No .  Concordat outcomes  Deliverables/actions",
    "003_eed37a1e8087a05b.txt": "image1.png",
}

SEED_AREAS = {
    "000_364b023ab1be3fc2.txt": "kent-and-medway",
    "001_46ac9b184385de43.txt": "milton-keynes",
    "002_abb54db851638072.txt": "south-west-essex",
    "003_eed37a1e8087a05b.txt": "nottingham-and-nottinghamshire",
    "004_02bb71906d45db6b.txt": "bromley",
}

_BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")
_SPACE = re.compile(r"\s+")


def normalise(line: str) -> str:
    """Fold a line to compare words, not layout: no bullet, single spaces."""
    line = _BOOKMARK.sub("", line).strip()
    line = re.sub(r"^[•·▪]\s*", "", line)
    line = re.sub(r"^[-*]\s+", "", line)
    return _SPACE.sub(" ", line).strip()


def seed_lines(seed_path: Path) -> list[str]:
    text = seed_path.read_text(encoding="utf-8")
    marker = GARBLED_FROM.get(seed_path.name)
    if marker:
        text = text[: text.index(marker)]
    lines = []
    for raw in re.split(r"[\t\n]", text):
        line = normalise(raw)
        if line:
            lines.append(line)
    return lines


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def content_text(area_path: Path) -> str:
    data = yaml.safe_load(area_path.read_text(encoding="utf-8"))
    parts = []
    for s in _strings(data):
        parts.extend(normalise(line) for line in s.splitlines())
    return " ".join(p for p in parts if p)


def ignored_lines(slug: str) -> set[str]:
    path = Path(__file__).parent / "seed_ignores" / f"{slug}.txt"
    if not path.exists():
        return set()
    return {normalise(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def contains(text: str, words: str) -> bool:
    """`words` appear in `text` as whole words: "pathway" is not found in "pathways"."""
    return re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text) is not None


def missing_lines(seed_path: Path, area_path: Path, slug: str) -> list[str]:
    """Seed lines not found verbatim in the area's content."""
    text = content_text(area_path)
    ignore = ignored_lines(slug)
    missing = []
    for line in seed_lines(seed_path):
        if line in ignore or contains(text, line):
            continue
        # "1.1 Develop..." is split into number and action text in the YAML.
        m = re.match(r"^(\d+(?:\.\d+)*\.?)\s+(.*)$", line)
        if m and contains(text, m.group(1).rstrip(".")) and contains(text, m.group(2)):
            continue
        missing.append(line)
    return missing


if __name__ == "__main__":
    seed, area = Path(sys.argv[1]), Path(sys.argv[2])
    slug = SEED_AREAS.get(seed.name, area.stem)
    lost = missing_lines(seed, area, slug)
    for line in lost:
        print("MISSING:", line)
    print(f"{len(lost)} seed lines missing from {area}")
    sys.exit(1 if lost else 0)
