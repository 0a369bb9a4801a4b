"""Read a local plan's Word (.docx) or Excel (.xlsx) file into paragraphs and tables.

Plans arrive from 145 areas by email, so the file is checked before any library sees it: a real
ZIP package of the expected kind, not encrypted, not too large packed or unpacked, and no XML
document type declaration in any part that is XML, whatever its name or Unicode encoding (Word and
Excel never write one; a DTD is how entity-expansion and external-entity tricks get in). Tables
are measured too, merged ranges and spans laid out cell by cell, before a library builds them: a
few KB can otherwise describe billions of cells. python-docx and openpyxl then do the reading; both parse with lxml
without resolving entities, and openpyxl uses defusedxml for worksheets when it is installed
(it is a dependency). What comes out keeps each cell's text and its shading, so the importer can
read RAG colours.
"""

from __future__ import annotations

import colorsys
import contextlib
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_PART_BYTES = 20 * 1024 * 1024
MAX_SHEET_PART_BYTES = 8 * 1024 * 1024  # openpyxl holds every cell in memory: a plan's sheet is far smaller
MAX_MEMBERS = 1000
MAX_SHEET_CELLS = 250_000
MAX_TABLE_CELLS = 250_000  # in one part, merged and spanned cells counted one by one
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
XML_ENCODINGS = {b"utf-8", b"utf8", b"utf-16", b"utf-16le", b"utf-16be", b"utf-32", b"utf-32le", b"utf-32be"}
EBCDIC_XML = b"\x4c\x6f\xa7\x94"  # '<?xm' in EBCDIC, which libxml2 recognises

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
KINDS = {".docx": ("Word", "word/document.xml"), ".xlsx": ("Excel", "xl/workbook.xml")}

BULLETS = "·•▪◦●○■□➢➤►‣⁃\uf0b7\uf0a7\uf076\uf0d8\uf0fc"
HIGHLIGHTS = {"yellow": "FFFF00", "green": "00FF00", "red": "FF0000", "darkRed": "800000", "darkYellow": "808000",
              "darkGreen": "008000", "blue": "0000FF", "darkBlue": "000080", "cyan": "00FFFF", "magenta": "FF00FF"}


class PlanFileError(Exception):
    """A file the importer refuses, with a one-line reason an editor can act on."""


@dataclass(eq=False)
class Cell:
    """One table cell: its text (Markdown lists for bullets) and its background colour as RRGGBB."""

    text: str
    fill: str | None = None
    merged_from_above: bool = False


@dataclass
class Row:
    number: int
    cells: list[Cell | None]  # one per grid column; a cell spanning columns appears once per column

    def distinct(self) -> list[tuple[int, Cell]]:
        """(first column, cell) for each cell once, merged cells included once."""
        seen: set[int] = set()
        out = []
        for col, cell in enumerate(self.cells):
            if cell is not None and id(cell) not in seen:
                seen.add(id(cell))
                out.append((col, cell))
        return out


@dataclass
class Table:
    name: str  # "table 3" or "sheet 'Plan'", as the report names it
    rows: list[Row] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max((len(r.cells) for r in self.rows), default=0)


@dataclass
class Paragraph:
    number: int
    text: str
    heading_style: bool = False  # a Heading or Title style, or bold throughout
    list_item: bool = False


Block = Paragraph | Table


def read_plan(path: Path) -> list[Block]:
    """The plan's paragraphs and tables in document order, or PlanFileError if it is refused."""
    kind = check_package(path)
    try:
        blocks = _read_docx(path) if kind == ".docx" else _read_xlsx(path)
    except PlanFileError:
        raise
    except Exception as exc:  # the libraries raise many kinds; the editor needs one line, not a traceback
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PlanFileError(f"{path.name} could not be read as {KINDS[kind][0]} file: {reason}") from None
    if not any(isinstance(b, Table) and b.rows for b in blocks):
        raise PlanFileError(f"{path.name} has no tables: the importer reads a plan's actions from its table rows")
    return blocks


def check_package(path: Path) -> str:
    """Refuse what is not a plain, unencrypted .docx/.xlsx of sane size; return its suffix."""
    suffix = path.suffix.lower()
    if suffix not in KINDS:
        raise PlanFileError(f"{path.name}: only Word .docx and Excel .xlsx files can be imported "
                            "(save older .doc/.xls files or PDFs as .docx or .xlsx first)")
    kind, main_part = KINDS[suffix]
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PlanFileError(f"{path}: cannot read file: {exc.strerror}") from None
    if not path.is_file():
        raise PlanFileError(f"{path}: not a file")
    if size > MAX_FILE_BYTES:
        raise PlanFileError(f"{path.name} is too large ({size / 1048576:.1f} MiB; the limit is "
                            f"{MAX_FILE_BYTES // 1048576} MiB): remove pictures or split the plan")
    with path.open("rb") as handle:
        head = handle.read()
    if head.startswith(OLE_MAGIC):
        if ENCRYPTED_STREAM in head:
            raise PlanFileError(f"{path.name} is password-protected: remove the password in {kind} "
                                "(File > Info > Protect) and save it again")
        raise PlanFileError(f"{path.name} is an old-style {kind} 97-2003 file, not {suffix}: "
                            f"open it in {kind} and save it as {suffix}")
    if not head.startswith(b"PK\x03\x04"):
        raise PlanFileError(f"{path.name} is not a real {suffix} file (it is not a ZIP package)")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise PlanFileError(f"{path.name} is not a real {suffix} file ({exc})") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise PlanFileError(f"{path.name} holds {len(members)} parts (the limit is {MAX_MEMBERS}): refused")
        unpacked = sum(m.file_size for m in members)
        if unpacked > MAX_UNPACKED_BYTES:
            raise PlanFileError(f"{path.name} would unpack to {unpacked / 1048576:.0f} MiB (the limit is "
                                f"{MAX_UNPACKED_BYTES // 1048576} MiB): refused as a possible zip bomb")
        names = {m.filename for m in members}
        if any(m.flag_bits & 0x1 for m in members):
            raise PlanFileError(f"{path.name} is password-protected: remove the password and save it again")
        if main_part not in names:
            other = next((s for s, (_, part) in KINDS.items() if part in names and s != suffix), None)
            hint = f" (it looks like {KINDS[other][0]} file: name it {other})" if other else ""
            raise PlanFileError(f"{path.name} is not a real {kind} {suffix} file{hint}")
        for member in members:
            if not member.is_dir():
                _check_part(archive, member, path.name)
    return suffix


def _check_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, shown: str) -> None:
    """Refuse a part that is XML (by its bytes, whatever its name) and too large, declares a DTD,
    names an encoding Word and Excel never use, or holds more table cells than any plan."""
    try:
        with archive.open(member) as part:
            head = part.read(64)
            if not _looks_like_xml(head):
                return  # a picture or font: no library reads it as XML
            limit = MAX_SHEET_PART_BYTES if member.filename.startswith("xl/worksheets/") else MAX_PART_BYTES
            if member.file_size > limit:
                raise PlanFileError(f"{shown}: part {member.filename} would unpack to "
                                    f"{member.file_size / 1048576:.0f} MiB: refused as a possible zip bomb")
            data = head + part.read(limit + 1 - len(head))
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
        raise PlanFileError(f"{shown} is damaged: part {member.filename} cannot be unpacked ({exc})") from None
    if len(data) > limit:
        raise PlanFileError(f"{shown}: part {member.filename} unpacks to more than its stated size: refused as damaged")
    markup = data.replace(b"\x00", b"")  # UTF-16 and UTF-32 markup, read as ASCII
    if any(marker in markup for marker in DTD_MARKERS):
        raise PlanFileError(f"{shown}: part {member.filename} declares a DTD or XML entities, which Word and Excel "
                            "never write: refused as unsafe")
    declared = re.match(rb"(?:\xef\xbb\xbf|\xff\xfe|\xfe\xff)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)", markup)
    if (declared and declared.group(1).lower().replace(b"_", b"-") not in XML_ENCODINGS) or head.startswith(EBCDIC_XML):
        encoding = declared.group(1).decode("ascii", "replace") if declared else "EBCDIC"
        raise PlanFileError(f"{shown}: part {member.filename} is written in the {encoding} encoding, which Word "
                            "and Excel never use: refused as unsafe")
    if table_cells(data) > MAX_TABLE_CELLS:
        raise PlanFileError(f"{shown}: part {member.filename} has tables of more than {MAX_TABLE_CELLS:,} cells "
                            "(merged and spanned cells counted one by one), far more than a plan: refused")


def _looks_like_xml(head: bytes) -> bool:
    """Whether an XML parser would read these bytes as XML: a '<' first, in any Unicode encoding."""
    text = head.replace(b"\x00", b"")
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        text = text.removeprefix(bom)
    return text.lstrip().startswith(b"<") or head.startswith(EBCDIC_XML)


def table_cells(data: bytes) -> int:
    """How many grid cells the tables of an XML part make once every merge and span is laid out:
    Word's cells with their gridSpan, gridBefore and gridAfter, Excel's cells and merged ranges, and
    each row as one more.
    Read with a streaming parser that keeps nothing, before python-docx or openpyxl build anything;
    counting stops past MAX_TABLE_CELLS."""
    from lxml import etree
    from openpyxl.utils.cell import range_boundaries

    cells = 0
    parser = etree.iterparse(io.BytesIO(data), events=("end",), resolve_entities=False, no_network=True,
                             load_dtd=False, huge_tree=False)
    try:
        for _, element in parser:
            name = etree.QName(element).localname if isinstance(element.tag, str) else ""
            if name in ("tc", "c", "tr", "row"):  # a row counts as a cell: openpyxl keeps one object a row
                cells += 1
            elif name in ("gridSpan", "gridBefore", "gridAfter"):
                value = next((v for k, v in element.attrib.items() if k.endswith("val")), "1")
                with contextlib.suppress(ValueError):
                    cells += max(0, int(value) - (name == "gridSpan"))
            elif name == "mergeCell":
                with contextlib.suppress(ValueError, TypeError):
                    min_col, min_row, max_col, max_row = range_boundaries(element.get("ref", ""))
                    cells += (((max_row or EXCEL_ROWS) - (min_row or 1) + 1)
                              * ((max_col or EXCEL_COLUMNS) - (min_col or 1) + 1))
            element.clear(keep_tail=False)
            if cells > MAX_TABLE_CELLS:
                break
    except etree.XMLSyntaxError:
        pass  # python-docx and openpyxl refuse it in their own words
    return cells


# ---------------------------------------------------------------- Word


def _read_docx(path: Path) -> list[Block]:
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
        return _hex(colour)
    if pattern == "nil":
        return None
    if fill and fill.lower() != "auto":
        return _hex(fill)
    return None


def _hex(value: str) -> str | None:
    value = value.strip().lstrip("#").upper()
    return value[-6:] if re.fullmatch(r"([0-9A-F]{2})?[0-9A-F]{6}", value) else None


# ---------------------------------------------------------------- Excel


def _read_xlsx(path: Path) -> list[Block]:
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
            return _hex(colour.rgb)
        if colour.type == "indexed" and isinstance(colour.indexed, int):
            from openpyxl.styles.colors import COLOR_INDEX

            return _hex(COLOR_INDEX[colour.indexed]) if colour.indexed < len(COLOR_INDEX) - 2 else None
        if colour.type == "theme" and isinstance(colour.theme, int) and colour.theme < len(self.colours):
            return _tint(self.colours[colour.theme], colour.tint or 0.0)
        return None


def _tint(rgb: str, tint: float) -> str:
    r, g, b = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    h, light, s = colorsys.rgb_to_hls(r, g, b)
    light = light * (1 + tint) if tint < 0 else light * (1 - tint) + tint
    r, g, b = colorsys.hls_to_rgb(h, light, s)
    return "".join(f"{round(v * 255):02X}" for v in (r, g, b))


# ---------------------------------------------------------------- text


_CONTROL = re.compile(r"[\x00-\x08\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Text as the plan prints it, minus what YAML content may not hold (tabs, control characters)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n").replace("_x000B_", "\n")
    return _CONTROL.sub("", text.replace("\t", " "))


def tidy_lines(lines: list[str]) -> str:
    """Join a cell's lines: bullets as Markdown list items, no trailing spaces or repeated blank lines."""
    out: list[str] = []
    for line in "\n".join(lines).split("\n"):
        line = line.rstrip()
        stripped = line.lstrip()
        if stripped[:1] and stripped[0] in BULLETS:
            rest = stripped.lstrip(BULLETS).strip()
            line = f"- {rest}" if rest else ""
        elif stripped == "-":
            line = ""
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)
