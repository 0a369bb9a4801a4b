"""Read a local plan's Word (.docx) or Excel (.xlsx) file into paragraphs and tables.

The file is checked first (`file_checks`), then python-docx or openpyxl do the reading; both parse
with lxml without resolving entities. What comes out keeps each cell's text and its shading, so
the reader can read RAG colours.
"""

from __future__ import annotations

from pathlib import Path

from .excel import read_xlsx
from .file_checks import KINDS, PlanFileError, check_package
from .tables import Block, Table
from .word import read_docx


def read_plan(path: Path) -> list[Block]:
    """The plan's paragraphs and tables in document order, or PlanFileError if it is refused."""
    kind = check_package(path)
    try:
        blocks = read_docx(path) if kind == ".docx" else read_xlsx(path)
    except PlanFileError:
        raise
    except Exception as exc:  # the libraries raise many kinds; the editor needs one line, not a traceback
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PlanFileError(f"{path.name} could not be read as {KINDS[kind][0]} file: {reason}") from None
    if not any(isinstance(b, Table) and b.rows for b in blocks):
        raise PlanFileError(f"{path.name} has no tables: the importer reads a plan's actions from its table rows")
    return blocks
