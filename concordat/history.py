"""What changed in the plans, and when: progress updates and (later stages) the content's git history."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .model import Action, Site


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


def git(root: Path, *args: str) -> str | None:
    """Output of a git command in `root`, or None where there is no git or no repository."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False,
                              env={**os.environ, "LC_ALL": "C"})
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def review_warnings(root: Path, site: Site) -> list[str]:
    """`file:line:col: warning: ...` for each area whose next review was due before its file's latest commit.

    The latest commit, not today: the same history always gives the same warnings.
    """
    warnings = []
    for area in site.areas:
        if not area.next_review:
            continue
        latest = (git(root, "log", "-1", "--format=%cs", "--", area.source_path) or "").strip()
        if latest and area.next_review < latest:
            text = (root / area.source_path).read_text(encoding="utf-8")
            match = re.search(r"^review_every:", text, re.M) or re.search(r"^reviewed:", text, re.M)
            line = text.count("\n", 0, match.start()) + 1 if match else 1
            warnings.append(f"{area.source_path}:{line}:1: warning: the next review of the {area.name} plan was due "
                            f"on {area.next_review}, before its latest change ({latest}) (review the plan, then "
                            f"set reviewed: to the date of that review)")
    return warnings
