"""`python build.py ARGS` run in the test's own process: the same exit status and output, without a
second of Python start-up each time. Every command is still run through a real subprocess by at
least one test (tests/test_build.py, test_editors.py, test_import.py, test_review.py, test_platforms.py)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
from pathlib import Path
from unittest import mock

from concordat.cli import main


def run_build_py(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """What `python build.py ARGS` in `root` with `env` added would exit with and print."""
    out, err = io.StringIO(), io.StringIO()
    with (contextlib.chdir(root), mock.patch.dict(os.environ, env or {}),
          contextlib.redirect_stdout(out), contextlib.redirect_stderr(err)):
        try:
            status = main(list(args), Path(root))
        except SystemExit as exit_:  # argparse's usage errors
            status = exit_.code if isinstance(exit_.code, int) else 1
            if not isinstance(exit_.code, int | None):
                print(exit_.code, file=err)
    return subprocess.CompletedProcess(["build.py", *args], status or 0, out.getvalue(), err.getvalue())
