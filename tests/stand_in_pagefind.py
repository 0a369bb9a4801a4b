"""A stand-in for Pagefind, for tests in which the search index is not what they test.

Run as Pagefind is (`--site . --glob G --output-subdir D ...`, from inside the site), it writes
in D the smallest bundle the build accepts (an entry file, `pagefind.js` and its worker, one
metadata file and a fragment file per page, as `concordat.search` checks and bundles them), in
a few milliseconds instead of a Pagefind run. Its metadata holds a digest of every page the
glob matches and of the command, so two bundles are equal exactly when Pagefind was given the
same pages: a test comparing an incremental build with a full one still sees a search index
that was not rebuilt when it should have been. The `stand_in_pagefind` fixture
(tests/conftest.py) puts it in place.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from pathlib import Path

import cbor2

MAGIC = b"pagefind_dcd"  # what Pagefind's metadata files start with, once unzipped


def matching_pages(site: Path, glob: str) -> list[Path]:
    """The files the glob matches; it may hold one {a,b,...} group, as the build's globs do."""
    head, brace, rest = glob.partition("{")
    if not brace:
        return sorted(site.glob(glob))
    options, _, tail = rest.partition("}")
    return sorted({path for option in options.split(",") for path in site.glob(head + option + tail)})


def write_bundle(site: Path, glob: str, output_subdir: str, command: list[str]) -> int:
    """Write the stand-in bundle; return the number of pages it stands for."""
    site = site.resolve()
    pages = matching_pages(site, glob)
    digest = hashlib.sha256(json.dumps(command).encode())
    for page in pages:
        digest.update(page.relative_to(site).as_posix().encode() + b"\0" + page.read_bytes() + b"\0")
    bundle = site / output_subdir
    (bundle / "fragment").mkdir(parents=True, exist_ok=True)
    hashes = []
    for page in pages:  # a fragment per page, as Pagefind's (the build bundles them): its address only
        url = "/" + page.relative_to(site).parent.as_posix() + "/"
        fragment = gzip.compress(MAGIC + json.dumps({"url": url, "content": "", "word_count": 0, "filters": {},
                                                     "meta": {}, "anchors": []}).encode(), mtime=0)
        hashes.append("en_" + hashlib.sha256(fragment).hexdigest()[:7])
        (bundle / "fragment" / f"{hashes[-1]}.pf_fragment").write_bytes(fragment)
    meta = gzip.compress(MAGIC + cbor2.dumps([f"stand-in {digest.hexdigest()}", [[h, 0] for h in hashes], [], [], [],
                                              []]), mtime=0)
    meta_hash = "en_" + hashlib.sha256(meta).hexdigest()[:10]
    (bundle / f"pagefind.{meta_hash}.pf_meta").write_bytes(meta)
    for script in ("pagefind.js", "pagefind-worker.js"):
        (bundle / script).write_text("// a stand-in for Pagefind (tests/stand_in_pagefind.py)\n", encoding="utf-8")
    entry = {"version": "stand-in", "languages": {"en": {"hash": meta_hash, "wasm": "en", "page_count": len(pages)}}}
    (bundle / "pagefind-entry.json").write_text(json.dumps(entry), encoding="utf-8")
    return len(pages)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--glob", required=True)
    parser.add_argument("--output-subdir", default="pagefind")
    parser.add_argument("--force-language")
    parser.add_argument("--silent", action="store_true")
    options = parser.parse_args(argv)
    write_bundle(options.site, options.glob, options.output_subdir, argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
