"""Stage 5, render: pages to HTML with Jinja, every value escaped.

Templates hold presentation only; what a page shows is decided in `routes`. Autoescape is
on for every template, and text from plans reaches HTML only through the `md` and `text`
filters of `markup`, which cannot emit markup from content.
"""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape

from . import markup
from .model import ORGANISATION_TYPES, STATUS_LABELS, STATUS_MEANINGS, Site
from .routes import Page, action_url, area_url, organisation_url, theme_url


def make_environment(templates_dir: Path, site: Site, asset_version: str = "") -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    base = site.config.base_path

    def url(path: str) -> str:
        return base + path

    env.globals.update(
        site=site,
        url=url,
        asset=lambda name: f"{base}assets/{name}" + (f"?v={asset_version}" if asset_version else ""),
        area_url=lambda a: url(area_url(a)),
        action_url=lambda a: url(action_url(a)),
        theme_url=lambda t, n=1: url(theme_url(t, n)),
        organisation_url=lambda o, n=1: url(organisation_url(o, n)),
        organisations_of=lambda action: [site.organisations[i] for i in action.leads],
        STATUS_LABELS=STATUS_LABELS,
        STATUS_MEANINGS=STATUS_MEANINGS,
        ORGANISATION_TYPES=ORGANISATION_TYPES,
    )
    env.filters["groupby_order"] = lambda items, attribute: [
        (key, list(group)) for key, group in itertools.groupby(items, key=lambda item: getattr(item, attribute))
    ]
    env.filters["md"] = pass_context(lambda ctx, text: markup.markdown_filter(text, ctx.get("abbreviator")))
    env.filters["text"] = pass_context(lambda ctx, text: markup.text_filter(text, ctx.get("abbreviator")))
    return env


def render_page(env: Environment, site: Site, page: Page) -> bytes:
    """One page's HTML. Abbreviations are explained once per page, from its area's glossary first."""
    entries = []
    if page.area is not None:
        own = site.config.base_path + area_url(page.area)
        entries += [(e, own) for e in page.area.glossary]
    entries += [(e, site.config.base_path + "glossary/") for e in site.glossary]
    abbreviator = markup.Abbreviator(entries)
    template = env.get_template(page.template)
    html = template.render(page=page, abbreviator=abbreviator, **page.context)
    return html.encode("utf-8")


def folder_fingerprint(*folders: Path) -> str:
    """A digest of every file in the folders (templates, assets, the code): any change re-renders every page."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(folder).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
