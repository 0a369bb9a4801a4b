"""Stage 4, routes: every page the site has, in one place.

`routes(site)` is the site's table of contents: each Page says its URL, the file it is
written to, the template that draws it and the context the template gets. A template sees
nothing but its page's context (and pure helpers such as `url()`), so the context is also
exactly what the page is made from: its fingerprint decides when the page is rendered again.
URLs come only from validated slugs and ids, so no content can write outside the output folder.

Listings that grow with the country (a theme, a busy organisation) are split into pages
of at most `listing_page_size` actions, so each stays light enough for a phone.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from . import compare, datapackage, places, search
from .dates import plan_period
from .history import NO_HISTORY, AreaChange, Commit, History, action_history
from .markup import Abbreviation
from .memo import derived
from .model import NOT_RATED, STATUS_LABELS, Action, Area, Organisation, Region, Site, Theme

LISTING_PAGE_SIZE = 200
# Action pages in one search index. Pagefind holds everything it indexes in memory (about 50 KB an
# action page), so the country's actions are split into indexes of at most this many pages, by
# area; the search page searches them all as one (Pagefind's mergeIndex).
INDEX_SHARD_SIZE = 4000
FEED_ID = "urn:concordat-plans:changes"  # feeds' and entries' ids start with it: stable from build to build
CHANGES_PAGE_SIZE = 50  # commits on one changes page: a long history is split into pages
FEED_ENTRIES = CHANGES_PAGE_SIZE  # a feed holds the latest changes (the first changes page: its entries link there)
ACTION_URL = "areas/{area}/actions/{action}/"
PLACES_URL = "places/"  # every place each plan covers: the finder's answer without JavaScript
FINDER_DATA_URL = "places/finder.json"  # what the finder (assets/finder.js) looks places up in


@dataclass(frozen=True)
class ActionSource:
    """Where an editor finds an action: its id, its file and line, and, for a GitHub repository,
    the links to edit the file and to suggest a correction (a new issue naming the action)."""

    id: str
    path: str
    line: int | None
    edit_url: str | None = None
    correction_url: str | None = None


def action_source(site: Site, area: Area, action: Action) -> ActionSource:
    path = area.source_path.replace("\\", "/")
    repository = site.config.repository or ""
    if not repository.startswith("https://github.com/"):
        return ActionSource(action.id, path, action.source_line)
    where = f"{path}, line {action.source_line}" if action.source_line else path
    body = (f"Action: {action.heading}\nArea: {area.name}\nAction id: {action.id}, in {where}\n\n"
            "What is wrong, and what does the plan say?\n")
    query = urllib.parse.urlencode({"title": f"Correction to {area.name}: {action.label}", "body": body})
    anchor = f"#L{action.source_line}" if action.source_line else ""
    return ActionSource(action.id, path, action.source_line,
                        f"{repository}/edit/{urllib.parse.quote(site.config.branch)}/{urllib.parse.quote(path)}{anchor}",
                        f"{repository}/issues/new?{query}")


@dataclass
class Page:
    url: str  # path below the site's base, e.g. "areas/bromley/"; "" is the home page
    output: str  # file below the output folder, e.g. "areas/bromley/index.html"
    template: str
    title: str
    context: dict[str, Any] = field(default_factory=dict)  # all the template can see, besides `page`
    is_action: bool = False  # one action's own page: what the search index is made of
    fingerprint: str = ""  # of the code and all the above; set by the pipeline


@dataclass(frozen=True)
class AreaRef:
    """What a page that links to an area needs of it."""

    name: str
    slug: str
    reviewed: str | None = None


@dataclass(frozen=True)
class AreaSummary:
    """An area as the home page lists it: its name, size and statuses, not its actions."""

    name: str
    slug: str
    action_count: int
    status_counts: dict[str, int]
    source_title: str
    source_date: str
    reviewed: str | None = None
    next_review: str | None = None
    written: str = ""  # when the plan was written, in words (dates.PlanDates)
    latest_progress: str = ""
    not_rated_note: str = ""  # why its Not rated actions have no status


@dataclass(frozen=True)
class ListingGroup:
    """Actions of one area in a listing, under one of its own headings."""

    area: AreaRef
    heading: str | None
    subtheme: str | None
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class IndexShard:
    """One search index: the action pages of some areas, in its own folder of the site."""

    folder: str  # "pagefind" for the first, then "pagefind-2", "pagefind-3"...
    areas: tuple[str, ...]  # slugs, in the site's order

    @property
    def glob(self) -> str:
        """The action pages it is made from, as a Pagefind glob."""
        return output_file(ACTION_URL.format(area="{" + ",".join(self.areas) + "}", action="*"))


def index_shards(site: Site, size: int = INDEX_SHARD_SIZE) -> tuple[IndexShard, ...]:
    """The site's search indexes: whole areas, in order, at most `size` action pages each
    (unless one area alone has more). A site of a few areas has one, in `pagefind/`."""
    groups: list[list[str]] = [[]]
    count = 0
    for area in site.areas:
        if groups[-1] and count + len(area.actions) > size:
            groups.append([])
            count = 0
        groups[-1].append(area.slug)
        count += len(area.actions)
    return tuple(IndexShard("pagefind" if n == 1 else f"pagefind-{n}", tuple(slugs))
                 for n, slugs in enumerate(groups, start=1) if slugs)


def output_file(url: str) -> str:
    return url + "index.html" if url.endswith("/") or url == "" else url


def area_url(area: Area | AreaRef) -> str:
    return f"areas/{area.slug}/"


def action_url(action: Action) -> str:
    return ACTION_URL.format(area=action.area_slug, action=action.id)


def theme_url(theme: Theme, page: int = 1) -> str:
    return f"themes/{theme.id}/" + (f"page/{page}/" if page > 1 else "")


def organisation_url(org: Organisation, page: int = 1) -> str:
    return f"organisations/{org.id}/" + (f"page/{page}/" if page > 1 else "")


def compare_url(region: Region | None = None) -> str:
    return "compare/" + (f"{region.id}/" if region else "")


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
    ref = AreaRef(area.name, area.slug, area.reviewed)
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
    led: dict[str, list[Action]] = {}
    for action in area.actions:
        for org_id in dict.fromkeys(action.leads):
            led.setdefault(org_id, []).append(action)
    ref = AreaRef(area.name, area.slug, area.reviewed)
    return {org_id: ListingGroup(ref, None, None, tuple(actions)) for org_id, actions in led.items()}


def routes(site: Site, listing_page_size: int = LISTING_PAGE_SIZE, memory: dict | None = None,
           history: History = NO_HISTORY, index_shard_size: int = INDEX_SHARD_SIZE) -> list[Page]:
    """Every page of the site (HTML, and the Atom feeds), in a stable order, each with the context its
    template reads.

    With `memory` (kept by the preview between saves), an area whose model, surroundings and
    history are unchanged keeps its pages, fingerprints included, from the last call.
    """
    shared = {"config": site.config, "glossaries": (("glossary/", site.glossary),),
              "organisation_terms": organisation_terms(site)}

    def page(url: str, template: str, title: str, glossaries=None, is_action=False, **context) -> Page:
        context = {**shared, **context}
        if glossaries:
            context["glossaries"] = glossaries
        return Page(url, output_file(url), template, title, context, is_action)

    themes = {theme.id: theme for theme in site.themes}
    organisations = site.organisations_sorted()
    summaries = compare.organisation_summaries(site)
    area_refs = tuple(AreaRef(a.name, a.slug, a.reviewed) for a in site.areas)
    pages = [
        page("", "index.html", site.config.title, areas=tuple(_summary(a) for a in site.areas), themes=themes,
             period=plan_period(site.areas)),
        page(PLACES_URL, "places.html", "Find the plan for where you live", area_count=len(site.areas),
             ask=places.ASK_TEXT,
             covered=tuple((AreaRef(a.name, a.slug, a.reviewed), a.covers) for a in site.areas)),
        page(FINDER_DATA_URL, "finder.json", "Places and the plans that cover them", finder=_finder(site)),
        page("search/", "search.html", "Search the plans", areas=area_refs, themes=themes,
             more_indexes=tuple(shard.folder + "/" for shard in index_shards(site, index_shard_size)[1:]),
             organisations=organisations, statuses=STATUS_LABELS, glossary_terms=_glossary_terms(site)),
        page("organisations/", "organisations.html", "Organisations", organisations=organisations,
             summaries={o.id: _brief(summaries[o.id]) for o in organisations}),
        page("glossary/", "glossary.html", "Glossary of abbreviations", glossary=site.glossary,
             area_glossaries=tuple(AreaRef(a.name, a.slug, a.reviewed) for a in site.areas if a.glossary)),
        page("data/", "data.html", "Open data: the plans as files", tables=datapackage.tables(site)),
        page("accessibility/", "accessibility.html", "Accessibility statement",
             unreadable=tuple(AreaRef(a.name, a.slug) for a in site.areas if a.rag_column == "colours-lost"),
             no_rag_column=tuple(AreaRef(a.name, a.slug) for a in site.areas if a.rag_column == "none")),
        page("404.html", "404.html", "Page not found"),
        *_changes_pages(page, "changes/", "What has changed", "changes.html",
                        tuple((c, c.areas) for c in history.commits), history, feed="changes.xml"),
        page("changes.xml", "feed.xml", "Changes to every plan", feed_id=FEED_ID, alternate="changes/",
             entries=tuple((c, c.areas) for c in history.commits[:FEED_ENTRIES])),
    ]
    for area in site.areas:
        leads = area_leads(site, area)
        if memory is not None:
            # Compared by equality: cheap, as unchanged values are mostly the very same objects.
            key = (site.config, site.glossary, themes, leads, site.required_types,
                   [site.organisations[i] for i in area.signatories], history.by_action)
            held = memory.get(area.slug)
            if held is not None and held[0] is area and held[1] == key:
                pages += held[2]
                continue
        glossaries = ((area_url(area), area.glossary), ("glossary/", site.glossary))
        ref = AreaRef(area.name, area.slug, area.reviewed)
        own = [page(area_url(area), "area.html", f"{area.name} action plan", glossaries, area=area,
                    themes=themes, organisations=leads, dashboard=compare.area_dashboard(site, area),
                    compare_link="compare/" + (f"{area.region}/" if area.region else ""))]
        for action in area.actions:
            own.append(page(
                action_url(action), "action.html", f"{action.heading} – {area.name} plan", glossaries, is_action=True,
                area=ref, action=action, theme=themes.get(action.theme_id),
                organisations=_organisations_of(site, [action]),
                history=action_history(action, history.by_action.get((area.slug, action.id), ())),
                source=action_source(site, area, action),
            ))
        if memory is not None:
            memory[area.slug] = (area, key, own)
        pages += own
    for area in site.areas:
        ref = AreaRef(area.name, area.slug, area.reviewed)
        changes = history.for_area(area.slug)
        feed = area_url(area) + "changes.xml"
        pages += [
            *_changes_pages(page, area_url(area) + "changes/", f"Changes to the {area.name} plan", "area_changes.html",
                            tuple((c, (a,)) for c, a in changes), history, area=ref, feed=feed),
            page(feed, "feed.xml", f"Changes to the {area.name} plan", area=ref, alternate=area_url(area) + "changes/",
                 feed_id=f"{FEED_ID}:area:{area.slug}",
                 entries=tuple((c, (a,)) for c, a in changes[:FEED_ENTRIES])),
        ]
    by_theme = theme_listings(site)
    for theme in site.themes:
        pages += _listing_pages(page, theme.title, "theme.html", by_theme[theme.id],
                                lambda n, t=theme: theme_url(t, n), listing_page_size, theme=theme)
    by_organisation = organisation_listings(site)
    hospitals: dict[str, list[Organisation]] = {}
    for org in organisations:
        if org.run_by:
            hospitals.setdefault(org.run_by, []).append(org)
    for org in organisations:
        listing = _listing_pages(page, org.name, "organisation.html", by_organisation.get(org.id, []),
                                 lambda n, o=org: organisation_url(o, n), listing_page_size, organisation=org,
                                 run_by=site.organisations.get(org.run_by),
                                 hospitals=tuple(hospitals.get(org.id, ())))
        # The summary opens the first page only; its areas link to where the listing shows them.
        listing[0].context["summary"] = summaries[org.id]
        listing[0].context["listed_at"] = {group.area.slug: url_of_page.url + f"#area-{group.area.slug}"
                                           for url_of_page in reversed(listing)
                                           for group in url_of_page.context["groups"]}
        pages += listing
        pages.append(page(organisation_url(org) + "changes.xml", "feed.xml", f"Changes to actions {org.name} leads",
                          alternate=organisation_url(org), feed_id=f"{FEED_ID}:organisation:{org.id}",
                          entries=tuple((c, (a,)) for c, a in history.for_organisation(org.id)[:FEED_ENTRIES])))
    pages += _comparison_pages(page, site, by_theme, listing_page_size)
    return pages


def _changes_pages(page: Callable[..., Page], url: str, title: str, template: str,
                   entries: tuple[tuple[Commit, tuple[AreaChange, ...]], ...], history: History,
                   **context) -> list[Page]:
    """A changes listing (each commit with what it did to the plans shown), newest first, in pages of
    `CHANGES_PAGE_SIZE` commits: `url`, then `url`page/2/ and so on."""
    chunks = [entries[at:at + CHANGES_PAGE_SIZE] for at in range(0, len(entries), CHANGES_PAGE_SIZE)] or [()]
    urls = [url + (f"page/{n}/" if n > 1 else "") for n in range(1, len(chunks) + 1)]
    return [page(urls[n - 1], template, title if n == 1 else f"{title} (page {n} of {len(chunks)})", entries=chunk,
                 available=history.available, reason=history.reason,
                 pagination={"number": n, "total": len(chunks), "urls": urls}, **context)
            for n, chunk in enumerate(chunks, start=1)]


def _comparison_pages(page: Callable[..., Page], site: Site, by_theme: dict[str, list[ListingGroup]],
                      size: int) -> list[Page]:
    """The national comparison: one page, or with regions a page of regions and one for each region."""
    anchors: dict[tuple[str, str, str | None], str] = {}
    for theme in site.themes:
        for number, chunk in enumerate(paginate(by_theme[theme.id], size), start=1):
            for group in chunk:
                at = theme_url(theme, number) + f"#area-{group.area.slug}"
                anchors.setdefault((theme.id, group.area.slug, compare.WHOLE_THEME), at)
                anchors.setdefault((theme.id, group.area.slug, group.subtheme), at)

    def link(theme: Theme, area: Area, subtheme: str | None) -> str:
        return anchors[(theme.id, area.slug, subtheme)]

    groups, unplaced = compare.regions_of(site)
    themes = site.themes
    title = "Compare the areas"
    if not groups:
        tables = compare.area_tables(site, site.areas, link, area_url, "")
        return [page(compare_url(), "compare.html", title, tables=tables, themes=themes, regions=None, region=None)]
    region_table = compare.region_table(site, groups, compare_url)
    pages = [page(compare_url(), "compare.html", title, themes=themes, regions=region_table, region=None,
                  tables=compare.area_tables(site, unplaced, link, area_url, " (areas that name no region)")
                  if unplaced else ())]
    for region, areas in groups:
        tables = compare.area_tables(site, areas, link, area_url, f" ({region.name})")
        pages.append(page(compare_url(region), "compare.html", f"Compare the areas: {region.name}", tables=tables,
                          themes=themes, regions=None, region=region))
    return pages


def _listing_pages(page: Callable[..., Page], title: str, template: str, groups: list[ListingGroup],
                   url_of: Callable[[int], str], size: int, **context) -> list[Page]:
    chunks = paginate(groups, size)
    total = len(chunks)
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        pagination = {"number": number, "total": total, "urls": [url_of(n) for n in range(1, total + 1)]}
        shown = title if number == 1 else f"{title} (page {number} of {total})"
        pages.append(page(url_of(number), template, shown, groups=chunk, pagination=pagination, **context))
    return pages


def _summary(area: Area) -> AreaSummary:
    return AreaSummary(area.name, area.slug, len(area.actions), area.status_counts, area.source_title,
                       area.source_date, area.reviewed, area.next_review, area.dates.written,
                       area.dates.latest_progress, NOT_RATED[area.rag_column][1])


def _organisations_of(site: Site, actions: Iterable[Action]) -> dict[str, Organisation]:
    """The organisations these actions name as leads: all a page needs of the registry."""
    return {org_id: site.organisations[org_id] for action in actions for org_id in action.leads}


def area_leads(site: Site, area: Area) -> dict[str, Organisation]:
    """The organisations an area's actions name as leads, in order (their ids cached: `memo`)."""
    return {org_id: site.organisations[org_id] for org_id in derived(_lead_ids, area)}


def _lead_ids(area: Area, _=None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for a in area.actions for i in a.leads))


def _finder(site: Site) -> dict:
    """The finder's data: the normalising rule's words, its answers by normalised place name,
    and the miss answer with `{place}` for what the reader typed."""
    return {"generic_words": list(places.GENERIC_WORDS),
            "miss": places.miss_text("{place}", len(site.areas)), "ask": places.ASK_TEXT,
            "contact": site.config.contact_email,
            "answers": {key: [{"place": a.place, "text": a.text, "area": a.area, "url": area_url(a)}
                              for a in found] for key, found in places.answers(site.areas).items()}}


def organisation_terms(site: Site) -> tuple[Abbreviation, ...]:
    """The organisations' short names that are abbreviations ("CNWL", "SECAmb"), each explained by
    the organisation's name and linked to its page (href below the site's base)."""
    return tuple(Abbreviation(term, org.name, organisation_url(org))
                 for org in site.organisations_sorted() for term in org.abbreviations)


def _glossary_terms(site: Site) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """Every glossary term, its meaning and the ways the meaning is written out (the site's
    first, then each area's), once: the search page searches for the term when a query spells
    it out, and suggests the term closest to a word no action uses."""
    terms: dict[str, str] = {}
    for entry in (*site.glossary, *(e for area in site.areas for e in area.glossary)):
        terms.setdefault(entry.term, entry.meaning)
    return tuple((term, meaning, search.spellings(meaning)) for term, meaning in terms.items())



def _brief(summary: compare.OrganisationSummary) -> compare.OrganisationSummary:
    """An organisation's summary as the index shows it: the counts, not the list of areas."""
    return compare.OrganisationSummary(summary.actions, summary.area_count, (), summary.overdue)

