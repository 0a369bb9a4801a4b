"""Read an Excel (.xlsx) plan with openpyxl: each visible sheet as one table, merged ranges laid out
cell by cell, values as Excel shows them, and each cell's fill (rgb, indexed or theme colour with
tint) as RRGGBB. openpyxl uses defusedxml for worksheets (a dependency)."""

from __future__ import annotations

import colorsys
import datetime as dt
import re
from pathlib import Path

from .file_checks import MAX_SHEET_CELLS, PlanFileError
from .tables import Block, Cell, Row, Table, clean_text, fill_hex, tidy_lines


def read_xlsx(path: Path) -> list[Block]:
    import openpyxl

    workbook = openpyxl.load_workbook(str(path), data_only=True)
    theme = _ExcelTheme(workbook.loaded_theme)
    blocks: list[Block] = []
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        if sheet.max_row * sheet.max_column > MAX_SHEET_CELLS:
            raise PlanFileError(f"{path.name}: sheet '{sheet.title}' has {sheet.max_row} rows x {sheet.max_column} "
                                "columns, far more than a plan: refused")
        blocks.append(_sheet_table(sheet, theme))
    return blocks


def _sheet_table(sheet, theme: _ExcelTheme) -> Table:
    merged_root: dict[tuple[int, int], tuple[int, int]] = {}
    for rng in sheet.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                merged_root[(r, c)] = (rng.min_row, rng.min_col)
    made: dict[tuple[int, int], Cell] = {}
    table = Table(f"sheet '{sheet.title}'")
    for r in range(1, sheet.max_row + 1):
        cells: list[Cell | None] = []
        for c in range(1, sheet.max_column + 1):
            root = merged_root.get((r, c), (r, c))
            if root in made and root[0] == r:
                cells.append(made[root])  # spans columns: the same cell again
                continue
            if root in made:
                first = made[root]
                cells.append(Cell(first.text, first.fill, merged_from_above=True))
                continue
            source = sheet.cell(*root)
            cell = Cell(tidy_lines(clean_text(excel_text(source)).split("\n")), theme.fill(source))
            made[root] = cell
            cells.append(cell)
        table.rows.append(Row(r, cells))
    return table


def excel_text(cell) -> str:
    """A cell's value as Excel shows it: numbers and dates in the cell's own number format."""
    value, fmt = cell.value, (cell.number_format or "General")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime | dt.date):
        return _excel_date(value, fmt)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        decimals = re.search(r"0\.(0+)", fmt)
        if decimals:
            return f"{value:.{len(decimals.group(1))}f}"
        return f"{value:.15g}"
    return str(value)


def _excel_date(value: dt.date, fmt: str) -> str:
    fmt = re.sub(r'\[[^\]]*\]|\\|"|;.*', "", fmt).lower()
    if not re.search(r"[dmy]", fmt) or fmt == "general":
        return value.strftime("%d/%m/%Y")
    tokens = {"yyyy": "%Y", "yy": "%y", "mmmm": "%B", "mmm": "%b", "mm": "%m", "m": "%m", "dddd": "%A",
              "ddd": "%a", "dd": "%d", "d": "%d"}
    out = re.sub(r"yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d", lambda m: tokens[m.group()], fmt)
    out = re.sub(r"h+|s+|am/pm", "", out).strip(" :")
    return value.strftime(out)


class _ExcelTheme:
    """Turns openpyxl fills (rgb, indexed or theme colours with tint) into RRGGBB."""

    ORDER = ["lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6"]

    def __init__(self, theme_xml: bytes | None):
        self.colours: list[str] = []
        if not theme_xml:
            return
        from openpyxl.xml.functions import fromstring

        ns = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
        scheme = fromstring(theme_xml).find(f"{ns}themeElements/{ns}clrScheme")
        if scheme is None:
            return
        found = {}
        for child in scheme:
            tag = child.tag.replace(ns, "")
            for colour in child:
                found[tag] = colour.get("val") if colour.tag == f"{ns}srgbClr" else colour.get("lastClr")
        self.colours = [(found.get(name) or "000000").upper() for name in self.ORDER]

    def fill(self, cell) -> str | None:
        fill = cell.fill
        if fill is None or fill.fill_type != "solid":
            return None
        colour = fill.fgColor
        if colour.type == "rgb" and isinstance(colour.rgb, str):
            return fill_hex(colour.rgb)
        if colour.type == "indexed" and isinstance(colour.indexed, int):
            from openpyxl.styles.colors import COLOR_INDEX

            return fill_hex(COLOR_INDEX[colour.indexed]) if colour.indexed < len(COLOR_INDEX) - 2 else None
        if colour.type == "theme" and isinstance(colour.theme, int) and colour.theme < len(self.colours):
            return _tint(self.colours[colour.theme], colour.tint or 0.0)
        return None


def _tint(rgb: str, tint: float) -> str:
    r, g, b = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    h, light, s = colorsys.rgb_to_hls(r, g, b)
    light = light * (1 + tint) if tint < 0 else light * (1 - tint) + tint
    r, g, b = colorsys.hls_to_rgb(h, light, s)
    return "".join(f"{round(v * 255):02X}" for v in (r, g, b))
