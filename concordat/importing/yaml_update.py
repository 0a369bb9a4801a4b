"""Put a published spreadsheet's actions back into an area file, changing as few lines as it can.

An action, section or sub-heading whose fields are unchanged keeps its lines exactly (comments,
quoting and all); the rest of the file (name, source, KPIs, glossary, comments) stays as it was.
"""

from __future__ import annotations

import json
import re

import yaml

from .yaml_out import dump_data


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
