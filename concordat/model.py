"""Stage 3, model: the plans as plain dataclasses, built from validated content.

Nothing here reads files or renders: later stages take a `Site` and nothing else.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property

STATUS_LABELS = {
    "red": "Red",
    "amber": "Amber",
    "green": "Green",
    "complete": "Complete",
    "not-rated": "Not rated",
}
ORGANISATION_TYPES = {
    "nhs-trust": "NHS trust",
    "mental-health-trust": "NHS mental health trust",
    "clinical-commissioning-group": "Clinical commissioning group",
    "local-authority": "Local authority",
    "police": "Police",
    "ambulance-service": "Ambulance service",
    "voluntary-sector": "Voluntary sector",
    "other": "Other",
    "hospital": "Hospital",
}


@dataclass(frozen=True)
class Subtheme:
    id: str
    title: str


@dataclass(frozen=True)
class Theme:
    id: str
    number: int
    title: str
    summary: str
    subthemes: tuple[Subtheme, ...]

    def subtheme(self, subtheme_id: str | None) -> Subtheme | None:
        return next((s for s in self.subthemes if s.id == subtheme_id), None)


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    type: str
    short_names: tuple[str, ...] = ()
    url: str | None = None
    run_by: str | None = None  # for a hospital: the id of the trust that runs it

    @property
    def type_label(self) -> str:
        return ORGANISATION_TYPES[self.type]


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    meaning: str

    @property
    def anchor(self) -> str:
        """Fragment id for the term on a glossary list, stable and safe for any term."""
        return "term-" + (re.sub(r"[^a-z0-9]+", "-", self.term.lower()).strip("-") or "x")


@dataclass(frozen=True)
class Update:
    """A dated progress update: its status replaces the plan's own once it is the latest."""

    date: str  # YYYY-MM-DD
    text: str
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class Action:
    """One numbered action of a plan, with where it sits in the plan and the nation."""

    area_slug: str
    id: str
    number: str
    text: str
    status: str
    theme_id: str | None
    subtheme_id: str | None
    section_heading: str | None
    group_heading: str | None
    outcomes: str = ""
    progress: str = ""
    leads: tuple[str, ...] = ()
    lead_text: str = ""
    timescale: str = ""
    due: str | None = None
    updates: tuple[Update, ...] = ()  # oldest first (by date; same-day updates in file order)
    plan_status: str = ""  # the status the plan itself gives (`status` in the file)
    overdue_at_review: str | None = None  # the area's last review date, if the action was overdue then
    status_words: str = ""  # the plan's words that give the status
    rag: str = ""  # what the plan's RAG cell shows (its colour, key words or words), as imported
    sic: tuple[str, ...] = ()  # the plan's own typos, kept in the text and noted beside it

    @property
    def latest_update(self) -> Update | None:
        return self.updates[-1] if self.updates else None

    def sic_in(self, text: str) -> list[str]:
        """The plan's typos that occur in `text` (one of this action's fields), to note beside it."""
        return [typo for typo in self.sic if quoted_in(typo, text)]

    @property
    def title(self) -> str:
        """A one-line name for listings: the action's first line, cut at a word near 140 characters."""
        first = next((ln.strip(" -•·*") for ln in self.text.splitlines() if ln.strip(" -•·*")), self.text)
        first = re.sub(r"\s+", " ", first).strip()
        if len(first) <= 140:
            return first
        return first[:140].rsplit(" ", 1)[0].rstrip(",;:") + "…"

    @property
    def label(self) -> str:
        """How a reader refers to it: 'Action 2.14', or the title where the plan gives no number."""
        return f"Action {self.number}" if self.number else self.title

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class Group:
    heading: str | None
    theme_id: str
    subtheme_id: str | None
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class Section:
    heading: str
    theme_id: str
    groups: tuple[Group, ...]


@dataclass(frozen=True)
class Kpi:
    measure: str
    number: str = ""
    group: str = ""
    baseline: str = ""
    target: str = ""


@dataclass(frozen=True)
class Note:
    heading: str
    text: str
    editor_note: str = ""


@dataclass(frozen=True)
class KpiHeadings:
    """The KPI table's column headings: the plan's where it prints them, else the site's own."""

    number: str = "No."
    measure: str = "Measure"
    baseline: str = "Current baseline"
    target: str = "Target"


@dataclass(frozen=True)
class Area:
    """One local area's plan, in its own order."""

    name: str
    slug: str
    source_path: str
    source_title: str = ""
    source_date: str = ""
    source_date_note: str = ""
    source_url: str | None = None
    introduction: str = ""
    preamble: tuple[Action, ...] = ()
    sections: tuple[Section, ...] = ()
    kpi_intro: str = ""
    kpi_headings: KpiHeadings = KpiHeadings()
    kpis: tuple[Kpi, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()
    notes: tuple[Note, ...] = ()
    reviewed: str | None = None  # YYYY-MM-DD: when the partners last reviewed the plan
    review_every: int | None = None  # months between reviews
    signatories: tuple[str, ...] = ()  # organisation ids that signed the plan, whether or not they lead
    region: str | None = None  # id of one of site.yaml's regions

    @property
    def next_review(self) -> str | None:
        """When the next review is due: `review_every` months after the last one (YYYY-MM-DD)."""
        if not self.reviewed or not self.review_every:
            return None
        return add_months(dt.date.fromisoformat(self.reviewed), self.review_every).isoformat()

    @cached_property
    def actions(self) -> tuple[Action, ...]:
        return self.preamble + tuple(a for s in self.sections for g in s.groups for a in g.actions)

    @cached_property
    def status_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUS_LABELS, 0)
        for action in self.actions:
            counts[action.status] += 1
        return counts


@dataclass(frozen=True)
class SiteConfig:
    title: str
    base_url: str
    contact_email: str
    description: str = ""
    repository: str | None = None  # e.g. https://github.com/owner/repo: commits link to {repository}/commit/{id}

    @property
    def base_path(self) -> str:
        """The path part of base_url: every internal link starts with it."""
        path = re.sub(r"^https?://[^/]+", "", self.base_url)
        return path if path.endswith("/") else path + "/"

    @property
    def origin(self) -> str:
        """Scheme and host of base_url, or '' when the site is given only as a path."""
        match = re.match(r"^https?://[^/]+", self.base_url)
        return match.group(0) if match else ""


@dataclass(frozen=True)
class Region:
    id: str
    name: str


@dataclass
class Site:
    config: SiteConfig
    themes: tuple[Theme, ...]
    organisations: dict[str, Organisation]
    areas: tuple[Area, ...]
    glossary: tuple[GlossaryEntry, ...] = ()
    required_types: tuple[str, ...] = ()  # organisation types every plan should name (site.yaml)
    regions: tuple[Region, ...] = ()
    warnings: tuple = ()  # ContentErrors of level "warning": advice for editors, never shown on pages
    unfinished: tuple = ()  # the warnings that stop a build: REVIEW notes and starter placeholders

    def theme(self, theme_id: str) -> Theme:
        return next(t for t in self.themes if t.id == theme_id)

    def area(self, slug: str) -> Area:
        return next(a for a in self.areas if a.slug == slug)

    @property
    def actions(self) -> list[Action]:
        return [a for area in self.areas for a in area.actions]

    def organisations_sorted(self) -> list[Organisation]:
        return sorted(self.organisations.values(), key=lambda o: o.name.lower())


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day where it is shorter (31 Jan + 1 = 28/29 Feb)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def overdue_at(due: str | None, status: str, reviewed: str | None) -> str | None:
    """The review date if an action was overdue then (due before it and not complete), else None.

    A month-only due date (YYYY-MM) means by the end of that month. Judged against the plan's
    own review date, never the day of the build, so the same content always gives the same site.
    """
    if not due or not reviewed or status == "complete":
        return None
    if len(due) == 7:
        year, month = int(due[:4]), int(due[5:])
        day = dt.date(year, month, calendar.monthrange(year, month)[1])
    else:
        day = dt.date.fromisoformat(due)
    return reviewed if day < dt.date.fromisoformat(reviewed) else None


def status_at(plan_status: str, updates: tuple[Update, ...], day: str | None) -> str:
    """The status shown on `day` (None: now): the latest update's on or before it, else the plan's."""
    shown = [u for u in updates if day is None or u.date <= day]
    return shown[-1].status if shown else plan_status


def quoted_in(quote: str, text: str) -> bool:
    """Whether `quote` is copied from `text`: the same words, however the spaces between them run."""
    return " ".join(quote.split()) in " ".join(text.split())


def build_action(area_slug: str, data: dict, theme_id: str | None, subtheme_id: str | None,
                 section_heading: str | None, group_heading: str | None, reviewed: str | None = None) -> Action:
    updates = tuple(sorted((Update(u["date"], u["text"], u["status"]) for u in data.get("updates", ())),
                           key=lambda u: u.date))
    return Action(
        area_slug=area_slug,
        id=data["id"],
        number=data.get("number", ""),
        text=data["action"],
        status=status_at(data["status"], updates, None),
        theme_id=theme_id,
        subtheme_id=subtheme_id,
        section_heading=section_heading,
        group_heading=group_heading,
        outcomes=data.get("outcomes", ""),
        progress=data.get("progress", ""),
        leads=tuple(data.get("leads", ())),
        lead_text=data.get("lead_text", ""),
        timescale=data.get("timescale", ""),
        due=data.get("due"),
        updates=updates,
        plan_status=data["status"],
        overdue_at_review=overdue_at(data.get("due"), status_at(data["status"], updates, reviewed), reviewed),
        status_words=data.get("status_words", ""),
        rag=data.get("rag", ""),
        sic=tuple(data.get("sic", ())),
    )


def build_area(data: dict, source_path: str) -> Area:
    """An Area from one validated area file."""
    slug = data["slug"]
    reviewed = data.get("reviewed")
    sections = []
    for s in data["sections"]:
        groups = []
        for g in s["groups"]:
            theme_id = g.get("theme", s["theme"])
            actions = tuple(
                build_action(slug, a, theme_id, g.get("subtheme"), s["heading"], g.get("heading"), reviewed)
                for a in g["actions"]
            )
            groups.append(Group(g.get("heading"), theme_id, g.get("subtheme"), actions))
        sections.append(Section(s["heading"], s["theme"], tuple(groups)))
    source = data.get("source", {})
    return Area(
        name=data["name"],
        slug=slug,
        source_path=source_path,
        source_title=source.get("title", ""),
        source_date=source.get("date", ""),
        source_date_note=source.get("date_note", ""),
        source_url=source.get("url"),
        introduction=data.get("introduction", ""),
        preamble=tuple(build_action(slug, a, None, None, None, None, reviewed) for a in data.get("preamble", ())),
        sections=tuple(sections),
        kpi_intro=data.get("kpi_intro", ""),
        kpi_headings=KpiHeadings(**data.get("kpi_headings", {})),
        kpis=tuple(Kpi(**k) for k in data.get("kpis", ())),
        glossary=tuple(GlossaryEntry(**g) for g in data.get("glossary", ())),
        notes=tuple(Note(**n) for n in data.get("notes", ())),
        reviewed=reviewed,
        review_every=data.get("review_every"),
        signatories=tuple(dict.fromkeys(data.get("signatories", ()))),
        region=data.get("region"),
    )


def build_themes(data: dict) -> tuple[Theme, ...]:
    return tuple(
        Theme(t["id"], t["number"], t["title"], t["summary"],
              tuple(Subtheme(s["id"], s["title"]) for s in t["subthemes"]))
        for t in data["themes"]
    )


def build_organisations(data: dict) -> dict[str, Organisation]:
    return {
        o["id"]: Organisation(o["id"], o["name"], o["type"], tuple(o.get("short_names", ())), o.get("url"),
                              o.get("run_by"))
        for o in data["organisations"]
    }


def build_config(data: dict, base_url: str | None = None) -> SiteConfig:
    return SiteConfig(
        title=data["title"],
        base_url=base_url or data["base_url"],
        contact_email=data["contact_email"],
        description=data.get("description", ""),
        repository=data.get("repository"),
    )


def build_glossary(data: dict) -> tuple[GlossaryEntry, ...]:
    return tuple(GlossaryEntry(**g) for g in data.get("glossary", ()))


def make_site(content, base_url: str | None = None, areas: dict | None = None) -> Site:
    """The Site from validated content. `areas` (path -> (Document, Area)) lets the preview
    keep the Area of every file that has not changed since the last save."""
    built = []
    for doc in content.areas:
        cached = areas.get(doc.path) if areas is not None else None
        if cached is not None and cached[0] is doc:
            area = cached[1]
        else:
            area = build_area(doc.data, doc.path)
            if areas is not None:
                areas[doc.path] = (doc, area)
        built.append(area)
    return Site(
        config=build_config(content.site.data, base_url),
        themes=build_themes(content.themes.data),
        organisations=build_organisations(content.organisations.data),
        areas=tuple(built),
        glossary=build_glossary(content.site.data),
        required_types=tuple(content.site.data.get("required_organisation_types", ())),
        regions=tuple(Region(r["id"], r["name"]) for r in content.site.data.get("regions", ())),
    )
