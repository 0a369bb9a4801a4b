"""Stage 7, index: a Pagefind search index over the action pages, built by Pagefind's Python API.

Only action pages carry `data-pagefind-body`, so every result is one action; their
`data-pagefind-filter` elements give the area, theme, organisation and status filters.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from pathlib import Path

from pagefind.index import IndexConfig, PagefindIndex


async def _index(site_dir: Path) -> int:
    config = IndexConfig(output_path=str(site_dir / "pagefind"), force_language="en")
    async with PagefindIndex(config=config) as index:
        result = await index.add_directory(str(site_dir), glob="areas/*/actions/*/index.html")
        return int(result.get("page_count", 0)) if isinstance(result, dict) else 0


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
