"""The one exception type for mistakes in content, reported like a compiler would."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass


@dataclass
class ContentError(Exception):
    """A mistake in a content file, with where it is and how to fix it.

    With level "warning" it is advice (a plan missing a required agency, say): printed the same
    way, prefixed "warning:", and not a reason to refuse the content unless `check --strict`.
    """

    path: str
    message: str
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    level: str = "error"

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {'warning: ' if self.level == 'warning' else ''}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def github_annotation(self) -> str:
        """The same error as a GitHub Actions workflow command, shown inline on a pull request."""
        parts = [f"file={self.path}"]
        if self.line is not None:
            parts.append(f"line={self.line}")
        if self.column is not None:
            parts.append(f"col={self.column}")
        text = self.message + (f" ({self.hint})" if self.hint else "")
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{self.level} {','.join(parts)}::{text}"


class ContentErrors(Exception):
    """Every content error found in one pass, so an editor can fix them all at once."""

    def __init__(self, errors: list[ContentError]):
        super().__init__(f"{len(errors)} content error(s)")
        self.errors = sorted(errors, key=lambda e: (e.path, e.line or 0, e.column or 0))


def display_path(path: os.PathLike | str, root: os.PathLike | str | None = None) -> str:
    """A path as an editor would type it: relative to the project where possible, with forward
    slashes on every system (GitHub's annotations need them, and Windows accepts them)."""
    path = os.fspath(path)
    base = os.fspath(root) if root else os.getcwd()
    try:
        rel = os.path.relpath(path, base)
    except ValueError:  # Windows: another drive
        rel = ".."
    return (path if rel.startswith("..") else rel).replace(os.sep, "/")


_OS_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENAMETOOLONG: "the name is too long for the file system",
    getattr(errno, "EDQUOT", -1): "the disk quota is used up",
}


def describe_os_error(exc: OSError, where: str | None = None) -> str:
    """A failed file operation in one line: which file (else `where`), and why in plain words."""
    reason = _OS_REASONS.get(exc.errno, exc.strerror or str(exc))
    name = exc.filename if isinstance(exc.filename, str) else where
    if name and len(name) > 200:
        name = name[:100] + "…" + name[-60:]
    return f"{display_path(name)}: {reason}" if name else reason
