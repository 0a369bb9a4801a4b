"""What a plan's Word or Excel file is read into: paragraphs and tables in document order, each
cell with its text (Markdown lists for bullets) and its shading, so the reader can see RAG colours."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

BULLETS = "·•▪◦●○■□➢➤►‣⁃\uf0b7\uf0a7\uf076\uf0d8\uf0fc"


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


def fill_hex(value: str) -> str | None:
    """A colour as RRGGBB (as `Cell.fill` holds it) from "#rrggbb" or ARGB, or None."""
    value = value.strip().lstrip("#").upper()
    return value[-6:] if re.fullmatch(r"([0-9A-F]{2})?[0-9A-F]{6}", value) else None
