"""Every URL and the file it is written to (concordat/urls.py), on their own: no site is built."""

from __future__ import annotations

import pytest

from concordat.model import Action, Region, SiteConfig, Theme
from concordat.render import make_environment
from concordat.urls import (
    action_url,
    area_changes_url,
    area_feed_url,
    area_url,
    compare_url,
    organisation_feed_url,
    organisation_url,
    output_file,
    paged_url,
    theme_url,
)

from .conftest import ROOT

THEME = Theme("recovery", 5, "Recovery", "", ())


class Slugged:
    slug = "bromley"


class Identified:
    def __init__(self, id_: str):
        self.id = id_


def test_a_folder_url_is_written_to_its_index_and_a_file_url_to_itself():
    assert output_file("") == "index.html"
    assert output_file("areas/bromley/") == "areas/bromley/index.html"
    assert output_file("areas/bromley/changes.xml") == "areas/bromley/changes.xml"
    assert output_file("404.html") == "404.html"
    assert output_file("places/finder.json") == "places/finder.json"


def test_a_listing_s_first_page_is_its_own_url_and_later_pages_are_below_it():
    assert paged_url("changes/", 1) == "changes/"
    assert paged_url("changes/", 2) == "changes/page/2/"
    assert theme_url(THEME) == theme_url(THEME, 1) == "themes/recovery/"
    assert theme_url(THEME, 2) == "themes/recovery/page/2/"
    assert organisation_url(Identified("kent-police"), 3) == "organisations/kent-police/page/3/"
    assert output_file(theme_url(THEME, 2)) == "themes/recovery/page/2/index.html"


def test_an_area_its_actions_and_its_changes_have_urls_below_the_area():
    action = Action("bromley", "1a-2", "1a", "Text", "not-rated", None, None, None, None)
    assert area_url(Slugged()) == "areas/bromley/"
    assert action_url(action) == "areas/bromley/actions/1a-2/"
    assert area_changes_url(Slugged()) == "areas/bromley/changes/"
    assert area_feed_url(Slugged()) == "areas/bromley/changes.xml"
    assert organisation_feed_url(Identified("lbb")) == "organisations/lbb/changes.xml"


@pytest.mark.parametrize("region, expected", [
    (None, "compare/"), ("south-east", "compare/south-east/"), (Region("london", "London"), "compare/london/"),
])
def test_the_comparison_of_a_region_is_below_the_national_one(region, expected):
    assert compare_url(region) == expected


@pytest.mark.parametrize("base_url, expected", [
    ("https://example.org/", "/themes/recovery/page/2/"),
    ("https://example.org/plans", "/plans/themes/recovery/page/2/"),
    ("https://example.org/plans/", "/plans/themes/recovery/page/2/"),
])
def test_templates_link_to_a_url_below_the_site_s_base_path(base_url, expected):
    """A site published under a sub-path (GitHub Pages' /repo/) links to its own pages there."""
    base_path = SiteConfig("Plans", base_url, "a@example.org").base_path
    env = make_environment(ROOT / "templates", base_path)
    assert env.globals["theme_url"](THEME, 2) == expected
    assert env.globals["url"]("") == base_path
