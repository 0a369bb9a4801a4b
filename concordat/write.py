"""Stage 6, write: put the new site beside the old one, then swap them in one step.

A build writes into a fresh staging folder next to `site/`. Only when every page, data
file and the search index are written is the staging folder exchanged with `site/`, with
one atomic rename (renameat2 RENAME_EXCHANGE on Linux). A build that fails or is killed
at any moment leaves the previous `site/` exactly as it was. The old tree is then deleted
by a process of its own, so the build does not wait for it.

Unchanged pages are not rendered again: a manifest inside the site records each page's
fingerprint, and a page whose fingerprint matches is hard-linked from the previous site.

Two builds of the same `site/` at once (an editor's build while CI builds, say) take turns:
each holds a lock file beside `site/` from reading the manifest until the swap.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: builds do not wait for each other there
    fcntl = None

MANIFEST = ".concordat-manifest.json"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@contextlib.contextmanager
def output_lock(out_dir: Path, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock on out_dir; another build of it would remove this one's staging folder."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(out_dir.parent / f".{out_dir.name}.lock", "a+b") as handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if waiting:
                    waiting(f"waiting for another build of {out_dir.name}/ to finish")
                fcntl.flock(handle, fcntl.LOCK_EX)
        yield  # the lock goes with the file handle, also when the build is killed


def make_staging(out_dir: Path) -> Path:
    """An empty folder beside out_dir, after clearing away what killed builds left."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out_dir)
    return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))


def remove_leftovers(out_dir: Path) -> None:
    """Staging folders of killed builds are moved aside at once and deleted in the background."""
    for leftover in out_dir.parent.glob(f".{out_dir.name}.staging-*"):
        old = leftover.with_name(leftover.name.replace(".staging-", ".old-"))
        try:
            os.rename(leftover, old)
        except OSError:
            continue
        remove_in_background(old)


def read_manifest(out_dir: Path) -> dict:
    """What the last build recorded: {"inputs": digest, "pages": {output file: fingerprint}, "index": digest}."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) and isinstance(manifest.get("pages"), dict) else {}


def write_file(staging: Path, relative: str, data: bytes) -> None:
    target = staging / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def reuse_file(previous: Path, staging: Path, relative: str) -> bool:
    """Link (or copy) an unchanged file from the previous site; False if it is not there."""
    source = previous / relative
    target = staging / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except FileNotFoundError:
        return False
    except OSError:
        try:
            shutil.copy2(source, target)
        except OSError:
            return False
    return True


def write_manifest(staging: Path, manifest: dict) -> None:
    data = json.dumps(manifest, sort_keys=True, indent=0).encode("utf-8")
    write_file(staging, MANIFEST, data)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically where the OS can (Linux); False where it cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def publish(staging: Path, out_dir: Path) -> None:
    """Make staging the new out_dir in one step; the old site is removed in the background.

    Nothing is synced to disk: the guarantee is against a failed or killed build, which the
    rename covers; a machine losing power mid-build is the file system's business.
    """
    out_dir = out_dir.resolve()
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    old = staging.with_name(staging.name.replace(".staging-", ".old-"))
    if _exchange(staging, out_dir):
        os.rename(staging, old)
    else:
        # No atomic exchange here: move the old site aside first, then the new one in.
        os.rename(out_dir, old)
        os.rename(staging, out_dir)
    remove_in_background(old)


def remove_in_background(folder: Path) -> None:
    """Delete a folder from a process of its own; the next build removes it if this one is cut short."""
    subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)",
                      str(folder)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)
