"""Which plan covers a place: the finder's answers, worked out from each area's `covers`.

A reader types a town or a council; the finder (assets/finder.js) normalises what they typed
with `normalise()`'s rule (given to it as data, so the rule lives here only) and looks it up
among the keys made here. Each key leads to sentences that say which plan covers the place and
why, so the script only shows what Python wrote. A place that no plan lists gets the miss
answer, which says how many areas are published and how to ask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Area

# Words that do not tell places apart: "Gravesham Borough Council", "Gravesham council" and
# "gravesham" are the same place to a reader.
GENERIC_WORDS = ("borough", "city", "council", "county", "district", "of", "the")


def normalise(text: str) -> str:
    """Lower case, punctuation and hyphens as spaces, generic words left out: "Stanford-le-Hope"
    and "stanford le hope" match, as do "Milton Keynes Council" and "milton keynes"."""
    words = re.sub(r"[\W_]+", " ", text.casefold()).split()
    return " ".join(w for w in words if w not in GENERIC_WORDS)


@dataclass(frozen=True)
class Answer:
    place: str  # as the plan's file writes it
    text: str  # why the plan covers it, as one sentence
    area: str  # the plan's area name
    slug: str


def answers(areas: tuple[Area, ...]) -> dict[str, list[Answer]]:
    """Normalised place name -> the plans that cover it, each with a sentence saying how.

    A county council is not a plan's own area: the answer lists the council areas it serves
    that the plan covers, and claims nothing about the rest of the county."""
    found: dict[str, list[Answer]] = {}

    def add(name: str, answer: Answer) -> None:
        key = normalise(name)
        if key and all((a.text, a.slug) != (answer.text, answer.slug) for a in found.setdefault(key, [])):
            found[key].append(answer)

    for area in areas:
        counties: dict[str, list[str]] = {}
        for council_area in area.covers:
            named = (f"{council_area.name} ({council_area.council})"
                     if normalise(council_area.name) != normalise(council_area.council) else council_area.council)
            for name in (council_area.name, council_area.council):
                add(name, Answer(name, f"The {area.name} plan covers {named}.", area.name, area.slug))
            for town in council_area.towns:
                add(town, Answer(town, f"{town} is in {named}. The {area.name} plan covers it.", area.name, area.slug))
            if council_area.within:
                counties.setdefault(council_area.within, []).append(council_area.name)
        for county, names in counties.items():
            served = _and(names)
            add(county, Answer(county, f"The {area.name} plan covers {served}, which "
                               f"{'is' if len(names) == 1 else 'are'} served by {county}.", area.name, area.slug))
    return found


def miss_text(place: str, area_count: int) -> str:
    """What the finder says when no published plan names the place (then how to ask, with the
    site's contact address)."""
    return (f"No plan for {place} is published here yet. This site has the plans of "
            f"{area_count} area{'s' if area_count != 1 else ''}.")


ASK_TEXT = "To ask about the plan for your area, or to send us one, email"


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
