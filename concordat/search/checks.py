"""Reading a search index back before it is published: a damaged index (a file cut short, a
page whose fragment cannot be read from its bundle) fails the build with the file it is in,
and a disk that filled up while Pagefind wrote is reported as a full disk."""

from __future__ import annotations

import gzip
import shutil
import zlib
from pathlib import Path

import cbor2

from .bundles import fragment_file, page_hashes, read_bundle, read_fragment
from .metadata import languages

LOW_DISK_BYTES = 8 * 1024 * 1024  # less than Pagefind needs for a few hundred pages


class SearchIndexError(Exception):
    """Pagefind failed or wrote an index that cannot be read: nothing is published."""


def check_index(bundle: Path) -> int:
    """Read back every file of the index, and every page's fragment; return its page count, or
    raise SearchIndexError."""
    path = bundle / "pagefind-entry.json"
    try:
        pages = sum(int(info["page_count"]) for info in languages(bundle).values())
        bundles: dict[str, list[bytes]] = {}
        for path in sorted(bundle.rglob("*")):
            if path.suffix == ".pf_bundle":
                bundles[path.name] = read_bundle(path.read_bytes())  # its fragments are read page by page, below
            elif path.suffix == ".pf_fragment":
                continue  # likewise
            elif path.suffix.startswith(".pf_") or path.name.startswith("wasm."):
                gzip.decompress(path.read_bytes())  # the gzip trailer's CRC and length catch a short file
        hashes = page_hashes(bundle)
        for page_hash in hashes:
            try:
                read_fragment(bundle, page_hash, bundles)
            except Exception:
                path = fragment_file(bundle, page_hash)  # the file the message names
                raise
        if len(hashes) != pages:
            path = bundle / "pagefind-entry.json"
            raise ValueError(f"it counts {pages} pages, its metadata has {len(hashes)}")
        path = bundle / "pagefind.js"
        if not path.stat().st_size:
            raise ValueError("empty file")
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, EOFError, zlib.error,
            cbor2.CBORError) as exc:
        raise SearchIndexError(disk_full(bundle) or f"the search index file {path} is damaged ({exc})") from exc
    return pages


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
