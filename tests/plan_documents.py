"""Write an area's plan as the Word or Excel document its area published, RAG colours as shading.

The layouts follow the five source plans (../shared/seeds): the national template (Nottingham,
Bromley), Kent and Medway's own columns with the number inside the action text, a KPI table, a
glossary and a RAG key; Milton Keynes' columns with headings as rows; South West Essex's five
columns with no RAG column (its colour goes on the number cell) and a list of KPIs. Blue means
complete only where a plan's key says so, so a plan with complete actions shaded blue gets a
BRAG key (as plans that rate in blue have) unless a test asks for none.
"""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from openpyxl.styles import Alignment, PatternFill

FILLS = {"red": "FF0000", "amber": "FFC000", "green": "00B050", "complete": "0070C0"}
# Kent and Medway's key: its three words, shown in these colours; "Completed" is its green.
KENT_KEY = [("FF0000", "Not yet developed"), ("FFC000", "In the process of being developed"),
            ("00B050", "Completed")]
KENT_FILLS = {"red": "FF0000", "amber": "FFC000", "complete": "00B050"}
# A Blue/Red/Amber/Green key, as plans that shade complete actions blue print beside the table.
BRAG_KEY = [("FF0000", "Not started or off track"), ("FFC000", "In progress, at risk"), ("00B050", "On track"),
            ("0070C0", "Completed")]

NATIONAL = ["No.", "Action ", "Time-scale ", "Led By", "Outcomes",
            "Summary progress against actions (include outcome measures where relevant)", "Red/Amber/Green (RAG)"]
NATIONAL_FIELDS = ["number", "action", "timescale", "lead_text", "outcomes", "progress", "status"]
KENT = ["Actions", "Summary progress against actions ", "Lead", "To be completed by", "Current RAG status"]
KENT_FIELDS = ["number+action", "progress", "lead_text", "timescale", "status"]
MILTON_KEYNES = ["No.", "Concordat outcome", "Deliverables/actions", "Lead", "Timescales",
                 "Summary Progress Against Actions (include outcome measures where relevant)", "RAG"]
MILTON_KEYNES_FIELDS = ["number", "outcomes", "action", "lead_text", "timescale", "progress", "status"]
ESSEX = ["No.", "Action ", "Timescale ", "Led By", "Outcomes"]
ESSEX_FIELDS = ["number", "action", "timescale", "lead_text", "outcomes"]

LAYOUTS = {
    "national": (NATIONAL, NATIONAL_FIELDS),
    "kent": (KENT, KENT_FIELDS),
    "milton-keynes": (MILTON_KEYNES, MILTON_KEYNES_FIELDS),
    "essex": (ESSEX, ESSEX_FIELDS),
}


def shade(cell, rgb: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), rgb)
    cell._tc.get_or_add_tcPr().append(shd)


def write_text(cell, text: str) -> None:
    """Markdown text as Word paragraphs: '- ' lines as bulleted list paragraphs, blank lines kept."""
    lines = text.split("\n")
    first = cell.paragraphs[0]
    for k, line in enumerate(lines):
        para = first if k == 0 else cell.add_paragraph()
        if line.startswith("- "):
            para.style = "List Bullet"
            para.add_run(line[2:])
        else:
            para.add_run(line)


def _actions(area: dict):
    for section in area["sections"]:
        yield section, None, None
        for group in section["groups"]:
            yield section, group, None
            for action in group["actions"]:
                yield section, group, action


def _cell_value(action: dict, name: str) -> str:
    if name == "number+action":
        return f"{action['number']} {action['action']}" if action.get("number") else action["action"]
    if name == "status":
        return ""
    return action.get(name, "")


def _needs_key(area: dict, key: bool | None) -> bool:
    """Whether to print the BRAG key: asked for, or (by default) when some action is shaded blue."""
    if key is not None:
        return key
    actions = area.get("preamble", []) + [a for s in area["sections"] for g in s["groups"] for a in g["actions"]]
    return any(a["status"] == "complete" for a in actions)


def word_plan(area: dict, layout: str, path: Path, key: bool | None = None) -> Path:
    """The area's plan as a .docx in the given layout; `key` prints the BRAG key (Kent's own key always)."""
    headers, fields = LAYOUTS[layout]
    fills = KENT_FILLS if layout == "kent" else FILLS
    document = docx.Document()
    if area.get("source", {}).get("title"):
        document.add_paragraph(area["source"]["title"])
    table = None

    def new_table():
        t = document.add_table(rows=1, cols=len(headers))
        t.style = "Table Grid"
        for cell, label in zip(t.rows[0].cells, headers, strict=True):
            cell.text = label
        return t

    def heading_row(text: str, merged: bool):
        row = table.add_row()
        if merged:
            cell = row.cells[0].merge(row.cells[-1])
            cell.text = text
        else:
            row.cells[0].text = text

    def action_row(action: dict):
        row = table.add_row()
        for cell, name in zip(row.cells, fields, strict=True):
            value = _cell_value(action, name)
            if value:
                write_text(cell, value)
        status = action["status"]
        if status in fills:
            if "status" in fields:
                shade(row.cells[fields.index("status")], fills[status])
            else:
                shade(row.cells[0], fills[status])

    if layout in ("kent", "milton-keynes"):
        table = new_table()
        for action in area.get("preamble", []):
            action_row(action)
    for section, group, action in _actions(area):
        if group is None:
            if layout in ("kent", "milton-keynes"):
                heading_row(section["heading"], merged=layout == "kent")
            else:
                bold = document.add_paragraph().add_run(section["heading"])
                bold.bold = True
                table = new_table()
        elif action is None:
            if group.get("heading"):
                heading_row(group["heading"], merged=layout != "milton-keynes")
        else:
            action_row(action)
    if layout == "kent":
        _kent_back_matter(document, area)
    elif layout != "essex" and _needs_key(area, key):
        _key_table(document, "RAG key:", BRAG_KEY)
    if layout == "essex":
        _kpi_list(document, area)
    document.save(str(path))
    return path


def _kent_back_matter(document, area: dict) -> None:
    document.add_paragraph()
    table = document.add_table(rows=1, cols=4)
    for cell, label in zip(table.rows[0].cells, ["", "Proposed KPI", "Current baseline (2014 unless otherwise "
                                                  "specified)", "Target (including achievement date)"], strict=True):
        cell.text = label
    for kpi in area.get("kpis", []):
        row = table.add_row()
        for cell, name in zip(row.cells, ["number", "measure", "baseline", "target"], strict=True):
            cell.text = kpi.get(name, "")
    document.add_paragraph("Glossary of Abbreviations:")
    for entry in area.get("glossary", []):
        document.add_paragraph(f"{entry['term']} – {entry['meaning']}")
    _key_table(document, "RAG ratings to be applied:", KENT_KEY)


def _key_table(document, title: str, entries: list[tuple[str, str]]) -> None:
    """A one-column table: its title, then each colour's words in a cell shaded that colour."""
    document.add_paragraph()
    key = document.add_table(rows=1, cols=1)
    key.rows[0].cells[0].text = title
    for rgb, words in entries:
        cell = key.add_row().cells[0]
        cell.text = words
        shade(cell, rgb)


def _kpi_list(document, area: dict) -> None:
    if not area.get("kpis"):
        return
    for line in area.get("kpi_intro", "").split("\n"):
        document.add_paragraph(line)
    group = None
    for kpi in area["kpis"]:
        if kpi.get("group") != group:
            group = kpi.get("group")
            document.add_paragraph(group)
        document.add_paragraph(kpi["measure"], style="List Bullet")


def excel_plan(area: dict, path: Path, key: bool | None = None) -> Path:
    """The area's plan as an .xlsx in the national template: headings as merged rows, RAG cells filled,
    and the BRAG key on a sheet of its own."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Action plan"
    if area.get("source", {}).get("title"):
        sheet.append([area["source"]["title"]])
    sheet.append(NATIONAL)
    width = len(NATIONAL)
    for section, group, action in _actions(area):
        if action is None:
            heading = section["heading"] if group is None else group.get("heading")
            if heading:
                sheet.append([heading])
                sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width)
            continue
        sheet.append([_excel_text(action.get(name, "")) if name != "status" else None for name in NATIONAL_FIELDS])
        row = sheet.max_row
        for column in range(1, width + 1):
            sheet.cell(row, column).alignment = Alignment(wrap_text=True)
        if action["status"] in FILLS:
            sheet.cell(row, width).fill = PatternFill("solid", fgColor="FF" + FILLS[action["status"]])
    if _needs_key(area, key):
        legend = workbook.create_sheet("Key")
        legend.append(["RAG key:"])
        for rgb, words in BRAG_KEY:
            legend.append([words])
            legend.cell(legend.max_row, 1).fill = PatternFill("solid", fgColor="FF" + rgb)
    workbook.save(str(path))
    return path


def _excel_text(text: str) -> str:
    """Excel cells have no list paragraphs: bullets are typed as '•'."""
    return "\n".join("• " + line[2:] if line.startswith("- ") else line for line in text.split("\n"))
