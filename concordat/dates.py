"""The plans' dates: how they are read from a plan's words, written in words, and judged.

A due date, a review date and the date a plan was written all come from the area file; none is
judged against the day of the build, so the same content always gives the same site.
`model` imports this module (an `Area`'s `dates`, its `next_review`), so this one names the
model's classes only by what it reads of them (`PlanAction`, `DatedPlan`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .names import quoted_in


class StatusUpdate(Protocol):
    """A dated update as far as its status goes: `model.Update`."""

    date: str
    status: str


class PlanAction(Protocol):
    """An action as far as its plan's dates go: `model.Action`."""

    label: str
    progress: str
    timescale: str
    due: str | None
    updates: Sequence[StatusUpdate]


class DatedPlan(Protocol):
    """An area's plan as far as its dates go: `model.Area`."""

    source_date: str
    source_date_note: str
    actions: Sequence[PlanAction]
    dates: PlanDates


def parse_due(value: str) -> dt.date | None:
    """A YYYY-MM or YYYY-MM-DD string as a date (first of the month), or None if impossible."""
    try:
        if len(value) == 7:
            return dt.date.fromisoformat(value + "-01")
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


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


def status_at(plan_status: str, updates: Sequence[StatusUpdate], day: str | None) -> str:
    """The status shown on `day` (None: now): the latest update's on or before it, else the plan's."""
    shown = [u for u in updates if day is None or u.date <= day]
    return shown[-1].status if shown else plan_status


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
    action: PlanAction
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


def plan_dates(area: DatedPlan) -> PlanDates:
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


def plan_period(areas: Sequence[DatedPlan]) -> PlanPeriod:
    months = sorted(m for m in (a.dates.month for a in areas) if m)
    dues = sorted(d for a in areas if a.dates.timescales for d in a.dates.timescales)
    return PlanPeriod(len(areas), len(areas) - len(months), months[0] if months else None,
                      months[-1] if months else None, dues[0] if dues else None, dues[-1] if dues else None)
