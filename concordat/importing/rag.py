"""A plan's RAG ratings: the status a cell's shading or words give, read with the plan's own key.

Statuses are never guessed: blue means complete only where the plan's key says so. What the cell
showed is kept as the action's `rag` ("green (#00B050)", "blue (#0070C0), key: Completed" or its
words), and `check` reads it back (`rag_problem`) to refuse one typed by hand.
"""

from __future__ import annotations

import colorsys
import re
from dataclasses import dataclass, field

# Words in a RAG cell (or a RAG key) and the status they give, first match wins.
STATUS_WORDS: list[tuple[str, str]] = [
    (r"\bnot (yet|started|on track|achieved|met)\b|\boff track\b|\boverdue\b|\bbehind\b", "red"),
    (r"\bat risk\b|\bin (progress|the process)\b|\bdelayed\b|\bslippage\b|\bpartly\b|\bpartially\b", "amber"),
    (r"\bcomplete(d)?\b|\bachieved\b|\bdone\b|\bclosed\b", "complete"),
    (r"\bon (track|target)\b", "green"),
    (r"^\W*(r|red)\W*$|\bred\b", "red"),
    (r"^\W*(a|amber)\W*$|\bamber\b", "amber"),
    (r"^\W*(g|green)\W*$|\bgreen\b", "green"),
]


def hue_name(rgb: str | None) -> str | None:
    """red, amber, green or blue for a clearly coloured fill, else None."""
    if not rgb:
        return None
    r, g, b = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    h, s, v = colorsys.rgb_to_hsv(r, g, b)
    h *= 360
    if s < 0.12 or v < 0.3:
        return None
    if h >= 335 or h < 15:
        return "red"
    if 15 <= h < 66:
        return "amber"
    if 66 <= h < 170:
        return "green"
    if 190 <= h < 250 and s >= 0.35:
        return "blue"
    return None


def hue_status(rgb: str | None) -> str | None:
    """The status a fill gives without a key: red, amber or green. Blue is not read as complete
    here: some plans use it for complete (BRAG), others for something else, so only the plan's
    own key can say."""
    name = hue_name(rgb)
    return name if name in ("red", "amber", "green") else None


def words_status(text: str) -> str | None:
    text = text.strip().lower()
    if not text:
        return None
    for pattern, status in STATUS_WORDS:
        if re.search(pattern, text):
            return status
    return None


@dataclass
class RagKey:
    """The plan's own key of colours (a RAG legend), used before the usual hues."""

    entries: list[tuple[str, str | None, str]] = field(default_factory=list)  # (RRGGBB, status, words)

    def read(self, rgb: str | None) -> tuple[str | None, str, str]:
        """(status or None, how it was read for the report, the plan's key words used or "")."""
        if not rgb:
            return None, "", ""
        if self.entries:
            def distance(entry):
                return sum((int(rgb[i:i + 2], 16) - int(entry[0][i:i + 2], 16)) ** 2 for i in (0, 2, 4)) ** 0.5
            nearest = min(self.entries, key=distance)
            if distance(nearest) <= 90:
                if nearest[1] is None:
                    return None, f"the plan's RAG key says '{nearest[2]}', which is no status", ""
                return nearest[1], f"the plan's RAG key: '{nearest[2]}'", nearest[2]
        status = hue_status(rgb)
        if status:
            return status, "", ""
        if hue_name(rgb) == "blue":
            return None, ("blue, which only the plan's RAG key could make complete, and "
                          + ("its key has no blue" if self.entries else "the plan has no RAG key")), ""
        return None, "not a RAG colour", ""


def rag_shown(rgb: str | None, key_words: str, words: str, place: str = "") -> str:
    """What a RAG cell showed, for an action's `rag`: its colour by name and code, the key's words
    for that colour, and any words in the cell, exactly as they are."""
    parts = []
    if rgb:
        parts.append(f"{hue_name(rgb) or 'colour'} (#{rgb})" + (f" {place}" if place else ""))
    if key_words:
        parts.append(f"key: {key_words}")
    if words:
        parts.append(f"words: {words}")
    return ", ".join(parts)


_RAG_FORM = re.compile(r"(?:(?P<hue>red|amber|green|blue|colour) \(#[0-9A-Fa-f]{6}\)"
                       r"(?: on the number cell| across the row)?(?:, key: (?P<key>.+?))?(?:, words: (?P<words>.+))?"
                       r"|words: (?P<only>.+))", re.DOTALL)


def rag_problem(rag: str, status: str) -> str | None:
    """Why `rag` is not what `rag_shown` could have written for an action of this status, or None.

    `rag` says what the plan's RAG cell showed; only the importer reads that cell, so a value in
    any other form, or one that gives another status, was typed by hand."""
    form = _RAG_FORM.fullmatch(rag)
    if not form:
        return "is not in the form `python build.py import` writes"
    hue, key, words = form["hue"], form["key"], form["words"] or form["only"]
    could_be = {words_status(words)} if words else set()
    if key:
        could_be.add(words_status(key) or hue_status(_HUES.get(hue)))
    elif hue:
        could_be.add(hue_status(_HUES.get(hue)))
    if status not in could_be:
        return f"does not give the status '{status}'"
    return None


_HUES = {"red": "FF0000", "amber": "FFC000", "green": "00B050"}  # a fill of each hue, to read it back
