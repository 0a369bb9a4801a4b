"""Stage 5, render: pages to HTML with Jinja, every value escaped.

Templates hold presentation only; what a page shows is decided in `routes`, and a template
sees nothing but its page's context and the pure helpers defined here. Autoescape is on for
every template, and text from plans reaches HTML only through the `md` and `text` filters of
`markup`, which cannot emit markup from content.

Rendering is spread over worker processes where `processes` can fork them (each starts with
the whole build in memory). Each page is rendered from its own context alone, so the bytes are
the same whatever the number of workers, and where there are none.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from . import markup, processes, search
from .dates import long_date
from .fingerprint import fingerprint
from .model import ORGANISATION_TYPES, STATUS_LABELS, Action, Organisation
from .routes import Page
from .urls import action_url, area_url, organisation_url, theme_url

# The only sources a page may load from: the site itself (and WebAssembly, for search).
# Pages carry it in a <meta> tag; the README lists it for hosts that can send headers.
CONTENT_SECURITY_POLICY = {
    "default-src": "'none'",
    "script-src": "'self' 'wasm-unsafe-eval'",
    "style-src": "'self'",
    "img-src": "'self'",
    "connect-src": "'self'",
    "worker-src": "'self' blob:",
    "font-src": "'self'",
    "manifest-src": "'self'",
    "base-uri": "'none'",
    "form-action": "'self'",
}


def content_security_policy(extra: dict[str, str] | None = None) -> str:
    """The policy as a header value; `extra` adds sources (the preview's live-reload script)."""
    policy = dict(CONTENT_SECURITY_POLICY)
    for directive, sources in (extra or {}).items():
        policy[directive] = f"{policy[directive]} {sources}".strip()
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


def make_environment(templates_dir: Path, base_path: str, asset_version: str = "",
                     csp_extra: dict[str, str] | None = None) -> Environment:
    """A Jinja environment whose globals are pure helpers: no content is reachable from them."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # no stat() of each template per page: the preview makes a new environment when one changes
    )

    def url(path: str) -> str:
        return base_path + path

    env.globals.update(
        url=url,
        asset=lambda name: f"{base_path}assets/{name}" + (f"?v={asset_version}" if asset_version else ""),
        area_url=lambda a: url(area_url(a)),
        action_url=lambda a: url(action_url(a)),
        theme_url=lambda t, n=1: url(theme_url(t, n)),
        organisation_url=lambda o, n=1: url(organisation_url(o, n)),
        details=ActionDetails(env),
        other_names=search.other_names,
        csp=Markup(content_security_policy(csp_extra)),  # defined here, not in content
        STATUS_LABELS=STATUS_LABELS,
        ORGANISATION_TYPES=ORGANISATION_TYPES,
    )
    env.filters["groupby_order"] = lambda items, attribute: [
        (key, list(group)) for key, group in itertools.groupby(items, key=lambda item: getattr(item, attribute))
    ]
    env.filters["long_date"] = long_date
    env.filters["md"] = markup.markdown_filter
    env.filters["text"] = markup.text_filter
    return env


class ActionDetails:
    """An action's full record, rendered once and shown on its own page and its area's page.

    The fragment comes from the `action_details` macro without abbreviations; each page then
    explains its own first uses of them (`render_page`). The cache is keyed by the
    fingerprint of what the fragment shows, so it can never serve stale details.
    """

    def __init__(self, env: Environment):
        self.env = env
        self.cache: dict[str, Markup] = {}

    def __call__(self, action: Action, organisations: dict[str, Organisation]) -> Markup:
        leads = {org_id: organisations[org_id] for org_id in action.leads}
        key = fingerprint(action, leads)
        html = self.cache.get(key)
        if html is None:
            if len(self.cache) > 50_000:  # a long preview session: forget old versions
                self.cache.clear()
            html = self.env.get_template("macros.html").module.action_details(action, leads)
            self.cache[key] = html
        return html


def render_page(env: Environment, page: Page) -> bytes:
    """One page's HTML. The abbreviations in its <main> are explained where they are first used,
    from its area's glossary first, then the site's, then the organisations' short names."""
    html = env.get_template(page.template).render(page=page, **page.context)
    vocabulary = _vocabulary(page.context["config"].base_path, page.context["glossaries"],
                             page.context["organisation_terms"])
    return markup.Abbreviator(vocabulary).apply_to_main(html).encode("utf-8")


@functools.lru_cache(maxsize=64)
def _vocabulary(base: str, glossaries: tuple, organisation_terms: tuple) -> tuple[markup.Abbreviation, ...]:
    """What a page can explain, with links below the site's base: the same for all of an area's pages."""
    return (*(markup.Abbreviation(entry.term, entry.meaning, f"{base}{url}#{entry.anchor}")
              for url, glossary in glossaries for entry in glossary),
            *(markup.Abbreviation(a.term, a.meaning, base + a.href) for a in organisation_terms))


def render_pages(env: Environment, pages: list[Page], write: Callable[[str, bytes], None],
                 workers: int = 1) -> Iterator[int]:
    """Render and write the pages; yields how many are done after each batch.

    An area's page and its actions' pages go to the same worker, so each action's details
    are rendered once.
    """
    def render_chunk(chunk: list[Page]) -> int:
        for page in chunk:
            write(page.output, render_page(env, page))
        return len(chunk)

    yield from processes.map_unordered(render_chunk, _chunks(pages, workers), workers)


def _chunks(pages: list[Page], workers: int) -> list[list[Page]]:
    """Pages in batches of whole areas, small enough to keep every worker busy to the end."""
    size = max(20, len(pages) // (max(workers, 1) * 16))
    chunks: list[list[Page]] = []
    current: list[Page] = []
    for _, group in itertools.groupby(pages, key=_area_of):
        group = list(group)
        if current and len(current) + len(group) > size:
            chunks.append(current)
            current = []
        current += group
    if current:
        chunks.append(current)
    return chunks


def _area_of(page: Page) -> str:
    return page.area or page.output


def folder_fingerprint(*folders: Path) -> str:
    """A digest of every file in the folders (templates, assets, the code): any change re-renders every page."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(folder).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
