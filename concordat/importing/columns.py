"""Which field each column of a plan's table holds, from the words of its header cells.

Most plans follow the national template (No., Action, Timescale, Led by, Outcomes, Summary
progress, RAG), but many areas used their own columns, so a header row is recognised by its words,
not its position.
"""

from __future__ import annotations

import re

from .tables import Row

# Header words for each field, tried in this order; the first field whose words a header cell contains wins.
COLUMN_WORDS: list[tuple[str, str]] = [
    ("number", r"^(no|no\.|number|num|ref|ref\.|ref no|#|item|action no|action number)$"),
    ("status", r"\brag\b|red/amber/green|\bstatus\b|\brating\b"),
    ("progress", r"\bprogress\b|\bupdate\b|current position|\bcomments?\b"),
    ("timescale", r"\btime-?scales?\b|\btime scales?\b|completed by|\bdeadline\b|by when|\bdate\b|\bwhen\b"),
    ("lead_text", r"\bled\b|\bleads?\b|responsib|\bowners?\b|\bwho\b"),
    ("outcomes", r"\boutcomes?\b"),
    ("action", r"\bactions?\b|\bdeliverables?\b|\bwhat\b"),
]
KPI_WORDS = [("number", r"^(no|no\.|number|#)$"), ("baseline", r"\bbaseline\b"), ("target", r"\btargets?\b"),
             ("measure", r"\bkpis?\b|\bmeasures?\b|\bindicators?\b")]
GLOSSARY_WORDS = [("term", r"\babbreviations?\b|\bterms?\b|\bacronyms?\b"),
                  ("meaning", r"\bmeanings?\b|\bdefinitions?\b|stands for|\bdescriptions?\b|\bfull name\b")]


def field_for(label: str, words: list[tuple[str, str]]) -> str | None:
    label = " ".join(label.lower().split())
    if not label or len(label) > 120:
        return None
    for name, pattern in words:
        if re.search(pattern, label):
            return name
    return None


def header_columns(row: Row, words: list[tuple[str, str]], required: set[str], minimum: int) -> dict[int, str] | None:
    """Column -> field when this row reads as a header row of that kind of table."""
    mapping: dict[int, str] = {}
    cells = [(c, cell) for c, cell in row.distinct() if cell.text.strip()]
    if not cells:
        return None
    for col, cell in cells:
        name = field_for(cell.text, words)
        if name and name not in mapping.values():
            mapping[col] = name
    if len(mapping) < minimum or not required <= set(mapping.values()) or len(mapping) < 0.6 * len(cells):
        return None
    return mapping
