"""Reading the content's history from git, as untrusted bytes.

Anyone who can open a pull request writes into the history: commit messages, file names and
file contents are whatever they typed. So git's output is read as bytes, in formats where
nothing they control can stand for a separator: commit ids come from `git log -z --raw`, whose
file names end in NUL, and everything else about a commit (its parents, date and message) is
read from the commit object itself, whose length git states. A commit id is checked to be 40
or 64 hexadecimal digits before it is used, and blobs are fetched by id, never by a path.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # a SHA-1 or SHA-256 object id, nothing else
_ZERO = re.compile(r"0+")
_TRAILER_LINE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*:\s.*|[A-Za-z0-9][A-Za-z0-9-]*:")


def is_id(text: str) -> bool:
    return bool(ID.fullmatch(text))


@dataclass(frozen=True)
class FileChange:
    """One content file a commit changed: its path before and after, and the blob ids (None: no file)."""

    before_path: str
    after_path: str
    before_blob: str | None
    after_blob: str | None


@dataclass(frozen=True)
class CommitInfo:
    id: str
    parent: str  # the first parent's id, "" for a root commit
    timestamp: str  # the committer's date, ISO 8601 with its offset
    subject: str  # the message's first paragraph, on one line, as `git log --format=%s` gives it;
    # for a merge with more to say (a pull request's title, on GitHub), its second paragraph's first line
    correction: bool  # its message ends with the trailer `Change-type: correction`
    merge: bool = False


class GitError(Exception):
    """git's output was not what this module reads (never a content problem)."""


def run(root: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    """A git command's output as bytes, or None where there is no git or it fails."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], input=stdin, capture_output=True, check=False,
                              env={**os.environ, "LC_ALL": "C", "GIT_CONFIG_NOSYSTEM": "1"})
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def text(raw: bytes) -> str:
    """Bytes from git as text: a name or message that is not UTF-8 keeps a mark where each bad byte was."""
    return raw.decode("utf-8", errors="replace")


def changed_files(root: Path, *revisions: str, content: str = "content") -> list[tuple[str, list[FileChange]]]:
    """Each commit that changed `content/` on the first-parent line (the branch as it was published:
    a merge counts as one change, against the branch before it), newest first, with the files it
    changed (renames paired, as `git log -M` finds them)."""
    out = run(root, "log", "-z", "--first-parent", "-m", "--raw", "-M", "--no-abbrev", "--format=%H", *revisions,
              "--", content)
    if out is None:
        raise GitError("git could not read the history")
    commits: list[tuple[str, list[FileChange]]] = []
    tokens = out.split(b"\0")
    at = 0
    while at < len(tokens):
        token = tokens[at].lstrip(b"\n")
        at += 1
        if not token:
            continue
        if token.startswith(b":"):
            if not commits:
                raise GitError("a file change came before any commit")
            fields = token[1:].split(b" ")
            if len(fields) != 5:
                raise GitError(f"unexpected line from git log: {text(token)!r}")
            _, _, old, new, status = (text(f) for f in fields)
            paths = 2 if status[:1] in ("R", "C") else 1
            if at + paths > len(tokens) or not (is_id(old) and is_id(new)):
                raise GitError(f"unexpected line from git log: {text(token)!r}")
            names = [text(t) for t in tokens[at:at + paths]]
            at += paths
            commits[-1][1].append(FileChange(names[0], names[-1], None if _ZERO.fullmatch(old) else old,
                                             None if _ZERO.fullmatch(new) else new))
        else:
            sha = text(token)
            if not is_id(sha):
                raise GitError(f"git log gave {sha[:80]!r} where a commit id belongs")
            commits.append((sha, []))
    return commits


def objects(root: Path, ids: list[str], max_bytes: int | None = None) -> dict[str, bytes | int]:
    """Many objects by id through `git cat-file`: id -> its bytes, or its size where it is over `max_bytes`
    (left unread). Missing objects are left out."""
    ids = [i for i in dict.fromkeys(ids) if is_id(i)]
    if not ids:
        return {}
    sizes: dict[str, int] = {}
    checked = run(root, "cat-file", "--batch-check=%(objectname) %(objectsize)", stdin="\n".join(ids).encode() + b"\n")
    if checked is None:
        raise GitError("git could not read the history's files")
    for line in checked.split(b"\n"):
        fields = text(line).split(" ")
        if len(fields) == 2 and is_id(fields[0]) and fields[1].isdigit():
            sizes[fields[0]] = int(fields[1])
    found: dict[str, bytes | int] = {}
    wanted = []
    for sha, size in sizes.items():
        if max_bytes is not None and size > max_bytes:
            found[sha] = size
        else:
            wanted.append(sha)
    if not wanted:
        return found
    out = run(root, "cat-file", "--batch=%(objectname) %(objectsize)", stdin="\n".join(wanted).encode() + b"\n")
    if out is None:
        raise GitError("git could not read the history's files")
    at = 0
    for sha in wanted:
        end = out.find(b"\n", at)
        fields = text(out[at:end]).split(" ") if end >= 0 else []
        if len(fields) != 2 or fields[0] != sha or not fields[1].isdigit():
            raise GitError(f"git cat-file did not give object {sha}")
        size = int(fields[1])
        found[sha] = out[end + 1:end + 1 + size]
        at = end + 1 + size + 1
    return found


def parse_commit(sha: str, raw: bytes) -> CommitInfo:
    """A commit object's first parent, committer date, subject and correction trailer."""
    head, _, message = raw.partition(b"\n\n")
    parent, parents, stamp, encoding = "", 0, "", "utf-8"
    for line in head.split(b"\n"):
        key, _, value = line.partition(b" ")
        if key == b"parent":
            parents += 1
            parent = parent or text(value)
        elif key == b"committer":
            stamp = _timestamp(value)
            if not stamp:
                raise GitError(f"commit {sha} has no readable date")
        elif key == b"encoding":
            encoding = text(value).strip()
    if parent and not is_id(parent):
        raise GitError(f"commit {sha} has an unreadable parent")
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "utf-8"
    body = message.decode(encoding, errors="replace").replace("\r\n", "\n")
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", body.strip("\n")) if p.strip()]
    subject = " ".join(line.strip() for line in paragraphs[0].split("\n")) if paragraphs else ""
    correction = len(paragraphs) > 1 and is_correction(paragraphs[-1])
    if parents > 1 and len(paragraphs) > 1 and not (correction and len(paragraphs) == 2):
        subject = paragraphs[1].split("\n")[0].strip()
    return CommitInfo(sha, parent, stamp, subject, correction, parents > 1)


def is_correction(paragraph: str) -> bool:
    """Whether a message's last paragraph is a block of trailers holding exactly `Change-type: correction`."""
    lines = [line.rstrip() for line in paragraph.split("\n")]
    if not all(_TRAILER_LINE.fullmatch(line) for line in lines):
        return False
    return any(key.strip().lower() == "change-type" and value.strip() == "correction"
               for key, _, value in (line.partition(":") for line in lines))


def _timestamp(committer: bytes) -> str:
    """'Name <email> 1452420000 +0100' -> '2016-01-10T11:00:00+01:00'; "" if unreadable."""
    match = re.search(rb"> (\d{1,12}) ([+-])(\d\d)(\d\d)$", committer)
    if not match:
        return ""
    seconds, sign, hours, minutes = match.groups()
    offset = dt.timedelta(hours=int(hours), minutes=int(minutes)) * (-1 if sign == b"-" else 1)
    try:
        return dt.datetime.fromtimestamp(int(seconds), dt.timezone(offset)).isoformat()
    except (OverflowError, ValueError, OSError):
        return ""


def merged_commits(root: Path, merge: str, content: str = "content") -> list[str]:
    """The commits a merge brought in that changed `content/` (those not already on its first parent)."""
    out = run(root, "rev-list", "--no-merges", f"{merge}^1..{merge}", "--", content)
    if out is None:
        raise GitError(f"git could not list the commits merge {merge} brought in")
    return [sha for sha in text(out).split() if is_id(sha)]
