"""Every URL the site has, and the file each is written to, in one place.

A URL is a path below the site's base ("areas/bromley/"; "" is the home page): templates put
`config.base_path` before it (render's `url()`), so the site works at a domain's root or under
a sub-path alike. URLs are made only from validated slugs and ids, so no content can name a
file outside the output folder.
"""

from __future__ import annotations

from typing import Protocol

HOME_URL = ""
PLACES_URL = "places/"  # every place each plan covers: the finder's answer without JavaScript
FINDER_DATA_URL = "places/finder.json"  # what the finder (assets/finder.js) looks places up in
SEARCH_URL = "search/"
ORGANISATIONS_URL = "organisations/"
GLOSSARY_URL = "glossary/"
DATA_URL = "data/"
ACCESSIBILITY_URL = "accessibility/"
NOT_FOUND_URL = "404.html"
CHANGES_URL = "changes/"
CHANGES_FEED_URL = "changes.xml"
COMPARE_URL = "compare/"
ACTION_URL = "areas/{area}/actions/{action}/"


class _Slugged(Protocol):
    slug: str


class _Identified(Protocol):
    id: str


class _ActionLike(Protocol):
    area_slug: str
    id: str


def output_file(url: str) -> str:
    """The file a URL is served from: a folder's `index.html`, else the URL itself."""
    return url + "index.html" if url.endswith("/") or url == "" else url


def paged_url(url: str, number: int) -> str:
    """Page `number` of a listing that starts at `url`: `url` itself, then `url`page/2/ and so on."""
    return url + (f"page/{number}/" if number > 1 else "")


def area_url(area: _Slugged) -> str:
    return f"areas/{area.slug}/"


def area_changes_url(area: _Slugged) -> str:
    return area_url(area) + "changes/"


def area_feed_url(area: _Slugged) -> str:
    return area_url(area) + "changes.xml"


def action_url(action: _ActionLike) -> str:
    return ACTION_URL.format(area=action.area_slug, action=action.id)


def theme_url(theme: _Identified, page: int = 1) -> str:
    return paged_url(f"themes/{theme.id}/", page)


def organisation_url(org: _Identified, page: int = 1) -> str:
    return paged_url(f"organisations/{org.id}/", page)


def organisation_feed_url(org: _Identified) -> str:
    return organisation_url(org) + "changes.xml"


def compare_url(region: _Identified | str | None = None) -> str:
    """The national comparison, or one region's (a `Region`, or an area's `region` id)."""
    region_id = region if isinstance(region, str) or region is None else region.id
    return COMPARE_URL + (f"{region_id}/" if region_id else "")
