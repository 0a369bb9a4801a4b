"""What a change does to the plans, for whoever reviews it: `build.py diff`, a preview that opens
from a folder (`offline-copy`), and CODEOWNERS.

A pull request changes YAML, and its reviewer sees a diff of lines where the nearest action id
may be the next action's. `diff` tells the same change in the plans' own terms: for each area,
each action added, removed or changed (its number and first words, its status before and after,
the updates added, the changed words), the organisations and glossary terms added or renamed,
and the pages of the site whose words the change alters. What changed in each plan is worked
out by the history module (`history.changes_between`), so a pull request is described exactly
as the public changes pages will describe it once it is merged.

The pages are found by building both versions' pages in memory, with this code and templates,
and comparing them: a page counts as touched when its HTML differs.

`offline_copy` makes the built site readable on a laptop without Python or a server: a pull
request's artifact, unzipped and double-clicked.

Each area file may name its `reviewers`; `codeowners()` makes `.github/CODEOWNERS` of them, so
GitHub asks those people to review a change to that file, and `check` reports a file that has
fallen out of step (`codeowners_errors`).
"""

from __future__ import annotations

import dataclasses
import html
import io
import json
import posixpath
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import ContentError, ContentErrors
from .history import AreaChange, changes_between
from .history import git_text as git
from .model import STATUS_LABELS, Site
from .pipeline import Project, load_site, make_environment, page_fingerprints
from .render import long_date, render_page
from .routes import routes

DEFAULT_BASE = ("main", "origin/main")  # the first that exists: a local branch, or a fresh CI clone's
WORKING_TREE = "the working tree"
PAGES_LISTED = 60  # in the text and Markdown forms; JSON lists them all
CODEOWNERS = ".github/CODEOWNERS"
CODEOWNERS_COMMAND = "python build.py codeowners"


class ReviewError(Exception):
    """The change cannot be worked out (no git, no such base, a shallow clone): said in plain words."""


@dataclass(frozen=True)
class NameChange:
    """An organisation or glossary term added, removed or renamed, and the touched pages showing it."""

    kind: str  # "organisation" or "glossary term"
    key: str  # the organisation's id, or the term
    change: str  # "added", "removed", "renamed", "meaning changed", "short names changed"
    before: str  # its name (or meaning) before; "" when added
    after: str  # and after; "" when removed
    file: str  # where it is defined
    pages: tuple[str, ...] = ()  # touched pages whose words include it (output files)


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
        changes = _name_changes(before_project, after_project, pages)
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


def _yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _name_changes(before: Project, after: Project, pages: dict) -> tuple[NameChange, ...]:
    """Organisations and glossary terms added, removed or renamed, each with the touched pages showing it."""
    found: list[NameChange] = []
    registry = "content/organisations.yaml"
    old = {str(o.get("id")): o for o in _yaml(before.root / registry).get("organisations") or () if isinstance(o, dict)}
    new = {str(o.get("id")): o for o in _yaml(after.root / registry).get("organisations") or () if isinstance(o, dict)}
    for key in [*new, *(k for k in old if k not in new)]:
        was, now = old.get(key), new.get(key)
        if was is None or now is None:
            found.append(NameChange("organisation", key, "added" if was is None else "removed",
                                    str((was or {}).get("name", "")), str((now or {}).get("name", "")), registry))
        elif was.get("name") != now.get("name"):
            found.append(NameChange("organisation", key, "renamed", str(was.get("name")), str(now.get("name")),
                                    registry))
        elif list(was.get("short_names") or ()) != list(now.get("short_names") or ()):
            found.append(NameChange("organisation", key, "short names changed",
                                    ", ".join(map(str, was.get("short_names") or ())),
                                    ", ".join(map(str, now.get("short_names") or ())), registry))
    glossaries = sorted({"content/site.yaml", *(p.relative_to(side.root).as_posix() for side in (before, after)
                                                for p in (side.content / "areas").glob("*.yaml"))})
    for file in glossaries:
        found += _term_changes(file, _yaml(before.root / file).get("glossary"),
                               _yaml(after.root / file).get("glossary"))
    return tuple(dataclasses.replace(c, pages=_showing(c, pages)) for c in found)


def _term_changes(file: str, old_list, new_list) -> list[NameChange]:
    def terms(entries) -> dict[str, str]:
        return {str(e.get("term")): str(e.get("meaning", "")) for e in entries or () if isinstance(e, dict)}

    old, new = terms(old_list), terms(new_list)
    added = [t for t in new if t not in old]
    removed = [t for t in old if t not in new]
    found = []
    for term in added:
        was = next((t for t in removed if old[t] == new[term]), None)  # the same meaning under a new term
        if was is not None:
            removed.remove(was)
            found.append(NameChange("glossary term", term, "renamed", was, term, file))
        else:
            found.append(NameChange("glossary term", term, "added", "", f"{term}: {new[term]}", file))
    found += [NameChange("glossary term", t, "removed", f"{t}: {old[t]}", "", file) for t in removed]
    found += [NameChange("glossary term", t, "meaning changed", old[t], new[t], file)
              for t in new if t in old and old[t] != new[t]]
    return found


def _showing(change: NameChange, pages: dict[str, tuple[bytes | None, bytes | None]]) -> tuple[str, ...]:
    """The touched pages whose HTML holds the name before or after (or the term, for a term)."""
    if change.kind == "organisation":
        words = [w for w in (change.before, change.after) if w]
    else:
        words = [change.key] + ([change.before] if change.change == "renamed" else [])
    needles = [html.escape(w, quote=False).encode() for w in words]
    return tuple(output for output, (was, now) in pages.items()
                 if any(n in (was or b"") or n in (now or b"") for n in needles))


# --- Telling it: plain text, Markdown for a job summary, JSON for tools ---------------------------------------

def as_json(found: Review) -> str:
    areas = []
    for area in found.areas:
        record = dataclasses.asdict(area)
        for action in record["actions"]:
            action["first_words"] = found.first_words.get((area.slug, action["id"]), "")
            action["status_before"], action["status_after"] = found.statuses.get((area.slug, action["id"]), ("", ""))
        areas.append(record)
    return json.dumps({
        "base": found.base, "base_name": found.base_name, "head": found.head, "files": list(found.files),
        "areas": areas, "names": [dataclasses.asdict(n) for n in found.names],
        "pages": {"added": list(found.pages_added), "changed": list(found.pages_changed),
                  "removed": list(found.pages_removed)},
        "pages_problem": found.pages_problem,
    }, ensure_ascii=False, indent=2) + "\n"


def as_text(found: Review) -> str:
    return "\n".join(_told(found, _Plain())) + "\n"


def as_markdown(found: Review, preview: str | None = None) -> str:
    """The change as a GitHub job summary; `preview` names the artifact holding the built site."""
    return "\n".join(_told(found, _Markdown(), preview)) + "\n"


class _Plain:
    def esc(self, text: str) -> str:
        return text

    def heading(self, text: str, level: int) -> str:
        return text

    def item(self, text: str, depth: int = 0) -> str:
        return "  " * (depth + 1) + ("- " if depth else "") + text

    def name(self, text: str) -> str:
        return text

    def path(self, text: str) -> str:
        return text

    marks = {"+": "[added: {}]", "-": "[removed: {}]"}

    def words(self, parts) -> str:
        """Changed words in words, as the site's hidden labels say them: unchanged text as it is, and
        "[added: …]" / "[removed: …]" (spaces at their ends kept outside the marks)."""
        told = []
        for part in parts:
            if part.op == "=":
                told.append(self.esc(part.text))
                continue
            words = part.text.strip()
            if not words:
                words = "a line break" if "\n" in part.text else "a space"
            start, end = part.text[:len(part.text) - len(part.text.lstrip())], part.text[len(part.text.rstrip()):]
            told.append(start + self.marks[part.op].format(self.esc(words)) + end)
        return "".join(told).replace("\n", " / ")


class _Markdown(_Plain):
    def esc(self, text: str) -> str:
        return re.sub(r"([\\`*_{}\[\]<>#|~&])", r"\\\1", text).replace("\n", " / ")

    def heading(self, text: str, level: int) -> str:
        return f"{'#' * level} {text}\n"

    def item(self, text: str, depth: int = 0) -> str:
        return "  " * depth + "- " + text

    def name(self, text: str) -> str:
        return f"**{text}**"

    def path(self, text: str) -> str:
        return f"`` {text} ``" if "`" in text else f"`{text}`"

    marks = {"+": "**[added: {}]**", "-": "~~[removed: {}]~~"}


def _told(found: Review, style: _Plain, preview: str | None = None) -> list[str]:
    esc = style.esc
    against = f"{found.base_name} at commit {found.base[:7]}"
    lines = [style.heading("What this change does to the plans", 2),
             f"Compared with {esc(against)}, where this branch left it; "
             f"{'the working tree' if found.head == WORKING_TREE else 'commit ' + found.head[:7]} "
             f"changes {len(found.files)} file{'s' if len(found.files) != 1 else ''}.", ""]
    if not found.areas and not found.names:
        lines += ["No plan, organisation or glossary term changed.", ""]
    for area in found.areas:
        lines.append(style.heading(f"{esc(area.name)} ({style.path(f'content/areas/{area.slug}.yaml')})", 3))
        lines.append(f"{esc(area.summary)} (the heading the changes pages will give it).")
        lines.append("")
        if area.renamed_from:
            lines.append(style.item(f"The plan's file was renamed from {style.path(area.renamed_from)}."))
        if area.kind in ("added", "readable"):
            lines.append(style.item(f"The plan is published, with {_count(area.action_count, 'action')}."))
        elif area.kind == "removed":
            lines.append(style.item(f"The plan is removed (it had {_count(area.action_count, 'action')})."))
        elif area.kind == "unreadable":
            lines.append(style.item(f"This version of the plan cannot be read: {esc(area.reason)}"))
        for action in area.actions:
            title = style.name(esc(action.label)) + f" (id {style.path(action.id)})"  # its number and first words
            was, now = found.statuses.get((area.slug, action.id), ("", ""))
            if action.kind == "added":
                lines.append(style.item(f"{title}: added" + (f", status {STATUS_LABELS[now]}." if now else ".")))
                continue
            if action.kind == "removed":
                lines.append(style.item(f"{title}: removed" + (f" (its status was {STATUS_LABELS[was]})."
                                                               if was else ".")))
                continue
            lines.append(style.item(f"{title}:"))
            if action.status_changed:
                lines.append(style.item(f"Status {STATUS_LABELS[action.status_from]} → "
                                        f"{STATUS_LABELS[action.status_to]}.", 1))
            else:
                lines.append(style.item(f"Status {STATUS_LABELS[action.status_to]} (unchanged).", 1))
            for date in action.updates:
                lines.append(style.item(f"Progress update of {long_date(date)} added.", 1))
            for text in action.texts:
                lines.append(style.item(f"Changed {text.field}: {style.words(text.parts)}", 1))
            if action.other:
                lines.append(style.item(f"Changed: {esc(', '.join(action.other))}.", 1))
        if area.other:
            lines.append(style.item(f"Changed in the plan: {esc(', '.join(area.other))}."))
        lines.append("")
    for kind, heading in (("organisation", "Organisations"), ("glossary term", "Glossary terms")):
        changes = [c for c in found.names if c.kind == kind]
        if not changes:
            continue
        lines.append(style.heading(heading, 3))
        for c in changes:
            said = {"added": f"added: “{esc(c.after)}”", "removed": f"removed (was “{esc(c.before)}”)"}.get(
                c.change, f"{c.change}: “{esc(c.before)}” → “{esc(c.after)}”")
            where = f" in {style.path(c.file)}" if kind == "glossary term" else ""
            pages = (f" Pages showing it: {_listed(c.pages, style)}." if c.pages else " No page shows it yet.")
            lines.append(style.item(f"{style.path(c.key)}{where} {said}.{pages}"))
        lines.append("")
    lines.append(style.heading("Pages this change touches", 3))
    if found.pages_problem:
        lines += [esc(found.pages_problem) + ".", ""]
    elif not found.pages:
        lines += ["No page of the site changes.", ""]
    else:
        lines += [f"{_count(len(found.pages), 'page')}: {len(found.pages_changed)} changed, "
                  f"{len(found.pages_added)} new, {len(found.pages_removed)} removed "
                  "(files in the built site; the changes pages also get this change once it is merged).", ""]
        for label, pages in (("new", found.pages_added), ("changed", found.pages_changed),
                             ("removed", found.pages_removed)):
            for page in pages[:PAGES_LISTED]:
                lines.append(style.item(f"{style.path(page)} ({label})"))
        if len(found.pages) > PAGES_LISTED * 3 or any(len(p) > PAGES_LISTED for p in
                                                     (found.pages_added, found.pages_changed, found.pages_removed)):
            lines.append(style.item("… and more: `python build.py diff --format json` lists every page."))
        lines.append("")
    if preview:
        lines += [style.heading("Preview the built site", 3),
                  f"Download the artifact {style.path(preview)} from the Artifacts list at the foot of this "
                  "run's Summary page and unzip it. Open a page listed above by double-clicking its file (for "
                  f"example {style.path(found.pages[0] if found.pages else 'index.html')}), or open "
                  f"{style.path('index.html')} for the home page: links between pages work, as on the site. "
                  "Search does not: it works once the site is published.", ""]
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _listed(pages: tuple[str, ...], style: _Plain) -> str:
    shown = ", ".join(style.path(p) for p in pages[:10])
    return shown + (f" and {len(pages) - 10} more" if len(pages) > 10 else "")


# --- Previewing without a web server ----------------------------------------------------------------------

LINK = re.compile(r'(\b(?:href|src|action)=")([^"]*)"')


def offline_copy(site_dir: Path, dest: Path, base_path: str = "/") -> int:
    """Copy the built site to `dest` so that it opens from a folder, with no web server (a pull
    request's preview, unzipped on an editor's laptop): every link within the site becomes relative
    to its page, and a link to a folder names its index.html, which a browser does not add for a file.
    Returns the number of pages. Search needs the site served, so it does not work in the copy."""
    if dest.exists():
        raise ReviewError(f"{dest} already exists: give a new folder")
    shutil.copytree(site_dir, dest)
    pages = sorted(dest.rglob("*.html"))
    for page in pages:
        here = posixpath.dirname(page.relative_to(dest).as_posix()) or "."
        text = LINK.sub(lambda match, here=here: _relative(match, here, base_path), page.read_text(encoding="utf-8"))
        page.write_text(text, encoding="utf-8", newline="")
    return len(pages)


def _relative(match: re.Match, here: str, base_path: str) -> str:
    """One link attribute, relative to the page's folder `here` if it points into the site."""
    value = match.group(2)
    if not value.startswith(base_path) or value.startswith("//"):
        return match.group(0)
    path, mark, rest = re.match(r"([^?#]*)([?#]?)(.*)", value[len(base_path):]).groups()
    if path == "" or path.endswith("/"):
        path += "index.html"
    return f'{match.group(1)}{posixpath.relpath(path, here)}{mark}{rest}"'


# --- Reviewing by area: .github/CODEOWNERS from each area's reviewers ---------------------------------------

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
