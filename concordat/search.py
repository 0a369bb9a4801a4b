"""Stage 7, index: a Pagefind search index over the action pages, built by Pagefind's Python API.

Only action pages carry `data-pagefind-body`, so every result is one action; their
`data-pagefind-filter` elements give the area, theme, organisation and status filters.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gzip
import hashlib
import json
from pathlib import Path

from pagefind.index import IndexConfig, PagefindIndex


async def _index(site_dir: Path) -> int:
    config = IndexConfig(output_path=str(site_dir / "pagefind"), force_language="en")
    async with PagefindIndex(config=config) as index:
        result = await index.add_directory(str(site_dir), glob="areas/*/actions/*/index.html")
    make_index_reproducible(site_dir / "pagefind")
    return int(result["page_count"])


def build_search_index(site_dir: Path) -> int:
    """Write site_dir/pagefind; return the number of pages Pagefind indexed.

    Runs in its own thread when this one already has an event loop (the preview server's,
    or a test's), since asyncio.run cannot nest.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_index(site_dir))
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _index(site_dir)).result()


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
