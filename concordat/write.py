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

The output folder is only ever a build (`check_output_folder`): the swap deletes what was
there, so a folder that is not one of our builds (the project itself, a symlink's target, a
folder of someone's files) is refused before anything is written.
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
