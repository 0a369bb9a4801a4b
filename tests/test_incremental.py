"""An incremental build is the same site as a full build, whatever field an editor changes.

The fields come from the JSON Schemas, not from a list kept here: every property the schemas
define must appear in the test content below, and each is edited in turn. After each edit the
incremental build (reusing the last one) must equal a `--full` build byte for byte, search
index included. A page whose fingerprint missed something it shows would stay stale and fail.
"""

from __future__ import annotations

import copy
import json
import shutil

import yaml

from concordat.errors import ContentErrors
from concordat.pipeline import build_site
from concordat.schema_check import SCHEMA_DIR
from concordat.serve import Preview

from .conftest import FIXTURES, make_project
from .test_build import tree

# Values other files refer to: changing one alone makes the content invalid, so they are
# changed only together with their references (the structural edits below), not one by one.
REFERENCED = {("themes", "theme", "id"), ("themes", "subtheme", "id"), ("organisations", "organisation", "id"),
              ("organisations", "organisation", "run_by"), ("area", None, "slug"), ("site", "region", "id")}


def schema_fields(name: str) -> set[tuple[str, str | None, str]]:
    """(schema, definition or None for the top level, property) for every property in a schema."""
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    fields = set()

    def walk(node: dict, owner: str | None) -> None:
        for key, child in node.get("properties", {}).items():
            fields.add((name, owner, key))
            if child.get("type") == "object":
                walk(child, f"{owner or ''}.{key}".lstrip("."))
    walk(schema, None)
    for definition, node in schema.get("$defs", {}).items():
        walk(node, definition)
    return fields


def free_text_fields(name: str, definition: str) -> list[str]:
    """The definition's plain text properties (no pattern, choices or reference): what any words fill."""
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    return [key for key, field in schema["$defs"][definition]["properties"].items()
            if field.get("type") == "string" and not {"pattern", "enum", "$ref", "minLength"} & field.keys()]


def occurrences(name: str, data) -> dict[tuple, list]:
    """Where each schema property occurs in the data: field -> list of key paths."""
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    found: dict[tuple, list] = {}

    def resolve(node: dict) -> tuple[dict, str | None]:
        if "$ref" in node:
            definition = node["$ref"].rsplit("/", 1)[-1]
            return schema["$defs"][definition], definition
        return node, None

    def walk(value, node: dict, owner: str | None, at: tuple) -> None:
        node, definition = resolve(node)
        owner = definition or owner
        if isinstance(value, dict):
            for key, child in value.items():
                found.setdefault((name, owner, key), []).append(at + (key,))
                sub = node["properties"][key]
                sub_resolved, _ = resolve(sub)
                nested_owner = owner if "$ref" in sub else f"{owner or ''}.{key}".lstrip(".")
                if sub_resolved.get("type") == "object" and "$ref" not in sub:
                    walk(child, sub, nested_owner, at + (key,))
                else:
                    walk(child, sub, owner, at + (key,))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, node.get("items", {}), owner, at + (i,))
    walk(data, schema, None, ())
    return found


def every_field_content() -> dict[str, dict]:
    """The example content, with every optional field the example leaves out filled in."""
    area = yaml.safe_load((FIXTURES / "example-area.yaml").read_text(encoding="utf-8"))
    area["source"]["url"] = "https://example.org/plan.docx"
    area["introduction"] = "This plan was agreed by the **Exampleshire** partners."
    area["reviewed"] = "2016-06-30"
    area["review_every"] = 6
    area["preamble"][0].update(progress="Completed in March 2015.", status_words="Completed")
    action = area["sections"][0]["groups"][0]["actions"][0]
    action["updates"] = [{"date": "2016-03-31", "text": "The line now runs at night.", "status": "amber"}]
    action["sic"] = ["the XMPT crisis team"]
    for name in free_text_fields("area", "action"):  # one the example leaves out: any words will do
        action.setdefault(name, f"The plan's {name.replace('_', ' ')}.")
    area["source"]["date_note"] = "Its latest dated entry is from May 2015."
    area["source"]["rag_column"] = "colours-lost"
    area["kpi_headings"] = {"number": "KPI", "measure": "Proposed KPI", "baseline": "Baseline (2014)",
                            "target": "Target (and date)"}
    area["sections"][1]["groups"][0]["heading"] = "Improved access"
    area["sections"][1]["groups"].append({"heading": "Police and health", "theme": "urgent-emergency-access",
                                          "actions": [{"id": "2-1", "number": "2.1", "action": "Train officers",
                                                       "leads": ["example-police"], "status": "amber",
                                                       "rag": "amber (#FFC000)"}]})
    area["kpi_intro"] = "Measured each quarter."
    area["kpis"][0]["group"] = "Hard KPIs"
    area["notes"] = [{"heading": "Key to ratings", "text": "Red means not on track.",
                      "editor_note": "The colours were lost in the source document."}]
    area["signatories"] = ["example-police"]
    area["region"] = "london"
    area["reviewers"] = ["@exampleshire-editor", "@example-org/crisis-team"]
    area["covers"] = [{"name": "Exampleton", "council": "Exampleton Borough Council",
                       "within": "Exampleshire County Council", "towns": ["Sampleford", "Testbury"]}]
    organisations = yaml.safe_load((FIXTURES / "organisations.yaml").read_text(encoding="utf-8"))
    organisations["organisations"] += [
        {"id": "example-hospitals", "name": "Exampleshire Hospitals NHS Trust", "type": "nhs-trust"},
        {"id": "example-general", "name": "Exampleshire General Hospital", "type": "hospital",
         "run_by": "example-hospitals"}]
    organisations["organisations"][1]["url"] = "https://police.example.org/"
    root = FIXTURES.parent.parent / "content"
    site = yaml.safe_load((root / "site.yaml").read_text(encoding="utf-8"))
    site["repository"] = "https://github.com/example/concordat-plans"
    site["branch"] = "main"
    themes = yaml.safe_load((root / "themes.yaml").read_text(encoding="utf-8"))
    return {"area": area, "organisations": organisations, "site": site, "themes": themes}


FILES = {"area": "areas/exampleshire.yaml", "organisations": "organisations.yaml", "site": "site.yaml",
         "themes": "themes.yaml"}


def write_content(project, content: dict[str, dict]) -> None:
    """Save the files whose text changed, and only those, as an editor does: the preview keeps
    what it worked out from the others."""
    for name, data in content.items():
        path = project.content / FILES[name]
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def edited(field: tuple, value, content: dict[str, dict]):
    """Another valid value for the field: the edit an editor might make."""
    name, owner, key = field
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    node = (schema["$defs"][owner] if owner and owner in schema["$defs"] else schema)
    if owner and owner not in schema["$defs"]:
        for part in owner.split("."):
            node = node["properties"][part]
    node = node["properties"][key]
    if "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    themes = content["themes"]["themes"]
    if field == ("area", "action", "status"):  # the plan's own status: its status_words say complete
        return "complete" if value == "not-rated" else "not-rated"
    if "enum" in node:
        return next(v for v in node["enum"] if v != value)
    if key == "theme":
        return next(t["id"] for t in themes if t["id"] != value)
    if key == "subtheme":
        return next(s["id"] for t in themes for s in t["subthemes"] if value in [x["id"] for x in t["subthemes"]]
                    and s["id"] != value)
    if key == "status_words":  # a longer quote of the preamble's progress
        return value + " in March 2015"
    if key == "sic":  # words quoted from the action's text: a shorter quote is still in it
        return [value[0][:-1]]
    if key == "rag":  # what the importer writes for a RAG cell with words in it too
        return value + ", words: At risk"
    if key == "branch":
        return "published"
    if key == "reviewers":
        return [*value, "@another-editor"]
    if key == "region":
        return next(r["id"] for r in content["site"]["regions"] if r["id"] != value)
    if key == "required_organisation_types":
        return value[1:]
    if key in ("leads", "signatories"):
        return [o["id"] for o in content["organisations"]["organisations"] if o["id"] not in value][:1] + value[1:]
    if node.get("type") == "integer":
        return value + 10
    if node.get("type") == "array":
        return [*value, "EXP"]
    if key in ("due", "date", "reviewed"):
        return "2017-02-28" if len(value) == 10 else "2017-02"
    if key == "id":
        return value + "-b"
    if key == "base_url":
        return "/plans/"
    if key == "contact_email":
        return "other@example.org"
    if key in ("url", "repository"):
        return value + "x"
    return value + " edited"


def get(data, at):
    for part in at:
        data = data[part]
    return data


def test_every_schema_field_is_in_the_test_content():
    content = every_field_content()
    found = set()
    for name, data in content.items():
        found |= set(occurrences(name, data))
    wanted = set().union(*(schema_fields(n) for n in FILES))
    # Containers are covered through their own fields.
    containers = {f for f in wanted if any(g[1] and g[1].split(".")[0] == f[2] for g in wanted)}
    missing = sorted(wanted - found - containers, key=str)
    assert not missing, f"add these fields to every_field_content(): {missing}"


def editable_fields(content) -> list[tuple[tuple, tuple]]:
    """(field, key path of its first occurrence) for every field an editor can change alone."""
    fields = []
    for name in FILES:
        for field, paths in sorted(occurrences(name, content[name]).items(), key=str):
            value = get(content[name], paths[0])
            if field in REFERENCED or isinstance(value, dict) or (isinstance(value, list) and value
                                                                  and isinstance(value[0], dict)):
                continue
            fields.append((field, paths[0]))
    assert len(fields) > 40
    return fields


def field_edits(project, content, fields=None):
    """Edit every editable field of the content (or those given), one at a time, writing the
    files after each; yields the key path of each edit once it is written."""
    for field, at in fields if fields is not None else editable_fields(content):
        name = field[0]
        before = copy.deepcopy(content)
        parent = get(content[name], at[:-1])
        parent[at[-1]] = edited(field, parent[at[-1]], content)
        if field == ("area", "section", "theme"):  # its groups' sub-headings belong to the old theme
            for group in parent["groups"]:
                if "theme" not in group:
                    group.pop("subtheme", None)
        assert before != content
        write_content(project, content)
        yield field, at


INDEXED_WITH_PAGEFIND = ("area", "action")  # an action's own fields: what its search result shows


def test_editing_any_field_rebuilds_exactly_what_a_full_build_would(tmp_path, request):
    """An action's own fields (the first edited) are edited with the real Pagefind building the
    search index; the others with its stand-in (tests/stand_in_pagefind.py), whose index equals a
    full build's exactly when Pagefind's would, in a fraction of the time."""
    project = make_project(tmp_path / "p")
    content = every_field_content()
    write_content(project, content)
    fields = editable_fields(content)
    real = [(field, at) for field, at in fields if field[:2] == INDEXED_WITH_PAGEFIND]
    assert len(real) > 10 and fields[:len(real)] == real
    build_site(project, workers=1)
    stale = incremental_differences(project, content, real, tmp_path / "full")
    request.getfixturevalue("stand_in_pagefind")
    build_site(project, full=True, workers=1)  # the index it keeps is then the stand-in's too
    stale += incremental_differences(project, content, fields[len(real):], tmp_path / "full")
    assert not stale, "incremental build differs from a full build after editing:\n" + "\n".join(stale)


def incremental_differences(project, content, fields, full) -> list[str]:
    """Edit each field in turn; after each, what an incremental build has that a full build has not."""
    stale = []
    for field, at in field_edits(project, content, fields):
        try:
            result = build_site(project, workers=1)
        except ContentErrors as exc:
            raise AssertionError(f"the edit of {at} made invalid content: {[str(e) for e in exc.errors]}") from None
        assert result.rendered > 0, f"editing {field} at {at} re-rendered nothing"
        build_site(project, out_dir=full, full=True, workers=1)
        if tree(project.output) != tree(full):
            differ = sorted(k for k, v in tree(project.output).items() if tree(full).get(k) != v)
            stale.append(f"{'.'.join(map(str, at))}: {differ[:3]}")
    return stale


def test_the_preview_after_any_edit_shows_what_a_fresh_preview_would(tmp_path, monkeypatch):
    """The preview keeps content, pages and fingerprints in memory between saves, and reuses
    what it kept when it looks unchanged: after every edit its pages must equal those of a
    preview started afresh on the edited files."""
    # The open data at once, as the background refresh writes it; the search index is not tested here.
    monkeypatch.setattr(Preview, "_refresh_in_background",
                        lambda self, site, pages, *_: self.write_site_files(site, pages))
    project = make_project(tmp_path / "p")
    content = every_field_content()
    write_content(project, content)
    kept = Preview(project)
    kept.rebuild()
    assert (kept.out / "data" / "actions.csv").is_file() and (kept.out / "data" / "comparison.csv").is_file()
    stale = []
    for _, at in field_edits(project, content):
        kept.rebuild()
        assert not kept.errors, f"the edit of {at} made invalid content: {kept.errors}"
        fresh = Preview(project)
        fresh.out = tmp_path / "fresh"
        shutil.rmtree(fresh.out, ignore_errors=True)
        fresh.rebuild()
        if tree(kept.out) != tree(fresh.out):
            differ = sorted(k for k, v in tree(fresh.out).items() if tree(kept.out).get(k) != v)
            stale.append(f"{'.'.join(map(str, at))}: {differ[:3]}")
    assert not stale, "the preview differs from a fresh one after editing:\n" + "\n".join(stale)


def test_structural_edits_rebuild_exactly_what_a_full_build_would(tmp_path):
    project = make_project(tmp_path / "p")
    content = every_field_content()
    write_content(project, content)
    build_site(project, workers=1)
    area_file = project.content / "areas" / "exampleshire.yaml"

    def remove_action(c):
        c["area"]["sections"][0]["groups"][0]["actions"].pop()

    def add_action(c):
        c["area"]["sections"][0]["groups"][0]["actions"].append(
            {"id": "1-9", "number": "1.9", "action": "A new action", "leads": ["xmpt"], "status": "green",
             "rag": "green (#00B050)"})

    def rename_organisation_id(c):
        c["organisations"]["organisations"][0]["id"] = "xmpt-new"
        for section in c["area"]["sections"]:
            for group in section["groups"]:
                for action in group["actions"]:
                    action["leads"] = ["xmpt-new" if lead == "xmpt" else lead for lead in action.get("leads", [])]

    def add_organisation(c):
        c["organisations"]["organisations"].append({"id": "new-org", "name": "New Org", "type": "other"})

    def add_area(c):
        other = copy.deepcopy(c["area"])
        other.update(name="Otherside", slug="otherside")
        (project.content / "areas" / "otherside.yaml").write_text(yaml.safe_dump(other, sort_keys=False))

    def remove_area(c):
        (project.content / "areas" / "otherside.yaml").unlink()

    for edit in (remove_action, add_action, rename_organisation_id, add_organisation, add_area, remove_area):
        edit(content)
        write_content(project, content)
        build_site(project, workers=1)
        build_site(project, out_dir=tmp_path / "full", full=True, workers=1)
        assert tree(project.output) == tree(tmp_path / "full"), edit.__name__
    assert area_file.exists()


def test_output_is_the_same_whatever_the_number_of_workers(tmp_path, real_project, stand_in_pagefind):
    # The workers render the pages; the search index is made from them (the stand-in's is equal
    # exactly when Pagefind's would be).
    one = tmp_path / "one"
    three = tmp_path / "three"
    build_site(real_project, out_dir=one, full=True, workers=1)
    build_site(real_project, out_dir=three, full=True, workers=3)
    assert tree(one) == tree(three)
    assert len([k for k in tree(one) if k.endswith(".html")]) > 300


def test_a_build_with_nothing_changed_leaves_the_site_untouched(example_project):
    build_site(example_project)
    before = {p: p.stat().st_mtime_ns for p in example_project.output.rglob("*")}
    inode = example_project.output.stat().st_ino
    result = build_site(example_project)
    assert result.unchanged and result.rendered == 0
    assert example_project.output.stat().st_ino == inode
    assert {p: p.stat().st_mtime_ns for p in example_project.output.rglob("*")} == before
    assert "Nothing changed" in result.summary()




def test_the_stand_in_search_index_changes_exactly_when_the_action_pages_do(example_project, stand_in_pagefind,
                                                                           tmp_path):
    """What the tests that use the stand-in rely on: its index is equal for equal action pages,
    differs when an action page does, and the build accepts it."""
    def index(name):
        build_site(example_project, out_dir=tmp_path / name, full=True, workers=1)
        return tree(tmp_path / name / "pagefind")

    first, again = index("first"), index("again")
    assert first == again and json.loads(first["pagefind-entry.json"])["version"] == "stand-in"
    area = example_project.content / "areas" / "exampleshire.yaml"
    area.write_text(area.read_text(encoding="utf-8").replace("Agree response times", "Agree waiting times"),
                    encoding="utf-8")
    assert index("edited") != first
