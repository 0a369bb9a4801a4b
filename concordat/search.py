"""Stage 7, index: a Pagefind search index over the action pages, built by the Pagefind
binary that the `pagefind[bin]` Python package ships.

Only action pages are indexed (the glob), so every result is one action. Of each page only
what the action says is indexed (its `data-pagefind-body` parts: action, outcomes, lead as
written, progress, updates), so excerpts never show labels or page furniture; the result's
area, number, first words, status, lead and timescale are `data-pagefind-meta`, and
`data-pagefind-filter` elements give the area, theme, organisation and status filters.
`other_names()` gives the other ways of writing what an action mentions, indexed as metadata.

The binary runs as a command (`python -m pagefind`) rather than through the package's
service API: the service is stopped with SIGTERM as soon as it answers "files written",
while its last writes can still be in flight, which left empty or cut-short index files on
a slower machine. The command writes everything before it exits. Every file is then
checked, so a damaged index fails the build instead of being published.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import processes

PAGEFIND = [sys.executable, "-m", "pagefind"]  # the binary that pagefind[bin] installs

# Pagefind's ready-made search interfaces: the site has its own (assets/search.js), so these
# are not published. pagefind.js, its worker and the WebAssembly files are what search needs.
UNUSED_BUNDLE_FILES = (
    "pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
    "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js",
)


# "s136", "s.136", "S 136" and "section 136" are the same section of the Mental Health Act.
_SECTION = re.compile(r"(?<![\w.])(?:s\.\s?|s|section\s+)(\d{1,3})(?:\(\d\))?(?!\w)", re.IGNORECASE)


def other_names(texts: Iterable[str], leads: Iterable, glossaries: Iterable[tuple[str, Iterable]]) -> str:
    """Other ways of writing what an action mentions, for the index only, so that a search for
    one form finds the others: each lead organisation's full name and short names, the
    meaning of each glossary term the action uses (and the term, where it spells out the
    meaning), and both forms of a section number ("s136", "section 136"). Names the action
    already uses are left out.

    `leads` are Organisations, `glossaries` (url, entries) pairs as in a page's context.
    """
    text = " ".join(t for t in texts if t)
    words = _words(text)
    names: list[str] = []
    for org in leads:
        names += [org.name, *org.short_names]
    glossary = _glossary_matcher(tuple((url, tuple(entries)) for url, entries in glossaries))
    if glossary.terms is not None:
        names += [glossary.meaning_of[term] for term in dict.fromkeys(glossary.terms.findall(text))]
    names += [term for meaning, term in glossary.term_of.items() if meaning in words]
    for number in _SECTION.findall(text):
        names += [f"s{number}", f"section {number}"]
    unused = (name for name in map(_without_asides, names) if name and _words(name) not in words)
    return " · ".join(dict.fromkeys(unused))


def _words(text: str) -> str:
    """The text's words, lower case, each with a space either side: ' a and e '."""
    return " " + " ".join(re.findall(r"\w+", text.lower())) + " "


def _without_asides(name: str) -> str:
    """A meaning's aside in brackets is for readers, not for finding."""
    return " ".join(re.sub(r"\s*\([^)]*\)", "", name).split())


@dataclass(frozen=True)
class _Glossary:
    terms: re.Pattern | None  # finds the terms a text uses
    meaning_of: dict[str, str]  # term -> meaning
    term_of: dict[str, str]  # meaning, as _words -> term


@lru_cache(maxsize=256)
def _glossary_matcher(glossaries: tuple) -> _Glossary:
    """A page's glossaries (its area's first, as on the page), made ready to match, once."""
    meaning_of: dict[str, str] = {}
    for _, entries in glossaries:
        for entry in entries:
            meaning_of.setdefault(entry.term, entry.meaning)
    term_of = {_words(_without_asides(meaning)): term for term, meaning in reversed(meaning_of.items())}
    if not meaning_of:
        return _Glossary(None, meaning_of, term_of)
    alternatives = "|".join(re.escape(t) for t in sorted(meaning_of, key=len, reverse=True))
    return _Glossary(re.compile(rf"(?<![\w&])({alternatives})(?=s?(?![\w&]))"), meaning_of, term_of)


class SearchIndexError(Exception):
    """Pagefind failed or wrote an index that cannot be read: nothing is published."""


def build_search_index(site_dir: Path, glob: str, output_subdir: str = "pagefind", background: bool = False) -> int:
    """Write site_dir/pagefind; return the number of pages Pagefind indexed."""
    return finish_search_index(start_search_index(site_dir, glob, output_subdir, background))


def start_search_index(site_dir: Path, glob: str, output_subdir: str = "pagefind",
                       background: bool = False) -> tuple | None:
    """Start Pagefind on the pages written so far; the build carries on beside it. It is killed
    if the build is (`processes`); `background` (the preview) runs it at low priority.

    A site with no actions yet (a new deployment) gets no index: Pagefind refuses to make
    an empty one, and the search page then says search is not available.
    """
    if not _any_file(site_dir, glob):
        return None
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    command = [*PAGEFIND, "--site", ".", "--glob", glob,
               "--force-language", "en", "--output-subdir", output_subdir, "--silent"]
    # Run inside the site so a pagefind.yml in the editor's working folder cannot change it.
    process = processes.start_command(command, background, cwd=site_dir, env=env, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    return process, site_dir / output_subdir


def _any_file(site_dir: Path, glob: str) -> bool:
    """Whether the glob matches a file; it may hold one {a,b,...} group, as Pagefind's globs can."""
    head, brace, rest = glob.partition("{")
    if not brace:
        return next(site_dir.glob(glob), None) is not None
    options, _, tail = rest.partition("}")
    return any(next(site_dir.glob(head + option + tail), None) is not None for option in options.split(","))


def finish_search_index(started: tuple | None) -> int:
    """Wait for Pagefind, then check and tidy what it wrote; return the number of pages indexed."""
    if started is None:
        return 0
    process, bundle = started
    output = process.communicate()[0]
    if process.returncode != 0:
        output = output.strip()[-2000:]
        raise SearchIndexError(disk_full(bundle) or
                               f"Pagefind exited with code {process.returncode}: {output or 'no output'}")
    for name in UNUSED_BUNDLE_FILES:
        (bundle / name).unlink(missing_ok=True)
    page_count = check_index(bundle)
    make_index_reproducible(bundle)
    return page_count


def check_index(bundle: Path) -> int:
    """Read back every file of the index; return its page count, or raise SearchIndexError."""
    path = bundle / "pagefind-entry.json"
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        pages = sum(int(info["page_count"]) for info in entry["languages"].values())
        for path in sorted(bundle.rglob("*")):
            if path.suffix.startswith(".pf_") or path.name.startswith("wasm."):
                gzip.decompress(path.read_bytes())  # the gzip trailer's CRC and length catch a short file
        path = bundle / "pagefind.js"
        if not path.stat().st_size:
            raise ValueError("empty file")
    except (OSError, ValueError, KeyError, TypeError, AttributeError, EOFError, zlib.error) as exc:
        raise SearchIndexError(disk_full(bundle) or f"the search index file {path} is damaged ({exc})") from exc
    return pages


LOW_DISK_BYTES = 8 * 1024 * 1024  # less than Pagefind needs for a few hundred pages


def disk_full(folder: Path) -> str | None:
    """Pagefind carries on when the disk fills up and leaves files cut short: say so, rather than
    that the index is damaged."""
    try:
        free = shutil.disk_usage(folder.parent).free
    except OSError:
        return None
    if free >= LOW_DISK_BYTES:
        return None
    return f"the search index could not be written: the disk is full ({free // 1024} KiB free)"


# --- Making Pagefind's output reproducible -------------------------------------------------
# Pagefind writes each filter's values in hash-map order, which changes from run to run, and
# names files by their content. Rewrite the filter files with values in sorted order, and the
# metadata file that names them, so the same site always gives the same index files.

_MAGIC = b"pagefind_dcd"


def _cbor_decode(data: bytes, pos: int = 0):
    """Decode the CBOR subset Pagefind's metadata uses: unsigned ints, text, bytes, arrays."""
    major, info = data[pos] >> 5, data[pos] & 0x1F
    pos += 1
    if info < 24:
        value = info
    else:
        size = {24: 1, 25: 2, 26: 4, 27: 8}[info]
        value = int.from_bytes(data[pos:pos + size], "big")
        pos += size
    if major == 0:
        return value, pos
    if major in (2, 3):
        raw = data[pos:pos + value]
        return (raw.decode("utf-8") if major == 3 else raw), pos + value
    if major == 4:
        items = []
        for _ in range(value):
            item, pos = _cbor_decode(data, pos)
            items.append(item)
        return items, pos
    raise ValueError(f"unexpected CBOR major type {major}")


def _cbor_encode(value) -> bytes:
    def head(major: int, n: int) -> bytes:
        if n < 24:
            return bytes([major << 5 | n])
        for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
            if n < 1 << (8 * size):
                return bytes([major << 5 | info]) + n.to_bytes(size, "big")
        raise ValueError("integer too large")

    if isinstance(value, bool) or value is None:
        raise ValueError("unexpected value")
    if isinstance(value, int):
        return head(0, value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return head(3, len(raw)) + raw
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    return head(4, len(value)) + b"".join(_cbor_encode(v) for v in value)


def _read(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_MAGIC):
        raise ValueError(f"{path} is not a Pagefind file")
    return _cbor_decode(data, len(_MAGIC))[0]


def _write(folder: Path, prefix: str, suffix: str, value, digits: int) -> str:
    data = gzip.compress(_MAGIC + _cbor_encode(value), mtime=0)
    name = prefix + hashlib.sha256(data).hexdigest()[:digits]
    (folder / f"{name}{suffix}").write_bytes(data)
    return name


def make_index_reproducible(bundle: Path) -> None:
    """Rewrite filter and metadata files of a Pagefind bundle in a stable order."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        filters = []
        for name, old_hash in meta[3]:
            old = bundle / "filter" / f"{old_hash}.pf_filter"
            filter_name, values = _read(old)
            values = sorted([value, sorted(pages)] for value, pages in values)
            old.unlink()
            filters.append([name, _write(bundle / "filter", f"{language}_", ".pf_filter", [filter_name, values], 7)])
        meta[3] = sorted(filters)
        meta_path.unlink()
        info["hash"] = _write(bundle, f"pagefind.{language}_", ".pf_meta", meta, 10).removeprefix("pagefind.")
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
