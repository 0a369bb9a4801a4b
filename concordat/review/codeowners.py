"""Reviewing by area: `.github/CODEOWNERS` made from each area file's `reviewers`.

Each area file may name its `reviewers`; `codeowners()` makes `.github/CODEOWNERS` of them, so
GitHub asks those people to review a change to that file, and `check` reports a file that has
fallen out of step (`codeowners_errors`).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ContentError
from ..model import Site

CODEOWNERS = ".github/CODEOWNERS"
CODEOWNERS_COMMAND = "python build.py codeowners"


def codeowners(site: Site) -> str:
    """The CODEOWNERS file the areas' reviewers make: one line for each area file that names any."""
    lines = ["# Who reviews a change to each plan: made by `python build.py codeowners` from the `reviewers`",
             "# of each area file. Do not edit it here: change the area file's reviewers, then run that command.",
             "# A plan without reviewers is reviewed by whoever may merge pull requests."]
    for area in sorted(site.areas, key=lambda a: a.source_path):
        if area.reviewers:
            lines.append(f"/{area.source_path} {' '.join(area.reviewers)}")
    return "\n".join(lines) + "\n"


def codeowners_errors(root: Path, site: Site) -> list[ContentError]:
    """An error when .github/CODEOWNERS is not what the areas' reviewers make; a warning when areas
    name reviewers but there is no such file (a project may not be on GitHub); nothing when neither."""
    path = root / CODEOWNERS
    wanted = codeowners(site)
    try:
        present = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    except OSError:
        if not any(area.reviewers for area in site.areas):
            return []
        return [ContentError(CODEOWNERS, "this file is missing, so GitHub asks no one named in the area files' "
                             "reviewers to review their changes", None, None,
                             f"run `{CODEOWNERS_COMMAND}` to write it", level="warning")]
    if present == wanted:
        return []
    have, want = present.splitlines(), wanted.splitlines()
    line = next((i for i, (a, b) in enumerate(zip(have, want, strict=False)) if a != b), min(len(have), len(want)))
    expected = want[line] if line < len(want) else "(nothing: the file should end before this line)"
    return [ContentError(CODEOWNERS, f"this file does not match the areas' reviewers: line {line + 1} should be "
                         f"'{expected}'", line + 1, 1, f"run `{CODEOWNERS_COMMAND}` to write it again")]


def write_codeowners(root: Path, site: Site) -> Path:
    path = root / CODEOWNERS
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(codeowners(site), encoding="utf-8", newline="\n")
    return path
