"""Part of stage 1, load: the mistakes an editor makes in a file's raw text, found before YAML reads it.

The YAML parser stops at the first mistake, often reports it a line late, and names characters
nobody can see by their code. Copying from Word brings non-breaking spaces, soft hyphens and
Shift+Enter line breaks (a vertical tab); typing brings `key:value` without its space and a quote
left open. This scan finds each of those at the line and column where it is, in plain words, so a
file with several of them gets all of them in one run. It also gives the parser a copy with the
mistakes mended, so the parser and the schema check can go on to report what else is wrong.

Lines are counted at "\\n" only, as every editor counts them: a pasted line separator (U+2028),
which YAML counts as a line break, becomes a space in the parser's copy, so later lines keep
their numbers.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field

from .errors import ContentError

# Characters that YAML refuses (control characters) or counts as line breaks: replaced by a space
# in the parser's copy, so lines and columns stay where the editor sees them.
_BREAKING = {
    "\x0b": "a line break pasted from Word (vertical tab)",
    "\x0c": "a page break pasted from Word (form feed)",
    "\x85": "an invisible line break (U+0085, next line)",
    "\u2028": "an invisible line break (U+2028, line separator)",
    "\u2029": "an invisible paragraph break (U+2029, paragraph separator)",
}
# Invisible characters inside a word: the page looks right, but search and screen readers
# see two words, or a different one.
_IN_WORD = {
    "\u00ad": "a soft hyphen",
    "\u200b": "a zero-width space",
    "\u200c": "a zero-width non-joiner",
    "\u200d": "a zero-width joiner",
    "\u2060": "a word joiner",
    "\ufeff": "a zero-width no-break space (U+FEFF)",
}
INVISIBLE_IN_WORD = re.compile("[" + "".join(_IN_WORD) + "]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]")
_ODD_SPACE = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_CURLY = "\u201c\u201d\u2018\u2019"
_BLOCK_START = re.compile(r"[|>][-+0-9]*\s*(#.*)?$")


def describe_character(char: str) -> str:
    """What an editor would call a character they cannot see."""
    if char in _BREAKING:
        return _BREAKING[char]
    if char in _IN_WORD:
        return _IN_WORD[char]
    if char == "\u00a0":
        return "a non-breaking space"
    if _ODD_SPACE.fullmatch(char):
        return f"an unusual space ({unicodedata.name(char, 'space').lower()}, U+{ord(char):04X})"
    if char in _CURLY:
        return "a curly quote"
    return f"an invisible control character (U+{ord(char):04X})"


_KEY = re.compile(r"(?P<lead>[ \u00a0]*(?:-[ \u00a0]+)*)(?P<key>[A-Za-z_][\w-]*):(?P<rest>.*)")
_LOOK_CLOSER = set("\"'|> \u201c\u2018") | {"", *"\u00a0\u1680\u202f\u205f\u3000"}  # after `key: `
_SPACES = " \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"


# What `new-area` writes for an editor to replace: never published.
STARTER_PLACEHOLDERS = ("Describe the first action here.", "Name the lead organisation here.")
_UNFINISHED = re.compile(r"^[ \t]*#[ \t]*(REVIEW\b.*)$|(" + "|".join(map(re.escape, STARTER_PLACEHOLDERS)) + ")",
                         re.MULTILINE)


def unfinished(text: str, shown: str) -> list[ContentError]:
    """A warning for each note the import left for review (`# REVIEW: ...`) and each placeholder of
    the starter file: `check` warns, and `build` and `check --strict` refuse to publish them."""
    if "REVIEW" not in text and not any(p in text for p in STARTER_PLACEHOLDERS):
        return []
    found = []
    for match in _UNFINISHED.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        if match[1]:
            column += match.group(0).index("#")
            found.append(ContentError(shown, f"a REVIEW note is still here: '{_short(match[1], 70)}'", line,
                                      column, "do what it says, check the lines below it against the plan, then "
                                      "delete the note", level="warning"))
        else:
            found.append(ContentError(shown, f"'{match[2]}' is the starter file's placeholder, not the plan's words",
                                      line, column, "replace it with the words of the plan", level="warning"))
    return found


@dataclass
class ScannedText:
    errors: list[ContentError]
    text: str  # the text for the parser: the mistakes found mended, every line where it was
    # Likely mistakes that are valid YAML too (a quote left open may close lines later): each is
    # the error to report only if the parser then fails at or after its line.
    suspicions: list[ContentError] = field(default_factory=list)


def scan(text: str, shown: str, keys: frozenset[str]) -> ScannedText:
    """Every known mistake in `text`, and a copy of it the parser can read past them.

    `keys` are the schema's field names: only a line starting with one is read as `key: value`."""
    errors: list[ContentError] = []

    suspicions: list[ContentError] = []

    def error(lineno: int, column: int, message: str, hint: str, suspicion: bool = False) -> None:
        (suspicions if suspicion else errors).append(ContentError(shown, message, lineno, column + 1, hint))

    _invisible_characters(text, error)
    if errors:
        text = _CONTROL.sub(" ", text)
    lines = text.split("\n")
    block_indent: int | None = None  # inside a `|-` block: the indentation of its key's line
    for n, line in enumerate(lines):
        stripped = line.lstrip(" ")
        if not stripped:
            continue
        indent = len(line) - len(stripped)
        if block_indent is not None:
            if indent > block_indent:
                continue  # the text of a block: anything goes
            block_indent = None
        if stripped[0] == "#":
            continue
        lines[n], block_indent = _mended_line(line, n, lines, keys, error)
    return ScannedText(errors, "\n".join(lines), suspicions)


def _invisible_characters(text: str, error) -> None:
    """An error for each character YAML refuses or that changes a word, where it is."""
    for found in _characters(text):
        index, char = found.start(), found.group()
        lineno = text.count("\n", 0, index) + 1
        line_start = text.rfind("\n", 0, index) + 1
        line_end = text.find("\n", index)
        line = text[line_start:line_end if line_end >= 0 else len(text)]
        if char in _IN_WORD:
            word = _word_at(line, index - line_start)
            error(lineno, index - line_start, f"{describe_character(char)} inside '{word}': it is invisible, "
                  "but search and screen readers then read the word wrongly",
                  "delete the character: put the cursor just after it and press Backspace; "
                  "it often comes from copying out of Word")
        else:
            error(lineno, index - line_start, f"{describe_character(char)} in the text",
                  "delete it, and type an ordinary line break or space if one is needed")


def _mended_line(line: str, n: int, lines: list[str], keys: frozenset[str], error) -> tuple[str, int | None]:
    """Line `n` (not blank, not a comment, not in a block) with its mistakes mended, and the
    indentation of its key when it starts a `|` or `>` block."""
    stripped = line.lstrip(" ")
    indent = len(line) - len(stripped)
    if stripped[0] in _SPACES:
        error(n + 1, indent, f"{describe_character(stripped[0])} in the indentation, where YAML needs ordinary "
              "spaces", "delete the spaces at the start of the line and type them again with the space bar")
        rest = stripped.lstrip(_SPACES)
        line = " " * (len(line) - len(rest)) + rest
    colon = line.find(":")
    if colon < 0 or (line[colon + 1:colon + 2] == " " and line[colon + 2:colon + 3] not in _LOOK_CLOSER
                     and "\u00a0" not in line[:colon]):
        return line, None  # the usual `key: value` line, or a line with no field: nothing to look at closer
    match = _KEY.match(line)
    if not match or match["key"] not in keys:
        return line, None
    return _mended_field(match, n, lines, error)


def _mended_field(match: re.Match, n: int, lines: list[str], error) -> tuple[str, int | None]:
    """A `key: value` line: the spaces around its key and colon, and its value's quotes."""
    key, lead, rest = match["key"], match["lead"], match["rest"]
    after = match.end("key") + 1  # the column just after the colon
    if "\u00a0" in lead:
        error(n + 1, lead.index("\u00a0"), "a non-breaking space before the field name, where YAML "
              "needs ordinary spaces",
              "delete the spaces at the start of the line and type them again with the space bar")
        lead = lead.replace("\u00a0", " ")
    if rest[:1] and rest[0] in _SPACES and rest[0] != " ":
        error(n + 1, after, f"{describe_character(rest[0])} after '{key}:', where YAML needs an ordinary space",
              f"delete the space after '{key}:' and type it again with the space bar")
        rest = " " + rest[1:]
    elif rest[:1] and rest[0] not in " \t#":
        error(n + 1, after, f"a space is missing after '{key}:'",
              f"YAML needs a space after the colon: write '{key}: {_short(rest)}'")
        rest = " " + rest
    line = lead + key + ":" + rest
    value = rest.strip()
    if value[:1] in ("|", ">") and _BLOCK_START.match(value):
        return line, len(lead)
    if value[:1] in ('"', "'", "\u201c", "\u2018"):
        value_at = after + len(rest) - len(rest.lstrip())
        line = _check_value(line, value, value_at, key, lines, n, len(lead),
                            lambda column, message, hint, n=n, **how: error(n + 1, column, message, hint, **how))
    return line, None


def remove_invisible(text: str) -> tuple[str, list[str]]:
    """`text` without the invisible characters that split a word (soft hyphens, zero-width
    spaces), and a note of each removed: its line, and the word it was in, as the words read."""
    notes = []
    for number, line in enumerate(text.split("\n"), start=1):
        for found in INVISIBLE_IN_WORD.finditer(line):
            notes.append(f"line {number}: {describe_character(found.group())} removed from "
                         f"'{_word_at(line, found.start())}'")
    return (INVISIBLE_IN_WORD.sub("", text), notes) if notes else (text, [])


def _characters(text: str):
    """The invisible characters in `text` that YAML refuses, or that change a word."""
    if not _CONTROL.search(text) and not INVISIBLE_IN_WORD.search(text):
        return []
    return re.finditer("[" + _CONTROL.pattern[1:-1] + "".join(_IN_WORD) + "]", text)


def _check_value(line: str, value: str, at: int, key: str, lines: list[str], n: int, key_indent: int,
                 error) -> str:
    """A value's quotes: curly ones that do not quote, and a straight one left open."""
    if value[:1] in ("\u201c", "\u2018") and (": " in value or " #" in value):
        closing = "\u201d" if value[0] == "\u201c" else "\u2019"
        inner = value[1:-1] if value.endswith(closing) else value[1:]
        error(at, f"curly quotes ({value[0]}{closing}) around the value of '{key}': YAML reads only straight "
              "quotes as quotes, so this value is cut short",
              f'type straight quotes instead, as Word changes them as you type: {key}: "{_escaped(inner)}"')
        return line[:at] + '"' + _escaped(inner) + '"'
    if value[:1] in ('"', "'") and not _closes(value):
        following = next((later for later in itertools.islice(lines, n + 1, None)
                          if later.strip() and not later.lstrip().startswith("#")), None)
        if following is None or _looks_like_next_field(following, key_indent):
            error(at, f"the quote ({value[0]}) that starts the value of '{key}' is never closed",
                  f"add the closing {value[0]} at the end of the value", suspicion=True)
    return line


def _closes(value: str) -> bool:
    """True when a quoted value's quote is closed on the same line."""
    quote = value[0]
    body = value[1:]
    if quote == "'":
        body = body.replace("''", "")
        return "'" in body
    at = body.find('"')
    while at >= 0:
        backslashes = len(body[:at]) - len(body[:at].rstrip("\\"))
        if backslashes % 2 == 0:
            return True
        at = body.find('"', at + 1)
    return False


def _looks_like_next_field(line: str, key_column: int) -> bool:
    """Whether `line` reads as the next field or list item rather than more of a quoted value."""
    stripped = line.lstrip(" ")
    indent = len(line) - len(stripped)
    if re.match(r"[A-Za-z_][\w-]*:(\s|$)", stripped):
        return indent <= key_column
    return stripped.startswith("- ") and indent < key_column


def _word_at(line: str, index: int) -> str:
    start = index
    while start > 0 and not line[start - 1].isspace():
        start -= 1
    end = index
    while end < len(line) and not line[end].isspace():
        end += 1
    return INVISIBLE_IN_WORD.sub("", line[start:end]).strip("\"',.;:()")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + "..."


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
