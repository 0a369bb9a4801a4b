"""What changed in the plans, and when: progress updates and (later stages) the content's git history."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Action


@dataclass(frozen=True)
class HistoryEvent:
    """One dated line of an action's history: a progress update, or a change to its words or status."""

    date: str  # YYYY-MM-DD
    kind: str  # "update" or "change"
    text: str  # the update's text (Markdown), or what changed in words
    status: str = ""  # the status it gave, if any


def action_history(action: Action, changes: tuple[HistoryEvent, ...] = ()) -> tuple[HistoryEvent, ...]:
    """The action's updates and changes, newest first (on one day, a change before an update)."""
    events = [HistoryEvent(u.date, "update", u.text, u.status) for u in action.updates] + list(changes)
    order = {"update": 0, "change": 1}
    # Stable sort: same-day updates keep the file's order, newest (last) first after reversing.
    return tuple(reversed(sorted(events, key=lambda e: (e.date, order[e.kind]))))
