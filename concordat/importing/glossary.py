"""A plan's glossary of abbreviations: from a two-column table, or from lines such as "KMPT – Kent
and Medway NHS and Social Care Partnership Trust" under a "Glossary" heading."""

from __future__ import annotations

import re

from .imported import ImportedPlan
from .report import ImportReport, short
from .tables import Table

GLOSSARY_LINE = re.compile(r"^(?P<term>[A-Za-z0-9&/().’'-]{1,20}(?: [A-Za-z0-9&]{1,12}){0,2})\s*(?:–|—|-|:|=)\s+"
                           r"(?P<meaning>\S.*)$")


class Glossary:
    """Adds the plan's terms to it, each once; a term given again is listed in the report."""

    def __init__(self, plan: ImportedPlan, report: ImportReport):
        self.plan, self.report = plan, report

    def lines(self, text: str, where: str) -> bool:
        """Add the terms of a paragraph under a glossary heading; False if a line of it is not one."""
        done = True
        for line in text.split("\n"):
            m = GLOSSARY_LINE.match(line.strip())
            if not m or not re.search(r"[A-Z]", m.group("term")):
                done = done and not line.strip()
                continue
            self.add(m.group("term").strip(), m.group("meaning").strip(), where)
        return done

    def add(self, term: str, meaning: str, where: str) -> None:
        if any(g["term"] == term for g in self.plan.glossary):
            self.report.not_placed.append(f"{where}: glossary term '{term}' given again ('{short(meaning)}')")
            return
        self.plan.glossary.append({"term": term, "meaning": meaning})

    def table(self, table: Table, header_at: int | None, mapping: dict[int, str]) -> None:
        """Add the terms of a glossary table, its columns given by `mapping` (column -> term or meaning)."""
        for row in table.rows[(header_at + 1 if header_at is not None else 0):]:
            values = {mapping[c]: cell.text.strip() for c, cell in row.distinct() if c in mapping}
            if values.get("term") and values.get("meaning"):
                self.add(values["term"], values["meaning"], f"{table.name} row {row.number}")
            elif any(cell.text.strip() for _, cell in row.distinct()):
                self.report.not_placed.append(f"{table.name} row {row.number}: "
                                              f"'{short(' | '.join(c.text for _, c in row.distinct()))}'")
