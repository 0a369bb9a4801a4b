"""Read a content file as text, and its YAML as nodes that keep each value's line and column.

What an editor cannot see is refused before the parser runs (a link, a byte order mark, bytes that
are not UTF-8), and the parser's complaints are said in plain words, where the mistake is.
How YAML 1.1 (this build) and YAML 1.2 (editors' tools) type a plain value is said here once:
the schema check refuses a value they disagree on, and the importer quotes it.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import yaml

from .errors import ContentError

MAX_FILE_BYTES = 5 * 1024 * 1024

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

STR = "tag:yaml.org,2002:str"
TYPE_NAMES = {
    "tag:yaml.org,2002:str": "text",
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true/false",
    "tag:yaml.org,2002:null": "nothing (an empty value)",
    "tag:yaml.org,2002:timestamp": "a date",
}


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


# How YAML 1.2 readers (editors' schema checks, check-jsonschema) type a plain value: the core schema.
_YAML12_CORE = (
    (re.compile(r"null|Null|NULL|~|"), "tag:yaml.org,2002:null"),
    (re.compile(r"true|True|TRUE|false|False|FALSE"), "tag:yaml.org,2002:bool"),
    (re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"), "tag:yaml.org,2002:int"),
    (re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"),
     "tag:yaml.org,2002:float"),
)


def yaml12_tag(value: str) -> str:
    """The tag a YAML 1.2 reader gives `value` written plainly (unquoted): `STR` where it is text."""
    return next((tag for pattern, tag in _YAML12_CORE if pattern.fullmatch(value)), STR)


def yaml_versions_disagree(node: yaml.ScalarNode) -> str | None:
    """For an unquoted value that YAML 1.1 (this build) and YAML 1.2 (editors, other tools) type
    differently, such as `no`, `3e-1` or `1:30`, what the non-text reading is; else None.

    Such a file passes one check and fails the other, so it is refused until the value is quoted.
    """
    if node.style:  # quoted or a block: text to every reader
        return None
    core = yaml12_tag(node.value)
    ours = STR if node.tag == "tag:yaml.org,2002:timestamp" else node.tag  # a date is kept as text
    if core == ours:
        return None
    if ours == STR:
        return f"{TYPE_NAMES[core]} by editors and other YAML 1.2 tools"
    return f"{TYPE_NAMES.get(ours, 'a special value')} by this build (YAML 1.1), and as text by editors"

