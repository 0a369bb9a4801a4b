"""Write an imported plan as an area file that reads like the hand-written ones.

Block style, the schema modeline on the first line, multi-line text as `|-` blocks, and every
value that YAML 1.1 (PyYAML, which the build uses) and YAML 1.2 (editors' IDEs) could read as
anything but the same text put in quotes: numbers and ids always, words such as `no` or `on`,
and forms such as `3e-1` or `012`. The build's loader reads the result back before it is written.
"""

from __future__ import annotations

import json
import re

import yaml

from ..yaml_reading import STR, yaml12_tag
from .imported import ImportedAction, ImportedPlan

MODELINE = "# yaml-language-server: $schema=../../concordat/schemas/area.schema.json"

_YAML11_WORDS = re.compile(r"y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|=|<<")
_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")


def plain_is_safe(value: str) -> bool:
    """True when `value` written plainly reads back as the same text in YAML 1.1 and 1.2 alike."""
    if not value or value != value.strip() or "\n" in value:
        return False
    if value[0] in _INDICATORS or ": " in value or " #" in value or value.endswith(":"):
        return False
    if yaml12_tag(value) != STR or _YAML11_WORDS.fullmatch(value):
        return False
    if re.match(r"[0-9+.]", value) and " " not in value:
        return False  # anything number-like (1.10, 012, 2016-03, 1:20, 1_000) is quoted, whatever it is
    try:
        return yaml.safe_load(value) == value
    except yaml.YAMLError:
        return False


def scalar(value: str, indent: int, always_quote: bool = False) -> str:
    """The text after `key: ` for `value`, for a key at `indent` spaces."""
    lines = value.split("\n")
    if len(lines) > 1 and not lines[0].startswith(" "):
        pad = " " * (indent + 2)
        return "|-\n" + "\n".join(pad + line if line else "" for line in lines)
    if not always_quote and plain_is_safe(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def _comments(comments: list[str], indent: int) -> list[str]:
    return [" " * indent + "# " + line for text in comments for line in _wrap(text)]


def _wrap(text: str, width: int = 100) -> list[str]:
    words, lines, line = re.findall(r"`[^`]*`[.,]?|\S+", text), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + ([line] if line else [])


def dump_area(plan: ImportedPlan, source_name: str) -> str:
    out = [MODELINE,
           f"# Imported from {source_name} by `python build.py import`. Check every line marked REVIEW,",
           "# compare the file with the plan, then run `python build.py check`.",
           *_comments(plan.comments, 0),
           f"name: {scalar(plan.name, 0)}",
           f"slug: {scalar(plan.slug, 0)}"]
    source = {**({"title": plan.title} if plan.title else {}), **plan.kept.get("source", {})}
    if source:
        out += _kept({"source": source}, 0)
    out += _kept({k: v for k, v in plan.kept.items() if k != "source"}, 0)
    if plan.preamble:
        out.append("preamble:")
        for action in plan.preamble:
            out += _action(action, 2)
    out.append("sections:")
    for section in plan.sections:
        out.append(f"  - heading: {scalar(section.heading, 4)}")
        out += _comments(section.comments, 4)
        out.append(f"    theme: {scalar(section.theme, 4)}")
        out.append("    groups:")
        for group in section.groups:
            fields = []
            if group.heading:
                fields.append(f"heading: {scalar(group.heading, 8)}")
            if group.theme:
                fields.append(f"theme: {scalar(group.theme, 8)}")
            if group.subtheme:
                fields.append(f"subtheme: {scalar(group.subtheme, 8)}")
            fields.append("actions:" if group.actions else "actions: []")
            out += _comments(group.comments, 6)
            out.append("      - " + fields[0])
            out += ["        " + f for f in fields[1:]]
            for action in group.actions:
                out += _action(action, 10)
    if plan.kpi_intro:
        out.append(f"kpi_intro: {scalar(plan.kpi_intro, 0)}")
    out += _records("kpis", plan.kpis, ("group", "number", "measure", "baseline", "target"))
    out += _records("glossary", plan.glossary, ("term", "meaning"))
    out += _records("notes", plan.notes, ("heading", "text"))
    return "\n".join(out) + "\n"


def _action(action: ImportedAction, indent: int) -> list[str]:
    pad = " " * (indent + 2)
    lines = _comments(action.comments, indent)
    lines.append(" " * indent + f"- id: {scalar(action.id, indent + 2, always_quote=True)}")
    fields = action.fields
    if "number" in fields:
        lines.append(pad + f"number: {scalar(fields['number'], indent + 2, always_quote=True)}")
    for key in ("action", "outcomes"):
        if key in fields:
            lines.append(pad + f"{key}: {scalar(fields[key], indent + 2)}")
    if action.leads:
        lines.append(pad + "leads: [" + ", ".join(scalar(i, 0) for i in action.leads) + "]")
    for key in ("lead_text", "timescale", "progress"):
        if key in fields:
            lines.append(pad + f"{key}: {scalar(fields[key], indent + 2)}")
    lines.append(pad + f"status: {action.status}")
    if action.rag:
        lines.append(pad + f"rag: {scalar(action.rag, indent + 2)}")
    return lines + _kept(action.kept, indent + 2)


def _kept(fields: dict, indent: int) -> list[str]:
    """Fields kept from the file an editor edited, as YAML at `indent` (every text quoted)."""
    if not fields:
        return []
    text = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000,
                          default_style=None)
    return [" " * indent + line for line in text.splitlines()]


def _records(key: str, records: list[dict[str, str]], order: tuple[str, ...]) -> list[str]:
    if not records:
        return []
    out = [f"{key}:"]
    for record in records:
        first = True
        for name in order:
            if name in record:
                out.append(("  - " if first else "    ") + f"{name}: {scalar(record[name], 4)}")
                first = False
    return out


# Keys quoted whatever they hold: YAML would read an unquoted 2.10 as the number 2.1.
ALWAYS_QUOTED = {"id", "number"}


def dump_data(data: dict, indent: int = 0) -> list[str]:
    """Area-file data (dicts, lists and text, as the loader gives them) as block-style YAML lines
    that the loader reads back as the same data."""
    pad = " " * indent
    lines = []
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:")
            lines += dump_data(value, indent + 2)
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value) and key == "leads":
            lines.append(f"{pad}{key}: [" + ", ".join(json.dumps(v) if not plain_is_safe(v) else v
                                                      for v in value) + "]")
        elif isinstance(value, list):
            if not value:
                lines.append(f"{pad}{key}: []")
                continue
            lines.append(f"{pad}{key}:")
            for item in value:
                if isinstance(item, dict):
                    inner = dump_data(item, indent + 4)
                    lines.append(f"{pad}  - " + inner[0][indent + 4:])
                    lines += inner[1:]
                else:
                    lines.append(f"{pad}  - {scalar(str(item), indent + 2, always_quote=True)}")
        elif isinstance(value, bool | int):
            lines.append(f"{pad}{key}: {json.dumps(value)}")
        else:
            lines.append(f"{pad}{key}: {scalar(value, indent, always_quote=key in ALWAYS_QUOTED)}")
    return lines
