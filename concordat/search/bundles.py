"""Fragments in bundles: Pagefind 1.5 writes one fragment file per page (its URL, excerpt text,
meta and filters), 12,000 of them on a national site, more than a host such as Cloudflare
Pages takes in one deploy beside the pages themselves. After Pagefind has run, the fragments
of every `FRAGMENTS_PER_BUNDLE` pages (in URL order, so mostly of one area) are put end to end
in one bundle file, each still the gzip file Pagefind wrote, after a first line that gives
their lengths. Each page's hash in the metadata is renamed to say where its fragment is:
`en_AbC12x3` is the fourth fragment ("3") of `fragment/en_AbC12x.pf_bundle`, named by its
content. `fragment_bundles.js`, put at the start of pagefind.js and pagefind-worker.js,
answers Pagefind's request for that page's fragment with those bytes, so every result loads
as it did from its own file.

A new hash is as long as Pagefind's (language, "_", seven characters): Pagefind's scores of
the same index then come out the same to the last bit (with longer hashes some differed in
the last bit of a 32-bit float), so results rank exactly as before.

Pagefind 1.6 (npm only) bundles fragments itself (`--max-fragments`); the build depends on
the PyPI package, still 1.5.2, so that editors need no Node.js.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import string
from collections.abc import Iterator
from pathlib import Path

from .metadata import MAGIC, languages, metadata_path, read_pagefind_file, rewrite_metadata

FRAGMENTS_PER_BUNDLE = 8  # 12,000 action pages: 1,500 bundle files of about 5 KB
LOADER = Path(__file__).with_name("fragment_bundles.js")
PAGEFIND_SCRIPTS = ("pagefind.js", "pagefind-worker.js")  # the main thread's search, and the worker's
DIGITS = string.digits + string.ascii_letters  # a fragment's place in its bundle, as fragment_bundles.js reads it
_NAME_DIGITS = 6  # of a bundle's name after the language: 62**6 names, so two bundles of an index never share one


def bundle_fragments(bundle: Path, per_bundle: int = FRAGMENTS_PER_BUNDLE) -> int:
    """Put the fragment files of a Pagefind index into bundles; return how many bundles."""
    if not 1 <= per_bundle <= len(DIGITS):
        raise ValueError(f"a bundle holds 1 to {len(DIGITS)} fragments, not {per_bundle}")
    written = 0
    for language, info in languages(bundle).items():
        meta = read_pagefind_file(metadata_path(bundle, info))
        files = {page[0]: bundle / "fragment" / f"{page[0]}.pf_fragment" for page in meta[1]}
        fragments = {page_hash: path.read_bytes() for page_hash, path in files.items()}
        in_order = sorted(fragments, key=lambda page_hash: _decode(fragments[page_hash])["url"])
        renamed: dict[str, str] = {}
        for first in range(0, len(in_order), per_bundle):
            group = in_order[first:first + per_bundle]
            name = _write_bundle(bundle / "fragment", language, [fragments[h] for h in group])
            renamed |= {page_hash: name + DIGITS[place] for place, page_hash in enumerate(group)}
            written += 1
        meta[1] = [[renamed[page_hash], *rest] for page_hash, *rest in meta[1]]
        rewrite_metadata(bundle, language, meta)
        for path in files.values():
            path.unlink()
    _install_loader(bundle)
    return written


def _write_bundle(folder: Path, language: str, fragments: list[bytes]) -> str:
    """One bundle of these fragments, named by its content; return its name."""
    data = " ".join(str(len(fragment)) for fragment in fragments).encode("ascii") + b"\n" + b"".join(fragments)
    for salt in range(100):  # another name only if two bundles' contents begin their names alike
        digest = int.from_bytes(hashlib.sha256(data + bytes(salt)).digest()[:8], "big")
        name = f"{language}_" + "".join(DIGITS[digest // 62**i % 62] for i in range(_NAME_DIGITS))
        path = folder / f"{name}.pf_bundle"
        if not path.exists():
            path.write_bytes(data)
            return name
    raise ValueError(f"no free name for a fragment bundle in {folder}")


def _install_loader(bundle: Path) -> None:
    """Put fragment_bundles.js at the start of Pagefind's scripts, as a new file each (never
    written through a link to a file of the published site)."""
    loader = LOADER.read_bytes()
    for name in PAGEFIND_SCRIPTS:
        path = bundle / name
        script = path.read_bytes()
        path.unlink()
        path.write_bytes(loader + script)


def page_hashes(bundle: Path) -> list[str]:
    """Every page of the index, by the hash its metadata gives it."""
    return [page[0] for info in languages(bundle).values()
            for page in read_pagefind_file(metadata_path(bundle, info))[1]]


def fragment_file(bundle: Path, page_hash: str) -> Path:
    """The file a page's fragment is in: its own, as Pagefind wrote it, or else its bundle."""
    own = bundle / "fragment" / f"{page_hash}.pf_fragment"
    return own if own.exists() else bundle / "fragment" / f"{page_hash[:-1]}.pf_bundle"


def read_bundle(data: bytes) -> list[bytes]:
    """A bundle's fragments, each still compressed; ValueError if it is not whole."""
    header, newline, rest = data.partition(b"\n")
    lengths = [int(n) for n in header.decode("ascii").split(" ")] if newline else []
    if not lengths or sum(lengths) != len(rest):
        raise ValueError(f"a bundle of {sum(lengths)} bytes of fragments has {len(rest)}")
    starts = [sum(lengths[:i]) for i in range(len(lengths))]
    return [rest[start:start + length] for start, length in zip(starts, lengths, strict=True)]


def read_fragment(bundle: Path, page_hash: str, bundles: dict[str, list[bytes]] | None = None) -> dict:
    """A page's fragment, read as the search page reads it; `bundles` keeps the bundles read, by
    file name."""
    bundles = {} if bundles is None else bundles
    name = f"{page_hash[:-1]}.pf_bundle"
    if name not in bundles:
        path = fragment_file(bundle, page_hash)
        if path.suffix == ".pf_fragment":
            return _decode(path.read_bytes())
        bundles[name] = read_bundle(path.read_bytes())
    place = DIGITS.index(page_hash[-1])
    if place >= len(bundles[name]):
        raise ValueError(f"page {page_hash} is not in its bundle")
    return _decode(bundles[name][place])


def page_fragments(bundle: Path) -> Iterator[dict]:
    """Every page's fragment (url, content, word_count, filters, meta), bundled or not."""
    bundles: dict[str, list[bytes]] = {}
    for page_hash in page_hashes(bundle):
        yield read_fragment(bundle, page_hash, bundles)


def _decode(data: bytes) -> dict:
    """A fragment: gzip, the magic prefix, then JSON."""
    text = gzip.decompress(data)
    if not text.startswith(MAGIC):
        raise ValueError("not a Pagefind fragment")
    return json.loads(text[len(MAGIC):])
