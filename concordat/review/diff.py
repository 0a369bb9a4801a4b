"""What a change does to the plans, in the plans' own terms: the working out behind `build.py diff`.

A pull request changes YAML, and its reviewer sees a diff of lines where the nearest action id
may be the next action's. `diff` tells the same change in the plans' own terms: for each area,
each action added, removed or changed (its number and first words, its status before and after,
the updates added, the changed words), the organisations and glossary terms added or renamed
(`names.py`), and the pages of the site whose words the change alters. What changed in each plan
is worked out by the history module (`history.changes_between`), so a pull request is described
exactly as the public changes pages will describe it once it is merged. `report.py` tells it.

The pages are found by building both versions' pages in memory, with this code and templates,
and comparing them: a page counts as touched when its HTML differs.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import ContentErrors
from ..history import AreaChange, changes_between
from ..history import git_text as git
from ..model import Site
from ..pipeline import Project, load_site, make_environment, page_fingerprints
from ..render import render_page
from ..routes import routes
from .names import NameChange, name_changes

DEFAULT_BASE = ("main", "origin/main")  # the first that exists: a local branch, or a fresh CI clone's
WORKING_TREE = "the working tree"


class ReviewError(Exception):
    """The change cannot be worked out (no git, no such base, a shallow clone): said in plain words."""


@dataclass(frozen=True)
class Review:
    base: str  # the commit compared with (the merge base)
    base_name: str  # as given, e.g. "main"
    head: str  # WORKING_TREE, or a commit id
    files: tuple[str, ...]  # every file the change touches, relative to the project
    areas: tuple[AreaChange, ...]  # as history tells them
    first_words: dict[tuple[str, str], str]  # (area slug, action id) -> first words of its text (for tools)
    statuses: dict[tuple[str, str], tuple[str, str]]  # (area slug, action id) -> status before, after ("": none)
    names: tuple[NameChange, ...]
    pages_added: tuple[str, ...] = ()
    pages_changed: tuple[str, ...] = ()
    pages_removed: tuple[str, ...] = ()
    pages_problem: str = ""  # why the pages could not be worked out, if they could not

    @property
    def pages(self) -> tuple[str, ...]:
        return tuple(sorted((*self.pages_added, *self.pages_changed, *self.pages_removed)))


def review(project: Project, base: str | None = None, committed: bool = False) -> Review:
    """What the working tree (or HEAD, if `committed`) changes since it left `base` (default: main)."""
    root = project.root
    if git(root, "rev-parse", "--git-dir") is None:
        raise ReviewError(f"{root} is not in a git repository, so there is nothing to compare with")
    names = [base] if base else list(DEFAULT_BASE)
    given = next((n for n in names if git(root, "rev-parse", "--verify", "--quiet", f"{n}^{{commit}}")), None)
    if given is None:
        raise ReviewError(f"there is no commit or branch called {' or '.join(names)} to compare with "
                          "(give one: `python build.py diff BASE`)")
    merge_base = (git(root, "merge-base", given, "HEAD") or "").strip()
    if not merge_base:
        shallow = (git(root, "rev-parse", "--is-shallow-repository") or "").strip() == "true"
        raise ReviewError(f"cannot find where this branch left {given}"
                          + (": this is a shallow clone, so fetch its history first (`git fetch --unshallow`)"
                             if shallow else ": they share no history"))
    head = (git(root, "rev-parse", "HEAD") or "").strip() if committed else WORKING_TREE
    files = changed_files(root, merge_base, committed)
    prefix = (git(root, "rev-parse", "--show-prefix") or "").strip()
    with tempfile.TemporaryDirectory(prefix="concordat-diff-") as temporary:
        before_project = _content_at(root, merge_base, prefix, Path(temporary) / "base")
        after_project = _content_at(root, "HEAD", prefix, Path(temporary) / "head") if committed else project
        before_site, before_problem = _site(before_project)
        after_site, after_problem = _site(after_project)
        if after_site is None:
            raise ReviewError(f"the content of {head} has mistakes, so what it changes cannot be told in the "
                              f"plans' terms: {after_problem}")
        areas = [f for f in files if f.startswith("content/areas/") and f.endswith(".yaml")]
        versions = [(f, _read(before_project.root / f), _read(after_project.root / f)) for f in areas]
        area_changes = changes_between(versions, after_site)
        first_words = _first_words(before_site, after_site)
        statuses = _statuses(before_site, after_site)
        pages: dict[str, tuple[bytes | None, bytes | None]] = {}
        problem = before_problem and ("the content it is compared with does not pass today's check, so the pages "
                                      f"it changes cannot be compared ({before_problem})")
        if before_site is not None:
            pages = _touched_pages(project, before_site, after_site)
        changes = name_changes(before_project, after_project, pages)
    return Review(
        merge_base, given, head, tuple(files), area_changes, first_words, statuses, changes,
        tuple(p for p, (b, _) in pages.items() if b is None), tuple(p for p, (b, a) in pages.items() if b and a),
        tuple(p for p, (_, a) in pages.items() if a is None), problem)


def changed_files(root: Path, base: str, committed: bool = False) -> list[str]:
    """The files (relative to `root`) that differ from `base`: in the working tree, new files included,
    or in HEAD if `committed`."""
    tracked = git(root, "diff", "--name-only", "--relative", "-z", "--no-renames", base,
                  *(["HEAD"] if committed else []))
    if tracked is None:
        raise ReviewError(f"git could not compare with {base}")
    found = {f for f in tracked.split("\0") if f}
    if not committed:
        found |= {f for f in (git(root, "ls-files", "--others", "--exclude-standard", "-z") or "").split("\0") if f}
    return sorted(found)


def merge_base_of(root: Path, base: str | None = None) -> str | None:
    """Where HEAD left `base` (default: main), or None when that cannot be told."""
    for name in [base] if base else DEFAULT_BASE:
        found = (git(root, "merge-base", name, "HEAD") or "").strip()
        if found:
            return found
    return None


def _content_at(root: Path, revision: str, prefix: str, dest: Path) -> Project:
    """The project's content/ as it is at `revision`, written out under `dest`."""
    done = subprocess.run(["git", "-C", str(root), "archive", "--format=tar", f"{revision}:{prefix}", "content"],
                          capture_output=True, check=False)
    dest.mkdir(parents=True)
    if done.returncode == 0:
        with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
            if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later: refuse links out of dest
                archive.extractall(dest, filter="data")
            else:
                archive.extractall(dest)
    (dest / "content" / "areas").mkdir(parents=True, exist_ok=True)
    return Project(dest)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _site(project: Project) -> tuple[Site | None, str]:
    try:
        return load_site(project), ""
    except ContentErrors as exc:
        first = exc.errors[0]
        return None, f"{len(exc.errors)} error{'s' if len(exc.errors) != 1 else ''}, the first: {first.message}"


def _first_words(*sites: Site | None) -> dict[tuple[str, str], str]:
    return {(action.area_slug, action.id): action.title for site in sites if site for action in site.actions}


def _statuses(before: Site | None, after: Site) -> dict[tuple[str, str], tuple[str, str]]:
    old = {(a.area_slug, a.id): a.status for a in before.actions} if before else {}
    new = {(a.area_slug, a.id): a.status for a in after.actions}
    return {key: (old.get(key, ""), new.get(key, "")) for key in {*old, *new}}


def _touched_pages(project: Project, before: Site, after: Site) -> dict[str, tuple[bytes | None, bytes | None]]:
    """Each page whose HTML the change alters: output file -> (HTML before, HTML after), None where
    there is no such page. Both sides are drawn with this project's templates, so only the content differs."""
    sides = []
    for site in (before, after):
        pages = {p.output: p for p in routes(site) if p.output.endswith(".html")}
        sides.append((site, pages, page_fingerprints(list(pages.values()), "")))
    (old_site, old_pages, old_prints), (new_site, new_pages, new_prints) = sides
    envs = {}

    def draw(site: Site, pages: dict, output: str) -> bytes | None:
        if output not in pages:
            return None
        if id(site) not in envs:
            envs[id(site)] = make_environment(project, site)
        return render_page(envs[id(site)], pages[output])

    touched = {}
    for output in sorted(set(old_pages) | set(new_pages)):
        if old_prints.get(output) == new_prints.get(output):
            continue
        was, now = draw(old_site, old_pages, output), draw(new_site, new_pages, output)
        if was != now:
            touched[output] = (was, now)
    return touched
