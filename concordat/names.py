"""How the plans' things are named: an area's web address, an action's label and heading, and
whether a passage is the plan's own words.

One rule each, for every page, the open data, the changes pages, the search index and the importer.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from .schema_check import load_schema, schema_pattern

# Letters that Unicode does not split into a plain letter and an accent.
_OWN_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
                              "ı": "i", "ħ": "h"})


def _plain_letters(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.lower().translate(_OWN_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slugify(name: str) -> str:
    """A name as it appears in a web address: "Kent and Medway" -> "kent-and-medway", "Ōxford" -> "oxford"."""
    return re.sub(r"[^a-z0-9]+", "-", _plain_letters(name)).strip("-")


def slug_problem(name: str) -> str | None:
    """Why a name cannot give its area's web address and file name, or None."""
    unspellable = sorted({c for c in _plain_letters(name) if c.isalnum() and not c.isascii()})
    if unspellable:
        letters = ", ".join(f"'{c}'" for c in unspellable)
        return (f"cannot make a web address from the name {name!r}: {letters} cannot be written in the letters a "
                "to z, and would be lost; give the name in those letters (the file's `name` can then be changed "
                "to the full spelling)")
    slug = slugify(name)
    if not slug:
        return f"cannot make a web address from the name {name!r}: use letters or digits"
    longest = load_schema("area")["$defs"]["slug"]["maxLength"]
    if len(slug) > longest:
        return (f"the name makes a web address of {len(slug)} characters ('{slug[:30]}…'; the limit is {longest}): "
                "give a shorter name")
    return None


def is_slug(text: str) -> bool:
    """Whether `text` has the form the area schema gives an id or an area's slug ("2-14", "kent-and-medway"):
    lower-case letters and digits in runs joined by single hyphens. (Its length is checked with the file.)"""
    return bool(schema_pattern(load_schema("area")["$defs"]["slug"]["pattern"]).search(text))


def quoted_in(quote: str, text: str) -> bool:
    """Whether `quote` is copied from `text`: the same words, however the spaces between them run."""
    return " ".join(quote.split()) in " ".join(text.split())


HEADING_LENGTH = 140  # an action's name is cut at a word near this many characters


def first_words(text: str, limit: int = HEADING_LENGTH) -> str:
    """An action's first line, cut at a word near `limit` characters; "…" where the action goes on."""
    lines = [re.sub(r"\s+", " ", ln.strip(" -•·*")).strip() for ln in str(text or "").splitlines()]
    lines = [ln for ln in lines if ln]
    first = lines[0] if lines else ""
    if len(first) > limit:
        return first[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return first + (" …" if len(lines) > 1 and not first.endswith("…") else "")


def action_label(number: str, text: str, under: str = "") -> str:
    """How a reader refers to an action: "Action 2.14"; "Action 1 under “Sub-heading”" where the plan
    gives the number to several actions (`under`, see `number_subheadings`); its first words if it has
    no number."""
    if not number:
        return first_words(text)
    return f"Action {number}" + (f" under “{under}”" if under else "")


def action_heading(number: str, text: str, under: str = "") -> str:
    """An action's name in headings, links and page titles: its label and first words, so a list of
    headings or links says what each action is ("Action 1.1: Develop a local protocol to …").

    The one rule for naming an action: the model, the changes pages and the search index all use it."""
    if not number:
        return first_words(text)
    label = action_label(number, text, under)
    return f"{label}: {first_words(text, max(60, HEADING_LENGTH - len(label) - 2))}"


def number_subheadings(data: dict | None) -> dict[str, str]:
    """For each action (by id) whose number the plan gives to another action too, the heading that
    tells them apart: its sub-heading, else its section's heading, else both. Bromley restarts its
    numbering under every sub-heading. Works on an area file's data as read, valid or not (the
    changes pages read old versions)."""
    if not isinstance(data, dict):
        return {}
    placed = []  # (id, number, section heading, group heading)
    for a in _items(data.get("preamble")):
        placed.append((str(a.get("id", "")), str(a.get("number") or ""), "", ""))
    for s in _items(data.get("sections")):
        for g in _items(s.get("groups")):
            for a in _items(g.get("actions")):
                placed.append((str(a.get("id", "")), str(a.get("number") or ""), str(s.get("heading") or ""),
                               str(g.get("heading") or "")))
    numbers = Counter(number for _, number, _, _ in placed if number)
    under: dict[str, str] = {}
    for action_id, number, section, group in placed:
        if numbers[number] > 1:
            under[action_id] = group or section
    repeated = Counter((number, under.get(i, "")) for i, number, _, _ in placed if number)
    for action_id, number, section, group in placed:
        if numbers[number] > 1 and repeated[(number, under[action_id])] > 1 and section and group:
            under[action_id] = f"{section} — {group}"
    return under


def _items(value) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
