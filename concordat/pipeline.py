"""The whole build, stage by stage: load -> validate -> model -> routes -> render -> write -> index."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from . import export, render, search, write
from .model import Site
from .routes import Page, digest, routes
from .validate import load_site

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

    def summary(self) -> str:
        return (
            f"Built {self.pages} pages for {self.actions} actions in {self.seconds:.1f}s "
            f"({self.rendered} rendered, {self.reused} unchanged; {self.indexed} pages in the search index)"
        )


def build_site(project: Project, out_dir: Path | None = None, base_url: str | None = None,
               full: bool = False, progress: Callable[[str], None] | None = None,
               durable: bool = True) -> BuildResult:
    """Build the site into out_dir; raise ContentErrors (and leave out_dir alone) on bad content."""
    started = time.perf_counter()
    out_dir = (out_dir or project.output).resolve()
    site = load_site(project.content, base_url=base_url, project_root=project.root)
    pages = routes(site)

    code_fingerprint = render.folder_fingerprint(project.templates, PACKAGE_DIR)
    asset_version = render.folder_fingerprint(project.assets)[:10]
    env = render.make_environment(project.templates, site, asset_version)
    config_text = repr(site.config)
    with write.output_lock(out_dir, waiting=progress):
        previous = {} if full else write.read_manifest(out_dir)
        fingerprints: dict[str, str] = {}

        staging = write.make_staging(out_dir)
        try:
            rendered = reused = 0
            actions_changed = False
            last_report = time.perf_counter()
            for done, page in enumerate(pages, start=1):
                fingerprint = digest(code_fingerprint, config_text, page.template, page.url, page.deps)
                fingerprints[page.output] = fingerprint
                if previous.get(page.output) == fingerprint and write.reuse_file(out_dir, staging, page.output):
                    reused += 1
                else:
                    write.write_file(staging, page.output, render.render_page(env, site, page))
                    rendered += 1
                    actions_changed = actions_changed or page.template == "action.html"
                if progress and time.perf_counter() - last_report > 2:
                    progress(f"rendering pages: {done}/{len(pages)}")
                    last_report = time.perf_counter()

            write_site_files(project, site, pages, staging)

            # Removed action pages change the manifest's set of pages, so they re-index too.
            same_actions = {k for k in previous if "/actions/" in k} == {k for k in fingerprints if "/actions/" in k}
            index_reusable = not actions_changed and same_actions and (out_dir / "pagefind").is_dir()
            if index_reusable:
                shutil.copytree(out_dir / "pagefind", staging / "pagefind", copy_function=_link_or_copy)
                indexed = sum(1 for p in pages if p.template == "action.html")
            else:
                if progress:
                    progress("building the search index")
                indexed = search.build_search_index(staging)
            write.write_manifest(staging, fingerprints)
            write.publish(staging, out_dir, durable=durable)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return BuildResult(len(pages), len(site.actions), rendered, reused, indexed, time.perf_counter() - started)


def write_site_files(project: Project, site: Site, pages: list[Page], staging: Path) -> None:
    """Everything beside the pages: assets, open data, sitemap. Cheap, so written every time."""
    for asset in sorted(project.assets.rglob("*")):
        if asset.is_file():
            write.write_file(staging, "assets/" + asset.relative_to(project.assets).as_posix(), asset.read_bytes())
    for path, data in export.data_files(site).items():
        write.write_file(staging, path, data)
    write.write_file(staging, "sitemap.xml", sitemap(site, pages))
    write.write_file(staging, "robots.txt", robots(site))
    write.write_file(staging, ".nojekyll", b"")


def _link_or_copy(src: str, dst: str) -> None:
    try:
        Path(dst).hardlink_to(src)
    except OSError:
        shutil.copy2(src, dst)


def sitemap(site: Site, pages: list[Page]) -> bytes:
    """sitemap.xml needs absolute URLs: only possible when base_url names the host."""
    prefix = site.config.origin + site.config.base_path
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for page in pages:
        if page.template != "404.html":
            lines.append(f"  <url><loc>{escape(prefix + page.url)}</loc></url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(site: Site) -> bytes:
    text = "User-agent: *\nAllow: /\n"
    if site.config.origin:
        text += f"Sitemap: {site.config.origin}{site.config.base_path}sitemap.xml\n"
    return text.encode("utf-8")


def default_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
