"""Text from plans made into safe HTML: Markdown without raw HTML, and abbreviations explained.

Content is written by many hands, so nothing in it may become markup: markdown-it runs with
HTML off, images off, headings off (a plan's text must not break the page's heading order) and
links limited to http(s) and mailto. Abbreviations are marked up after a page is rendered, in
the text of its <main> only, so a glossary term can never inject anything either.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

_SAFE_LINK = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)
# Inside a link a term is marked but not linked; inside the others nothing is wrapped: a term
# explained already, a label (a glossary's <dt>), form controls, scripts and drawings.
_KEPT_TAG = re.compile(r"<(/?)(?:(a)|abbr|dt|option|select|textarea|button|label|summary|script|style|svg|title)"
                       r"(?=[\s>/])")



def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False, "typographer": False})
    md.disable(["image", "heading", "lheading", "code", "fence", "html_block", "html_inline", "reference"])
    md.validateLink = lambda url: bool(_SAFE_LINK.match(url.strip()))
    return md


_MD = _markdown()


@lru_cache(maxsize=65536)
def render_markdown(text: str) -> str:
    """Markdown to HTML; the same text always gives the same HTML, so it is cached."""
    return _MD.render(_end_lists_at_plain_lines(text))


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s")


def _end_lists_at_plain_lines(text: str) -> str:
    """A plan's cell keeps each line as written: a line after a list item that is neither a list
    item nor indented under one starts a new paragraph. (Markdown would run it on into the
    bullet above, its "lazy continuation": South West Essex 4.2's "Reduction in railway
    suicides" is not the second half of the bullet before it.)"""
    out: list[str] = []
    in_list = False
    for line in text.split("\n"):
        if _LIST_ITEM.match(line):
            in_list = True
        elif in_list and line.strip() and not line[:1].isspace():
            out.append("")
            in_list = False
        out.append(line)
    return "\n".join(out)


@dataclass(frozen=True)
class Abbreviation:
    """An abbreviation the site can explain, and where its explanation is: a glossary entry, or
    the page of the organisation it is the short name of."""

    term: str
    meaning: str
    href: str


@dataclass
class Abbreviator:
    """Marks up the first use of each known abbreviation on one page, linked to its explanation.

    Inside a link (an action's name in a listing, say) a term cannot be linked again, so its first
    use there is marked with <abbr> alone, and its first use outside links is still linked."""

    entries: tuple[Abbreviation, ...]  # the first entry for a term wins: the area's glossary comes first
    seen: set[str] = field(default_factory=set)  # linked
    seen_in_links: set[str] = field(default_factory=set)  # marked inside a link

    def __post_init__(self) -> None:
        self._lookup, self._terms = _prepared(tuple(self.entries))

    def apply(self, fragment: str) -> str:
        """Wrap first uses in `fragment` (HTML) with <abbr>, leaving tags and their attributes alone.

        The terms are found first (one fast scan); only then are the tags before each one counted."""
        if self._terms is None or len(self.seen) == len(self._lookup):
            return fragment
        out = []
        done = 0
        closed = 0  # depth inside elements where nothing may be wrapped (<abbr>, a label, a form control)
        links = 0  # depth inside <a>, where a term is marked but not linked
        tags = _KEPT_TAG.finditer(fragment)
        tag = next(tags, None)
        for match in self._terms.finditer(fragment):
            start = match.start()
            while tag is not None and tag.start() < start:
                change = -1 if tag.group(1) else 1
                if tag.group(2):
                    links = max(0, links + change)
                else:
                    closed = max(0, closed + change)
                tag = next(tags, None)
            if closed or (start and (fragment[start - 1].isalnum() or fragment[start - 1] in "_&;")):
                continue  # where nothing may be wrapped, or inside a word
            if fragment.rfind("<", 0, start) > fragment.rfind(">", 0, start):
                continue  # inside a tag: an attribute's value
            term = match.group(0)
            marked = self._mark(term) if links else self._wrap(term)
            if marked is not term:
                out += [fragment[done:start], marked]
                done = match.end()
        if not out:
            return fragment
        out.append(fragment[done:])
        return "".join(out)

    def apply_to_main(self, page: str) -> str:
        """Explain the abbreviations in a whole page's <main>, the same way on every kind of page."""
        start, end = page.find("<main"), page.rfind("</main>")
        if start < 0 or end < start:
            return page
        return page[:start] + self.apply(page[start:end]) + page[end:]

    def _wrap(self, escaped: str) -> str:
        if escaped in self.seen:
            return escaped
        self.seen.add(escaped)
        entry = self._lookup[escaped]
        return (f'<a class="abbr" href="{html.escape(entry.href)}">'
                f'<abbr title="{html.escape(entry.meaning)}">{escaped}</abbr></a>')

    def _mark(self, escaped: str) -> str:
        if escaped in self.seen or escaped in self.seen_in_links:
            return escaped
        self.seen_in_links.add(escaped)
        return f'<abbr title="{html.escape(self._lookup[escaped].meaning)}">{escaped}</abbr>'


@lru_cache(maxsize=64)
def _prepared(entries: tuple[Abbreviation, ...]) -> tuple[dict[str, Abbreviation], re.Pattern | None]:
    """Each escaped term's entry (the first wins) and the pattern that finds them: pages share them."""
    lookup: dict[str, Abbreviation] = {}
    for entry in entries:
        lookup.setdefault(html.escape(entry.term, quote=False), entry)
    return lookup, _scanner(tuple(lookup))


def _scanner(terms: tuple[str, ...]) -> re.Pattern | None:
    """A pattern for any of the terms not followed by more of a word (a plural "s" may follow).
    The terms form a trie, so a page is scanned in one fast pass whatever the number of terms."""
    if not terms:
        return None
    return re.compile(rf"{_trie(terms)}(?=s?(?!\w))")


def _trie(terms) -> str:
    """A regular expression matching any of the terms, longest first, as a trie of alternatives."""
    root: dict = {}
    for term in terms:
        node = root
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(root)


def markdown_filter(text: str) -> Markup:
    return Markup(render_markdown(text or ""))


def text_filter(text: str) -> Markup:
    """Plain text, escaped, line breaks kept."""
    return Markup(html.escape(text or "", quote=False).strip().replace("\n", "<br>\n"))
