"""Each plan as the spreadsheet its editors know, and back: `data/areas/<slug>.xlsx`.

The sheet "Plan" lays the plan out as it was printed: a row for each section and sub-heading,
then No., Action, Lead, Timescale, Outcomes, Progress and Status for each action, with the
plan's RAG colours where it rates an action; the columns after Status hold what the site needs
to put each action back where it was (its id, lead organisations, due date ...). The sheet
"Updates" has one row per dated progress update. Every cell is text (never a formula, so
nothing in a plan can run in Excel, and a number such as 1.10 stays 1.10), the header rows stay
in view, and the page setup prints landscape, one page wide.

`python build.py import <slug>.xlsx` reads such a file back (read_area_spreadsheet): the
actions it gives equal the ones it was made from, field for field.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from html import escape
from pathlib import Path

from .model import STATUS_LABELS, Action, Area, SiteConfig

MARKER = "Made by Concordat Plans: `python build.py import` reads this file back."
PLAN_SHEET, UPDATES_SHEET = "Plan", "Updates"


@dataclass(frozen=True)
class Column:
    heading: str
    width: int
    key: str  # the action field (or row detail) it holds


COLUMNS = (
    Column("No.", 8, "number"), Column("Action", 50, "action"), Column("Lead", 24, "lead_text"),
    Column("Timescale", 16, "timescale"), Column("Outcomes", 40, "outcomes"), Column("Progress", 40, "progress"),
    Column("Status", 12, "status"),
    # What the site needs to put each row back where it was:
    Column("Status words (the plan's words for a status)", 24, "status_words"),
    Column("RAG cell (as imported)", 16, "rag"), Column("Due (YYYY-MM or YYYY-MM-DD)", 14, "due"),
    Column("Typos kept [sic], one a line", 16, "sic"), Column("Lead organisation ids", 24, "leads"),
    Column("Id", 10, "id"), Column("Row", 10, "row"), Column("Theme id", 18, "theme"),
    Column("National sub-heading id", 18, "subtheme"),
)
UPDATE_COLUMNS = (Column("Id", 10, "id"), Column("No.", 8, "number"), Column("Date (YYYY-MM-DD)", 14, "date"),
                  Column("Status", 12, "status"), Column("What changed", 80, "text"))
HEADER_ROW = 4  # rows 1-3: the plan's name, where it comes from, how to use the file

FILLS = {"red": "F4B6B6", "amber": "FFD966", "green": "A9D08E", "complete": "9BC2E6"}
_STATUS_OF_LABEL = {label.lower(): status for status, label in STATUS_LABELS.items()}


class SpreadsheetError(ValueError):
    """A published spreadsheet that cannot be read back: the message names the sheet and row."""


def area_spreadsheet(config: SiteConfig, area: Area, dated: str | None = None) -> bytes:
    """The plan as an .xlsx; the same content always gives the same bytes.

    Written as SpreadsheetML directly: openpyxl took about 2 ms an action to style and save
    (some 25 s of a national build's 12,000 actions); this takes a small fraction of that.
    openpyxl reads it back (read_area_spreadsheet), and the tests open every file with it."""
    footer = area.name.replace("&", "&&") + " action plan, page &P of &N"  # & starts a code in a footer
    sheets = [(PLAN_SHEET, _sheet(_plan_rows(area), COLUMNS, HEADER_ROW, 3, footer)),
              (UPDATES_SHEET, _sheet(_update_rows(area), UPDATE_COLUMNS, 1, 1, footer))]
    return _zipped(_workbook_parts(config, area, dated, sheets), dated)


def _plan_rows(area: Area) -> list[list[tuple[str, int]]]:
    """The "Plan" sheet's rows, each cell (text, style): the title rows, the headings, then the
    preamble's actions and each section's and sub-heading's row followed by its actions."""
    rows = [[(area.name, _TITLE)],
            [(f"From: {area.source_title}" if area.source_title else "From the plan as published on this site.",
              _PLAIN)],
            [(MARKER, _SMALL), *[("", _PLAIN)] * (len(COLUMNS) - 3), ("Area id:", _SMALL), (area.slug, _SMALL)],
            [(c.heading, _BOLD) for c in COLUMNS]]

    def action_row(action: Action) -> list[tuple[str, int]]:
        values = _action_row(action)
        return [(values.get(c.key, ""), _FILL_STYLE.get(action.plan_status, _WRAP) if c.key == "status" else _WRAP)
                for c in COLUMNS]

    def heading_row(values: dict[str, str]) -> list[tuple[str, int]]:
        return [(values.get(c.key, ""), _BOLD_WRAP) for c in COLUMNS]

    rows += [action_row(a) for a in area.preamble]
    for section in area.sections:
        rows.append(heading_row({"row": "section", "action": section.heading, "theme": section.theme_id}))
        for group in section.groups:
            theme = group.theme_id if group.theme_id != section.theme_id else ""
            rows.append(heading_row({"row": "group", "action": group.heading or "", "theme": theme,
                                     "subtheme": group.subtheme_id or ""}))
            rows += [action_row(a) for a in group.actions]
    return rows


def _update_rows(area: Area) -> list[list[tuple[str, int]]]:
    """The "Updates" sheet's rows: its headings, then one row per dated progress update."""
    updates = [[(c.heading, _BOLD) for c in UPDATE_COLUMNS]]
    for action in area.actions:
        for update in action.updates:
            values = {"id": action.id, "number": action.number, "date": update.date,
                      "status": STATUS_LABELS[update.status], "text": update.text}
            updates.append([(values[c.key], _WRAP) for c in UPDATE_COLUMNS])
    return updates


def _workbook_parts(config: SiteConfig, area: Area, dated: str | None, sheets: list[tuple[str, str]]
                    ) -> dict[str, str]:
    """Every file inside the .xlsx: the package's parts around the worksheets (name, XML)."""
    numbers = range(1, len(sheets) + 1)
    return {
        "[Content_Types].xml": _CONTENT_TYPES.format(sheets="".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/>' for n in numbers)),
        "_rels/.rels": _ROOT_RELS,
        "docProps/core.xml": _CORE.format(title=escape(f"{area.name} action plan"),
                                          creator=escape(config.title),
                                          stamp=(dated or "2000-01-01") + "T00:00:00Z"),
        "xl/workbook.xml": _WORKBOOK.format(
            sheets="".join(f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>'
                           for n, (name, _) in zip(numbers, sheets, strict=True)),
            titles=f"<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"0\">'{PLAN_SHEET}'!${HEADER_ROW}:"
                   f"${HEADER_ROW}</definedName>"),
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS.format(sheets="".join(
            f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'worksheet" Target="worksheets/sheet{n}.xml"/>' for n in numbers), styles=len(sheets) + 1),
        "xl/styles.xml": _STYLES,
        **{f"xl/worksheets/sheet{n}.xml": xml for n, (_, xml) in zip(numbers, sheets, strict=True)},
    }


def _zipped(parts: dict[str, str], dated: str | None) -> bytes:
    """The parts as a zip whose every entry is dated `dated` (or 2000-01-01): the same parts, the same bytes."""
    day = dt.date.fromisoformat(dated) if dated else dt.date(2000, 1, 1)
    when = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return out.getvalue()


def _action_row(action: Action) -> dict[str, str]:
    return {"row": "action", "id": action.id, "number": action.number, "action": action.text,
            "outcomes": action.outcomes, "lead_text": action.lead_text, "timescale": action.timescale,
            "progress": action.progress, "status": STATUS_LABELS[action.plan_status],
            "status_words": action.status_words, "rag": action.rag, "due": action.due or "",
            "sic": "\n".join(action.sic), "leads": "; ".join(action.leads)}


# Styles, by their index in _STYLES' cellXfs. Every one has the Text number format (@), so what an
# editor types into the file in Excel stays text too.
_PLAIN, _TITLE, _SMALL, _BOLD, _WRAP, _BOLD_WRAP = 0, 1, 2, 3, 4, 5
_FILL_STYLE = {status: 6 + n for n, status in enumerate(FILLS)}


def _column_name(number: int) -> str:
    name = ""
    while number:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


def _sheet(rows: list[list[tuple[str, int]]], columns: tuple[Column, ...], header_row: int, first_scrolling: int,
           footer: str) -> str:
    """A worksheet of inline text cells: the header rows (and the columns before `first_scrolling`)
    stay in view, and it prints landscape on A4, one page wide, the header row on every page."""
    top_left = f"{_column_name(first_scrolling)}{header_row + 1}"
    pane = (f'<pane xSplit="{first_scrolling - 1}" ySplit="{header_row}" topLeftCell="{top_left}" '
            'activePane="bottomRight" state="frozen"/>' if first_scrolling > 1 else
            f'<pane ySplit="{header_row}" topLeftCell="{top_left}" activePane="bottomLeft" state="frozen"/>')
    out = [_SHEET_START, f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews><cols>',
           *(f'<col min="{n}" max="{n}" width="{c.width}" customWidth="1" style="{_WRAP}"/>'
             for n, c in enumerate(columns, start=1)), "</cols><sheetData>"]
    names = [_column_name(n) for n in range(1, len(columns) + 1)]
    for number, row in enumerate(rows, start=1):
        out.append(f'<row r="{number}">')
        for name, (text, style) in zip(names, row, strict=False):
            if text:
                out.append(f'<c r="{name}{number}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
                           f"{escape(text, quote=False)}</t></is></c>")
            elif style != _WRAP:
                out.append(f'<c r="{name}{number}" s="{style}"/>')
        out.append("</row>")
    out.append('</sheetData><pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
               '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
               f"<headerFooter><oddFooter>&amp;C{escape(footer, quote=False)}</oddFooter></headerFooter></worksheet>")
    return "".join(out)


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_START = (f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheetPr><pageSetUpPr fitToPage="1"/>'
                "</sheetPr>")
_CONTENT_TYPES = (
    _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>{sheets}</Types>')
_ROOT_RELS = (
    f'{_XML}<Relationships xmlns="{_PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{_PACKAGE_RELS}/metadata/core-properties" Target="docProps/core.xml"/>'
    "</Relationships>")
_CORE = (
    _XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{title}</dc:title>'
    '<dc:creator>{creator}</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>')
_WORKBOOK = (f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><bookViews><workbookView/></bookViews>'
             "<sheets>{sheets}</sheets><definedNames>{titles}</definedNames></workbook>")
_WORKBOOK_RELS = (f'{_XML}<Relationships xmlns="{_PACKAGE_RELS}">{{sheets}}'
                  f'<Relationship Id="rId{{styles}}" Type="{_RELS}/styles" Target="styles.xml"/></Relationships>')
_XF = '<xf numFmtId="49" fontId="{font}" fillId="{fill}" borderId="0" applyNumberFormat="1"{more}>{align}</xf>'
_TOP = '<alignment wrapText="1" vertical="top"/>'
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}"><fonts count="4">'
    '<font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="14"/><name val="Calibri"/></font>'
    '<font><sz val="9"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    f'<fills count="{2 + len(FILLS)}"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    + "".join(f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/><bgColor indexed="64"/></patternFill>'
              "</fill>" for rgb in FILLS.values())
    + '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    f'<cellXfs count="{6 + len(FILLS)}">'
    + _XF.format(font=0, fill=0, more="", align="")
    + _XF.format(font=1, fill=0, more=' applyFont="1"', align="")
    + _XF.format(font=2, fill=0, more=' applyFont="1"', align="")
    + _XF.format(font=3, fill=0, more=' applyFont="1"', align="")
    + _XF.format(font=0, fill=0, more=' applyAlignment="1"', align=_TOP)
    + _XF.format(font=3, fill=0, more=' applyFont="1" applyAlignment="1"', align=_TOP)
    + "".join(_XF.format(font=0, fill=2 + n, more=' applyFill="1" applyAlignment="1"', align=_TOP)
              for n in range(len(FILLS)))
    + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def is_area_spreadsheet(path: Path) -> bool:
    """True for a spreadsheet this module wrote (its third row says so). The file is checked as
    any imported plan is (importing.file_checks.check_package) before openpyxl opens it."""
    from openpyxl import load_workbook

    from .importing.file_checks import check_package

    if path.suffix.lower() != ".xlsx" or not path.is_file():
        return False
    check_package(path)

    book = load_workbook(str(path), read_only=True)
    try:
        return PLAN_SHEET in book.sheetnames and book[PLAN_SHEET].cell(3, 1).value == MARKER
    finally:
        book.close()


def read_area_spreadsheet(path: Path) -> dict:
    """The plan's name, preamble and sections from a spreadsheet area_spreadsheet wrote (and an
    editor may have changed), as an area file's data. Statuses are read as words ("Not rated")."""
    from openpyxl import load_workbook

    book = load_workbook(str(path), read_only=True, data_only=True)
    try:
        plan = [[_cell(v) for v in row] for row in book[PLAN_SHEET].iter_rows(values_only=True)]
        updates = ([[_cell(v) for v in row] for row in book[UPDATES_SHEET].iter_rows(values_only=True)]
                   if UPDATES_SHEET in book.sheetnames else [])
    finally:
        book.close()
    keys = [c.key for c in COLUMNS]
    if len(plan) < HEADER_ROW or [h for h in plan[HEADER_ROW - 1][:len(keys)]] != [c.heading for c in COLUMNS]:
        raise SpreadsheetError(f"{path.name}: sheet '{PLAN_SHEET}' row {HEADER_ROW} should hold the column headings "
                               "the site wrote (No., Action, Lead, ...): put them back as they were")
    by_id = _updates_by_id(updates, path)
    preamble, sections = _plan_outline(plan, by_id, path)
    if by_id:
        raise SpreadsheetError(f"{path.name}: sheet '{UPDATES_SHEET}' has updates for action ids that are not in "
                               f"the plan: {', '.join(sorted(by_id))}")
    slug = plan[2][len(COLUMNS) - 1] if len(plan[2]) >= len(COLUMNS) else ""
    data = {"name": plan[0][0] if plan and plan[0] else "", "slug": slug, "preamble": preamble, "sections": sections}
    return {k: v for k, v in data.items() if v}


def _updates_by_id(updates: list[list[str]], path: Path) -> dict[str, list[dict]]:
    """The "Updates" sheet's rows after its headings, as each action id's updates (empty rows skipped)."""
    by_id: dict[str, list[dict]] = {}
    for number, row in enumerate(updates[1:], start=2):
        values = dict(zip([c.key for c in UPDATE_COLUMNS], row + [""] * len(UPDATE_COLUMNS), strict=False))
        if not any(values.values()):
            continue
        update = {"date": values["date"], "text": values["text"],
                  "status": _status(values["status"], f"sheet '{UPDATES_SHEET}' row {number}", path)}
        by_id.setdefault(values["id"], []).append(update)
    return by_id


def _plan_outline(plan: list[list[str]], by_id: dict[str, list[dict]], path: Path) -> tuple[list[dict], list[dict]]:
    """The "Plan" sheet's rows after its headings as the preamble's actions and the sections, each
    action with its updates (taken out of `by_id`, so what is left there belongs to no action)."""
    keys = [c.key for c in COLUMNS]
    preamble: list[dict] = []
    sections: list[dict] = []
    for number, row in enumerate(plan[HEADER_ROW:], start=HEADER_ROW + 1):
        values = dict(zip(keys, row + [""] * len(keys), strict=False))
        where = f"sheet '{PLAN_SHEET}' row {number}"
        kind = values["row"]
        if kind in ("section", "group"):
            _check_heading_row(values, kind, where, path)
        if kind == "section":
            sections.append({"heading": values["action"], "theme": values["theme"], "groups": []})
        elif kind == "group":
            if not sections:
                raise SpreadsheetError(f"{path.name}: {where}: a sub-heading row before the first section row")
            group = {"heading": values["action"], "theme": values["theme"], "subtheme": values["subtheme"]}
            sections[-1]["groups"].append({**{k: v for k, v in group.items() if v}, "actions": []})
        elif kind == "action":
            action = _action(values, by_id.pop(values["id"], []), where, path)
            if not sections:
                preamble.append(action)
            elif not sections[-1]["groups"]:
                raise SpreadsheetError(f"{path.name}: {where}: an action before its section's first sub-heading row")
            else:
                sections[-1]["groups"][-1]["actions"].append(action)
        elif any(values.values()):
            raise SpreadsheetError(f"{path.name}: {where}: the Row column says {kind!r}; it should say section, "
                                   "group or action (or the whole row should be empty)")
    return preamble, sections


def _check_heading_row(values: dict[str, str], kind: str, where: str, path: Path) -> None:
    """A section or sub-heading row keeps only its heading, theme and sub-heading: refuse anything else in it."""
    stray = [c for c in COLUMNS if values[c.key] and c.key not in ("row", "action", "theme", "subtheme")]
    if stray:
        raise SpreadsheetError(
            f"{path.name}: {where} is a {'sub-heading' if kind == 'group' else kind} row, which keeps only "
            f"its heading (in the Action column), but its {stray[0].heading} column says "
            f"{values[stray[0].key]!r}: move that to an action's row, or clear it")


def _action(values: dict[str, str], updates: list[dict], where: str, path: Path) -> dict:
    action = {"id": values["id"], "number": values["number"], "action": values["action"],
              "outcomes": values["outcomes"],
              "leads": [i.strip() for i in values["leads"].split(";") if i.strip()],
              "lead_text": values["lead_text"], "timescale": values["timescale"], "due": values["due"],
              "progress": values["progress"], "status": _status(values["status"], where, path),
              "status_words": values["status_words"], "rag": values["rag"], "updates": updates,
              "sic": [line for line in values["sic"].split("\n") if line]}
    return {k: v for k, v in action.items() if v}


def _status(label: str, where: str, path: Path) -> str:
    status = _STATUS_OF_LABEL.get(label.strip().lower()) or (label.strip() if label.strip() in STATUS_LABELS else None)
    if status is None:
        raise SpreadsheetError(f"{path.name}: {where}: the status {label!r} is not one the site knows; write one of "
                               + ", ".join(STATUS_LABELS.values()))
    return status


def _cell(value) -> str:
    """A cell as text: the file's cells are text, but an editor's Excel may have typed a number."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value)
