"""A copy of the built site that opens from a folder, without Python or a server (`offline-copy`):
a pull request's artifact, unzipped and double-clicked."""

from __future__ import annotations

import posixpath
import re
import shutil
from pathlib import Path

from .diff import ReviewError

LINK = re.compile(r'(\b(?:href|src|action)=")([^"]*)"')


def offline_copy(site_dir: Path, dest: Path, base_path: str = "/") -> int:
    """Copy the built site to `dest` so that it opens from a folder, with no web server (a pull
    request's preview, unzipped on an editor's laptop): every link within the site becomes relative
    to its page, and a link to a folder names its index.html, which a browser does not add for a file.
    Returns the number of pages. Search needs the site served, so it does not work in the copy."""
    if dest.exists():
        raise ReviewError(f"{dest} already exists: give a new folder")
    shutil.copytree(site_dir, dest)
    pages = sorted(dest.rglob("*.html"))
    for page in pages:
        here = posixpath.dirname(page.relative_to(dest).as_posix()) or "."
        text = LINK.sub(lambda match, here=here: _relative(match, here, base_path), page.read_text(encoding="utf-8"))
        page.write_text(text, encoding="utf-8", newline="")
    return len(pages)


def _relative(match: re.Match, here: str, base_path: str) -> str:
    """One link attribute, relative to the page's folder `here` if it points into the site."""
    value = match.group(2)
    if not value.startswith(base_path) or value.startswith("//"):
        return match.group(0)
    path, mark, rest = re.match(r"([^?#]*)([?#]?)(.*)", value[len(base_path):]).groups()
    if path == "" or path.endswith("/"):
        path += "index.html"
    return f'{match.group(1)}{posixpath.relpath(path, here)}{mark}{rest}"'
