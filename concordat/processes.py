"""Every process the build starts, and which systems get which path.

| what | Linux | macOS, Windows |
| --- | --- | --- |
| rendering the pages | forked workers, one a core | this process |
| Pagefind, the preview's index refresh | a command, killed with the build | a command |
| removing the old site | a command of its own, outliving the build | the same |

Forked workers start with the whole build in memory (model, pages, templates), so nothing is
copied to them. Where fork is missing (Windows) or unsafe (macOS: its system libraries are not
fork-safe, so Python spawns there by default), the pages are rendered in this process instead:
each page is rendered from its own context alone, so the bytes are the same, only slower. A
process running threads (the preview) forks nothing either: a fork copies locks another thread
may hold. Spawned workers would have to be sent the whole build, which costs what they save.

Nothing else forks. The area files and the open data are worked on in this process: reading
the files in forked workers showed no clear gain side by side, and writing the open data in one
saved at most about a second on the national benchmark.

On Linux every process started here gets the parent-death signal: when the build is killed,
they are killed too, and none writes on into a staging folder the next build removes. Commands
get it from a small wrapper (this file, run as a script) that sets it and then becomes the
command; `preexec_fn`, which would do the same, is unsafe in a process with threads.

This file runs as that wrapper too (`python -I -S processes.py ...`): it imports only the
standard library.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")
_PR_SET_PDEATHSIG = 1
_BACKGROUND_NICENESS = 10  # background work: the preview's next save comes first


def can_fork() -> bool:
    """Whether workers are forked here: on Linux, where fork exists, from a process with one thread."""
    if sys.platform != "linux" or not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    import multiprocessing

    try:
        multiprocessing.get_context("fork")
    except ValueError:
        return False
    return True


def default_workers() -> int:
    """One worker a core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


_INHERITED: tuple[Callable, Sequence] | None = None  # what forked workers inherit: (function, items)


def map_unordered(function: Callable[[Any], T], items: Sequence, workers: int) -> Iterator[T]:
    """function(item) for each item, yielded as each is done: by `workers` forked workers where
    `can_fork()`, else one after the other in this process.

    The function may be any callable (a closure over the whole build): workers inherit it."""
    global _INHERITED
    if workers <= 1 or len(items) <= 1 or not can_fork():
        yield from map(function, items)
        return
    import multiprocessing

    _INHERITED = (function, items)
    already_frozen = gc.get_freeze_count()
    gc.freeze()  # the workers' collections leave the inherited objects alone: fewer pages copied on write
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=stop_with_parent) as pool:
            yield from pool.imap_unordered(_run_inherited, range(len(items)))
    finally:
        if not already_frozen:  # the preview freezes what it keeps: leave that as it was
            gc.unfreeze()
        _INHERITED = None


def _run_inherited(number: int):
    function, items = _INHERITED
    return function(items[number])


def freeze_survivors(start_over: bool = False) -> None:
    """Collect, then freeze what is left, so later collections never walk it (a long-running
    preview's model of the whole country). `start_over` unfreezes everything first, so that what
    was dropped since is collected too."""
    if start_over:
        gc.unfreeze()
    gc.collect()
    gc.freeze()


@cache
def libc_function(name: str) -> Callable | None:
    """A function of the C library by name, or None where there is no such function (Windows
    has no C library to look up; macOS has no renameat2)."""
    if os.name != "posix":
        return None
    try:
        return getattr(ctypes.CDLL(None, use_errno=True), name)
    except (OSError, AttributeError):
        return None


def stop_with_parent() -> None:
    """Linux: this process is killed when the process that started it dies."""
    prctl = libc_function("prctl") if sys.platform == "linux" else None
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def start_command(command: list[str], background: bool = False, **popen) -> subprocess.Popen:
    """Start a command that is killed with this process (Linux); `background` runs it at low
    priority. `popen` are subprocess.Popen's other arguments."""
    if os.name == "posix":
        command = [sys.executable, "-I", "-S", os.path.abspath(__file__), str(os.getpid()),
                   str(_BACKGROUND_NICENESS if background else 0), *command]
    elif background:
        popen["creationflags"] = popen.get("creationflags", 0) | subprocess.BELOW_NORMAL_PRIORITY_CLASS
    return subprocess.Popen(command, **popen)


def start_detached(command: list[str]) -> subprocess.Popen:
    """Start a command that outlives this process and is not stopped by its Ctrl+C."""
    if os.name == "posix":
        options = {"start_new_session": True}
    else:
        options = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.DETACHED_PROCESS}
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, **options)


def _become(parent: str, niceness: str, *command: str) -> None:
    """The wrapper: stop with the parent, lower the priority if asked, then become the command."""
    stop_with_parent()
    if os.getppid() != int(parent):  # the parent died before the signal was set: nobody waits for this
        sys.exit(1)
    if int(niceness):
        os.nice(int(niceness))  # before exec: every thread of the command inherits it
    os.execvp(command[0], command)


if __name__ == "__main__":
    _become(*sys.argv[1:])
