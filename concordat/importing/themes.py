"""Which national theme or sub-heading a plan's heading names, by how alike their words are.

A heading is placed under a theme only where the words match closely (`THEME_SURE`); the reader
writes a REVIEW comment for the rest.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

THEME_SURE = 0.8
SUBTHEME_SURE = 0.8


def _norm(text: str) -> str:
    text = text.lower().replace("&", " and ").replace("’", "'")
    text = re.sub(r"^\s*\d{1,2}[.)]?\s+", "", text)
    return " ".join(re.findall(r"[a-z0-9']+", text))


def _likeness(a: str, b: str) -> float:
    a, b = _norm(a), _norm(b)
    if not a or not b:
        return 0.0
    score = difflib.SequenceMatcher(None, a, b).ratio()
    if (a in b or b in a) and min(len(a), len(b)) / max(len(a), len(b)) > 0.6:
        score = max(score, 0.9)
    return score


@dataclass
class Themes:
    themes: list[dict]

    def best_theme(self, heading: str) -> tuple[dict, float]:
        return max(((t, _likeness(heading, t["title"])) for t in self.themes), key=lambda p: p[1])

    def best_subtheme(self, heading: str, theme_id: str | None = None) -> tuple[dict, dict, float] | None:
        pairs = [(t, s) for t in self.themes for s in t["subthemes"] if theme_id in (None, t["id"])]
        if not pairs:
            return None
        return max(((t, s, _likeness(heading, s["title"])) for t, s in pairs), key=lambda p: p[2])

    def by_number(self, number: int) -> dict | None:
        return next((t for t in self.themes if t.get("number") == number), None)
