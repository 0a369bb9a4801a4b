"""Stage 4, routes: every page the site has, in one place.

`routes(site)` is the site's table of contents: each Page says its URL, the file it is
written to, the template that draws it and the data it gets. URLs come only from validated
slugs and ids, so no content can write outside the output folder.

Listings that grow with the country (a theme, a busy organisation) are split into pages
of at most LISTING_PAGE_SIZE actions, so each stays light enough for a phone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from .model import Action, Area, Organisation, Site, Theme

LISTING_PAGE_SIZE = 200


@dataclass
class Page:
    url: str  # path below the site's base, e.g. "areas/bromley/"; "" is the home page
    output: str  # file below the output folder, e.g. "areas/bromley/index.html"
    template: str
    title: str
    context: dict[str, Any] = field(default_factory=dict)
    deps: tuple = ()  # everything the page shows; unchanged deps mean an unchanged page
    area: Area | None = None  # whose glossary explains abbreviations on this page


def digest(*parts: Any) -> str:
    """A short stand-in for data many pages depend on, so it is turned into text once, not once a page."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def page_at(url: str, template: str, title: str, **kw) -> Page:
    output = url + "index.html" if url.endswith("/") or url == "" else url
    return Page(url=url, output=output, template=template, title=title, **kw)


def area_url(area: Area) -> str:
    return f"areas/{area.slug}/"


def action_url(action: Action) -> str:
    return f"areas/{action.area_slug}/actions/{action.id}/"


def theme_url(theme: Theme, page: int = 1) -> str:
    return f"themes/{theme.id}/" + (f"page/{page}/" if page > 1 else "")


def organisation_url(org: Organisation, page: int = 1) -> str:
    return f"organisations/{org.id}/" + (f"page/{page}/" if page > 1 else "")


@dataclass(frozen=True)
class ListingGroup:
    """Actions of one area in a listing, under one of its own headings."""

    area: Area
    heading: str | None
    subtheme: str | None
    actions: tuple[Action, ...]


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


def theme_listing(site: Site, theme: Theme) -> list[ListingGroup]:
    groups = []
    for area in site.areas:
        for section in area.sections:
            for group in section.groups:
                if group.theme_id == theme.id and group.actions:
                    sub = theme.subtheme(group.subtheme_id)
                    heading = " — ".join(h for h in (section.heading, group.heading) if h)
                    groups.append(ListingGroup(area, heading, sub.title if sub else None, group.actions))
    return groups


def organisation_listings(site: Site) -> dict[str, list[ListingGroup]]:
    """Each organisation's actions grouped by area, in one pass over the actions (not one per organisation)."""
    listings: dict[str, list[ListingGroup]] = {}
    for area in site.areas:
        led: dict[str, list[Action]] = {}
        for action in area.actions:
            for org_id in dict.fromkeys(action.leads):
                led.setdefault(org_id, []).append(action)
        for org_id, actions in led.items():
            listings.setdefault(org_id, []).append(ListingGroup(area, None, None, tuple(actions)))
    return listings


def routes(site: Site) -> list[Page]:
    """Every HTML page of the site, in a stable order."""
    base = digest(site.config, site.themes, site.glossary)
    pages = [
        page_at("", "index.html", site.config.title, context={}, deps=(base, _areas_summary(site))),
        page_at("search/", "search.html", "Search the plans", deps=(base, _areas_summary(site), _orgs_summary(site))),
        page_at("organisations/", "organisations.html", "Organisations",
                context={"counts": dict(_org_counts(site))}, deps=(base, _orgs_summary(site), _org_counts(site))),
        page_at("glossary/", "glossary.html", "Glossary of abbreviations", deps=(base,)),
        page_at("accessibility/", "accessibility.html", "Accessibility statement", deps=(base,)),
        page_at("404.html", "404.html", "Page not found", deps=(base,)),
    ]
    for area in site.areas:
        leads = _leads_of(site, area.actions)
        area_shared = digest(area.name, area.slug, area.glossary)
        pages.append(page_at(area_url(area), "area.html", f"{area.name} action plan", area=area,
                             context={"area": area}, deps=(base, area, leads)))
        for action in area.actions:
            pages.append(page_at(
                action_url(action), "action.html", f"{area.name} {action.label}", area=area,
                context={"area": area, "action": action},
                deps=(base, area_shared, action, _leads_of(site, [action])),
            ))
    for theme in site.themes:
        pages += _listing_pages(base, theme.title, "theme.html", theme_listing(site, theme),
                                lambda n, t=theme: theme_url(t, n), {"theme": theme})
    by_organisation = organisation_listings(site)
    for org in site.organisations_sorted():
        pages += _listing_pages(base, org.name, "organisation.html", by_organisation.get(org.id, []),
                                lambda n, o=org: organisation_url(o, n), {"organisation": org})
    return pages


def _listing_pages(base: str, title: str, template: str, groups: list[ListingGroup], url_of,
                   context: dict) -> list[Page]:
    chunks = paginate(groups)
    total = len(chunks)
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        pagination = {"number": number, "total": total, "urls": [url_of(n) for n in range(1, total + 1)]}
        shown = title if number == 1 else f"{title} (page {number} of {total})"
        deps = (base, tuple(context.values()), pagination,
                tuple((g.area.name, g.area.slug, g.heading, g.subtheme, g.actions) for g in chunk))
        pages.append(page_at(url_of(number), template, shown,
                             context={**context, "groups": chunk, "pagination": pagination}, deps=deps))
    return pages


def _leads_of(site: Site, actions) -> tuple:
    return tuple(site.organisations[i] for a in actions for i in a.leads)


def _areas_summary(site: Site) -> tuple:
    return tuple((a.name, a.slug, len(a.actions), tuple(a.status_counts.items())) for a in site.areas)


def _orgs_summary(site: Site) -> tuple:
    return tuple(site.organisations_sorted())


def _org_counts(site: Site) -> tuple:
    counts: dict[str, int] = {}
    for action in site.actions:
        for lead in action.leads:
            counts[lead] = counts.get(lead, 0) + 1
    return tuple(sorted(counts.items()))
