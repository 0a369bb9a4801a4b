"""The build: what it writes, that bad content publishes nothing, and that it only redoes what changed."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from concordat import search
from concordat.errors import ContentErrors
from concordat.pipeline import build_site

from .conftest import ROOT, make_project


def tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_writes_every_kind_of_page(built_example):
    project, result = built_example
    site = project.output
    for page in ["index.html", "404.html", "search/index.html", "accessibility/index.html", "glossary/index.html",
                 "areas/exampleshire/index.html", "areas/exampleshire/actions/1-1/index.html",
                 "themes/commissioning/index.html", "organisations/index.html", "organisations/xmpt/index.html",
                 "sitemap.xml", "robots.txt", "data/actions.json", "data/actions.csv",
                 "data/areas/exampleshire.json", "data/areas/exampleshire.csv", "pagefind/pagefind.js"]:
        assert (site / page).is_file(), page
    assert result.actions == 3
    assert result.indexed == 3


def test_cli_prints_summary_and_errors_like_a_compiler(example_project):
    # build.py builds the project it sits in; run its entry point on the example project instead.
    code = ("import sys; from pathlib import Path; from concordat.cli import main; "
            "sys.exit(main(sys.argv[1:], Path('.')))")
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    ok = subprocess.run([sys.executable, "-c", code], cwd=example_project.root, capture_output=True, text=True,
                        env=env)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("Built ") and "3 actions" in ok.stdout
    area = example_project.content / "areas" / "exampleshire.yaml"
    area.write_text(area.read_text().replace("leads: [xmpt,", "leads: [xmtp,"))
    bad = subprocess.run([sys.executable, "-c", code, "check"], cwd=example_project.root, capture_output=True,
                         text=True, env=env)
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    assert "content/areas/exampleshire.yaml:" in bad.stderr and "unknown organisation 'xmtp'" in bad.stderr


def test_failed_build_leaves_previous_site_untouched(example_project):
    build_site(example_project)
    before = tree(example_project.output)
    area = example_project.content / "areas" / "exampleshire.yaml"
    area.write_text(area.read_text().replace("status: complete", "status: done"))
    with pytest.raises(ContentErrors):
        build_site(example_project)
    assert tree(example_project.output) == before
    assert not list(example_project.root.glob(".site.staging-*"))


def test_one_file_edit_rerenders_only_what_it_affects(example_project):
    first = build_site(example_project)
    assert first.reused == 0
    again = build_site(example_project)
    assert again.rendered == 0 and again.reused == first.pages
    area = example_project.content / "areas" / "exampleshire.yaml"
    area.write_text(area.read_text().replace("Agree the street triage protocol", "Agree the street triage plan"))
    edited = build_site(example_project)
    # The area page, the action's own page, and the listings that show its title.
    assert 0 < edited.rendered < first.pages
    page = (example_project.output / "areas/exampleshire/actions/1-2/index.html").read_text()
    assert "Agree the street triage plan" in page


def test_open_data_has_every_action_with_the_documented_columns(built_example):
    example_project, _ = built_example
    data = json.loads((example_project.output / "data/actions.json").read_text())
    assert [a["id"] for a in data] == ["governance", "1-1", "1-2"]
    for key in ["area", "area_slug", "id", "number", "title", "theme", "subtheme", "leads", "timescale",
                "status", "url"]:
        assert key in data[0]
    first = data[1]
    assert first["leads"] == ["xmpt", "example-police"]
    assert first["url"] == "/areas/exampleshire/actions/1-1/"
    assert first["status"] == "not-rated"
    rows = list(csv.DictReader(io.StringIO((example_project.output / "data/actions.csv").read_text("utf-8-sig"))))
    assert [r["id"] for r in rows] == ["governance", "1-1", "1-2"]
    assert rows[1]["leads"] == "xmpt; example-police"
    assert rows[1]["action"] == first["action"]


def test_base_url_prefixes_every_internal_link(example_project):
    build_site(example_project, base_url="/plans/")
    page = (example_project.output / "areas/exampleshire/index.html").read_text()
    assert 'href="/plans/areas/exampleshire/actions/1-1/"' in page
    assert 'href="/areas/' not in page
    search = (example_project.output / "search/index.html").read_text()
    assert 'data-base="/plans/"' in search


def test_renaming_an_organisation_updates_every_page_that_names_it(example_project):
    build_site(example_project)
    orgs = example_project.content / "organisations.yaml"
    orgs.write_text(orgs.read_text().replace("name: Exampleshire Police", "name: Exampleshire Constabulary"))
    result = build_site(example_project)
    assert result.reused > 0
    site = example_project.output
    for page in ["areas/exampleshire/index.html", "areas/exampleshire/actions/1-1/index.html",
                 "organisations/example-police/index.html", "organisations/index.html", "search/index.html"]:
        html = (site / page).read_text()
        assert "Exampleshire Constabulary" in html and "Exampleshire Police" not in html, page


def test_search_index_is_whole_and_covers_every_action(built_site):
    actions = json.loads((built_site / "data/actions.json").read_text(encoding="utf-8"))
    bundle = built_site / "pagefind"
    assert search.check_index(bundle) == len(actions) == 233
    # Only what the site's own search uses is published: no unused ready-made UI bundles.
    assert not [name for name in search.UNUSED_BUNDLE_FILES if (bundle / name).exists()]
    assert (bundle / "pagefind-worker.js").stat().st_size > 0


def test_fragments_are_in_bundles_and_every_page_reads_back(built_site):
    """Pagefind's one fragment file per page is bundled (issue 22): a few files, none per page,
    and every action's fragment is read back from its bundle, as the search page reads it."""
    actions = json.loads((built_site / "data/actions.json").read_text(encoding="utf-8"))
    fragments = built_site / "pagefind" / "fragment"
    assert not list(fragments.glob("*.pf_fragment"))
    assert len(list(fragments.glob("*.pf_bundle"))) == -(-len(actions) // search.FRAGMENTS_PER_BUNDLE)
    read = list(search.page_fragments(built_site / "pagefind"))
    assert sorted(f["url"] for f in read) == sorted(a["url"] for a in actions)
    assert all(f["content"] and f["meta"]["title"] and f["filters"]["area"] for f in read)
    for script in ("pagefind.js", "pagefind-worker.js"):
        assert (built_site / "pagefind" / script).read_bytes().startswith(search.bundles.LOADER.read_bytes())


def test_a_damaged_fragment_bundle_is_caught_with_its_name(built_site, tmp_path):
    bundle = tmp_path / "pagefind"
    shutil.copytree(built_site / "pagefind", bundle)
    first, second = sorted((bundle / "fragment").glob("*.pf_bundle"))[:2]
    header, _, fragments = first.read_bytes().partition(b"\n")
    first.write_bytes(b"9 " + header + b"\n" + fragments)  # a fragment more than it holds
    with pytest.raises(search.SearchIndexError, match=f"{first.name} is damaged"):
        search.check_index(bundle)
    first.write_bytes(header + b"\n" + fragments)
    data = bytearray(second.read_bytes())
    data[-20] ^= 0xFF  # a changed byte in the last fragment: its gzip CRC no longer matches
    second.write_bytes(bytes(data))
    with pytest.raises(search.SearchIndexError, match=f"{second.name} is damaged"):
        search.check_index(bundle)
    second.unlink()
    with pytest.raises(search.SearchIndexError, match=f"{second.name} is damaged"):
        search.check_index(bundle)


def test_a_cut_short_index_file_is_caught(built_site, tmp_path):
    bundle = tmp_path / "pagefind"
    shutil.copytree(built_site / "pagefind", bundle)
    fragment = sorted((bundle / "fragment").iterdir())[0]
    fragment.write_bytes(fragment.read_bytes()[:-9])
    with pytest.raises(search.SearchIndexError, match=fragment.name):
        search.check_index(bundle)
    (bundle / "pagefind-entry.json").write_text("", encoding="utf-8")
    with pytest.raises(search.SearchIndexError, match="pagefind-entry.json"):
        search.check_index(bundle)


def test_a_failed_search_index_publishes_nothing(example_project, monkeypatch):
    build_site(example_project)
    before = tree(example_project.output)
    (example_project.root / "content/areas/exampleshire.yaml").write_text(
        (example_project.root / "content/areas/exampleshire.yaml").read_text(encoding="utf-8")
        .replace("Exampleshire", "Exampleshire and District", 1), encoding="utf-8")
    monkeypatch.setattr(search.indexing, "PAGEFIND", [sys.executable, "-c", "import sys; sys.exit('out of memory')"])
    with pytest.raises(search.SearchIndexError, match="Pagefind exited with code 1: out of memory"):
        build_site(example_project, full=True)
    assert tree(example_project.output) == before
    assert not list(example_project.output.parent.glob(".site.staging-*"))


def test_a_second_build_waits_for_the_first(example_project):
    """Two builds of one site/ take turns, instead of deleting each other's staging folder."""
    from concordat import write

    build_site(example_project)
    code = "import sys; from pathlib import Path; from concordat.cli import main; sys.exit(main(['--full'], Path('.')))"
    with write.output_lock(example_project.output):  # as a build in progress would hold it
        second = subprocess.Popen([sys.executable, "-c", code], cwd=example_project.root, text=True,
                                  env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = second.stderr.readline()
        assert line.strip() == "waiting for another build of site/ to finish"
        assert second.poll() is None
        assert not list(example_project.root.glob(".site.staging-*"))
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    assert out.startswith("Built ")


AREA = "content/areas/exampleshire.yaml"
EDITS = {
    "shared glossary meaning": ("content/site.yaml", "meaning: Accident and Emergency department",
                                "meaning: Accident and Emergency department (casualty)"),
    "area glossary meaning": (AREA, "meaning: Exampleshire Mental Health Partnership Trust",
                              "meaning: Exampleshire Mental Health Trust"),
    "theme title": ("content/themes.yaml", "title: Matching local need with a suitable range of services",
                    "title: Matching local need with the right services"),
    "organisation name": ("content/organisations.yaml", "name: Exampleshire Police", "name: Exampleshire Constabulary"),
    "action text": (AREA, "Agree the street triage protocol", "Agree a street triage plan"),
    "area name": (AREA, "name: Exampleshire\n", "name: Exampleshire and Isles\n"),
    "site title": ("content/site.yaml", "title: ", "title: The "),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_incremental_build_equals_a_full_build(example_project, tmp_path, edit):
    """Whatever is edited, reusing unchanged pages gives exactly what building everything gives."""
    build_site(example_project)
    path, old, new = EDITS[edit]
    target = example_project.root / path
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    build_site(example_project)
    build_site(example_project, out_dir=tmp_path / "full", full=True)
    assert tree(example_project.output) == tree(tmp_path / "full")


def test_a_plan_with_no_actions_yet_builds(tmp_path):
    project = make_project(tmp_path / "p", "name: Exampleshire\nslug: exampleshire\nsections:\n"
                                          "  - heading: Commissioning\n    theme: commissioning\n"
                                          "    groups:\n      - actions: []\n")
    result = build_site(project)
    assert (result.actions, result.indexed) == (0, 0)
    assert (project.output / "areas/exampleshire/index.html").is_file()
    assert not (project.output / "pagefind").exists()


def test_cli_reports_a_failed_search_index_without_a_traceback(example_project, monkeypatch, capsys):
    from concordat.cli import main

    monkeypatch.setattr(search.indexing, "PAGEFIND", [sys.executable, "-c", "import sys; sys.exit('out of memory')"])
    assert main(["--full"], example_project.root) == 1
    err = capsys.readouterr().err
    assert "error: Pagefind exited with code 1: out of memory; nothing was published." in err
    assert "Traceback" not in err
    assert not example_project.output.exists()


def test_the_swap_is_one_step_so_a_kill_between_renames_cannot_lose_the_site(example_project, monkeypatch):
    """With two renames (old site aside, new one in), a build killed between them leaves no site/ at all.
    renameat2(RENAME_EXCHANGE) swaps both in one step; this is the test that needs it."""
    from concordat import write

    build_site(example_project)
    area = example_project.content / "areas" / "exampleshire.yaml"
    area.write_text(area.read_text().replace("Exampleshire", "Exampleshire and District", 1))
    real_rename = os.rename

    def killed_after_one_rename(source, target):
        real_rename(source, target)
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(write.os, "rename", killed_after_one_rename)
    with pytest.raises(KeyboardInterrupt):
        build_site(example_project)
    monkeypatch.undo()
    assert "Exampleshire and District" in (example_project.output / "index.html").read_text()
    assert (example_project.output / "pagefind" / "pagefind.js").is_file()


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_a_killed_build_takes_pagefind_with_it(example_project, tmp_path):
    """Without PR_SET_PDEATHSIG, Pagefind would run on after a killed build, writing into a folder
    the next build removes."""
    marker = tmp_path / "pagefind-started"
    slow = f"import pathlib, time; pathlib.Path({str(marker)!r}).write_text('x'); time.sleep(60)"
    code = ("import sys; from pathlib import Path; from concordat import search; "
            f"search.indexing.PAGEFIND = [sys.executable, '-c', {slow!r}]; "
            "from concordat.cli import main; sys.exit(main(['--full'], Path('.')))")
    build = subprocess.Popen([sys.executable, "-c", code], cwd=example_project.root,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the stand-in for Pagefind never started"
    children = [Path(f"/proc/{pid}") for pid in
                Path(f"/proc/{build.pid}/task/{build.pid}/children").read_text().split()]
    assert any(str(marker) in _command(child) for child in children), "the stand-in is not the build's child"
    build.send_signal(signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 5
    while any(c.exists() and "Z" not in _state(c) for c in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = [_command(c) for c in children if c.exists() and "Z" not in _state(c)]
    assert not alive, f"outlived the build: {alive}"  # Pagefind, or the process writing the open data


def _command(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _state(proc: Path) -> str:
    try:
        return next(line for line in (proc / "status").read_text().splitlines() if line.startswith("State:"))
    except (OSError, StopIteration):
        return "Z"


def test_an_edit_rebuilds_only_the_search_index_that_holds_the_action(example_project):
    """A national site's actions are in several search indexes, by area: an edit to one area's
    action makes Pagefind run again on that area's index only; the others are kept as they were."""
    area = example_project.content / "areas" / "exampleshire.yaml"
    other = yaml.safe_load(area.read_text(encoding="utf-8"))
    other.update(name="Otherside", slug="otherside")
    (example_project.content / "areas" / "otherside.yaml").write_text(yaml.safe_dump(other), encoding="utf-8")
    first = build_site(example_project, index_shard_size=1)  # an area's actions are never split: one index each
    out = example_project.output
    assert sorted(p.name for p in out.glob("pagefind*")) == ["pagefind", "pagefind-2"]
    assert 'data-more-indexes=\'["pagefind-2/"]\'' in (out / "search" / "index.html").read_text(encoding="utf-8")

    def files(folder: str) -> dict[str, int]:
        return {p.relative_to(out).as_posix(): p.stat().st_ino for p in (out / folder).rglob("*") if p.is_file()}

    before = {"pagefind": files("pagefind"), "pagefind-2": files("pagefind-2")}
    text = area.read_text(encoding="utf-8")
    area.write_text(text.replace("progress: ", "progress: Newly edited. ", 1), encoding="utf-8")
    result = build_site(example_project, index_shard_size=1)
    assert result.indexed == first.indexed == first.actions > 0
    assert files("pagefind-2") == before["pagefind-2"], "the unchanged area's index was made again"
    assert files("pagefind") != before["pagefind"], "the edited area's index was not made again"
