"""Refuse a plan's file before any library reads it: it must be a plain ZIP package of the
expected kind, not encrypted, not too large packed or unpacked.

Plans arrive from 145 areas by email. No part that is XML (by its bytes, whatever its name or
Unicode encoding) may hold a document type declaration: Word and Excel never write one, and a DTD
is how entity-expansion and external-entity tricks get in. Tables are measured too, merged
ranges and spans laid out cell by cell, before a library builds them: a few KB can otherwise
describe billions of cells.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
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


class PlanFileError(Exception):
    """A file the importer refuses, with a one-line reason an editor can act on."""


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
