"""The pure helpers, on their own: milliseconds each, and a failure names the helper at fault."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pytest

from concordat.dates import parse_due
from concordat.fingerprint import fingerprint
from concordat.listings import AreaRef, ListingGroup, paginate
from concordat.markup import Abbreviation, Abbreviator, markdown_filter
from concordat.model import SiteConfig
from concordat.render import content_security_policy


def groups(*sizes: int) -> list[ListingGroup]:
    return [ListingGroup(AreaRef(f"Area {i}", f"a{i}"), None, None, tuple(range(n))) for i, n in enumerate(sizes)]


def test_paginate_fills_pages_up_to_the_size_without_splitting_a_group():
    pages = paginate(groups(3, 3, 3, 1), size=6)
    assert [[len(g.actions) for g in page] for page in pages] == [[3, 3], [3, 1]]


def test_paginate_gives_an_oversized_group_a_page_of_its_own():
    pages = paginate(groups(1, 9, 1), size=4)
    assert [[len(g.actions) for g in page] for page in pages] == [[1], [9], [1]]


def test_paginate_of_nothing_is_one_empty_page():
    assert paginate([], size=5) == [[]]


@pytest.mark.parametrize("text, expected", [
    ("2016-03", dt.date(2016, 3, 1)),
    ("2016-03-31", dt.date(2016, 3, 31)),
    ("2016-02-30", None),
    ("2016-13", None),
    ("March 2016", None),
])
def test_parse_due(text, expected):
    assert parse_due(text) == expected


def test_abbreviator_explains_only_the_first_use_and_never_inside_labels_or_attributes():
    abbreviator = Abbreviator((Abbreviation("CRHT", "Crisis Resolution Home Treatment", "/glossary/#term-crht"),))
    html = abbreviator.apply('<dt>CRHT</dt><dd title="CRHT"><a href="/x">CRHT</a> the CRHT and CRHTs</dd>')
    assert '<dt>CRHT</dt><dd title="CRHT">' in html
    # In a link: marked, not linked (no link in a link); its first use outside links is linked.
    assert '<a href="/x"><abbr title="Crisis Resolution Home Treatment">CRHT</abbr></a>' in html
    assert ('the <a class="abbr" href="/glossary/#term-crht">'
            '<abbr title="Crisis Resolution Home Treatment">CRHT</abbr></a> and CRHTs</dd>') in html
    assert abbreviator.apply("CRHT again") == "CRHT again"


def test_abbreviator_matches_whole_words_and_escaped_terms():
    abbreviator = Abbreviator((Abbreviation("A&E", "Accident and Emergency", "/g/#ae"),
                               Abbreviation("MK", "Milton Keynes", "/o/mk/"), Abbreviation("MKC", "MK Council", "/o/")))
    html = abbreviator.apply(markdown_filter("Waits in A&E and in MA&EX, at MKC and AMKC"))
    assert html.count("<abbr") == 2 and "A&amp;E</abbr>" in html and '"MK Council">MKC</abbr>' in html


def test_abbreviations_are_explained_only_in_the_pages_main():
    abbreviator = Abbreviator((Abbreviation("NHS", "National Health Service", "/g/#nhs"),))
    page = "<title>NHS</title><main>NHS</main><footer>NHS</footer>"
    assert abbreviator.apply_to_main(page).count("<abbr") == 1


@pytest.mark.parametrize("base_url, path, origin", [
    ("/", "/", ""),
    ("/concordat", "/concordat/", ""),
    ("https://example.org/concordat/", "/concordat/", "https://example.org"),
    ("https://example.org", "/", "https://example.org"),
])
def test_base_path_and_origin(base_url, path, origin):
    config = SiteConfig(title="t", base_url=base_url, contact_email="a@b.c")
    assert config.base_path == path
    assert config.origin == origin


@dataclass(frozen=True)
class Thing:
    name: str
    parts: tuple = ()


def test_fingerprint_follows_content_not_identity():
    a = Thing("a", (Thing("b"), {"k": [1, 2]}))
    assert fingerprint(a) == fingerprint(Thing("a", (Thing("b"), {"k": [1, 2]})))
    assert fingerprint(a) != fingerprint(replace(a, name="A"))
    assert fingerprint(a) != fingerprint(Thing("a", (Thing("c"), {"k": [1, 2]})))
    assert fingerprint("1") != fingerprint(1) and fingerprint(["a", "b"]) != fingerprint(["a\x01b"])


def test_fingerprint_refuses_what_it_cannot_see_into():
    with pytest.raises(TypeError, match="cannot fingerprint a set"):
        fingerprint({"a"})


def test_content_security_policy_extra_sources_add_to_a_directive():
    policy = content_security_policy({"connect-src": "ws:"})
    assert "connect-src 'self' ws:;" in policy
    assert content_security_policy().count("connect-src 'self';") == 1
