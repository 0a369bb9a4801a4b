"""Every page is valid HTML (Nu HTML Checker) and every internal link and anchor resolves."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from .conftest import ROOT, SUBPATH

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name):
                self.links.append(attrs[name])


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def html_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.html") if "pagefind" not in p.relative_to(folder).parts)


def test_every_internal_link_and_anchor_resolves(served_site):
    _, folder = served_site
    parsed = {p: parse(p) for p in html_files(folder)}
    broken = []
    checked = 0
    for page, links in parsed.items():
        for link in links.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                continue  # external: https and mailto links are not fetched
            checked += 1
            if not parts.path:
                target = page
            else:
                assert parts.path.startswith(SUBPATH), f"{page}: {link} is not under the base path"
                target = folder / unquote(parts.path[len(SUBPATH):])
                if parts.path.endswith("/"):
                    target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(folder)}: {link}")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else parse(target).ids
                if parts.fragment not in ids:
                    broken.append(f"{page.relative_to(folder)}: {link} (no id '{parts.fragment}')")
    assert checked > 100
    assert any("/page/2/" in p.as_posix() for p in parsed), "the served site should have paginated listings"
    assert broken == []


def test_every_page_passes_the_nu_html_checker(served_site):
    _, folder = served_site
    if not VNU.exists() or not shutil.which("java"):
        pytest.fail("the Nu HTML Checker is not installed: run `bash tests/setup.sh`")
    pages = [str(p) for p in html_files(folder)]
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
        capture_output=True, text=True, timeout=600,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [f"{Path(urlsplit(m.get('url', '')).path).relative_to(folder)}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m.get("type") == "error"]
    assert errors == []
    assert result.returncode == 0
