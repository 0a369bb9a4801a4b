"""Stage 3, model: the plans' dataclasses (`model`) built from validated content (`load`).

Run only on content that passed validation, so every field the schema requires is here. The
preview keeps each unchanged file's `Area` (`make_site`'s `areas`), so building one must
depend on its file alone.
"""

from __future__ import annotations

from collections.abc import Callable

from .dates import overdue_at, status_at
from .model import (
    ACTION_TEXT_FIELDS,
    Action,
    Area,
    CouncilArea,
    GlossaryEntry,
    Group,
    Kpi,
    KpiHeadings,
    Note,
    Organisation,
    Region,
    Section,
    Site,
    SiteConfig,
    Subtheme,
    Theme,
    Update,
)
from .names import number_subheadings


def build_action(area_slug: str, data: dict, theme_id: str | None, subtheme_id: str | None,
                 section_heading: str | None, group_heading: str | None, reviewed: str | None = None,
                 number_under: str = "", rag_column: str = "", source_line: int | None = None) -> Action:
    updates = tuple(sorted((Update(u["date"], u["text"], u["status"]) for u in data.get("updates", ())),
                           key=lambda u: u.date))
    return Action(
        area_slug=area_slug,
        id=data["id"],
        number=data.get("number", ""),
        text=data["action"],
        status=status_at(data["status"], updates, None),
        theme_id=theme_id,
        subtheme_id=subtheme_id,
        section_heading=section_heading,
        group_heading=group_heading,
        **{name: data.get(name, "") for name in ACTION_TEXT_FIELDS},
        leads=tuple(data.get("leads", ())),
        due=data.get("due"),
        updates=updates,
        plan_status=data["status"],
        overdue_at_review=overdue_at(data.get("due"), status_at(data["status"], updates, reviewed), reviewed),
        sic=tuple(data.get("sic", ())),
        number_under=number_under,
        rag_column=rag_column,
        source_line=source_line,
    )


def build_area(data: dict, source_path: str, line_of: Callable[..., int | None] | None = None) -> Area:
    """An Area from one validated area file; `line_of(*at)` gives the line of the value at `at`."""
    line_of = line_of or (lambda *at: None)
    slug = data["slug"]
    reviewed = data.get("reviewed")
    under = number_subheadings(data)
    rag_column = data.get("source", {}).get("rag_column", "")
    sections = []
    for si, s in enumerate(data["sections"]):
        groups = []
        for gi, g in enumerate(s["groups"]):
            theme_id = g.get("theme", s["theme"])
            actions = tuple(
                build_action(slug, a, theme_id, g.get("subtheme"), s["heading"], g.get("heading"), reviewed,
                             under.get(a["id"], ""), rag_column, line_of("sections", si, "groups", gi, "actions", ai))
                for ai, a in enumerate(g["actions"])
            )
            groups.append(Group(g.get("heading"), theme_id, g.get("subtheme"), actions))
        sections.append(Section(s["heading"], s["theme"], tuple(groups)))
    source = data.get("source", {})
    return Area(
        name=data["name"],
        slug=slug,
        source_path=source_path,
        source_title=source.get("title", ""),
        source_date=source.get("date", ""),
        source_date_note=source.get("date_note", ""),
        source_url=source.get("url"),
        introduction=data.get("introduction", ""),
        preamble=tuple(build_action(slug, a, None, None, None, None, reviewed, under.get(a["id"], ""), rag_column,
                                    line_of("preamble", i)) for i, a in enumerate(data.get("preamble", ()))),
        sections=tuple(sections),
        kpi_intro=data.get("kpi_intro", ""),
        kpi_headings=KpiHeadings(**data.get("kpi_headings", {})),
        kpis=tuple(Kpi(**k) for k in data.get("kpis", ())),
        glossary=tuple(GlossaryEntry(**g) for g in data.get("glossary", ())),
        notes=tuple(Note(**n) for n in data.get("notes", ())),
        reviewed=reviewed,
        review_every=data.get("review_every"),
        signatories=tuple(dict.fromkeys(data.get("signatories", ()))),
        signatories_recorded="signatories" in data,
        rag_column=source.get("rag_column", ""),
        region=data.get("region"),
        covers=tuple(CouncilArea(c["name"], c["council"], c.get("within", ""), tuple(c.get("towns", ())))
                     for c in data.get("covers", ())),
        reviewers=tuple(data.get("reviewers", ())),
    )


def build_themes(data: dict) -> tuple[Theme, ...]:
    return tuple(
        Theme(t["id"], t["number"], t["title"], t["summary"],
              tuple(Subtheme(s["id"], s["title"]) for s in t["subthemes"]))
        for t in data["themes"]
    )


def build_organisations(data: dict) -> dict[str, Organisation]:
    return {
        o["id"]: Organisation(o["id"], o["name"], o["type"], tuple(o.get("short_names", ())), o.get("url"),
                              o.get("run_by"))
        for o in data["organisations"]
    }


def build_config(data: dict, base_url: str | None = None) -> SiteConfig:
    return SiteConfig(
        title=data["title"],
        base_url=base_url or data["base_url"],
        contact_email=data["contact_email"],
        description=data.get("description", ""),
        repository=data.get("repository"),
        branch=data.get("branch", "main"),
        licence_title=data.get("licence", {}).get("title"),
        licence_url=data.get("licence", {}).get("url"),
    )


def build_glossary(data: dict) -> tuple[GlossaryEntry, ...]:
    return tuple(GlossaryEntry(**g) for g in data.get("glossary", ()))


def make_site(content, base_url: str | None = None, areas: dict | None = None) -> Site:
    """The Site from validated content. `areas` (path -> (Document, Area)) lets the preview
    keep the Area of every file that has not changed since the last save."""
    built = []
    for doc in content.areas:
        cached = areas.get(doc.path) if areas is not None else None
        if cached is not None and cached[0] is doc:
            area = cached[1]
        else:
            area = build_area(doc.data, doc.path, lambda *at, doc=doc: doc.where(*at)[0])
            if areas is not None:
                areas[doc.path] = (doc, area)
        built.append(area)
    return Site(
        config=build_config(content.site.data, base_url),
        themes=build_themes(content.themes.data),
        organisations=build_organisations(content.organisations.data),
        areas=tuple(built),
        glossary=build_glossary(content.site.data),
        required_types=tuple(content.site.data.get("required_organisation_types", ())),
        regions=tuple(Region(r["id"], r["name"]) for r in content.site.data.get("regions", ())),
    )
