"""Listings across the areas (a theme's actions, an organisation's) and how any long list is
split into numbered pages.

Listings grow with the country, so each is split into pages of at most `LISTING_PAGE_SIZE`
actions, light enough for a phone; an area's group of actions is never split between pages,
so a link to where an area's actions are listed names one page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .memo import derived
from .model import Action, Area, Site, Theme

LISTING_PAGE_SIZE = 200
WHOLE_LISTING = ""  # `where_listed`'s key for an area's first group, whatever its sub-heading

T = TypeVar("T")


@dataclass(frozen=True)
class AreaRef:
    """What a page that links to an area needs of it."""

    name: str
    slug: str
    reviewed: str | None = None

    @classmethod
    def of(cls, area: Area) -> AreaRef:
        return cls(area.name, area.slug, area.reviewed)


@dataclass(frozen=True)
class ListingGroup:
    """Actions of one area in a listing, under one of its own headings."""

    area: AreaRef
    heading: str | None
    subtheme: str | None
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class NumberedPage:
    """One page of a split list: its URL, its title, its part of the list, and the page links."""

    url: str
    title: str
    items: Sequence[Any]
    pagination: dict[str, Any]  # {"number": n, "total": pages, "urls": every page's URL}


def paginate(groups: list[ListingGroup], size: int = LISTING_PAGE_SIZE) -> list[list[ListingGroup]]:
    """Split listing groups into pages of about `size` actions, never splitting a group."""
    pages: list[list[ListingGroup]] = [[]]
    count = 0
    for group in groups:
        if count and count + len(group.actions) > size:
            pages.append([])
            count = 0
        pages[-1].append(group)
        count += len(group.actions)
    return pages


def chunked(entries: Sequence[T], size: int) -> list[Sequence[T]]:
    """Entries in pages of `size`; an empty list is one empty page."""
    return [entries[at:at + size] for at in range(0, len(entries), size)] or [entries[:0]]


def numbered(chunks: Sequence[Sequence[Any]], url_of: Callable[[int], str], title: str) -> list[NumberedPage]:
    """Each chunk as a page: the first at `url_of(1)` under `title`, the rest "(page n of N)"."""
    total = len(chunks)
    urls = [url_of(n) for n in range(1, total + 1)]
    return [NumberedPage(urls[n - 1], title if n == 1 else f"{title} (page {n} of {total})", chunk,
                         {"number": n, "total": total, "urls": urls})
            for n, chunk in enumerate(chunks, start=1)]


def where_listed(pages: list[NumberedPage]) -> dict[tuple[str, str | None], str]:
    """Where a listing first shows each area's actions: (slug, WHOLE_LISTING) -> its first group's
    page and anchor, and (slug, sub-heading title) -> the first group under that sub-heading."""
    anchors: dict[tuple[str, str | None], str] = {}
    for page in pages:
        for group in page.items:
            at = page.url + f"#area-{group.area.slug}"
            anchors.setdefault((group.area.slug, WHOLE_LISTING), at)
            anchors.setdefault((group.area.slug, group.subtheme), at)
    return anchors


def theme_listings(site: Site) -> dict[str, list[ListingGroup]]:
    """Each theme's actions grouped by area and the plan's own headings."""
    listings: dict[str, list[ListingGroup]] = {theme.id: [] for theme in site.themes}
    themes = {theme.id: theme for theme in site.themes}
    for area in site.areas:
        for theme_id, groups in derived(_theme_groups, area, themes).items():
            listings[theme_id] += groups
    return listings


def organisation_listings(site: Site) -> dict[str, list[ListingGroup]]:
    """Each organisation's actions grouped by area."""
    listings: dict[str, list[ListingGroup]] = {}
    for area in site.areas:
        for org_id, group in derived(_organisation_groups, area).items():
            listings.setdefault(org_id, []).append(group)
    return listings


def _theme_groups(area: Area, themes: dict[str, Theme]) -> dict[str, list[ListingGroup]]:
    ref = AreaRef.of(area)
    groups: dict[str, list[ListingGroup]] = {}
    for section in area.sections:
        for group in section.groups:
            if group.actions:
                sub = themes[group.theme_id].subtheme(group.subtheme_id)
                heading = " — ".join(h for h in (section.heading, group.heading) if h)
                groups.setdefault(group.theme_id, []).append(
                    ListingGroup(ref, heading, sub.title if sub else None, group.actions))
    return groups


def _organisation_groups(area: Area, _=None) -> dict[str, ListingGroup]:
    ref = AreaRef.of(area)
    return {org_id: ListingGroup(ref, None, None, actions) for org_id, actions in area.actions_by_lead.items()}
