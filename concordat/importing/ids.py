"""Each action's `id`: its plan's number where the numbers are unique, else made from its place.

Ids are what `import --update` matches an edited file's actions by, so the same plan gives the
same ids each time.
"""

from __future__ import annotations

import re

from .imported import ImportedPlan


def assign_ids(plan: ImportedPlan) -> None:
    """Give every action of `plan` its id: its number (as a slug) where no number is used twice,
    else its section's number and sub-heading's letter before the number ("1b-4"), or before
    "action-3" where it has none. Actions before the first theme are "preamble-1" and on."""
    numbers = [slug(a.fields.get("number", "")) for a in plan.actions()]
    numbered = [n for n in numbers if n]
    repeats = len(set(numbered)) != len(numbered)
    used: set[str] = set()

    def unique(candidate: str) -> str:
        base, k = candidate, 2
        while candidate in used:
            candidate, k = f"{base}-{k}", k + 1
        used.add(candidate)
        return candidate

    for k, action in enumerate(plan.preamble, start=1):
        action.id = unique(slug(action.fields.get("number", "")) or f"preamble-{k}")
    for si, section in enumerate(plan.sections, start=1):
        lettered = len(section.groups) > 1 or section.groups[0].heading
        for gi, group in enumerate(section.groups):
            prefix = f"{si}{letter(gi) if lettered else ''}"
            for k, action in enumerate(group.actions, start=1):
                number = slug(action.fields.get("number", ""))
                if number and not repeats:
                    action.id = unique(number)
                elif number:
                    action.id = unique(f"{prefix}-{number}")
                else:
                    action.id = unique(f"{prefix}-action-{k}")


def letter(index: int) -> str:
    """a, b, ... z, aa, ab: the letter of a section's sub-heading, counted from 0."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def slug(text: str) -> str:
    """A plan's number as an id: "2.10a" is "2-10a"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")
