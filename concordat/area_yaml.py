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

from .importer import ImportedAction, ImportedPlan
from .yaml_reading import STR, yaml12_tag

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


def update_actions(old_text: str, data: dict) -> tuple[str, list[str]]:
    """An area file's text with its `preamble` and `sections` made to hold `data`'s, changing as
    few lines as it can: an action, section or sub-heading whose fields are unchanged keeps its
    lines exactly, comments above it included, and the rest of the file stays as it was.
    Returns the text and the comment lines that were in what changed and are not in it now."""
    old = _Spans(old_text)
    used: set[int] = set()
    out: list[str] = []
    for key in ("preamble", "sections"):
        if not data.get(key):
            continue
        out.append(f"{key}:")
        if key == "preamble":
            for action in data[key]:
                out += old.action(action, 2, used)
            continue
        for number, section in enumerate(data[key]):
            header = {k: v for k, v in section.items() if k != "groups"}
            out += old.header(("section", number, header), dump_data(header, 4) + ["    groups:"], 2, used)
            for place, group in enumerate(section["groups"]):
                fields = {k: v for k, v in group.items() if k != "actions"}
                fresh = dump_data(fields, 8) + ["        actions:" if group["actions"] else "        actions: []"]
                out += old.header(("group", number, place, fields), fresh, 6, used)
                for action in group["actions"]:
                    out += old.action(action, 10, used)
    replacement = "\n".join(out) + "\n"
    text, _ = replace_top_level_keys(old_text, ("preamble", "sections"), replacement)
    dropped = [line.strip() for n, line in enumerate(old.lines) if n in old.inside and n not in used
               and line.lstrip().startswith("#")]
    return text, dropped


class _Spans:
    """Where each action, section and sub-heading of an area file's text is, and what it holds."""

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.actions: dict[str, tuple[dict, list[int]]] = {}
        self.fields: dict[str, dict[str, list[int]]] = {}  # action id -> key -> its lines
        self.headers: dict[tuple, list[int]] = {}
        self.inside: set[int] = set()
        try:
            root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            return
        if not isinstance(root, yaml.MappingNode) or not isinstance(data, dict):
            return
        nodes = {k.value: v for k, v in root.value}
        for key in ("preamble", "sections"):
            if key in nodes:
                start = next(k.start_mark.line for k, _ in root.value if k.value == key)
                self.inside.update(range(start, nodes[key].end_mark.line + 1))
        self._items(nodes.get("preamble"), data.get("preamble") or [])
        sections = nodes.get("sections")
        for number, (node, section) in enumerate(self._pairs(sections, data.get("sections") or [])):
            fields = {k.value: v for k, v in node.value}
            header = {k: v for k, v in section.items() if k != "groups"}
            self.headers[("section", number, _key(header))] = self._lines(node, "groups")
            for place, (gnode, group) in enumerate(self._pairs(fields.get("groups"), section.get("groups") or [])):
                gfields = {k.value: v for k, v in gnode.value}
                ghead = {k: v for k, v in group.items() if k != "actions"}
                self.headers[("group", number, place, _key(ghead))] = self._lines(gnode, "actions")
                self._items(gfields.get("actions"), group.get("actions") or [])

    def _pairs(self, node, values: list) -> list[tuple]:
        if not isinstance(node, yaml.SequenceNode):
            return []
        return [(n, v) for n, v in zip(node.value, values, strict=False)
                if isinstance(n, yaml.MappingNode) and isinstance(v, dict)]

    def _leading(self, line: int) -> list[int]:
        """The comment lines right above `line`."""
        above = []
        while line > 0 and self.lines[line - 1].lstrip().startswith("#"):
            line -= 1
            above.insert(0, line)
        return above

    def _lines(self, node, key: str) -> list[int]:
        """A section's or group's own lines: from its first line to its `groups:`/`actions:` line
        (its whole text where that is `actions: []`), with the comments above it."""
        start = node.start_mark.line
        value = next((v for k, v in node.value if k.value == key), None)
        if isinstance(value, yaml.SequenceNode) and value.value:
            end = next(k.start_mark.line for k, v in node.value if k.value == key) + 1
        else:
            end = (value or node).end_mark.line + 1
        return self._leading(start) + list(range(start, min(end, len(self.lines))))

    def _items(self, node, values: list) -> None:
        for item, value in self._pairs(node, values):
            if "id" not in value:
                continue
            start, end = item.start_mark.line, item.end_mark.line
            if end < len(self.lines) and self.lines[end][:item.end_mark.column].strip():
                end += 1  # it ends within its own last line (at the end of the file)
            end = min(end, len(self.lines))
            while end > start + 1 and (not self.lines[end - 1].strip() or self.lines[end - 1].lstrip().startswith("#")):
                end -= 1  # comments after an action belong to the next one
            self.actions[str(value["id"])] = (value, self._leading(start) + list(range(start, end)))
            keys = [(k.value, k.start_mark.line) for k, _ in item.value]
            self.fields[str(value["id"])] = {
                key: list(range(line, keys[n + 1][1] if n + 1 < len(keys) else end))
                for n, (key, line) in enumerate(keys)}

    def action(self, action: dict, indent: int, used: set[int]) -> list[str]:
        held = self.actions.get(str(action.get("id")))
        if held is not None and held[0] == action and _indent(self.lines[_first_code(self.lines, held[1])]) == indent:
            used.update(held[1])
            return [self.lines[n] for n in held[1]]
        comments = [n for n in (self._leading_of(held) if held else []) if n not in used]
        used.update(comments)
        old, fields = (held[0], self.fields[str(action["id"])]) if held else ({}, {})
        ordered = {**{k: action[k] for k in old if k in action}, **action}
        lines: list[str] = []
        for key, value in ordered.items():
            same = fields.get(key) if key in old and old[key] == value else None
            if same and _indent(self.lines[same[0]]) in (indent, indent + 2):
                used.update(same)  # an unchanged field keeps its lines, comments and quoting
                lines += [" " * (indent + 2) + self.lines[n][indent + 2:] if n == same[0] else self.lines[n]
                          for n in same]
            else:
                lines += dump_data({key: value}, indent + 2)
        return [self.lines[n] for n in comments] + [" " * indent + "- " + lines[0][indent + 2:], *lines[1:]]

    def _leading_of(self, held) -> list[int]:
        lines = held[1]
        first = _first_code(self.lines, lines)
        return [n for n in lines if n < first]

    def header(self, key: tuple, fresh: list[str], indent: int, used: set[int]) -> list[str]:
        """A section's or group's lines: as they were where its fields are unchanged, else `fresh`."""
        held = self.headers.get((*key[:-1], _key(key[-1])))
        if held and _indent(self.lines[_first_code(self.lines, held)]) == indent:
            used.update(held)
            return [self.lines[n] for n in held]
        return [" " * indent + "- " + fresh[0][indent + 2:], *fresh[1:]]


def _key(mapping: dict) -> str:
    return json.dumps(mapping, sort_keys=True, default=str)


def _first_code(lines: list[str], numbers: list[int]) -> int:
    return next((n for n in numbers if not lines[n].lstrip().startswith("#")), numbers[0])


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def replace_top_level_keys(text: str, keys: tuple[str, ...], replacement: str) -> tuple[str, list[str]]:
    """`text` (an area file) with its top-level `keys` replaced by `replacement`, put where the first
    of them was; also the comment lines that were inside what was replaced."""
    lines = text.splitlines(keepends=True)
    starts = [n for n, line in enumerate(lines) if re.match(r"[A-Za-z_][\w-]*:", line)]
    spans = []
    for position, start in enumerate(starts):
        if lines[start].split(":", 1)[0] in keys:
            end = starts[position + 1] if position + 1 < len(starts) else len(lines)
            while end > start + 1 and lines[end - 1].lstrip().startswith("#") and not lines[end - 1].startswith(" "):
                end -= 1  # a comment above the next key belongs to it
            spans.append((start, end))
    if not spans:
        return text.rstrip("\n") + "\n" + replacement, []
    dropped = [line.strip() for start, end in spans for line in lines[start:end] if line.lstrip().startswith("#")]
    kept = [line for n, line in enumerate(lines) if not any(s <= n < e for s, e in spans)]
    kept.insert(spans[0][0] - sum(e - s for s, e in spans if e <= spans[0][0]), replacement)
    return "".join(kept), dropped
