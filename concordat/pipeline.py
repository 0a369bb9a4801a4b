"""The whole build, stage by stage: load -> validate -> model -> routes -> render -> write -> index -> export."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from . import export, processes, render, search, write
from .errors import ContentError, ContentErrors, display_path
from .fingerprint import Fingerprinter, fingerprint
from .history import NO_HISTORY, History, head_commit, read_history
from .listings import LISTING_PAGE_SIZE
from .load import ContentFiles, DocumentCache, load_content
from .model import Site
from .model_from_content import make_site
from .routes import INDEX_SHARD_SIZE, IndexShard, Page, index_shards, routes
from .validate import required_agency_warnings, validate
from .yaml_reading import not_a_plain_file

PACKAGE_DIR = Path(__file__).parent


@dataclass
class Project:
    """Where a project's inputs and output live."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def assets(self) -> Path:
        return self.root / "templates" / "assets"

    @property
    def output(self) -> Path:
        return self.root / "site"


@dataclass
class BuildResult:
    pages: int
    actions: int
    rendered: int
    reused: int
    indexed: int
    seconds: float
    unchanged: bool = False  # nothing had changed: site/ was left exactly as it was
    warnings: tuple = ()  # the content's warnings (ContentErrors of level "warning")
    stages: dict[str, float] = field(default_factory=dict)  # seconds spent in each stage

    def summary(self) -> str:
        if self.unchanged:
            return f"Nothing changed since the last build: {self.pages} pages left as they were ({self.seconds:.2f}s)"
        return (
            f"Built {self.pages} pages for {self.actions} actions in {self.seconds:.1f}s "
            f"({self.rendered} rendered, {self.reused} unchanged; {self.indexed} pages in the search index)"
        )


@dataclass
class ContentMemory:
    """What a long-running preview keeps between builds: each file's parsed document and its Area."""

    documents: DocumentCache = field(default_factory=dict)
    areas: dict = field(default_factory=dict)


def load_site(project: Project, base_url: str | None = None, memory: ContentMemory | None = None) -> Site:
    """Load, validate and model all content; raise ContentErrors listing every problem."""
    content = load_content(project.content, project.root, memory.documents if memory else None)
    errors = content.errors + validate(content)
    if errors:
        raise ContentErrors(errors)
    site = make_site(content, base_url, memory.areas if memory else None)
    site.unfinished = tuple(w for doc in content.areas for w in doc.unfinished)
    site.warnings = site.unfinished + tuple(required_agency_warnings(content, site))
    return site


def code_fingerprint(project: Project) -> str:
    """Templates, assets and this package: a change to any of them re-renders every page.

    Templates and assets are plain files, as content is: a link in them would publish (or hang
    on) whatever it points at, so one is refused before anything is read."""
    links = [ContentError(display_path(path, project.root), problem) for path in sorted(project.templates.rglob("*"))
             if not (path.is_dir() and not path.is_symlink()) and (problem := not_a_plain_file(path))]
    if links:
        raise ContentErrors(links)
    return render.folder_fingerprint(project.templates, PACKAGE_DIR)


def inputs_fingerprint(project: Project, *options) -> str:
    """Everything a build reads, as one digest: equal digests mean an identical site.

    The git HEAD is one of the inputs: a new commit changes the changes pages and feeds."""
    files = ContentFiles(project.content).all_files()
    return fingerprint(code_fingerprint(project), options, head_commit(project.root),
                       [(p.relative_to(project.root).as_posix(), p.read_bytes())
                        for p in files if not not_a_plain_file(p)])


def page_fingerprints(pages: list[Page], code: str, previous: dict[str, Page] | None = None) -> dict[str, str]:
    """Each page's fingerprint; a page the preview kept from its last save keeps its own.

    `previous` (the preview's pages of its last save, made with the same code): a page whose
    title and context are equal to its last ones keeps that fingerprint. Comparing is much
    cheaper than digesting, and equal values digest alike (each field keeps its type)."""
    digest = Fingerprinter()
    for page in pages:
        if page.fingerprint:
            continue
        before = previous.get(page.output) if previous else None
        if (before is not None and before.fingerprint and before.template == page.template
                and before.title == page.title and before.context == page.context):
            page.fingerprint = before.fingerprint
        else:
            page.fingerprint = digest(code, page.url, page.template, page.title, page.context)
    return {page.output: page.fingerprint for page in pages}


def search_index_fingerprints(pages: list[Page], fingerprints: dict[str, str],
                              shards: tuple[IndexShard, ...]) -> dict[str, str]:
    """Each search index is made from its areas' action pages alone: it is rebuilt only when one
    of them changes (or its areas do)."""
    folder_of = {slug: shard.folder for shard in shards for slug in shard.areas}
    digests = {shard.folder: hashlib.sha256(shard.glob.encode()) for shard in shards}
    for page in pages:
        if page.is_action:
            digests[folder_of[page.area]].update(
                f"{page.output}\0{fingerprints[page.output]}\n".encode())
    return {folder: digest.hexdigest() for folder, digest in digests.items()}


def make_environment(project: Project, site: Site, csp_extra: dict[str, str] | None = None):
    asset_version = render.folder_fingerprint(project.assets)[:10]
    return render.make_environment(project.templates, site.config.base_path, asset_version, csp_extra)


@dataclass(frozen=True)
class BuildOptions:
    """How to build: where to, for which base URL, and how the listings and search index are split."""

    out_dir: Path | None = None  # None: the project's site/
    base_url: str | None = None  # None: content/site.yaml's
    full: bool = False  # render every page, even one unchanged since the last build
    workers: int | None = None  # render processes; None: processes.default_workers()
    progress: Callable[[str], None] | None = None  # told what a long build is doing
    listing_page_size: int = LISTING_PAGE_SIZE
    index_shard_size: int = INDEX_SHARD_SIZE

    @property
    def inputs(self) -> tuple:
        """The options that change what is built (the rest change only how)."""
        return self.base_url, self.listing_page_size, self.index_shard_size


def build_site(project: Project, options: BuildOptions | None = None, **changes) -> BuildResult:
    """Build the site into the output folder; raise ContentErrors (and leave it alone) on bad content.

    `changes` set single options (`build_site(project, full=True)`) over `options`."""
    options = dataclasses.replace(options or BuildOptions(), **changes)
    clock = _Clock()
    out_dir = options.out_dir or project.output
    write.check_output_folder(out_dir, [project.content, project.templates], display_path(out_dir, project.root))
    out_dir = out_dir.resolve()
    with write.output_lock(out_dir, waiting=options.progress):
        previous = {} if options.full else write.read_manifest(out_dir)
        inputs = inputs_fingerprint(project, *options.inputs)
        if previous.get("inputs") == inputs:
            return _left_as_it_was(out_dir, previous, clock)
        site = clock.stage("load", load_publishable_site, project, options.base_url)  # load -> validate -> model
        history = clock.stage("history", read_history, project.root, site)
        staging = write.make_staging(out_dir)
        indexing = None
        try:
            pages = clock.stage("routes", routes, site, history, listing_page_size=options.listing_page_size,
                                index_shard_size=options.index_shard_size)
            fingerprints = clock.stage("fingerprint", page_fingerprints, pages, code_fingerprint(project))
            changed = clock.stage("reuse", reuse_unchanged_pages, pages, fingerprints, previous, out_dir, staging)
            env = make_environment(project, site)
            # Areas and their actions first: the search index needs only those, so Pagefind
            # runs while the listings are rendered.
            clock.stage("render", render_changed_pages, env, [p for p in changed if p.area], staging, options)
            indexing, indexes = clock.stage("index", start_indexes, site, pages, fingerprints, previous, out_dir,
                                            staging, options)
            clock.stage("render", render_changed_pages, env, [p for p in changed if not p.area], staging, options)
            clock.stage("export", write_open_data, staging, site, history)
            clock.stage("write", write_support_files, staging, project, site, pages, history)
            indexed = clock.stage("index", finish_index, indexing, pages)
            write.write_manifest(staging, {"inputs": inputs, "pages": fingerprints, "index": indexes,
                                           "warnings": [dataclasses.asdict(w) for w in site.warnings]})
            clock.stage("publish", write.publish, staging, out_dir)
        except BaseException:
            stop_indexes(indexing)
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return BuildResult(len(pages), len(site.actions), len(changed), len(pages) - len(changed), indexed,
                       clock.total(), stages=clock.stages, warnings=site.warnings)


def load_publishable_site(project: Project, base_url: str | None) -> Site:
    """`load_site`, refusing content that is not finished (a REVIEW note or a starter placeholder)."""
    site = load_site(project, base_url)
    if site.unfinished:
        raise ContentErrors([dataclasses.replace(w, level="error") for w in site.unfinished])
    return site


def last_change(history: History) -> str | None:
    """The date of the content's last change, from git (None without the history)."""
    return history.commits[0].date if history.commits else None


def _left_as_it_was(out_dir: Path, previous: dict, clock: _Clock) -> BuildResult:
    """Nothing had changed since the last build: its output stays, and its warnings are told again."""
    write.remove_leftovers(out_dir)
    return BuildResult(len(previous["pages"]), 0, 0, len(previous["pages"]), 0, clock.total(), unchanged=True,
                       warnings=tuple(ContentError(**w) for w in previous.get("warnings", [])))


def reuse_unchanged_pages(pages: list[Page], fingerprints: dict[str, str], previous: dict, out_dir: Path,
                          staging: Path) -> list[Page]:
    """Link every page whose fingerprint is unchanged from the last build; return the others."""
    old = previous.get("pages", {})
    return [page for page in pages
            if old.get(page.output) != fingerprints[page.output]
            or not write.reuse_file(out_dir, staging, page.output)]


def render_changed_pages(env, pages: list[Page], staging: Path, options: BuildOptions) -> None:
    done, last_report = 0, time.perf_counter()
    for count in render.render_pages(env, pages, lambda output, data: write.write_file(staging, output, data),
                                     options.workers or processes.default_workers()):
        done += count
        if options.progress and time.perf_counter() - last_report > 2:
            options.progress(f"rendering pages: {done}/{len(pages)}")
            last_report = time.perf_counter()


def start_indexes(site: Site, pages: list[Page], fingerprints: dict[str, str], previous: dict, out_dir: Path,
                  staging: Path, options: BuildOptions) -> tuple[list[tuple[IndexShard, tuple | None]], dict[str, str]]:
    """Start the search indexes (`start_index`), keeping those whose action pages are as in the
    last build; return the runs and each index's fingerprint, for the manifest."""
    shards = index_shards(site, options.index_shard_size)
    indexes = search_index_fingerprints(pages, fingerprints, shards)
    before = previous.get("index") if isinstance(previous.get("index"), dict) else {}
    unchanged = {s.folder for s in shards
                 if before.get(s.folder) == indexes[s.folder] and (out_dir / s.folder).is_dir()}
    return start_index(staging, out_dir, shards, unchanged, options.progress), indexes


def stop_indexes(runs: list[tuple[IndexShard, tuple | None]] | None) -> None:
    """Stop every Pagefind started: none must write on into a removed folder."""
    for _, started in runs or ():
        if started is not None:
            started[0].kill()
            started[0].wait()


def start_index(staging: Path, out_dir: Path, shards: tuple[IndexShard, ...], unchanged: set[str],
                progress: Callable[[str], None] | None) -> list[tuple[IndexShard, tuple | None]]:
    """Link each search index whose action pages are as in the last build; start Pagefind for the
    others, one process each (each holds only its own pages in memory)."""
    runs = []
    for shard in shards:
        if shard.folder in unchanged:
            shutil.copytree(out_dir / shard.folder, staging / shard.folder, copy_function=_link_or_copy)
            runs.append((shard, None))
        else:
            runs.append((shard, search.start_search_index(staging, shard.glob, shard.folder)))
    if progress and len(unchanged) < len(shards):
        progress("building the search index")
    return runs


def finish_index(runs: list[tuple[IndexShard, tuple | None]], pages: list[Page]) -> int:
    """Wait for every Pagefind started; return the number of pages the indexes hold."""
    indexed = 0
    for shard, started in runs:
        if started is None:
            areas = set(shard.areas)
            indexed += sum(1 for p in pages if p.is_action and p.area in areas)
        else:
            indexed += search.finish_search_index(started)
    return indexed


def write_files(staging: Path, files: dict[str, bytes]) -> None:
    """The open data and support files, into staging (in this process: see `processes`)."""
    for path, data in files.items():
        write.write_file(staging, path, data)


def write_open_data(staging: Path, site: Site, history: History) -> None:
    write_files(staging, export.data_files(site, last_change(history)))


def write_support_files(staging: Path, project: Project, site: Site, pages: list[Page], history: History) -> None:
    write_files(staging, support_files(project, site, pages, history))


def support_files(project: Project, site: Site, pages: list[Page], history: History = NO_HISTORY
                  ) -> dict[str, bytes]:
    """Everything beside the pages and the open data: assets, sitemap, robots.txt, security.txt,
    and the search page's list of the words the plans use."""
    files = {"assets/" + asset.relative_to(project.assets).as_posix(): asset.read_bytes()
             for asset in sorted(project.assets.rglob("*")) if asset.is_file()}
    files["sitemap.xml"] = sitemap(site, pages, history)
    leads = {org_id for action in site.actions for org_id in action.leads}
    meanings = [e.meaning for e in (*site.glossary, *(e for area in site.areas for e in area.glossary))]
    files["search/words.txt"] = search.vocabulary(site.actions, (site.organisations[i] for i in sorted(leads)),
                                                  meanings)
    files["robots.txt"] = robots(site)
    files[".well-known/security.txt"] = security_txt(site, dt.date.today())
    files[".nojekyll"] = b""
    return files


def site_files(project: Project, site: Site, pages: list[Page]) -> dict[str, bytes]:
    """Everything beside the pages, open data included (the preview's background refresh)."""
    return {**support_files(project, site, pages), **export.data_files(site)}


class _Clock:
    """Seconds spent in each stage, for the summary and the benchmark."""

    def __init__(self):
        self.started = time.perf_counter()
        self.stages: dict[str, float] = {}

    def stage(self, name: str, function, *args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - started

    def total(self) -> float:
        return time.perf_counter() - self.started


def _link_or_copy(src: str, dst: str) -> None:
    try:
        Path(dst).hardlink_to(src)
    except OSError:
        shutil.copy2(src, dst)


def sitemap(site: Site, pages: list[Page], history: History = NO_HISTORY) -> bytes:
    """sitemap.xml needs absolute URLs: only possible when base_url names the host.

    `lastmod` is the date of the last commit that changed what the page shows: for an area's
    pages, the last change to that plan; for the rest, the last change to any content. Without
    the git history nothing says when a page changed, so no page has one."""
    prefix = site.config.origin + site.config.base_path
    latest = history.commits[0].date if history.commits else None
    by_area = {}
    for commit in reversed(history.commits):  # oldest first: the newest date wins
        for change in commit.areas:
            by_area[change.slug] = commit.date
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for page in pages:
        if page.template != "404.html" and page.output.endswith(".html"):
            changed = by_area.get(page.area, latest) if page.area else latest
            lastmod = f"<lastmod>{changed}</lastmod>" if changed else ""
            lines.append(f"  <url><loc>{escape(prefix + page.url)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def security_txt(site: Site, today: dt.date) -> bytes:
    """/.well-known/security.txt (RFC 9116): where to report a security problem with the site.

    It must say when it expires, less than a year ahead: 11 months from the start of the month
    of the build, so it changes once a month (builds within a month stay byte-identical) and
    stays valid while the site is rebuilt at least every ten months (the publish workflow runs
    monthly for that). SOURCE_DATE_EPOCH, where set, stands in for the build date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        today = dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    year, month = divmod(today.month - 1 + 11, 12)
    expires = dt.date(today.year + year, month + 1, 1)
    lines = [f"Contact: mailto:{site.config.contact_email}", f"Expires: {expires.isoformat()}T00:00:00Z",
             "Preferred-Languages: en"]
    if site.config.origin:
        lines.append(f"Canonical: {site.config.origin}{site.config.base_path}.well-known/security.txt")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(site: Site) -> bytes:
    text = "User-agent: *\nAllow: /\n"
    if site.config.origin:
        text += f"Sitemap: {site.config.origin}{site.config.base_path}sitemap.xml\n"
    return text.encode("utf-8")


def default_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
