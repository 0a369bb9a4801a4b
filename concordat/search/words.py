"""The words of the search index: how Pagefind reads a text (`index_words`), the other names an
action is also found by (`other_names`, indexed as metadata), and the vocabulary the search
page offers when a word is in no action.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

# "s136", "s.136", "S 136" and "section 136" are the same section of the Mental Health Act.
_SECTION = re.compile(r"(?<![\w.])(?:s\.\s?|s|section\s+)(\d{1,3})(?:\(\d\))?(?!\w)", re.IGNORECASE)

# The punctuation Pagefind takes out of a word before indexing or searching it (Unicode dashes,
# brackets, quotes and other punctuation): "A&E" is the word "ae", "self-harm" is "selfharm".
_DROPPED = frozenset(("Pd", "Pe", "Pf", "Pi", "Po", "Ps"))

# A glossary meaning's last word that names the kind of service, not the thing: "Accident and
# Emergency department" is also called "accident and emergency". (The search page applies the
# same spellings, from `spellings`, to what a reader types.)
_KIND_OF_SERVICE = frozenset(("department", "departments", "team", "teams", "service", "services", "unit"))


def index_words(text: str) -> list[str]:
    """The words Pagefind indexes (and searches for) in `text`: lower case, without punctuation."""
    kept_chars = "".join(c for c in text.lower() if unicodedata.category(c) not in _DROPPED)
    return kept_chars.split()


def spellings(meaning: str) -> tuple[str, ...]:
    """The ways a glossary meaning is written out, as index words joined by spaces: the meaning
    without its asides in brackets, and without a last word such as "department"."""
    words = index_words(_without_asides(meaning))
    forms = [" ".join(words)]
    if len(words) > 2 and words[-1] in _KIND_OF_SERVICE:
        forms.append(" ".join(words[:-1]))
    return tuple(forms)


def other_names(texts: Iterable[str], leads: Iterable, glossaries: Iterable[tuple[str, Iterable]]) -> str:
    """Other ways of writing what an action mentions, for the index only, so that a search for
    one form finds the others: each lead organisation's full name and short names, the
    meaning of each glossary term the action uses (and the term, where it spells out the
    meaning or writes it another way: "A & E", "A+E", "A/E", "A and E" for "A&E"), and both forms of
    a section number ("s136", "section 136"). Names whose words the action already has, as
    Pagefind indexes them, are left out.

    `leads` are Organisations, `glossaries` (url, entries) pairs as in a page's context.
    """
    text = " ".join(t for t in texts if t)
    words = " " + " ".join(index_words(text)) + " "
    names: list[str] = []
    for org in leads:
        names += [org.name, *org.short_names]
    glossary = _glossary_matcher(tuple((url, tuple(entries)) for url, entries in glossaries))
    if glossary.terms is not None:
        for used in dict.fromkeys(glossary.terms.findall(text)):
            term = glossary.term_by_key[_term_key(used)]
            names += [glossary.meaning_of[term], term]
    for spelling, term in glossary.term_of.items():
        if f" {spelling} " in words:
            names += [term, glossary.meaning_of[term]]
    for number in _SECTION.findall(text):
        names += [f"s{number}", f"section {number}"]
    unused = (name for name in map(_without_asides, names)
              if name and f" {' '.join(index_words(name))} " not in words)
    return " · ".join(dict.fromkeys(unused))


def _without_asides(name: str) -> str:
    """A meaning's aside in brackets is for readers, not for finding."""
    return " ".join(re.sub(r"\s*\([^)]*\)", "", name).split())


def _term_key(written: str) -> str:
    """A glossary term as written in a plan, reduced so that "A & E", "A+E", "a and e" and "A&E"
    are one term: lower case, "and", "+" and "/" as "&", no spaces."""
    return re.sub(r"\s+", "", re.sub(r"\s+and\s+|[+/]", "&", written.lower()))


@dataclass(frozen=True)
class _Glossary:
    terms: re.Pattern | None  # finds the terms a text uses, however their "&" is written
    meaning_of: dict[str, str]  # term -> meaning
    term_of: dict[str, str]  # a spelling of a meaning (see `spellings`) -> term
    term_by_key: dict[str, str]  # _term_key(term) -> term


@lru_cache(maxsize=256)
def _glossary_matcher(glossaries: tuple) -> _Glossary:
    """A page's glossaries (its area's first, as on the page), made ready to match, once."""
    meaning_of: dict[str, str] = {}
    for _, entries in glossaries:
        for entry in entries:
            meaning_of.setdefault(entry.term, entry.meaning)
    # "Accident & Emergency" is indexed as "accident emergency": the "&" is punctuation.
    term_of = {form: term for term, meaning in reversed(meaning_of.items()) for spelling in spellings(meaning)
               for form in (spelling, spelling.replace(" and ", " "))}
    term_by_key = {_term_key(term): term for term in reversed(meaning_of)}
    if not meaning_of:
        return _Glossary(None, meaning_of, term_of, term_by_key)

    def written(term: str) -> str:  # "A&E" also as "A & E", "A+E", "A/E" or "A and E"
        parts = [re.escape(p) for p in term.split("&")]
        return r"\s*(?:&|\+|/|\s+and\s+)\s*".join(parts) if len(parts) == 2 and all(parts) else re.escape(term)

    alternatives = "|".join(written(t) for t in sorted(meaning_of, key=len, reverse=True))
    return _Glossary(re.compile(rf"(?<![\w&])((?:{alternatives}))(?=s?(?![\w&]))"), meaning_of, term_of, term_by_key)


def vocabulary(actions: Iterable, organisations: Iterable, glossary_meanings: Iterable[str]) -> bytes:
    """The words the search index holds, most used first, one a line: what the search page
    offers when a word is in no action ("polise": did you mean police?). Words of letters
    only, three or more of them; a plan's own typos (noted [sic]) are left out: a word of a
    [sic] note that the plans use nowhere else ("criris", not the "crisis" of other actions).

    `actions` are the site's Actions, `organisations` those that lead them (their names are
    indexed with the actions they lead)."""
    counts: Counter[str] = Counter()
    in_typos: Counter[str] = Counter()
    for action in actions:
        texts = (action.text, action.outcomes, action.lead_text, action.progress, *(u.text for u in action.updates))
        counts.update(_LETTERS.findall(" ".join(t for t in texts if t).lower()))
        in_typos.update(w for typo in action.sic for w in _LETTERS.findall(typo.lower()))
    typos = {w for w, n in in_typos.items() if counts[w] <= n}
    for org in organisations:
        counts.update(_LETTERS.findall(" ".join([org.name, *org.short_names]).lower()))
    for meaning in glossary_meanings:
        counts.update(_LETTERS.findall(_without_asides(meaning).lower()))
    words = sorted((w for w in counts if len(w) >= 3 and w not in typos), key=lambda w: (-counts[w], w))
    return ("\n".join(words) + "\n").encode("utf-8")


_LETTERS = re.compile(r"[^\W\d_]+")
