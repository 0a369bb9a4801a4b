"""Running Pagefind: the binary that the `pagefind[bin]` Python package ships, over the action
pages (the glob), then checking, tidying and bundling what it wrote.

The binary runs as a command (`python -m pagefind`) rather than through the package's
service API: the service is stopped with SIGTERM as soon as it answers "files written",
while its last writes can still be in flight, which left empty or cut-short index files on
a slower machine. The command writes everything before it exits. Every file is then
checked, so a damaged index fails the build instead of being published; and checked again
once it is rewritten (`metadata`) and its fragments are bundled (`bundles`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from pathlib import Path

import cbor2

from .. import processes
from .bundles import bundle_fragments
from .checks import SearchIndexError, check_index, disk_full
from .metadata import make_index_reproducible

PAGEFIND = [sys.executable, "-m", "pagefind"]  # the binary that pagefind[bin] installs

# Pagefind's ready-made search interfaces: the site has its own (assets/search.js), so these
# are not published. pagefind.js, its worker and the WebAssembly files are what search needs.
UNUSED_BUNDLE_FILES = (
    "pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
    "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js",
)


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
    """Wait for Pagefind, then check, tidy and bundle what it wrote, and check it again; return
    the number of pages indexed."""
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
    try:
        make_index_reproducible(bundle)
        bundle_fragments(bundle)
    except (OSError, ValueError, KeyError, IndexError, TypeError, EOFError, zlib.error, cbor2.CBORError) as exc:
        raise SearchIndexError(disk_full(bundle) or f"the search index in {bundle} is damaged: Pagefind wrote "
                               f"a file the build cannot read back ({type(exc).__name__}: {exc})") from exc
    if check_index(bundle) != page_count:
        raise SearchIndexError(f"the search index in {bundle} lost pages when its fragments were bundled")
    return page_count
