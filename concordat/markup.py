"""Text from plans made into safe HTML: Markdown without raw HTML, and abbreviations explained.

Content is written by many hands, so nothing in it may become markup: markdown-it runs with
HTML off, images off, headings off (a plan's text must not break the page's heading order) and
links limited to http(s) and mailto. Abbreviations are marked up after rendering, on text
only, so a glossary term can never inject anything either.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

from .model import GlossaryEntry

_SAFE_LINK = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)
_TAG = re.compile(r"(<[^>]*>)")
_OPENS_LABEL = re.compile(r"<(a|abbr|dt)[\s>]")  # inside these, no term is wrapped
_CLOSES_LABEL = re.compile(r"</(a|abbr|dt)>")


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False, "typographer": False})
    md.disable(["image", "heading", "lheading", "code", "fence", "html_block", "html_inline", "reference"])
    md.validateLink = lambda url: bool(_SAFE_LINK.match(url.strip()))
    return md


_MD = _markdown()


@lru_cache(maxsize=65536)
def render_markdown(text: str) -> str:
    """Markdown to HTML; the same text always gives the same HTML, so it is cached."""
    return _MD.render(text)


@dataclass
class Abbreviator:
    """Marks up the first use of each glossary term on one page, linked to its definition."""

    entries: list[tuple[GlossaryEntry, str]]  # (entry, URL of the glossary it is defined in)
    seen: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._lookup = {}
        for entry, url in self.entries:
            self._lookup.setdefault(html.escape(entry.term, quote=False), (entry, url))
        self._pattern = _term_pattern(tuple(self._lookup))

    def apply(self, fragment: str) -> str:
        """Wrap first uses in `fragment` (HTML) with <abbr>, leaving tags and links alone."""
        if self._pattern is None or len(self.seen) == len(self._lookup) or not self._pattern.search(fragment):
            return fragment  # most fragments hold no term, or none not already explained
        out = []
        inside = 0  # depth inside <a>, <abbr> or a label (<dt>), where nothing more may be wrapped
        for part in _TAG.split(fragment):
            if part.startswith("<"):
                if _OPENS_LABEL.match(part):
                    inside += 1
                elif _CLOSES_LABEL.match(part):
                    inside = max(0, inside - 1)
                out.append(part)
            elif inside or not part:
                out.append(part)
            else:
                out.append(self._pattern.sub(self._wrap, part))
        return "".join(out)

    def _wrap(self, match: re.Match) -> str:
        escaped = match.group(0)
        if escaped in self.seen:
            return escaped
        self.seen.add(escaped)
        entry, url = self._lookup[escaped]
        return (
            f'<a class="abbr" href="{html.escape(url)}#{entry.anchor}">'
            f'<abbr title="{html.escape(entry.meaning)}">{escaped}</abbr></a>'
        )


@lru_cache(maxsize=1024)
def _term_pattern(terms: tuple[str, ...]) -> re.Pattern | None:
    if not terms:
        return None
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![\w&;])(?:{alternatives})(?=s?(?![\w]))")


def markdown_filter(text: str, abbreviator: Abbreviator | None = None) -> Markup:
    rendered = render_markdown(text or "")
    return Markup(abbreviator.apply(rendered) if abbreviator else rendered)


def text_filter(text: str, abbreviator: Abbreviator | None = None) -> Markup:
    """Plain text, escaped, line breaks kept, abbreviations explained."""
    escaped = html.escape(text or "", quote=False).strip().replace("\n", "<br>\n")
    return Markup(abbreviator.apply(escaped) if abbreviator else escaped)
