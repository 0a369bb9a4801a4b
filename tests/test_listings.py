"""Listings and numbered pages (concordat/listings.py), and the one grouping by lead, on their own:
a few hand-made areas, no site is built."""

from __future__ import annotations

from functools import partial

from concordat.listings import (
    LISTING_PAGE_SIZE,
    WHOLE_LISTING,
    AreaRef,
    ListingGroup,
    chunked,
    numbered,
    organisation_listings,
    paginate,
    theme_listings,
    where_listed,
)
from concordat.model import Action, Area, Group, Section, Site, SiteConfig, Subtheme, Theme
from concordat.urls import theme_url

THEME = Theme("recovery", 5, "Recovery", "", (Subtheme("housing", "Housing"),))


def action(area: str, number: int, leads: tuple[str, ...] = ()) -> Action:
    return Action(area, f"a{number}", str(number), f"Action {number}", "not-rated", "recovery", None, None, None,
                  leads=leads)


def groups(*sizes: int) -> list[ListingGroup]:
    return [ListingGroup(AreaRef(f"Area {i}", f"a{i}"), None, None, tuple(range(n))) for i, n in enumerate(sizes)]


def area(slug: str, *groups_: Group) -> Area:
    return Area(slug.title(), slug, f"content/areas/{slug}.yaml", sections=(Section("Recovery", "recovery", groups_),))


def site(*areas: Area) -> Site:
    return Site(SiteConfig("Plans", "/", "a@example.org"), (THEME,), {}, areas)


def test_a_listing_page_holds_at_most_200_actions_by_default():
    assert LISTING_PAGE_SIZE == 200
    sizes = [[len(g.actions) for g in page] for page in paginate(groups(100, 100, 1))]
    assert sizes == [[100, 100], [1]]
    assert len(paginate(groups(150, 50))) == 1  # exactly 200: one page


def test_numbered_pages_link_to_each_other_at_page_n_urls_and_say_which_page_they_are():
    shown = numbered(paginate(groups(150, 60, 150), size=200), partial(theme_url, THEME), "Recovery")
    assert [p.url for p in shown] == ["themes/recovery/", "themes/recovery/page/2/", "themes/recovery/page/3/"]
    assert [p.title for p in shown] == ["Recovery", "Recovery (page 2 of 3)", "Recovery (page 3 of 3)"]
    assert shown[1].pagination == {"number": 2, "total": 3, "urls": [p.url for p in shown]}


def test_a_short_list_is_one_page_and_an_empty_one_is_one_empty_page():
    assert [len(c) for c in chunked(tuple(range(101)), 50)] == [50, 50, 1]
    assert chunked((), 50) == [()]
    [only] = numbered(chunked((), 50), partial(theme_url, THEME), "Recovery")
    assert (only.url, only.title, only.pagination["total"]) == ("themes/recovery/", "Recovery", 1)


def test_where_listed_names_the_first_page_an_area_and_each_of_its_sub_headings_appear_on():
    first = ListingGroup(AreaRef("Kent", "kent"), "Section", None, tuple(range(3)))
    housing = ListingGroup(AreaRef("Kent", "kent"), "Section", "Housing", tuple(range(3)))
    shown = numbered(paginate([first, housing], size=4), partial(theme_url, THEME), "Recovery")
    anchors = where_listed(shown)
    assert anchors[("kent", WHOLE_LISTING)] == "themes/recovery/#area-kent"
    assert anchors[("kent", None)] == "themes/recovery/#area-kent"
    assert anchors[("kent", "Housing")] == "themes/recovery/page/2/#area-kent"


def test_an_action_is_listed_once_under_each_organisation_it_names_however_often():
    kent = area("kent", Group(None, "recovery", None, (action("kent", 1, ("kcc", "kent-police", "kcc")),
                                                         action("kent", 2, ("kent-police",)))))
    assert {org: [a.id for a in led] for org, led in kent.actions_by_lead.items()} == {
        "kcc": ["a1"], "kent-police": ["a1", "a2"]}
    listings = organisation_listings(site(kent))
    assert [[a.id for a in g.actions] for g in listings["kent-police"]] == [["a1", "a2"]]
    assert listings["kcc"][0].area == AreaRef("Kent", "kent")


def test_a_theme_lists_each_area_under_its_own_headings_and_the_national_sub_heading():
    kent = area("kent", Group("Housing first", "recovery", "housing", (action("kent", 1),)),
                Group(None, "recovery", None, ()))  # an empty group is left out
    bromley = area("bromley", Group(None, "recovery", None, (action("bromley", 1),)))
    [kent_group, bromley_group] = theme_listings(site(kent, bromley))["recovery"]
    assert (kent_group.heading, kent_group.subtheme) == ("Recovery — Housing first", "Housing")
    assert (bromley_group.area.slug, bromley_group.subtheme) == ("bromley", None)
