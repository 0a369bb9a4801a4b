"""Stage 1, load: read content files into plain data, checked against their JSON Schema.

YAML is composed into nodes first so that every value keeps its line and column; the
schema check walks those nodes, which is how an error can point at `file:line:col`.
The schemas in `schemas/` are the same files editors' IDEs use, so the two cannot drift.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from . import raw_text
from .errors import ContentError, display_path

SCHEMA_DIR = Path(__file__).parent / "schemas"
MAX_FILE_BYTES = 5 * 1024 * 1024

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.constructor.SafeConstructor()

_STR = "tag:yaml.org,2002:str"
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # a tab and a carriage return too: only line breaks
_CONTROL_NAMES = {"\t": "a tab", "\r": "a carriage return"}
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}
_TYPE_NAMES = {
    "tag:yaml.org,2002:str": "text",
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true/false",
    "tag:yaml.org,2002:null": "nothing (an empty value)",
    "tag:yaml.org,2002:timestamp": "a date",
}

@dataclass
class ContentFiles:
    """Where the content lives: one folder with fixed file names."""

    root: Path

    @property
    def site_file(self) -> Path:
        return self.root / "site.yaml"

    @property
    def themes_file(self) -> Path:
        return self.root / "themes.yaml"

    @property
    def organisations_file(self) -> Path:
        return self.root / "organisations.yaml"

    def area_files(self) -> list[Path]:
        return sorted((self.root / "areas").glob("*.yaml"))

    def all_files(self) -> list[Path]:
        return [self.site_file, self.themes_file, self.organisations_file, *self.area_files()]


@dataclass
class Document:
    """One content file: its data, and where each value of it sits in the file."""

    path: str
    data: Any
    marks: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def where(self, *at: str | int) -> tuple[int | None, int | None]:
        """Line and column of the value at `at`, or of its nearest enclosing value."""
        at = tuple(at)
        while at not in self.marks and at:
            at = at[:-1]
        return self.marks.get(at, (None, None))

    def error(self, at: tuple, message: str, hint: str | None = None) -> ContentError:
        line, column = self.where(*at)
        return ContentError(self.path, message, line, column, hint)

    def warning(self, at: tuple, message: str, hint: str | None = None) -> ContentError:
        line, column = self.where(*at)
        return ContentError(self.path, message, line, column, hint, level="warning")


@cache
def load_schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


def not_a_plain_file(path: Path) -> str | None:
    """Why a content path is not a plain file (a symbolic link, a folder, a device or a FIFO), or None.

    Content is only ever plain files: a committed link could make the build read, and print in
    its errors, any file on the machine running it (a CI runner's secrets); a device or a FIFO
    could fill the memory or hang the build."""
    try:
        info = path.lstat()
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISLNK(info.st_mode):
        return "is a symbolic link, not a file: content files must be the files themselves (the link is not read)"
    if stat.S_ISDIR(info.st_mode):
        return "is a folder, not a file: only files ending in .yaml are read (rename the folder)"
    if not stat.S_ISREG(info.st_mode):
        return "is a device, pipe or socket, not a plain file: content files must be plain text files"
    return None


def read_text(path: Path, shown: str) -> str:
    """File contents as text, refusing what an editor cannot see is wrong."""
    problem = not_a_plain_file(path)
    if problem:
        raise ContentError(shown, problem)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        with os.fdopen(os.open(path, flags), "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):  # swapped for something else since it was looked at
                raise ContentError(shown, "is not a plain file: content files must be plain text files")
            size = info.st_size
            if size > MAX_FILE_BYTES:
                raise ContentError(
                    shown,
                    f"file is too large ({size // 1024} KiB; the limit is {MAX_FILE_BYTES // 1024} KiB)",
                    hint="split the plan or check the file is the right one",
                )
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ContentError(shown, f"cannot read file: {exc.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ContentError(shown, f"file is too large (the limit is {MAX_FILE_BYTES // 1024} KiB)")
    if raw.startswith(b"\xef\xbb\xbf"):
        raise ContentError(shown, "file starts with a byte order mark", 1, 1, "save it as UTF-8 without BOM")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ContentError(
            shown, f"byte 0x{raw[exc.start]:02x} is not valid UTF-8", line, column, "save the file as UTF-8"
        ) from None
    if not text.strip():
        raise ContentError(shown, "file is empty")
    # Windows editors save lines ending CRLF: read as LF, the same lines and columns, the same site.
    return text.replace("\r\n", "\n")


def compose(text: str, shown: str) -> yaml.Node:
    """Parse YAML to nodes, turning the parser's complaints into ContentErrors in plain words."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, shown) from None
    except yaml.YAMLError as exc:
        raise ContentError(shown, f"invalid YAML: {exc}") from None
    if node is None:
        raise ContentError(shown, "file is empty")
    return node


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, shown: str) -> ContentError:
    """Where the editor made the mistake (often not where the parser gave up), and what to do."""
    problem = exc.problem or exc.context or "invalid YAML"
    mark = exc.problem_mark or exc.context_mark
    lines = text.split("\n")
    message, hint = f"invalid YAML: {problem}", None
    if "\t" in text and ("tab" in problem or "found character" in problem):
        hint = "YAML does not allow tabs for indentation: use spaces"
    elif exc.context == "while scanning a quoted scalar" and exc.context_mark:
        mark = exc.context_mark  # where the quote opened, not the end of the file
        quote = lines[mark.line][mark.column] if mark.column < len(lines[mark.line]) else '"'
        message = f"the quote ({quote}) that starts here is never closed"
        hint = f"add the closing {quote} at the end of the value"
    elif exc.context in ("while parsing a flow sequence", "while parsing a flow mapping") and exc.context_mark:
        mark = exc.context_mark  # where the bracket opened
        opening, closing = ("[", "]") if "sequence" in exc.context else ("{", "}")
        message = f"the '{opening}' that starts here is not closed with '{closing}'"
        hint = (f"add the closing {closing} after the last item, and put in quotes any item that contains "
                f"a comma, a colon or a bracket")
    elif exc.context == "while scanning a simple key" and exc.context_mark:
        mark = exc.context_mark  # the line without its colon, not the line after it
        message = "this line is neither a 'field: value' line nor part of the value above"
        hint = ("start it with a field name, a colon and a space; or, if it continues the text above, "
                "indent it further; several paragraphs go in a block (|-)")
    else:
        line = lines[mark.line] if mark and mark.line < len(lines) else ""
        key, value = _key_and_value(line)
        curly = next((c for c in "\u201c\u201d\u2018\u2019" if c in line), None)
        if curly:
            hint = f"this line has curly quotes ({curly}), which YAML does not read as quotes: type straight quotes \""
        elif "cannot start any token" in problem and mark and line[mark.column:mark.column + 1] in ("@", "`"):
            hint = 'a value starting with @ or ` must be put in quotes, e.g. "@kent-crisis-lead"'
        elif value[:1] in ('"', "'"):
            message = "there is more text after the closing quote of this value"
            hint = ("put the whole value inside one pair of quotes, and write a quote inside it as \\\"; "
                    "or write the value as a block (|-)")
        elif "mapping values are not allowed" in problem and key:
            message = "a colon followed by a space inside a value, which YAML reads as the start of another field"
            hint = f"put the whole value in quotes: {key}: {json.dumps(value, ensure_ascii=False)}"
        elif "mapping values are not allowed" in problem:
            hint = "a value containing ': ' must be put in quotes or written as a block (|-)"
    return ContentError(shown, message, mark.line + 1 if mark else None, mark.column + 1 if mark else None, hint)


def _key_and_value(line: str) -> tuple[str, str]:
    """`key` and its value on a `key: value` line (after any list dashes), or empty strings."""
    match = re.match(r"\s*(?:-\s+)*([A-Za-z_][\w-]*):\s+(.*)$", line)
    return (match[1], match[2].strip()) if match else ("", "")


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


def load_document(path: Path, schema_name: str, root: Path | None = None) -> tuple[Document | None, list[ContentError]]:
    """Read one content file and check it against its schema; report every problem found.

    The raw text is scanned first for the mistakes editors make (raw_text.py), each reported
    where it is; the parser and the schema check then read a copy with those mended, to find the
    rest. Where the parser cannot go on, its first error ends the file's report."""
    shown = display_path(path, root)
    try:
        text = read_text(path, shown)
    except ContentError as error:
        return None, [error]
    scanned = raw_text.scan(text, shown, field_names(schema_name))
    try:
        node = compose(scanned.text, shown)
    except ContentError as error:
        near = {e.line for e in scanned.errors} | {e.line + 1 for e in scanned.errors if e.line}
        return None, scanned.errors + ([] if scanned.errors and error.line in near else [error])
    checker = _SchemaCheck(shown, load_schema(schema_name), scanned.text.split("\n"))
    data = checker.check(node, checker.schema, ())
    return Document(shown, data, checker.marks), scanned.errors + checker.errors


class _SchemaCheck:
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

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            ref = schema["$ref"]
            target = self.schema
            for part in ref.removeprefix("#/").split("/"):
                target = target[part]
            schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        return schema

    def check(self, node: yaml.Node, schema: dict, at: tuple, name: str = "file", required: bool = False) -> Any:
        schema = self.resolve(schema)
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
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
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
            misread = yaml_versions_disagree(node)
            if misread:
                self.fail(node, f"'{name}' should be text, but '{node.value}' without quotes is read as {misread}",
                          f'put it in quotes: "{node.value}"')
                return None
            if node.tag == "tag:yaml.org,2002:timestamp":
                value = node.value  # a date written plainly is still the text the editor wrote
            elif node.tag != _STR:
                self.fail(node, f"'{name}' should be text, not {_describe(node)}", f'put it in quotes: "{node.value}"')
                return None
            else:
                value = node.value
            lost = self._comment_after(node)
            if lost:
                column, words = lost
                kept = json.dumps(f"{value} {words}", ensure_ascii=False)
                self.errors.append(ContentError(
                    self.path, f"'{name}' would lose the words '{words}': YAML reads ' #' as the start of a note "
                    f"for editors, so only '{_short(value)}' would be published", node.end_mark.line + 1, column,
                    f"to keep the words, put the whole value in quotes: {name}: {kept}; a note for editors "
                    "goes on a line of its own, starting with #"))
                return None
            self._string_rules(node, schema, name, value, required)
            return value
        if kind == "integer":
            if node.tag != "tag:yaml.org,2002:int":
                self.fail(node, f"'{name}' should be a whole number, not {_describe(node)}")
                return None
            value = _constructor.construct_object(node)
            if not schema.get("minimum", value) <= value <= schema.get("maximum", value):
                self.fail(node, f"'{value}' is out of range for '{name}'", schema.get("errorMessage"))
            return value
        return _constructor.construct_object(node)

    def _comment_after(self, node: yaml.ScalarNode) -> tuple[int, str] | None:
        """The column of ' #' after a plain value, and the words from it, which YAML drops as a comment."""
        if node.style or node.end_mark.line >= len(self.lines):
            return None
        after = self.lines[node.end_mark.line][node.end_mark.column:]
        found = re.match(r"[ \t]+(#.*?)\s*$", after)
        return (node.end_mark.column + found.start(1) + 1, found[1]) if found else None

    def _string_rules(self, node, schema, name, value: str, required: bool = False) -> None:
        if "enum" in schema and value not in schema["enum"]:
            allowed = ", ".join(schema["enum"])
            hint = did_you_mean(value, schema["enum"]) or f"use one of: {allowed}"
            self.fail(node, f"'{value}' is not a valid {name}", hint)
            return
        if len(value.strip()) < schema.get("minLength", 0):
            self.fail(node, f"'{name}' is empty", _empty_hint(required))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            self.fail(node, f"'{name}' is too long ({len(value)} characters; at most {schema['maxLength']})")
        control = _CONTROL.search(value)
        if control:
            char = control.group()
            described = _CONTROL_NAMES.get(char, "an invisible control character")
            self.fail(node, f"'{name}' contains {described} (U+{ord(char):04X})",
                      "use spaces instead" if char == "\t" else
                      "delete it; it may have come from copying out of another document")
        if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
            self.fail(node, f"'{value}' is not a valid {name}", schema.get("errorMessage"))


@cache
def _pattern(pattern: str) -> re.Pattern:
    """A schema's pattern as JSON Schema means it: its `$` is the end of the value, where Python's
    `$` also matches before a final line break (so "2-14\\n" would pass as an id)."""
    return re.compile(re.sub(r"(?<!\\)\$", r"\\Z", pattern))


# How YAML 1.2 readers (editors' schema checks, check-jsonschema) type a plain value: the core schema.
_YAML12_CORE = (
    (re.compile(r"null|Null|NULL|~|"), "tag:yaml.org,2002:null"),
    (re.compile(r"true|True|TRUE|false|False|FALSE"), "tag:yaml.org,2002:bool"),
    (re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"), "tag:yaml.org,2002:int"),
    (re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"),
     "tag:yaml.org,2002:float"),
)


def yaml_versions_disagree(node: yaml.ScalarNode) -> str | None:
    """For an unquoted value that YAML 1.1 (this build) and YAML 1.2 (editors, other tools) type
    differently, such as `no`, `3e-1` or `1:30`, what the non-text reading is; else None.

    Such a file passes one check and fails the other, so it is refused until the value is quoted.
    """
    if node.style:  # quoted or a block: text to every reader
        return None
    core = next((tag for pattern, tag in _YAML12_CORE if pattern.fullmatch(node.value)), _STR)
    ours = _STR if node.tag == "tag:yaml.org,2002:timestamp" else node.tag  # a date is kept as text
    if core == ours:
        return None
    if ours == _STR:
        return f"{_TYPE_NAMES[core]} by editors and other YAML 1.2 tools"
    return f"{_TYPE_NAMES.get(ours, 'a special value')} by this build (YAML 1.1), and as text by editors"


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
    return _TYPE_NAMES.get(node.tag, "a value") + (f" ({node.value})" if node.value else "")


def did_you_mean(word: str, choices) -> str | None:
    """A spelling suggestion, shared with the cross-reference checks."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def parse_due(value: str) -> dt.date | None:
    """A YYYY-MM or YYYY-MM-DD string as a date (first of the month), or None if impossible."""
    try:
        if len(value) == 7:
            return dt.date.fromisoformat(value + "-01")
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@dataclass
class LoadedContent:
    """Every content file read and schema-checked, with the problems found so far."""

    site: Document | None
    themes: Document | None
    organisations: Document | None
    areas: list[Document]
    errors: list[ContentError]
    broken: set[str]  # files whose schema check failed: later stages skip what they cannot trust


DocumentCache = dict  # path -> ((mtime_ns, size), Document | None, [ContentError]): the preview keeps one


def load_content(content_dir: Path, root: Path | None = None, cache: DocumentCache | None = None) -> LoadedContent:
    """Read every content file; with a cache, only files changed since they were cached are read again.

    All in this process: reading them in forked workers showed no clear gain (see `processes`)."""
    files = ContentFiles(content_dir)
    root = root or content_dir.parent
    errors: list[ContentError] = []
    broken: set[str] = set()
    area_files = files.area_files()
    if (content_dir / "areas").is_symlink():
        errors.append(ContentError(display_path(content_dir / "areas", root), "is a symbolic link, not a folder: "
                                   "the area files must be in content/areas itself (the link is not followed)"))
        area_files = []

    def load(path: Path, schema: str) -> Document | None:
        stamp = _stamp(path)
        cached = cache.get(path) if cache is not None else None
        if cached is not None and stamp is not None and cached[0] == stamp:
            doc, problems = cached[1], cached[2]
        else:
            doc, problems = load_document(path, schema, root)
            if cache is not None:
                cache[path] = (stamp, doc, problems)
        errors.extend(problems)
        if problems and doc is not None:
            broken.add(doc.path)
        return doc

    site = load(files.site_file, "site")
    themes = load(files.themes_file, "themes")
    organisations = load(files.organisations_file, "organisations")
    if cache is not None:
        for gone in set(cache) - {files.site_file, files.themes_file, files.organisations_file, *area_files}:
            del cache[gone]
    areas = [d for d in (load(p, "area") for p in area_files) if d]
    if not area_files and not errors:
        errors.append(ContentError(display_path(content_dir / "areas", root), "no area files found",
                                   hint="add content/areas/<slug>.yaml"))
    return LoadedContent(site, themes, organisations, areas, errors, broken)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


MAX_NODES = 500_000  # values in one file, counting each alias as often as it is used


def load_bytes(raw: bytes, shown: str, schema_name: str,
               as_published: bool = False) -> tuple[Document | None, list[ContentError]]:
    """Check a file's bytes that are not on disk (a past version, from git) as `load_document` checks
    a file: the same size limit, encoding rules, YAML reader and schema, plus a bound on how many
    values its aliases make (an "alias bomb" of a few lines expands to billions).

    `as_published`: an unquoted value that this build reads as text but YAML 1.2 tools would not
    (`3e-1`) is taken as the text this build read and published, not refused: that rule is advice
    to editors writing now (`yaml_versions_disagree`), and a past version cannot take it."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [ContentError(shown, f"file is too large ({len(raw) // 1024} KiB; the limit is "
                                          f"{MAX_FILE_BYTES // 1024} KiB)")]
    try:
        with tempfile.TemporaryDirectory() as folder:  # read_text's checks, on the very same bytes
            path = Path(folder) / "version.yaml"
            path.write_bytes(raw)
            text = read_text(path, shown)
        node = compose(text, shown)
    except ContentError as error:
        return None, [error]
    if _expanded_nodes(node, MAX_NODES) > MAX_NODES:
        return None, [ContentError(shown, f"the file's aliases (*names) make more than {MAX_NODES:,} values",
                                   hint="write the values out instead of repeating them with & and *")]
    if as_published:
        for scalar in _scalars(node):
            if scalar.tag in (_STR, "tag:yaml.org,2002:timestamp") and yaml_versions_disagree(scalar):
                scalar.style = "'"
    checker = _SchemaCheck(shown, load_schema(schema_name))
    data = checker.check(node, checker.schema, ())
    return Document(shown, data, checker.marks), checker.errors


def _scalars(node: yaml.Node):
    seen, todo = set(), [node]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            yield node
        elif isinstance(node, yaml.MappingNode):
            todo.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)


def _expanded_nodes(node: yaml.Node, limit: int) -> int:
    """How many values `node` holds with every alias expanded, counting no further than just past `limit`."""
    count, todo = 0, [node]
    while todo and count <= limit:
        node = todo.pop()
        count += 1
        if isinstance(node, yaml.MappingNode):
            todo.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
    return count
