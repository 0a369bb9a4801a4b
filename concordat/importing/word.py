"""Read a Word (.docx) plan with python-docx: paragraphs and tables in document order, text boxes
and content controls included, list paragraphs as Markdown list items with their printed numbers,
merged cells laid out cell by cell, and each cell's shading (or the highlight on all its text)."""

from __future__ import annotations

from pathlib import Path

from .tables import BULLETS, Block, Cell, Paragraph, Row, Table, clean_text, fill_hex, tidy_lines

HIGHLIGHTS = {"yellow": "FFFF00", "green": "00FF00", "red": "FF0000", "darkRed": "800000", "darkYellow": "808000",
              "darkGreen": "008000", "blue": "0000FF", "darkBlue": "000080", "cyan": "00FFFF", "magenta": "FF00FF"}


def read_docx(path: Path) -> list[Block]:
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph as DocxParagraph

    document = docx.Document(str(path))
    lists = _WordLists(document, qn)
    blocks: list[Block] = []
    counter = {"paragraph": 0, "table": 0}

    def add_paragraph(element, parent) -> None:
        para = DocxParagraph(element, parent)
        counter["paragraph"] += 1
        lines, is_list = _paragraph_lines(para, lists)
        style = (para.style.name if para.style is not None else "") or ""
        runs = [r for r in para.runs if r.text.strip()]
        bold = bool(runs) and all(r.bold for r in runs)
        heading = style.lower().startswith(("heading", "title")) or bold
        blocks.append(Paragraph(counter["paragraph"], tidy_lines(lines), heading, is_list))
        for box in element.xpath(".//w:txbxContent[not(ancestor::mc:Fallback)]"):
            walk(box, parent)

    def add_table(element, parent) -> None:
        counter["table"] += 1
        blocks.append(_docx_table(DocxTable(element, parent), f"table {counter['table']}", lists, qn))

    def walk(container, parent) -> None:
        for child in container.iterchildren():
            if child.tag == qn("w:p"):
                add_paragraph(child, parent)
            elif child.tag == qn("w:tbl"):
                add_table(child, parent)
            elif child.tag == qn("w:sdt"):
                for content in child.iterchildren(qn("w:sdtContent")):
                    walk(content, parent)

    walk(document.element.body, document._body)
    return blocks


class _WordLists:
    """Which paragraphs are list items, and the printed number of numbered ones."""

    def __init__(self, document, qn):
        self.qn = qn
        self.formats: dict[tuple[str, str], str] = {}
        self.counters: dict[tuple[str, str], int] = {}
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {a.get(qn("w:abstractNumId")): a for a in numbering.iterchildren(qn("w:abstractNum"))}
        for num in numbering.iterchildren(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            definition = abstract.get(ref.get(qn("w:val"))) if ref is not None else None
            if definition is None:
                continue
            for level in definition.iterchildren(qn("w:lvl")):
                fmt = level.find(qn("w:numFmt"))
                self.formats[(num.get(qn("w:numId")), level.get(qn("w:ilvl")))] = (
                    fmt.get(qn("w:val")) if fmt is not None else "bullet")

    def marker(self, para) -> str | None:
        """'- ' or '3. ' (indented for deeper levels) for a list paragraph, else None."""
        qn = self.qn
        ppr = para._p.pPr
        num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
        style = (para.style.name if para.style is not None else "") or ""
        if num_pr is None:
            return "- " if style.lower().startswith("list bullet") else None
        num_id_el, level_el = num_pr.find(qn("w:numId")), num_pr.find(qn("w:ilvl"))
        num_id = num_id_el.get(qn("w:val")) if num_id_el is not None else None
        level = level_el.get(qn("w:val")) if level_el is not None else "0"
        if num_id in (None, "0"):
            return None
        indent = "  " * int(level) if level.isdigit() else ""
        if self.formats.get((num_id, level), "bullet") == "decimal":
            key = (num_id, level)
            self.counters[key] = self.counters.get(key, 0) + 1
            for other in [k for k in self.counters if k[0] == num_id and k[1] > level]:
                del self.counters[other]
            return f"{indent}{self.counters[key]}. "
        return f"{indent}- "


def _paragraph_lines(para, lists: _WordLists) -> tuple[list[str], bool]:
    marker = lists.marker(para)
    lines = clean_text(para.text).split("\n")
    if marker is not None:
        lines[0] = marker + lines[0].lstrip(BULLETS + " ")
    return lines, marker is not None


def _docx_table(table, name: str, lists: _WordLists, qn) -> Table:
    out = Table(name)
    above: dict[int, Cell] = {}
    for number, docx_row in enumerate(table.rows, start=1):
        cells: list[Cell | None] = [None] * docx_row.grid_cols_before
        col = docx_row.grid_cols_before
        for tc in docx_row._tr.tc_lst:
            span = tc.grid_span
            if tc.vMerge == "continue" and col in above:
                root = above[col]
                cell = Cell(root.text, root.fill, merged_from_above=True)
            else:
                cell = Cell(_docx_cell_text(tc, table, lists, qn), _docx_cell_fill(tc, qn))
            for offset in range(span):
                cells.append(cell)
                above[col + offset] = cell if not cell.merged_from_above else above[col + offset]
            col += span
        out.rows.append(Row(number, cells))
    return out


def _docx_cell_text(tc, table, lists: _WordLists, qn) -> str:
    from docx.table import _Cell

    cell = _Cell(tc, table)
    lines: list[str] = []
    for item in cell.iter_inner_content():
        if hasattr(item, "rows"):  # a table inside the cell: keep its words, one row a line
            for row in item.rows:
                texts = [t for t in dict.fromkeys(clean_text(c.text).strip() for c in row.cells) if t]
                lines.append(" | ".join(texts))
        else:
            lines.extend(_paragraph_lines(item, lists)[0])
    return tidy_lines(lines)


def _docx_cell_fill(tc, qn) -> str | None:
    tc_pr = tc.tcPr
    colour = _word_shading(tc_pr.find(qn("w:shd")) if tc_pr is not None else None, qn)
    if colour:
        return colour
    found = set()  # shading or highlight on all of the cell's text counts as the cell's colour
    for run_or_para in tc.xpath(".//w:pPr/w:shd | .//w:rPr/w:shd | .//w:rPr/w:highlight"):
        if run_or_para.tag == qn("w:highlight"):
            found.add(HIGHLIGHTS.get(run_or_para.get(qn("w:val"))))
        else:
            found.add(_word_shading(run_or_para, qn))
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def _word_shading(shd, qn) -> str | None:
    if shd is None:
        return None
    pattern, fill, colour = shd.get(qn("w:val")), shd.get(qn("w:fill")), shd.get(qn("w:color"))
    if pattern == "solid" and colour and colour.lower() != "auto":
        return fill_hex(colour)
    if pattern == "nil":
        return None
    if fill and fill.lower() != "auto":
        return fill_hex(fill)
    return None
