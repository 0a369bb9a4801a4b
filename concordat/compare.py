"""Who is in each plan, and how the areas compare: the numbers behind the area dashboards,
the comparison pages, the organisation summaries and data/comparison.csv.

Worked out from the model alone, so the pages, the open data and the tests count the same way.
`routes` turns these into page contexts; links are given to it to fill in (`Linker`), as
only the listings (`listings.where_listed`) know on which page of a theme an area's actions fall.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .dates import overdue_at, parse_due, status_at
from .memo import derived
from .model import (
    ORGANISATION_TYPES,
    STATUS_LABELS,
    Action,
    Area,
    Organisation,
    Region,
    Site,
    Theme,
)

NO_SUBTHEME = "none"  # the column of a theme's actions that come under none of its national sub-headings
NO_SUBTHEME_TITLE = "No national sub-heading"


@dataclass(frozen=True)
class Count:
    """A number of actions, and how many of them have each status (only the statuses that occur)."""

    total: int
    statuses: tuple[tuple[str, int], ...]

    def of(self, status: str) -> int:
        return dict(self.statuses).get(status, 0)


def count(actions: Iterable[Action]) -> Count:
    counts = dict.fromkeys(STATUS_LABELS, 0)
    for action in actions:
        counts[action.status] += 1
    return Count(sum(counts.values()), tuple((s, n) for s, n in counts.items() if n))


def total(counts: Iterable[Count]) -> Count:
    """Counts added together, as if of all their actions at once."""
    sums = dict.fromkeys(STATUS_LABELS, 0)
    for tally in counts:
        for status, n in tally.statuses:
            sums[status] += n
    return Count(sum(sums.values()), tuple((s, n) for s, n in sums.items() if n))


# --- An area's dashboard ------------------------------------------------------------------------

@dataclass(frozen=True)
class Involved:
    """An organisation named in one plan: how many of its actions it leads, and whether it signed."""

    organisation: Organisation
    leads: int
    signatory: bool


@dataclass(frozen=True)
class RequiredAgency:
    type: str
    label: str
    organisations: tuple[Organisation, ...]  # none: the plan names no organisation of this type
    signatories_recorded: bool = True

    @property
    def present(self) -> bool:
        return bool(self.organisations)

    @property
    def not_named_because(self) -> str:
        """Why none is named, saying only what the area's file records: most record no signatories."""
        if self.signatories_recorded:
            return "none leads an action or is recorded as signing the plan"
        return "none leads an action; who signed the plan is not recorded"


@dataclass(frozen=True)
class Glance:
    """What an area page says first, in brief: all counted from the plan's actions."""

    themes: tuple[tuple[Theme | None, int], ...]  # actions under each theme, in the themes' order; None: plan-wide
    complete: tuple[Action, ...]
    overdue: tuple[Action, ...]  # overdue at the last review
    top_leads: tuple[Involved, ...]  # the organisations that lead the most actions (at most three)


@dataclass(frozen=True)
class AreaDashboard:
    involved: tuple[tuple[str, tuple[Involved, ...]], ...]  # (type label, organisations), types in a fixed order
    required: tuple[RequiredAgency, ...]
    statuses: Count
    plan_date: str  # the plan's last review is given apart, with the next one due (area.reviewed)
    signatories_recorded: bool = True
    glance: Glance | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(r.label for r in self.required if not r.present)


def involvement(site: Site, area: Area) -> list[Involved]:
    """Every organisation an area's plan names, as a lead or a signatory."""
    leads = {org_id: len(actions) for org_id, actions in area.actions_by_lead.items()}
    ids = dict.fromkeys([*leads, *area.signatories])
    involved = [Involved(site.organisations[i], leads.get(i, 0), i in area.signatories) for i in ids]
    return sorted(involved, key=lambda inv: (-inv.leads, inv.organisation.name.lower()))


def missing_agencies(area: Area, needs: tuple[tuple[str, ...], dict[str, str]]) -> tuple[str, ...]:
    """The organisation types site.yaml requires of which the plan names no organisation, as a lead
    or a signatory (`needs`: those types, and each organisation's type by its id). The one rule for
    the editors' warnings (`validate.required_agency_warnings`) and the dashboard's gaps."""
    required, type_of = needs
    named = {type_of[i] for i in (*area.signatories, *area.actions_by_lead)}
    return tuple(kind for kind in required if kind not in named)


def area_dashboard(site: Site, area: Area) -> AreaDashboard:
    involved = involvement(site, area)
    by_type = tuple(
        (label, tuple(inv for inv in involved if inv.organisation.type == kind))
        for kind, label in ORGANISATION_TYPES.items()
        if any(inv.organisation.type == kind for inv in involved)
    )
    missing = missing_agencies(area, (site.required_types, {o.id: o.type for o in site.organisations.values()}))
    required = tuple(
        RequiredAgency(kind, ORGANISATION_TYPES[kind],
                       () if kind in missing else
                       tuple(inv.organisation for inv in involved if inv.organisation.type == kind),
                       area.signatories_recorded)
        for kind in site.required_types
    )
    return AreaDashboard(by_type, required, count(area.actions), area.source_date, area.signatories_recorded,
                         glance(site, area, involved))


def glance(site: Site, area: Area, involved: list[Involved]) -> Glance:
    """The plan in brief: its actions by theme, what is complete, what was overdue at the last
    review, and who leads the most actions."""
    by_theme = {theme.id: 0 for theme in site.themes}
    plan_wide = 0
    for action in area.actions:
        if action.theme_id in by_theme:
            by_theme[action.theme_id] += 1
        else:
            plan_wide += 1
    themes = tuple((site.theme(theme_id), n) for theme_id, n in by_theme.items() if n)
    leading = [inv for inv in involved if inv.leads]
    return Glance(((None, plan_wide),) * bool(plan_wide) + themes,
                  tuple(a for a in area.actions if a.status == "complete"),
                  tuple(a for a in area.actions if a.overdue_at_review), tuple(leading[:3]))


# --- Organisations ------------------------------------------------------------------------------

@dataclass(frozen=True)
class AreaShare:
    """One area's part in an organisation's summary."""

    name: str
    slug: str
    leads: int
    signatory: bool | None  # None: the area's file records no signatories

    @property
    def signed(self) -> str:
        """The answer to "Signed the plan?", as recorded."""
        return "Not recorded" if self.signatory is None else "Yes" if self.signatory else "No"


@dataclass(frozen=True)
class OrganisationSummary:
    actions: Count
    area_count: int  # areas whose plans name it, as a lead or a signatory
    areas: tuple[AreaShare, ...]  # those areas (left out where only the counts are shown)
    overdue: int | None  # None when no area it leads in gives a review date to measure against


def overdue(actions: Iterable[Action], reviewed: str | None) -> int | None:
    """Actions due before the area's last review and not complete at it; None without a review date.

    The same rule as each action's "Overdue at last review" tag (dates.overdue_at): the status is
    the one shown at the review date, so a later progress update does not change the count.
    """
    review = parse_due(str(reviewed)) if reviewed else None
    if review is None:
        return None
    day = review.isoformat()
    return sum(1 for a in actions if overdue_at(a.due, status_at(a.plan_status or a.status, a.updates, day), day))


def organisation_summaries(site: Site) -> dict[str, OrganisationSummary]:
    """Every organisation's actions across the areas, by status, and where it is involved."""
    tallies: dict[str, list[Count]] = {org_id: [] for org_id in site.organisations}
    shares: dict[str, list[AreaShare]] = {org_id: [] for org_id in site.organisations}
    late: dict[str, int | None] = dict.fromkeys(site.organisations)
    for area in site.areas:
        for org_id, (tally, share, late_here) in derived(_area_shares, area).items():
            tallies[org_id].append(tally)
            shares[org_id].append(share)
            if late_here is not None:
                late[org_id] = (late[org_id] or 0) + late_here
    return {org_id: OrganisationSummary(total(tallies[org_id]), len(shares[org_id]), tuple(shares[org_id]),
                                        late[org_id])
            for org_id in site.organisations}


def _area_shares(area: Area, _=None) -> dict[str, tuple[Count, AreaShare, int | None]]:
    """One area's part in every organisation's summary it is named in (cached: `memo`)."""
    mine = area.actions_by_lead
    return {org_id: (count(mine.get(org_id, ())),
                     AreaShare(area.name, area.slug, len(mine.get(org_id, ())),
                               org_id in area.signatories if area.signatories_recorded else None),
                     overdue(mine.get(org_id, ()), area.reviewed))
            for org_id in dict.fromkeys([*mine, *area.signatories])}


# --- The comparison ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str  # "theme-id", "theme-id/subtheme-id", "theme-id/none", or "plan-wide"
    title: str


@dataclass(frozen=True)
class Cell:
    count: Count
    link: str  # site-relative URL of these actions; "" when there are none


@dataclass(frozen=True)
class Row:
    name: str
    link: str  # site-relative URL of the area (or region)
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    id: str
    caption: str
    label: str  # a short name for the page's list of tables
    row_header: str  # what the rows are: "Area" or "Region"
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


# (theme, area slug, sub-heading title, "" for the theme as a whole or None for no sub-heading) -> URL
Linker = Callable[[Theme, Area, str | None], str]
WHOLE_THEME = ""


NONE = Count(0, ())


def area_counts(area: Area) -> dict[str, Count]:
    """An area's actions counted by comparison column key: per theme, per theme and sub-heading, and
    plan-wide. Cached (`memo`), so the preview counts only the area that was saved."""
    return derived(_column_counts, area)


def _column_counts(area: Area, _=None) -> dict[str, Count]:
    by_key: dict[str, list[Action]] = {"plan-wide": list(area.preamble)}
    for action in area.actions:
        if action.theme_id is None:
            continue
        by_key.setdefault(action.theme_id, []).append(action)
        by_key.setdefault(f"{action.theme_id}/{action.subtheme_id or NO_SUBTHEME}", []).append(action)
    return {key: count(actions) for key, actions in by_key.items()}


def theme_columns(themes: tuple[Theme, ...]) -> tuple[Column, ...]:
    return tuple(Column(t.id, f"{t.number}. {t.title}") for t in themes)


def subtheme_columns(theme: Theme) -> tuple[Column, ...]:
    return (*(Column(f"{theme.id}/{s.id}", s.title) for s in theme.subthemes),
            Column(f"{theme.id}/{NO_SUBTHEME}", NO_SUBTHEME_TITLE))


def area_tables(site: Site, areas: tuple[Area, ...], link: Linker, area_link: Callable[[Area], str],
                where: str) -> tuple[Table, ...]:
    """The tables of one group of areas: by national theme, then one level down for each theme."""
    counted = [(area, area_counts(area)) for area in areas]
    themes = {t.id: t for t in site.themes}
    subtitles = {f"{t.id}/{s.id}": s.title for t in site.themes for s in t.subthemes}

    def cell(area: Area, counts: dict[str, Count], key: str) -> Cell:
        tally = counts.get(key, NONE)
        if not tally.total:
            return Cell(NONE, "")
        if key == "plan-wide":
            return Cell(tally, area_link(area) + "#plan-wide")
        theme_id, _, sub = key.partition("/")
        title = WHOLE_THEME if not sub else (None if sub == NO_SUBTHEME else subtitles[key])
        return Cell(tally, link(themes[theme_id], area, title))

    def table(table_id: str, caption: str, label: str, columns: tuple[Column, ...]) -> Table:
        rows = tuple(Row(area.name, area_link(area), tuple(cell(area, counts, c.key) for c in columns))
                     for area, counts in counted)
        return Table(table_id, caption, label, "Area", columns, rows)

    columns = theme_columns(site.themes)
    if any(area.preamble for area in areas):
        columns = (Column("plan-wide", "Plan-wide (before the themes)"), *columns)
    tables = [table("by-theme", f"Actions in each plan by national theme{where}", "All five themes", columns)]
    for theme in site.themes:
        tables.append(table(f"theme-{theme.id}",
                            f"Theme {theme.number}, {theme.title}: actions by national sub-heading{where}",
                            f"{theme.number}. {theme.title}", subtheme_columns(theme)))
    return tuple(tables)


def region_table(site: Site, groups: list[tuple[Region, tuple[Area, ...]]],
                 region_link: Callable[[Region], str]) -> Table:
    """Each region's areas added together, by national theme."""
    columns = theme_columns(site.themes)
    rows = []
    for region, areas in groups:
        cells = []
        for column in columns:
            cells.append(Cell(total(area_counts(area).get(column.key, NONE) for area in areas), ""))
        rows.append(Row(region.name, region_link(region), tuple(cells)))
    return Table("by-region", "Actions in each region's plans by national theme", "Regions", "Region", columns,
                 tuple(rows))


def regions_of(site: Site) -> tuple[list[tuple[Region, tuple[Area, ...]]], tuple[Area, ...]]:
    """The regions that have areas, each with its areas; and the areas that name no region."""
    groups = [(region, tuple(a for a in site.areas if a.region == region.id)) for region in site.regions]
    return [(r, areas) for r, areas in groups if areas], tuple(a for a in site.areas if a.region is None)


COMPARISON_COLUMNS = ["area", "area_slug", "region", "level", "theme_id", "theme", "subtheme_id", "subtheme",
                      "actions", *(s.replace("-", "_") for s in STATUS_LABELS)]


def comparison_records(site: Site) -> list[dict]:
    """The comparison's numbers as rows: every area by every theme, and by every sub-heading of it."""
    regions = {r.id: r.name for r in site.regions}
    records = []
    for area in site.areas:
        counts = area_counts(area)
        for theme in site.themes:
            for column in (Column(theme.id, theme.title), *subtheme_columns(theme)):
                subtheme_id = column.key.partition("/")[2]
                tally = counts.get(column.key, NONE)
                records.append({
                    "area": area.name, "area_slug": area.slug, "region": regions.get(area.region or "", ""),
                    "level": "sub-heading" if subtheme_id else "theme", "theme_id": theme.id, "theme": theme.title,
                    "subtheme_id": subtheme_id, "subtheme": column.title if subtheme_id else "",
                    "actions": tally.total, **{s.replace("-", "_"): tally.of(s) for s in STATUS_LABELS},
                })
    return records
