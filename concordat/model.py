"""Stage 3, model: the plans as plain frozen dataclasses, built from validated content
(`model_from_content`).

Nothing here reads files or renders: later stages take a `Site` and nothing else. The rules these
classes answer with have their own modules: `dates` (when a plan was written, what is overdue)
and `names` (slugs, action labels and headings).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property

from .dates import PlanDates, add_months, plan_dates
from .names import action_heading, action_label, first_words, quoted_in, slugify
from .schema_check import load_schema

# The statuses are the area schema's; each is shown as its name in words ("not-rated" -> "Not rated").
STATUS_LABELS = {status: status.replace("-", " ").capitalize()
                 for status in load_schema("area")["$defs"]["status"]["enum"]}
# What "Not rated" means, by the plan's `source.rag_column`: (for the area's counts, beside an action).
NOT_RATED = {
    "": ("“Not rated” means the plan gives no Red, Amber or Green status for the action.",
         "No status given in the plan."),
    "none": ("“Not rated” means the plan has no column for a Red, Amber or Green (RAG) status, so it rates "
             "none of its actions; where its own words say an action is complete, it is shown as Complete.",
             "The plan has no Red, Amber or Green status column."),
    "colours-lost": ("“Not rated” means the status is not known: the plan rated its actions Red, Amber or Green "
                     "by colour alone, and the copy of the plan this site was made from does not show the "
                     "colours. Where its own words say an action is complete, it is shown as Complete.",
                     "The plan's Red, Amber or Green colour could not be read from the copy this site was made from."),
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

    @property
    def abbreviations(self) -> tuple[str, ...]:
        """Its short names that are abbreviations (one word with two or more capitals: "CNWL", "SECAmb"),
        explained wherever a page uses them; short forms such as "Oxleas" or "Thurrock" are not."""
        return tuple(name for name in self.short_names if re.fullmatch(r"[A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*", name))


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    meaning: str

    @property
    def anchor(self) -> str:
        """Fragment id for the term on a glossary list, stable and safe for any term."""
        return "term-" + (slugify(self.term) or "x")


@dataclass(frozen=True)
class Update:
    """A dated progress update: its status replaces the plan's own once it is the latest."""

    date: str  # YYYY-MM-DD
    text: str
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


# The one table of an action's fields, by their names in the area schema (`$defs.action`):
# the optional text fields kept as the file writes them, under the same name on `Action`
# (build_action and the spreadsheet take them from here), and the fields `Action` names otherwise.
# tests/test_action_fields.py fails, naming the place, for a schema field a place leaves out.
ACTION_TEXT_FIELDS = ("outcomes", "lead_text", "timescale", "progress", "status_words", "rag")
ACTION_ATTRIBUTES = {"action": "text", "status": "plan_status"}


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
    number_under: str = ""  # the plan's sub-heading, where the plan gives this number to more than one action
    rag_column: str = ""  # the plan's `source.rag_column`: why its actions may have no readable status
    source_line: int | None = None  # the line of its `- id:` in the area file, for editors to find it

    @property
    def not_rated_note(self) -> str:
        """Beside a Not rated status: why, for this plan (see `NOT_RATED`)."""
        return NOT_RATED[self.rag_column][1]

    @property
    def latest_update(self) -> Update | None:
        return self.updates[-1] if self.updates else None

    def sic_in(self, text: str) -> list[str]:
        """The plan's typos that occur in `text` (one of this action's fields), to note beside it."""
        return [typo for typo in self.sic if quoted_in(typo, text)]

    @property
    def title(self) -> str:
        """The action's first words, for listings: see `first_words`."""
        return first_words(self.text)

    @property
    def label(self) -> str:
        """How a reader refers to it: see `action_label`."""
        return action_label(self.number, self.text, self.number_under)

    @property
    def heading(self) -> str:
        """Its name in headings, links and page titles: see `action_heading`."""
        return action_heading(self.number, self.text, self.number_under)

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
class CouncilArea:
    """A borough, district or unitary council's area that a plan covers, with its main towns."""

    name: str  # as people name it: "Gravesham"
    council: str  # "Gravesham Borough Council"
    within: str = ""  # the county council that also serves it, if any
    towns: tuple[str, ...] = ()


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
    signatories_recorded: bool = False  # whether the file records who signed (`signatories`, even empty)
    rag_column: str = ""  # source.rag_column: "none", "colours-lost", or "" where the RAG column was read
    region: str | None = None  # id of one of site.yaml's regions
    covers: tuple[CouncilArea, ...] = ()  # the council areas the plan covers
    reviewers: tuple[str, ...] = ()  # GitHub users or teams who review changes to the file (CODEOWNERS)

    @property
    def not_rated_meaning(self) -> str:
        """What "Not rated" means in this plan, one sentence, shown beside its counts."""
        return NOT_RATED[self.rag_column][0]

    @cached_property
    def dates(self) -> PlanDates:
        """When the plan was written and its latest progress entry, worked out from the file."""
        return plan_dates(self)

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
    def actions_by_lead(self) -> dict[str, tuple[Action, ...]]:
        """Each organisation the plan's actions name as a lead (by id, in the order first named) ->
        the actions it leads, in the plan's order: the one grouping the dashboard, the organisation
        summaries and listings, and the open data's lead names all count from."""
        led: dict[str, list[Action]] = {}
        for action in self.actions:
            for org_id in dict.fromkeys(action.leads):
                led.setdefault(org_id, []).append(action)
        return {org_id: tuple(actions) for org_id, actions in led.items()}

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
    branch: str = "main"  # the repository's branch the site is published from: editing links open it
    licence_title: str | None = None  # the open data's licence
    licence_url: str | None = None

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
