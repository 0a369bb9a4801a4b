"""A plan's tables, row by row: which kind each table is (actions, KPIs, glossary, or headings
only), each action row's fields and status, and rows split across pages joined back together.

A table with no header row of its own, as wide as the last table of actions, continues it (a
table broken across pages). Anything not placed is listed in the report with its table and row.
"""

from __future__ import annotations

import re

from .columns import COLUMN_WORDS, GLOSSARY_WORDS, KPI_WORDS, field_for, header_columns
from .glossary import Glossary
from .headings import ACTION_NUMBER, Headings
from .imported import Cursor, ImportedAction, ImportedGroup, ImportedPlan
from .rag import RagKey, hue_status, rag_shown, words_status
from .report import ImportReport, short
from .tables import Cell, Row, Table


class TableReader:
    """Reads each table into the plan at the cursor; `rag_cells` counts the action rows with a RAG cell."""

    def __init__(self, plan: ImportedPlan, report: ImportReport, cursor: Cursor, key: RagKey, headings: Headings,
                 glossary: Glossary):
        self.plan, self.report, self.cursor, self.key = plan, report, cursor, key
        self.headings, self.glossary = headings, glossary
        self.rag_cells = 0  # action rows with a cell in a RAG column

    def read(self, table: Table) -> None:
        """Read one table, by its kind, into the plan at the cursor."""
        cursor = self.cursor
        cursor.mode = "" if cursor.mode == "kpi" else cursor.mode
        kind, header_at, mapping = self._table_kind(table)
        if kind == "glossary":
            return self.glossary.table(table, header_at, mapping)
        if kind == "kpi":
            return self._kpi_table(table, header_at, mapping)
        if kind == "actions":
            cursor.columns, cursor.width = mapping, table.width
        elif kind == "continued":
            self.report.joined.append(f"{table.name} has no header row: read with the columns of the table before it")
        for row in table.rows:
            where = f"{table.name} row {row.number}"
            texts = [(c, cell) for c, cell in row.distinct() if cell.text.strip()]
            if header_at is not None and row.number - 1 < header_at:
                self._loose_row(texts, where, in_table=True)
                continue
            if header_at is not None and row.number - 1 == header_at:
                continue
            if not texts:
                self.report.skipped["empty rows"] += 1
                continue
            if kind in ("actions", "continued"):
                self._action_row(row, texts, where)
            else:
                self._loose_row(texts, where, in_table=True)

    def _table_kind(self, table: Table) -> tuple[str, int | None, dict[int, str]]:
        for at, row in enumerate(table.rows[:6]):
            mapping = header_columns(row, COLUMN_WORDS, {"action"}, 3)
            if mapping:
                return "actions", at, mapping
            mapping = header_columns(row, KPI_WORDS, {"measure"}, 2)
            if mapping:
                return "kpi", at, mapping
            mapping = header_columns(row, GLOSSARY_WORDS, {"term", "meaning"}, 2)
            if mapping:
                return "glossary", at, mapping
        if self.cursor.mode == "glossary" and table.width == 2:
            return "glossary", None, {0: "term", 1: "meaning"}
        if self.cursor.columns and table.width == self.cursor.width and self._has_multi_cell_rows(table):
            return "continued", None, self.cursor.columns
        return "other", None, {}

    @staticmethod
    def _has_multi_cell_rows(table: Table) -> bool:
        return any(sum(1 for _, c in r.distinct() if c.text.strip()) >= 2 for r in table.rows)

    def _loose_row(self, texts: list[tuple[int, Cell]], where: str, in_table: bool) -> None:
        if len(texts) == 1 and self.headings.place(texts[0][1].text.strip(), where, in_table=in_table):
            return
        if texts:
            self.report.not_placed.append(f"{where}: '{short(' | '.join(c.text for _, c in texts))}'")

    def _kpi_table(self, table: Table, header_at: int, mapping: dict[int, str]) -> None:
        measure_col = next(c for c, f in mapping.items() if f == "measure")
        if "number" not in mapping.values() and measure_col > 0:
            mapping = {**mapping, measure_col - 1: "number"}
        group = None
        for row in table.rows[header_at + 1:]:
            cells = [(c, cell) for c, cell in row.distinct() if cell.text.strip()]
            if not cells:
                continue
            if len(cells) == 1 and mapping.get(cells[0][0]) != "measure":
                group = cells[0][1].text.strip()
                continue
            values = {}
            for col, cell in cells:
                name = mapping.get(col)
                if name:
                    values[name] = cell.text.strip()
                else:
                    self.report.not_placed.append(f"{table.name} row {row.number}: '{short(cell.text)}'")
            if "measure" not in values:
                self.report.not_placed.append(f"{table.name} row {row.number}: KPI row without a measure")
                continue
            kpi = {k: values[k] for k in ("number", "measure", "baseline", "target") if k in values}
            self.plan.kpis.append({**({"group": group} if group else {}), **kpi})

    # -- action rows

    def _action_row(self, row: Row, texts: list[tuple[int, Cell]], where: str) -> None:
        cursor = self.cursor
        columns = cursor.columns or {}
        if len(texts) >= 3 and all(columns.get(c) == field_for(cell.text, COLUMN_WORDS) for c, cell in texts):
            self.report.skipped["repeated header rows"] += 1
            return
        values: dict[str, list[Cell]] = {}
        for col, cell in row.distinct():
            name = columns.get(col)
            if name is None:
                if cell.text.strip():
                    self.report.not_placed.append(f"{where}: cell in a column the importer does not know: "
                                                  f"'{short(cell.text)}'")
                continue
            values.setdefault(name, []).append(cell)
        number_cell = (values.get("number") or [None])[0]
        has_number_column = "number" in columns.values()
        first_col = min(c for c, _ in row.distinct())
        if len(texts) == 1 and (texts[0][0] == first_col or self._spans(row, texts[0][1])):
            text = texts[0][1].text.strip()
            if not ACTION_NUMBER.match(text) and not re.fullmatch(r"[\d.]+", text):
                if self.headings.place(text, where, in_table=True):
                    return
        if has_number_column and (number_cell is None or not number_cell.text.strip()
                                  or number_cell.merged_from_above) and cursor.last_action is not None:
            return self._continue_action(cursor.last_action, values, where)
        action = ImportedAction(where=where)
        for name, cells in values.items():
            if name == "status":
                continue
            fresh = [c for c in cells if c.text.strip()]
            if fresh:
                action.fields[name] = "\n\n".join(c.text for c in fresh)
            copied = [c for c in fresh if c.merged_from_above]
            if copied:
                self.report.joined.append(f"{where}: {name} cell merged with the row above: its text is copied here")
        if not has_number_column and "action" in action.fields:
            m = ACTION_NUMBER.match(action.fields["action"])
            if m:
                action.fields["number"] = m.group("number")
                action.fields["action"] = m.group("rest").strip()
        if not action.fields.get("action"):
            self.report.not_placed.append(f"{where}: row with no action text: "
                                          f"'{short(' | '.join(c.text for _, c in texts))}'")
            return
        self._status(action, values, row, where)
        self._place(action)

    @staticmethod
    def _spans(row: Row, cell: Cell) -> bool:
        return sum(1 for c in row.cells if c is cell) >= 2

    def _continue_action(self, action: ImportedAction, values: dict[str, list[Cell]], where: str) -> None:
        added = []
        for name, cells in values.items():
            fresh = [c.text for c in cells if c.text.strip() and not c.merged_from_above]
            if not fresh or name in ("number", "status"):
                continue
            text = "\n\n".join(fresh)
            action.fields[name] = f"{action.fields[name]}\n{text}" if action.fields.get(name) else text
            added.append(name)
        number = action.fields.get("number", "")
        self.report.joined.append(f"{where}: no number, so joined to the action above ({number or action.where}) as "
                                  f"a row split across pages ({', '.join(added) or 'nothing new'})")

    def _status(self, action: ImportedAction, values: dict[str, list[Cell]], row: Row, where: str) -> None:
        label = action.fields.get("number") or where
        rag_cells = values.get("status")
        if rag_cells:
            self.rag_cells += 1
            cell = rag_cells[0]
            fill, from_where, place = cell.fill, "RAG cell", ""
        else:  # no RAG column: a RAG colour on the number cell, or on the row's cells alike
            fills = [c.fill for _, c in row.distinct() if hue_status(c.fill)]
            number = (values.get("number") or [None])[0]
            on_number = number is not None and number.fill in fills
            fill = number.fill if on_number else (fills[0] if fills and len(set(fills)) == 1 else None)
            cell, from_where = None, "row shading"
            place = "on the number cell" if on_number else "across the row"
        by_colour, how, key_words = self.key.read(fill)
        words = cell.text.strip() if cell is not None else ""
        by_words = words_status(words) if words else None
        if fill:
            shown = f"{where} (action {label}): #{fill} in the {from_where}"
            self.report.colours.append(f"{shown} read as {by_colour}" + (f" ({how})" if how and by_colour else "")
                                       if by_colour else f"{shown}: {how}, status left to the words")
        if by_colour:
            action.status = by_colour
            action.rag = rag_shown(fill, key_words, words, place)
            self.report.status_sources["shading"] += 1
            if by_words and by_words != by_colour:
                self.report.not_placed.append(f"{where}: RAG cell says '{words}' but is shaded {by_colour}: "
                                              "the shading was used")
        elif by_words:
            action.status = by_words
            action.rag = rag_shown(fill, "", words)
            self.report.status_sources["words"] += 1
        if words and (not by_words or len(words.split()) > 4):
            self.report.not_placed.append(f"{where}: words in the RAG cell: '{short(words)}'")

    def _place(self, action: ImportedAction) -> None:
        cursor = self.cursor
        cursor.seen_action = True
        cursor.last_action = action
        if cursor.section is None:
            self.plan.preamble.append(action)
            return
        if cursor.group is None:
            cursor.group = ImportedGroup()
            cursor.section.groups.append(cursor.group)
        cursor.group.actions.append(action)
