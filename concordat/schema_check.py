"""Check YAML nodes against a content file's JSON Schema, building its data and each value's place.

The schemas in `schemas/` are the same files editors' IDEs use, so the two cannot drift. The
check walks the composed nodes (not the loaded data), which is how an error can point at
`file:line:col`, and says each problem in an editor's words.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .errors import ContentError
from .yaml_reading import STR, TYPE_NAMES, yaml_versions_disagree

SCHEMA_DIR = Path(__file__).parent / "schemas"

_constructor = yaml.constructor.SafeConstructor()

_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # a tab and a carriage return too: only line breaks
_CONTROL_NAMES = {"\t": "a tab", "\r": "a carriage return"}
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}


@cache
def load_schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


@cache
def field_names(schema_name: str) -> frozenset[str]:
    """Every field name a schema knows, at any depth: the words that start a `key: value` line."""
    names: set[str] = set()

    def walk(value):
        if isinstance(value, dict):
            names.update(value.get("properties", {}))
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(load_schema(schema_name))
    return frozenset(names)


class SchemaCheck:
    """Walks YAML nodes against a JSON Schema subset, building data and marks as it goes.

    Supports what the project's schemas use: type, properties, required,
    additionalProperties: false, items, enum, pattern, minLength, maxLength, minItems, minimum,
    maximum, $ref and the `errorMessage` extension for a friendlier pattern message.
    """

    def __init__(self, path: str, schema: dict, lines: list[str] | None = None):
        self.path = path
        self.lines = lines or []  # the file's lines, to see what follows a value on its line
        self.schema = schema
        self.errors: list[ContentError] = []
        self.marks: dict[tuple, tuple[int, int]] = {}

    def fail(self, node: yaml.Node, message: str, hint: str | None = None) -> None:
        self.errors.append(
            ContentError(self.path, message, node.start_mark.line + 1, node.start_mark.column + 1, hint)
        )

    def check(self, node: yaml.Node, schema: dict, at: tuple, name: str = "file", required: bool = False) -> Any:
        schema = resolve(self.schema, schema)
        self.marks[at] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if node.tag not in _PLAIN_TAGS:
            self.fail(node, f"YAML tag '{node.tag}' is not allowed in '{name}'", "remove the tag starting with '!'")
            return None
        kind = schema.get("type")
        if kind == "object":
            return self._object(node, schema, at, name)
        if kind == "array":
            return self._array(node, schema, at, name)
        return self._scalar(node, schema, name, required)

    def _object(self, node, schema, at, name):
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"'{name}' should be a set of 'key: value' lines, not {_describe(node)}")
            return None
        properties = schema.get("properties", {})
        data: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != STR:
                self.fail(key_node, f"keys in '{name}' must be plain words, not {_describe(key_node)}")
                continue
            key = key_node.value
            if key in data:
                first = self.marks.get(at + (key,), (None,))[0]
                self.fail(key_node, f"duplicate key '{key}'", f"it is already given on line {first}")
                continue
            if key not in properties:
                if schema.get("additionalProperties") is False:
                    self.fail(key_node, f"unknown field '{key}' in '{name}'", did_you_mean(key, properties))
                    continue
                data[key] = _constructor.construct_object(value_node, deep=True)
                continue
            self.marks[at + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            required = key in schema.get("required", [])
            if _is_null(value_node):
                self.fail(key_node, f"'{key}' is empty", _empty_hint(required))
                data[key] = None
                continue
            data[key] = self.check(value_node, properties[key], at + (key,), key, required)
            self.marks[at + (key,)] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
        for key in schema.get("required", []):
            if key not in data:
                self.fail(node, f"'{name}' is missing required field '{key}'")
        return data

    def _array(self, node, schema, at, name):
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"'{name}' should be a list (lines starting with '- '), not {_describe(node)}")
            return []
        if len(node.value) < schema.get("minItems", 0):
            self.fail(node, f"'{name}' needs at least {schema['minItems']} item(s)")
        items = schema.get("items", {})
        return [self.check(child, items, at + (i,), name) for i, child in enumerate(node.value)]

    def _scalar(self, node, schema, name, required=False):
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, f"'{name}' should be a single value, not {_describe(node)}")
            return None
        kind = schema.get("type")
        if kind == "string":
            return self._text(node, schema, name, required)
        if kind == "integer":
            if node.tag != "tag:yaml.org,2002:int":
                self.fail(node, f"'{name}' should be a whole number, not {_describe(node)}")
                return None
            value = _constructor.construct_object(node)
            if not schema.get("minimum", value) <= value <= schema.get("maximum", value):
                self.fail(node, f"'{value}' is out of range for '{name}'", schema.get("errorMessage"))
            return value
        return _constructor.construct_object(node)

    def _text(self, node: yaml.ScalarNode, schema: dict, name: str, required: bool) -> str | None:
        misread = yaml_versions_disagree(node)
        if misread:
            self.fail(node, f"'{name}' should be text, but '{node.value}' without quotes is read as {misread}",
                      f'put it in quotes: "{node.value}"')
            return None
        # A date written plainly is still the text the editor wrote.
        if node.tag not in (STR, "tag:yaml.org,2002:timestamp"):
            self.fail(node, f"'{name}' should be text, not {_describe(node)}", f'put it in quotes: "{node.value}"')
            return None
        value = node.value
        lost = _comment_after(self.lines, node)
        if lost:
            column, words = lost
            kept = json.dumps(f"{value} {words}", ensure_ascii=False)
            self.errors.append(ContentError(
                self.path, f"'{name}' would lose the words '{words}': YAML reads ' #' as the start of a note "
                f"for editors, so only '{_short(value)}' would be published", node.end_mark.line + 1, column,
                f"to keep the words, put the whole value in quotes: {name}: {kept}; a note for editors "
                "goes on a line of its own, starting with #"))
            return None
        for message, hint in text_problems(schema, name, value, required):
            self.fail(node, message, hint)
        return value


def resolve(root: dict, schema: dict) -> dict:
    """`schema` with its `$ref` (a path inside `root`, "#/$defs/slug") replaced by what it points at."""
    while "$ref" in schema:
        target = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def text_problems(schema: dict, name: str, value: str, required: bool = False) -> list[tuple[str, str | None]]:
    """What is wrong with the text `value` of the field `name` by its (resolved) schema: each a message
    and a hint, in an editor's words."""
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(schema["enum"])
        return [(f"'{value}' is not a valid {name}", did_you_mean(value, schema["enum"]) or f"use one of: {allowed}")]
    problems: list[tuple[str, str | None]] = []
    if len(value.strip()) < schema.get("minLength", 0):
        problems.append((f"'{name}' is empty", _empty_hint(required)))
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        problems.append((f"'{name}' is too long ({len(value)} characters; at most {schema['maxLength']})", None))
    control = _CONTROL.search(value)
    if control:
        char = control.group()
        described = _CONTROL_NAMES.get(char, "an invisible control character")
        problems.append((f"'{name}' contains {described} (U+{ord(char):04X})",
                         "use spaces instead" if char == "\t" else
                         "delete it; it may have come from copying out of another document"))
    if "pattern" in schema and not schema_pattern(schema["pattern"]).search(value):
        problems.append((f"'{value}' is not a valid {name}", schema.get("errorMessage")))
    return problems


def _comment_after(lines: list[str], node: yaml.ScalarNode) -> tuple[int, str] | None:
    """The column of ' #' after a plain value on its line, and the words from it, which YAML drops as a comment."""
    if node.style or node.end_mark.line >= len(lines):
        return None
    after = lines[node.end_mark.line][node.end_mark.column:]
    found = re.match(r"[ \t]+(#.*?)\s*$", after)
    return (node.end_mark.column + found.start(1) + 1, found[1]) if found else None


@cache
def schema_pattern(pattern: str) -> re.Pattern:
    """A schema's pattern as JSON Schema means it: its `$` is the end of the value, where Python's
    `$` also matches before a final line break (so "2-14\\n" would pass as an id)."""
    return re.compile(re.sub(r"(?<!\\)\$", r"\\Z", pattern))


def _empty_hint(required: bool) -> str:
    return "give it a value: this field is required" if required else "give it a value, or leave the key out"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rstrip() + "..."


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a set of 'key: value' lines"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return TYPE_NAMES.get(node.tag, "a value") + (f" ({node.value})" if node.value else "")


def did_you_mean(word: str, choices) -> str | None:
    """A spelling suggestion, shared with the cross-reference checks."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None

