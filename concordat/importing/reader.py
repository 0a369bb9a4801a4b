"""Turn a local plan's paragraphs and tables into sections, groups and actions an editor can review.

The document is read in order: a RAG key first (a small table of colours and their words, used
before the usual hues), then each paragraph (title, headings, glossary lines, a list of KPIs) and
each table (`table_reader`). After reading, leads are matched to the registry (`leads`) and ids
given (`ids`). Anything the importer is unsure of becomes a `REVIEW` comment in the written file
and a line in the report.
"""

from __future__ import annotations

import re

from .columns import COLUMN_WORDS, KPI_WORDS, header_columns
from .glossary import Glossary
from .headings import Headings
from .ids import assign_ids
from .imported import Cursor, ImportedGroup, ImportedPlan
from .leads import LeadMatcher
from .rag import RagKey, hue_name, hue_status, words_status
from .report import ImportReport, short
from .table_reader import TableReader
from .tables import Block, Paragraph, Table
from .themes import Themes


class PlanReader:
    """Reads one plan's blocks into `plan`, noting in `report` what the editor should check."""

    def __init__(self, name: str, slug: str, themes: list[dict], organisations: dict[str, dict]):
        self.plan = ImportedPlan(name=name, slug=slug)
        self.report = ImportReport()
        self.themes = Themes(themes)
        self.leads = LeadMatcher(organisations, name)
        self.key = RagKey()
        self.cursor = Cursor()
        self.legend_tables: set[int] = set()
        self.headings = Headings(self.plan, self.cursor, self.themes)
        self.glossary = Glossary(self.plan, self.report)
        self.tables = TableReader(self.plan, self.report, self.cursor, self.key, self.headings, self.glossary)

    # -- the whole document

    def read(self, blocks: list[Block]) -> ImportedPlan:
        self._find_rag_key(blocks)
        for index, block in enumerate(blocks):
            if isinstance(block, Paragraph):
                self._paragraph(block)
            elif index not in self.legend_tables:
                self.tables.read(block)
        if not self.plan.actions():
            raise ValueError("no table has a header row with an Action column "
                             "(for example No. | Action | Timescale | Led by | Outcomes | Progress | RAG)")
        self._finish()
        return self.plan

    def _find_rag_key(self, blocks: list[Block]) -> None:
        for index, block in enumerate(blocks):
            if not isinstance(block, Table) or len(block.rows) > 8 or self._any_header(block):
                continue
            entries, lines = [], []
            for row in block.rows:
                texts = [c.text for _, c in row.distinct() if c.text.strip()]
                colours = [c.fill for _, c in row.distinct() if hue_name(c.fill)]
                words = " ".join(" ".join(texts).split())
                if len(texts) > 3 or len(words.split()) > 12:
                    entries = []
                    break  # long text: rows of actions, not a key of colours
                if colours and words:
                    status = words_status(words) or hue_status(colours[0])
                    entries.append((colours[0], status, words))
                if texts:
                    lines.append("\n".join(texts))
                    if not colours and not entries:
                        lines.append("")
            if len(entries) >= 2:
                self.key.entries += entries
                self.legend_tables.add(index)
                self.plan.notes.append({"heading": "RAG key", "text": "\n".join(lines).strip()})
                for colour, status, words in entries:
                    self.report.colours.append(f"{block.name} (RAG key): #{colour} '{words}' read as "
                                               + (status or "no status"))

    def _any_header(self, table: Table) -> bool:
        return any(header_columns(r, COLUMN_WORDS, {"action"}, 3) or header_columns(r, KPI_WORDS, {"measure"}, 2)
                   for r in table.rows[:5])

    # -- paragraphs outside tables

    def _paragraph(self, para: Paragraph) -> None:
        text = para.text.strip()
        where = f"paragraph {para.number}"
        if not text:
            return
        cursor = self.cursor
        lowered = text.lower()
        if re.search(r"\bglossary\b|\babbreviations\b", lowered) and len(text) < 80:
            cursor.mode = "glossary"
            return
        if cursor.mode == "glossary":
            if self.glossary.lines(text, where):
                return
            cursor.mode = ""
        if cursor.seen_action and re.search(r"\bkpis?\b", lowered) and not para.list_item and cursor.mode != "kpi":
            cursor.mode, cursor.kpi_group = "kpi", None
            self.plan.kpi_intro = text
            return
        if cursor.mode == "kpi":
            if para.list_item or text.startswith("- "):
                self.plan.kpis.append({**({"group": cursor.kpi_group} if cursor.kpi_group else {}),
                                       "measure": re.sub(r"^(\s*- |\s*\d+\. )", "", text)})
                return
            if not self.plan.kpis and not para.heading_style:
                self.plan.kpi_intro = f"{self.plan.kpi_intro}\n{text}"
                return
            if len(text) < 60:
                cursor.kpi_group = text
                return
            cursor.mode = ""
        if self.headings.place(text, where, in_table=False, styled=para.heading_style):
            return
        self.report.not_placed.append(f"{where}: '{short(text)}'")

    # -- after reading

    def _finish(self) -> None:
        plan = self.plan
        for section in plan.sections:
            if not section.groups:
                section.groups.append(ImportedGroup())
        actions = plan.actions()
        rag_cells = self.tables.rag_cells
        if rag_cells and all(a.status == "not-rated" for a in actions):
            plan.comments.append(
                f"REVIEW: the plan has a RAG column ({rag_cells} rows), but no status could be read from it: "
                "its colours may have been lost (an .xlsx saved without them, or colours set by conditional "
                "formatting). Compare the statuses with the printed plan; if its colours are lost, add "
                "`rag_column: colours-lost` under `source:`. Then delete this note.")
        self.leads.learn_named([a.fields.get("lead_text", "") for a in actions])
        self.leads.learn_people([a.fields.get("lead_text", "") for a in actions])
        for action in actions:
            ids, unmatched, notes = self.leads.match(action.fields.get("lead_text", ""))
            action.leads = ids
            label = action.fields.get("number") or action.where
            self.report.lead_notes += [f"{action.where} (action {label}): {n}" for n in notes]
            for name in unmatched:
                self.report.unmatched_leads.setdefault(name, []).append(action.where)
        assign_ids(self.plan)
