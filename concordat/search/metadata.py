"""Pagefind's metadata and filter files, read and rewritten: so that the same site always gives
the same index files, and so that each page names the bundle its fragment is in (`bundles`).

Pagefind writes each filter's values in hash-map order, which changes from run to run, and
names files by their content. The filter files are rewritten with values in sorted order, and
the metadata file that names them, so the same site always gives the same index files.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import cbor2

MAGIC = b"pagefind_dcd"  # every Pagefind data file, once decompressed, starts with it


def read_pagefind_file(path: Path):
    """A Pagefind metadata or filter file: gzip, a magic prefix, then one CBOR value."""
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(MAGIC):
        raise ValueError(f"{path} is not a Pagefind file")
    return cbor2.loads(data[len(MAGIC):])


def write_pagefind_file(folder: Path, prefix: str, suffix: str, value, digits: int) -> str:
    """Write `value` as Pagefind does, named by its content; return the name without suffix."""
    data = gzip.compress(MAGIC + cbor2.dumps(value), mtime=0)
    name = prefix + hashlib.sha256(data).hexdigest()[:digits]
    (folder / f"{name}{suffix}").write_bytes(data)
    return name


def languages(bundle: Path) -> dict[str, dict]:
    """The index's languages, as pagefind-entry.json gives them (each with its metadata `hash`)."""
    return json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))["languages"]


def metadata_path(bundle: Path, info: dict) -> Path:
    return bundle / f"pagefind.{info['hash']}.pf_meta"


def rewrite_metadata(bundle: Path, language: str, meta: list) -> None:
    """Replace a language's metadata file with `meta`, and name the new file in the entry file."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    info = entry["languages"][language]
    metadata_path(bundle, info).unlink()
    info["hash"] = write_pagefind_file(bundle, f"pagefind.{language}_", ".pf_meta", meta, 10).removeprefix("pagefind.")
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def make_index_reproducible(bundle: Path) -> None:
    """Rewrite filter and metadata files of a Pagefind bundle in a stable order."""
    for language, info in languages(bundle).items():
        meta = read_pagefind_file(metadata_path(bundle, info))
        filters = []
        for name, old_hash in meta[3]:
            old = bundle / "filter" / f"{old_hash}.pf_filter"
            filter_name, values = read_pagefind_file(old)
            values = sorted([value, sorted(pages)] for value, pages in values)
            old.unlink()
            filters.append([name, write_pagefind_file(bundle / "filter", f"{language}_", ".pf_filter",
                                                      [filter_name, values], 7)])
        meta[3] = sorted(filters)
        rewrite_metadata(bundle, language, meta)
