"""What the editor needs to check after an import, line by line, with the table and row of each."""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field

from ..model import STATUS_LABELS
from .imported import ImportedPlan

STATUSES = tuple(STATUS_LABELS)


@dataclass
class ImportReport:
    """What the editor needs to check, line by line, with the table and row of each."""

    colours: list[str] = field(default_factory=list)
    not_placed: list[str] = field(default_factory=list)
    joined: list[str] = field(default_factory=list)
    status_sources: Counter = field(default_factory=Counter)
    unmatched_leads: dict[str, list[str]] = field(default_factory=dict)
    lead_notes: list[str] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)

    def summary(self, plan: ImportedPlan, organisations: dict[str, dict]) -> list[str]:
        actions = plan.actions()
        statuses = Counter(a.status for a in actions)
        led = [a for a in actions if a.leads]
        headed = sum(1 for s in plan.sections for g in s.groups if g.heading)
        lines = [
            f"  sections: {len(plan.sections)}, sub-headings: {headed}, actions: {len(actions)}"
            + (f" ({len(plan.preamble)} before the first theme)" if plan.preamble else ""),
            "  statuses: " + ", ".join(f"{s} {statuses.get(s, 0)}" for s in STATUSES)
            + f" (from shading {self.status_sources['shading']}, from words {self.status_sources['words']})",
            f"  leads: {len(led)} of {len(actions)} actions matched to content/organisations.yaml, "
            f"{len({i for a in actions for i in a.leads})} organisations; "
            f"{len(self.unmatched_leads)} names not matched",
            f"  KPIs: {len(plan.kpis)}, glossary entries: {len(plan.glossary)}, notes: {len(plan.notes)}",
        ]
        if self.skipped:
            lines.append("  skipped: " + ", ".join(f"{n} {what}" for what, n in sorted(self.skipped.items())))
        if self.colours:
            lines += ["Colours found in RAG cells:"] + [f"  {c}" for c in self.colours]
        if self.joined:
            lines += ["Joined or copied (check these):"] + [f"  {c}" for c in self.joined]
        if self.lead_notes:
            lines += ["Leads matched indirectly (check these):"] + [f"  {c}" for c in self.lead_notes]
        if self.unmatched_leads:
            names = {o["name"]: i for i, o in organisations.items()}
            names.update({s: i for i, o in organisations.items() for s in o.get("short_names", [])})
            lines.append("Lead names not matched to an organisation "
                         "(add them to content/organisations.yaml if they are one):")
            for text, places in self.unmatched_leads.items():
                near = difflib.get_close_matches(text, list(names), n=3, cutoff=0.5)
                hint = "; nearest: " + ", ".join(f"{n} ({names[n]})" for n in near) if near else ""
                more = f" and {len(places) - 3} more" if len(places) > 3 else ""
                lines.append(f"  '{text}' ({', '.join(places[:3])}{more}){hint}")
        if self.not_placed:
            lines += ["Not placed in the file (check these against the plan):"] + [f"  {c}" for c in self.not_placed]
        return lines


def short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
