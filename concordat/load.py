"""Stage 1, load: read content files into plain data, checked against their JSON Schema.

YAML is composed into nodes first so that every value keeps its line and column
(`yaml_reading`); the schema check walks those nodes (`schema_check`), which is how an error
can point at `file:line:col`. The editors' typing mistakes are found in the raw text first
(`raw_text`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import raw_text
from .errors import ContentError, display_path
from .schema_check import SchemaCheck, field_names, load_schema
from .yaml_reading import MAX_FILE_BYTES, STR, compose, read_text, yaml_versions_disagree


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
    unfinished: list[ContentError] = field(default_factory=list)  # REVIEW notes, starter placeholders

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
        before = [s for s in scanned.suspicions if error.line is None or s.line <= error.line]
        if before:  # a quote left open is the mistake, not where the parser gave up
            return None, scanned.errors + before[-1:]
        near = {e.line for e in scanned.errors} | {e.line + 1 for e in scanned.errors if e.line}
        return None, scanned.errors + ([] if scanned.errors and error.line in near else [error])
    # In a plan's text a " #" is more often the plan's own words ("Actions agreed #3") than a
    # note, so an area file may not have a note after a value; the other files may.
    lines = scanned.text.split("\n") if schema_name == "area" else None
    checker = SchemaCheck(shown, load_schema(schema_name), lines)
    data = checker.check(node, checker.schema, ())
    return Document(shown, data, checker.marks, raw_text.unfinished(text, shown)), scanned.errors + checker.errors


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
            if scalar.tag in (STR, "tag:yaml.org,2002:timestamp") and yaml_versions_disagree(scalar):
                scalar.style = "'"
    checker = SchemaCheck(shown, load_schema(schema_name))
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
