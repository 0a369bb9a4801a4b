"""Stage 6, write: put the new site beside the old one, then swap them in one step.

A build writes into a fresh staging folder next to `site/`. Only when every page, data
file and the search index are written is the staging folder exchanged with `site/`, with
one atomic exchange (renameat2 RENAME_EXCHANGE on Linux, renamex_np RENAME_SWAP on macOS).
A build that fails or is killed at any moment leaves the previous `site/` exactly as it was.
Windows has no such exchange: there the old site is first renamed aside to `.site.previous`,
then the new one in; a build killed between the two renames leaves `site/` missing, and the
next build puts `.site.previous` back before anything else. The old
tree is then deleted by a process of its own, so the build does not wait for it.

Unchanged pages are not rendered again: a manifest inside the site records each page's
fingerprint, and a page whose fingerprint matches is hard-linked from the previous site.

Two builds of the same `site/` at once (an editor's build while CI builds, say) take turns:
each holds a lock on a file beside `site/` from reading the manifest until the swap (flock on
Linux and macOS, msvcrt.locking on Windows; the system drops it when the build dies).

The output folder is only ever a build (`check_output_folder`): the swap deletes what was
there, so a folder that is not one of our builds (the project itself, a symlink's target, a
folder of someone's files) is refused before anything is written.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from . import processes

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt

MANIFEST = ".concordat-manifest.json"
_RENAME_EXCHANGE = 2  # renameat2, Linux
_RENAME_SWAP = 2  # renamex_np, macOS
_AT_FDCWD = -100


class OutputFolderError(Exception):
    """An output folder the build will not write into (and delete the contents of)."""


def check_output_folder(out_dir: Path, keep: list[Path], shown: str | None = None) -> None:
    """Refuse an output folder that is not a build of ours: the swap deletes what was there.

    Refused: a symlink (the swap would delete its target's files); any folder of `keep` (content/,
    templates/), a folder inside one or an ancestor of one (the project itself, say); a file; and
    a folder with files in it but no build manifest (not one of our builds). An empty or new
    folder is fine. The preview's folder follows the same rule."""
    shown = shown or str(out_dir)
    if out_dir.is_symlink():
        raise OutputFolderError(f"the output folder {shown} is a symbolic link: the build replaces and deletes "
                                "its output folder, so it writes only into a real folder (remove the link)")
    resolved = out_dir.resolve()
    for kept in (folder.resolve() for folder in keep):
        if resolved == kept or kept in resolved.parents or resolved in kept.parents:
            raise OutputFolderError(f"the output folder {shown} holds or is inside {kept}: the build replaces "
                                    "and deletes its output folder, so give it a folder of its own "
                                    "(the default is site/)")
    if resolved.exists() and not resolved.is_dir():
        raise OutputFolderError(f"the output folder {shown} is a file, not a folder")
    if resolved.is_dir() and not (resolved / MANIFEST).is_file() and any(resolved.iterdir()):
        raise OutputFolderError(f"the output folder {shown} has files in it and is not a previous build (it has "
                                f"no {MANIFEST}): the build would delete them, so move them away or give "
                                "another folder")


def write_preview_marker(out_dir: Path) -> None:
    """Mark the preview's folder as ours, so the next session may clear it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MANIFEST).write_text('{"pages": {}, "preview": true}\n', encoding="utf-8")


@contextlib.contextmanager
def output_lock(out_dir: Path, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock on out_dir; another build of it would remove this one's staging folder."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(out_dir.parent / f".{out_dir.name}.lock", "a+b") as handle:
        if not _try_lock(handle):
            if waiting:
                waiting(f"waiting for another build of {out_dir.name}/ to finish")
            _wait_for_lock(handle)
        _put_back_previous(out_dir)
        yield  # the lock goes with the file handle, also when the build is killed


def _try_lock(handle) -> bool:
    """Take the lock on the open file if no other process holds it."""
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # its first byte, which need not exist
    except OSError:  # BlockingIOError from flock, PermissionError from msvcrt
        return False
    return True


def _wait_for_lock(handle) -> None:
    if fcntl is not None:
        fcntl.flock(handle, fcntl.LOCK_EX)
    else:
        while not _try_lock(handle):  # msvcrt's blocking lock gives up after 10 seconds
            time.sleep(0.2)


def _previous(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.previous")


def _put_back_previous(out_dir: Path) -> None:
    """A build killed between publish's renames (Windows) left the old site aside: back it goes,
    unless the new one was already in."""
    previous = _previous(out_dir)
    if previous.is_dir():
        if out_dir.exists():
            shutil.rmtree(previous, ignore_errors=True)
        else:
            os.rename(previous, out_dir)


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
    """Swap two folders atomically where the system can (Linux, macOS); False where it cannot
    (Windows, or a file system without the exchange)."""
    renameat2 = processes.libc_function("renameat2")
    if renameat2 is not None:
        return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0
    renamex_np = processes.libc_function("renamex_np") if sys.platform == "darwin" else None
    if renamex_np is not None:
        return renamex_np(os.fsencode(a), os.fsencode(b), _RENAME_SWAP) == 0
    return False


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
        # No atomic exchange here: the old site aside first (under a name the next build looks
        # for, should this one be killed now), then the new one in. On Windows a rename fails,
        # and the build with it, while another program has a file in site/ open.
        previous = _previous(out_dir)
        os.rename(out_dir, previous)
        os.rename(staging, out_dir)
        os.rename(previous, old)
    remove_in_background(old)


def remove_in_background(folder: Path) -> None:
    """Delete a folder from a process of its own; the next build removes it if this one is cut short."""
    code = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"
    processes.start_detached([sys.executable, "-c", code, str(folder)])
