"""What changed in the plans, and when: progress updates, and the content's git history.

The build reads the history of `content/` with the `git` command (`git.py`, which reads it as
untrusted bytes): each commit that changed a plan's published content, and what it did to it in
the plan's own terms (`changes.py`). Working that out means reading two versions of each changed
area file, through the same checks as the file at HEAD (`records.py`), so the result for each commit
is cached as JSON inside the repository's git folder, keyed by commit id and by this code (`cache.py`):
a commit never changes, so a new commit costs only its own diff. `entries.py` makes the records
into what the changes pages, the feeds and each action's history show.

Whether a commit is a correction (how a plan was copied onto the site, not progress) is not
cached: it comes from its `Change-type: correction` trailer or from the list of corrections kept
in `content/corrections.txt`, which may grow after the commit.

Nothing here depends on the day of the build; dates come from the commits, so the same
commit always gives the same pages. Without history (no git, a tarball, a shallow clone)
`read_history` says so and the changes pages say history is not available.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..errors import ContentError, ContentErrors
from ..model import STATUS_LABELS, Site
from . import cache, git
from .changes import area_change, plain, read_version, word_diff
from .entries import (
    NO_HISTORY,
    ActionChange,
    AreaChange,
    Commit,
    DiffPart,
    History,
    HistoryEvent,
    TextChange,
    action_history,
    from_records,
)
from .records import read_records

__all__ = ["NO_HISTORY", "STATUS_LABELS", "ActionChange", "AreaChange", "Commit", "DiffPart", "History", "HistoryEvent",
           "TextChange", "action_history", "area_change", "changes_between", "git_text", "head_commit",
           "history_warnings", "read_corrections", "read_history", "read_version", "review_warnings", "word_diff"]

CORRECTIONS_FILE = "corrections.txt"  # in the content folder: commits that are corrections, one id a line


def read_history(root: Path, site: Site, content: str = "content") -> History:
    """The history of `content/` in the git repository holding `root`, using and filling the cache.

    Raises ContentErrors for a corrections list that is not one commit id a line."""
    corrections = read_corrections(root / content)
    inside = git.run(root, "rev-parse", "--is-shallow-repository", "--show-prefix", "--git-path", "concordat-history")
    if inside is None:
        return NO_HISTORY
    shallow, prefix, cache_dir = (git.text(inside).split("\n") + ["", "", ""])[:3]
    if shallow.strip() == "true":
        return History(False, reason="a shallow clone")
    folder = cache.folder(root / cache_dir)
    try:
        records = read_records(root, prefix.strip(), content, folder)
    except git.GitError as exc:
        return History(False, reason=str(exc))
    return from_records(records, site, corrections)


def read_corrections(content_dir: Path) -> set[str]:
    """The commits `content/corrections.txt` lists: one full commit id a line, `#` starts a comment."""
    path = content_dir / CORRECTIONS_FILE
    try:
        raw = path.read_bytes()
    except OSError:
        return set()
    shown = f"{content_dir.name}/{CORRECTIONS_FILE}"
    text = raw.decode("utf-8", errors="replace")
    ids, errors = set(), []
    for number, line in enumerate(text.splitlines(), start=1):
        word = line.split("#", 1)[0].strip()
        if not word:
            continue
        if git.is_id(word.lower()):
            ids.add(word.lower())
        else:
            errors.append(ContentError(shown, f"'{plain(word)[:80]}' is not a full commit id", number, 1,
                                       "give the commit's whole id (40 letters and digits: git log --format=%H), "
                                       "then # and what the commit corrected"))
    if errors:
        raise ContentErrors(errors)
    return ids


def head_commit(root: Path, content: str = "content") -> str:
    """HEAD's id (and whether the clone is shallow), and the corrections list: part of the build's
    inputs, as the history is."""
    head = git.text(git.run(root, "rev-parse", "HEAD", "--is-shallow-repository") or b"").strip()
    try:
        listed = (root / content / CORRECTIONS_FILE).read_bytes()
    except OSError:
        listed = b""
    return head + "\n" + hashlib.sha256(listed).hexdigest()


def review_warnings(root: Path, site: Site) -> list[ContentError]:
    """A warning for each area whose next review was due before its file's latest commit.

    The latest commit, not today: the same history always gives the same warnings. Like every
    warning it is advice (`check` still passes) unless `check --strict`.
    """
    warnings = []
    for area in site.areas:
        if not area.next_review:
            continue
        latest = git.text(git.run(root, "log", "-1", "--format=%cs", "--", area.source_path) or b"").strip()
        if latest and area.next_review < latest:
            text = (root / area.source_path).read_text(encoding="utf-8")
            match = re.search(r"^review_every:", text, re.M) or re.search(r"^reviewed:", text, re.M)
            line = text.count("\n", 0, match.start()) + 1 if match else 1
            warnings.append(ContentError(
                area.source_path, f"the next review of the {area.name} plan was due on {area.next_review}, "
                f"before its latest change ({latest})", line, 1,
                "review the plan, then set reviewed: to the date of that review", level="warning"))
    return warnings


BASE_BRANCHES = ("origin/HEAD", "origin/main", "main", "origin/master", "master")


def history_warnings(root: Path, site: Site, content: str = "content") -> list[ContentError]:
    """A warning for each version of an area file, in a commit on this branch and not yet on the main
    branch, that the build refuses. Such a commit passes `check` once a later one fixes the file,
    but its version stays in the history: its changes page would say "this version could not be
    read" for good, unless the branch's commits are squashed when it is merged.

    With no main branch to compare with, every commit counts."""
    history = read_history(root, site, content)
    if not history.available:
        return []
    base = next((ref for ref in BASE_BRANCHES if git.run(root, "rev-parse", "--verify", "-q", ref + "^{commit}")), None)
    listed = git.text(git.run(root, "rev-list", "HEAD", *(["--not", base] if base else [])) or b"").split()
    new = set(listed)
    warnings = []
    for commit in history.commits:
        if commit.id not in new:
            continue
        for area in commit.areas:
            if area.kind == "unreadable":
                path = f"{content}/areas/{area.slug}.yaml"
                warnings.append(ContentError(
                    path, f"commit {commit.id[:12]} ({commit.date}, \"{commit.subject[:60]}\") has a version of this "
                    f"file the build refuses: {area.reason}", level="warning",
                    hint="squash this branch's commits when merging it, so that version never reaches the site's "
                    "history"))
    return warnings


def changes_between(versions: list[tuple[str, bytes | None, bytes | None]], site: Site) -> tuple[AreaChange, ...]:
    """What going from each area file's first version to its second does, told as the changes pages
    tell a commit, by the same `area_change` (`build.py diff` describes a pull request with it).
    Each item is (path, version before, version after), None where there was no file."""
    areas = []
    for path, before, after in versions:
        change = area_change(None if before is None else read_version(before, path),
                             None if after is None else read_version(after, path), path)
        if change:
            areas.append(change)
    record = {"id": "0" * 40, "timestamp": "", "subject": "", "correction": False,
              "areas": sorted(areas, key=lambda a: a["slug"])}
    history = from_records([record], site, set())
    return history.commits[0].areas if history.commits else ()


def git_text(root: Path, *args: str) -> str | None:
    """A git command's output as text, or None where there is no git or it fails."""
    raw = git.run(root, *args)
    return None if raw is None else git.text(raw)
