"""Stage 3, model: the plans as plain dataclasses, built from validated content.

Nothing here reads files or renders: later stages take a `Site` and nothing else.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

# Letters that Unicode does not split into a plain letter and an accent.
_OWN_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
                              "ı": "i", "ħ": "h"})


def _plain_letters(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.lower().translate(_OWN_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slugify(name: str) -> str:
    """A name as it appears in a web address: "Kent and Medway" -> "kent-and-medway", "Ōxford" -> "oxford"."""
    return re.sub(r"[^a-z0-9]+", "-", _plain_letters(name)).strip("-")


def slug_problem(name: str) -> str | None:
    """Why a name cannot give its area's web address and file name, or None."""
    unspellable = sorted({c for c in _plain_letters(name) if c.isalnum() and not c.isascii()})
    if unspellable:
        letters = ", ".join(f"'{c}'" for c in unspellable)
        return (f"cannot make a web address from the name {name!r}: {letters} cannot be written in the letters a "
                "to z, and would be lost; give the name in those letters (the file's `name` can then be changed "
                "to the full spelling)")
    slug = slugify(name)
    if not slug:
        return f"cannot make a web address from the name {name!r}: use letters or digits"
    from .load import load_schema  # the schema says how long an id may be

    longest = load_schema("area")["$defs"]["slug"]["maxLength"]
    if len(slug) > longest:
        return (f"the name makes a web address of {len(slug)} characters ('{slug[:30]}…'; the limit is {longest}): "
                "give a shorter name")
    return None


STATUS_LABELS = {
    "red": "Red",
    "amber": "Amber",
    "green": "Green",
    "complete": "Complete",
    "not-rated": "Not rated",
}
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


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # not calendar.month_name, which follows the machine's locale


def long_date(value: str) -> str:
    """A date as people write it: 2016-03-31 -> '31 March 2016', 2016-03 -> 'March 2016'."""
    year, month, *day = value[:10].split("-")
    words = f"{MONTHS[int(month) - 1]} {year}"
    return f"{int(day[0])} {words}" if day else words


# A date as plans write it: "October 2015", "18 Nov 2015", "1st of April 2015", "Sept 2015".
_WRITTEN_DATE = re.compile(
    r"\b(?:(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+"
    r"(20\d\d)\b", re.IGNORECASE)
_MONTH_NUMBERS = {m[:3].lower(): n for n, m in enumerate(MONTHS, start=1)}


def written_month(words: str) -> str | None:
    """The last month and year written in `words`, as YYYY-MM ("18 Nov 2015" -> "2015-11"), or None."""
    found = list(_WRITTEN_DATE.finditer(words or ""))
    if not found:
        return None
    return f"{found[-1].group(3)}-{_MONTH_NUMBERS[found[-1].group(2).lower()]:02d}"


@dataclass(frozen=True)
class DatedEntry:
    """The latest dated progress entry of a plan: the plan's own, or an editors' update."""

    date: str  # YYYY-MM, or YYYY-MM-DD for an update
    action: Action
    is_update: bool = False


@dataclass(frozen=True)
class PlanDates:
    """How old a plan is, from what its file says: the date printed on it, its latest dated progress
    entry (the one its `date_note` quotes), editors' updates since, and the span of its timescales."""

    printed: str  # source.date as written, "" if the document is undated
    latest_in_plan: DatedEntry | None
    latest_update: DatedEntry | None
    reports_progress: bool
    timescales: tuple[str, str] | None  # the first and last due date (YYYY-MM[-DD]) its actions give

    @property
    def month(self) -> str | None:
        """The month the plan is dated by (its printed date, else its latest progress entry), YYYY-MM."""
        return written_month(self.printed) or (self.latest_in_plan.date[:7] if self.latest_in_plan else None)

    @property
    def written(self) -> str:
        """When the plan was written, in words."""
        if self.printed:
            return f"{self.printed} (the date printed on the plan)"
        if self.latest_in_plan:
            return (f"Not dated; in or after {long_date(self.latest_in_plan.date)}, the month of its latest "
                    "progress entry")
        if self.timescales:
            return (f"Not dated; its timescales run from {long_date(self.timescales[0])} to "
                    f"{long_date(self.timescales[1])}")
        return "Not dated"

    @property
    def latest_progress(self) -> str:
        """When its latest progress entry is dated, in words, and where it is."""
        entry = self.latest_update or self.latest_in_plan
        if entry:
            where = "an update on this site" if entry.is_update else "in the plan"
            return f"{long_date(entry.date)}, {where} ({entry.action.label})"
        if self.reports_progress:
            return "Not dated; the plan's progress entries give no dates"
        return "None: the plan reports no progress"


def plan_dates(area: Area) -> PlanDates:
    """An area's `PlanDates`. The plan's latest progress entry is the first passage its `date_note`
    quotes that is copied from an action's progress (or timescale: Kent wrote what was done in its
    timescale column, "First draft shared at T&F Group 9 October 2015") and holds a date: plans
    also date what they expect ("will be delivered in April 2016"), so the latest date in the
    text is not it."""
    latest_in_plan = None
    for quote in re.findall(r"“([^”]+)”", area.source_date_note):
        month = written_month(quote)
        # A timescale counts only where the quote says what was done, not just when ("January 2015").
        done = bool(_WRITTEN_DATE.sub("", quote).strip(" –-,.;:"))
        action = next((a for a in area.actions if month and (
            quoted_in(quote, a.progress) or (done and quoted_in(quote, a.timescale)))), None)
        if action is not None:
            latest_in_plan = DatedEntry(month, action)
            break
    updates = [(u.date, a) for a in area.actions for u in a.updates]
    latest_update = DatedEntry(*max(updates, key=lambda u: u[0]), is_update=True) if updates else None
    dues = sorted(a.due for a in area.actions if a.due)
    return PlanDates(area.source_date, latest_in_plan, latest_update,
                     any(a.progress or a.updates for a in area.actions), (dues[0], dues[-1]) if dues else None)


@dataclass(frozen=True)
class PlanPeriod:
    """What period the published plans cover, for the home page: worked out from their dates."""

    area_count: int
    undated: int  # plans with neither a printed date nor a dated progress entry
    first: str | None  # the earliest and latest month the plans are dated by (YYYY-MM)
    last: str | None
    due_from: str | None  # the earliest and latest due date their actions give
    due_to: str | None

    @property
    def sentences(self) -> tuple[str, ...]:
        areas = f"{self.area_count} local area" + ("s" if self.area_count != 1 else "")
        said = [f"Plans from {areas} are published here so far."]
        if self.first and self.last:
            dated = self.area_count - self.undated
            span = long_date(self.first) if self.first == self.last else \
                f"from {long_date(self.first)} to {long_date(self.last)}"
            which = f"All {dated}" if not self.undated else f"{dated} of them"
            said.append(f"{which} {'is' if dated == 1 else 'are'} dated, by the date printed on the plan or its "
                        f"latest progress entry, {span}" + (f"; {self.undated} {'is' if self.undated == 1 else 'are'} "
                                                            "not dated." if self.undated else "."))
        if self.due_from and self.due_to:
            said.append(f"Their timescales run from {long_date(self.due_from)} to {long_date(self.due_to)}.")
        return tuple(said)


def plan_period(areas: tuple[Area, ...]) -> PlanPeriod:
    months = sorted(m for m in (a.dates.month for a in areas) if m)
    dues = sorted(d for a in areas if a.dates.timescales for d in a.dates.timescales)
    return PlanPeriod(len(areas), len(areas) - len(months), months[0] if months else None,
                      months[-1] if months else None, dues[0] if dues else None, dues[-1] if dues else None)


HEADING_LENGTH = 140  # an action's name is cut at a word near this many characters


def first_words(text: str, limit: int = HEADING_LENGTH) -> str:
    """An action's first line, cut at a word near `limit` characters; "…" where the action goes on."""
    lines = [re.sub(r"\s+", " ", ln.strip(" -•·*")).strip() for ln in str(text or "").splitlines()]
    lines = [ln for ln in lines if ln]
    first = lines[0] if lines else ""
    if len(first) > limit:
        return first[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return first + (" …" if len(lines) > 1 and not first.endswith("…") else "")


def action_label(number: str, text: str, under: str = "") -> str:
    """How a reader refers to an action: "Action 2.14"; "Action 1 under “Sub-heading”" where the plan
    gives the number to several actions (`under`, see `number_subheadings`); its first words if it has
    no number."""
    if not number:
        return first_words(text)
    return f"Action {number}" + (f" under “{under}”" if under else "")


def action_heading(number: str, text: str, under: str = "") -> str:
    """An action's name in headings, links and page titles: its label and first words, so a list of
    headings or links says what each action is ("Action 1.1: Develop a local protocol to …").

    The one rule for naming an action: the model, the changes pages and the search index all use it."""
    if not number:
        return first_words(text)
    label = action_label(number, text, under)
    return f"{label}: {first_words(text, max(60, HEADING_LENGTH - len(label) - 2))}"


def number_subheadings(data: dict | None) -> dict[str, str]:
    """For each action (by id) whose number the plan gives to another action too, the heading that
    tells them apart: its sub-heading, else its section's heading, else both. Bromley restarts its
    numbering under every sub-heading. Works on an area file's data as read, valid or not (the
    changes pages read old versions)."""
    if not isinstance(data, dict):
        return {}
    placed = []  # (id, number, section heading, group heading)
    for a in _items(data.get("preamble")):
        placed.append((str(a.get("id", "")), str(a.get("number") or ""), "", ""))
    for s in _items(data.get("sections")):
        for g in _items(s.get("groups")):
            for a in _items(g.get("actions")):
                placed.append((str(a.get("id", "")), str(a.get("number") or ""), str(s.get("heading") or ""),
                               str(g.get("heading") or "")))
    numbers = Counter(number for _, number, _, _ in placed if number)
    under: dict[str, str] = {}
    for action_id, number, section, group in placed:
        if numbers[number] > 1:
            under[action_id] = group or section
    repeated = Counter((number, under.get(i, "")) for i, number, _, _ in placed if number)
    for action_id, number, section, group in placed:
        if numbers[number] > 1 and repeated[(number, under[action_id])] > 1 and section and group:
            under[action_id] = f"{section} — {group}"
    return under


def _items(value) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def build_action(area_slug: str, data: dict, theme_id: str | None, subtheme_id: str | None,
                 section_heading: str | None, group_heading: str | None, reviewed: str | None = None,
                 number_under: str = "", rag_column: str = "", source_line: int | None = None) -> Action:
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
        number_under=number_under,
        rag_column=rag_column,
        source_line=source_line,
    )


def build_area(data: dict, source_path: str, line_of: Callable[..., int | None] | None = None) -> Area:
    """An Area from one validated area file; `line_of(*at)` gives the line of the value at `at`."""
    line_of = line_of or (lambda *at: None)
    slug = data["slug"]
    reviewed = data.get("reviewed")
    under = number_subheadings(data)
    rag_column = data.get("source", {}).get("rag_column", "")
    sections = []
    for si, s in enumerate(data["sections"]):
        groups = []
        for gi, g in enumerate(s["groups"]):
            theme_id = g.get("theme", s["theme"])
            actions = tuple(
                build_action(slug, a, theme_id, g.get("subtheme"), s["heading"], g.get("heading"), reviewed,
                             under.get(a["id"], ""), rag_column, line_of("sections", si, "groups", gi, "actions", ai))
                for ai, a in enumerate(g["actions"])
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
        preamble=tuple(build_action(slug, a, None, None, None, None, reviewed, under.get(a["id"], ""), rag_column,
                                    line_of("preamble", i)) for i, a in enumerate(data.get("preamble", ()))),
        sections=tuple(sections),
        kpi_intro=data.get("kpi_intro", ""),
        kpi_headings=KpiHeadings(**data.get("kpi_headings", {})),
        kpis=tuple(Kpi(**k) for k in data.get("kpis", ())),
        glossary=tuple(GlossaryEntry(**g) for g in data.get("glossary", ())),
        notes=tuple(Note(**n) for n in data.get("notes", ())),
        reviewed=reviewed,
        review_every=data.get("review_every"),
        signatories=tuple(dict.fromkeys(data.get("signatories", ()))),
        signatories_recorded="signatories" in data,
        rag_column=source.get("rag_column", ""),
        region=data.get("region"),
        covers=tuple(CouncilArea(c["name"], c["council"], c.get("within", ""), tuple(c.get("towns", ())))
                     for c in data.get("covers", ())),
        reviewers=tuple(data.get("reviewers", ())),
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
        branch=data.get("branch", "main"),
        licence_title=data.get("licence", {}).get("title"),
        licence_url=data.get("licence", {}).get("url"),
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
            area = build_area(doc.data, doc.path, lambda *at, doc=doc: doc.where(*at)[0])
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
