"""The git history is untrusted input: whatever a commit holds (its message, file names, file contents,
a version the build refuses), the build either succeeds with well-formed feeds or fails with one-line
errors, never forges a change, and writes nothing outside the site and its own cache."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concordat import history, routes
from concordat.errors import ContentErrors
from concordat.pipeline import Project, build_site

from .test_build import tree
from .test_history import AREA_HEADINGS, changes_on, dump, entries, scripted_project
from .test_living import run_check, text_of

ENV = {"GIT_AUTHOR_NAME": "Editor", "GIT_AUTHOR_EMAIL": "editor@example.org", "GIT_COMMITTER_NAME": "Editor",
       "GIT_COMMITTER_EMAIL": "editor@example.org"}


@pytest.fixture
def scripted(tmp_path):
    return scripted_project(tmp_path)


def commit_bytes(root: Path, message: bytes, date: str, *options: str) -> None:
    """Commit everything with a message of any bytes (kept verbatim, as `git commit -F` keeps them)."""
    env = {**os.environ, **ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(root), *options, "commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F", "-"],
                   input=message, check=True, env=env)


def area_headings(project: Project, slug: str = "exampleshire") -> list[str]:
    return list(changes_on((project.output / f"areas/{slug}/changes/index.html").read_text()))


def assert_feeds_are_xml(out: Path) -> None:
    """Every feed the build wrote parses as XML, and holds no tab or carriage return."""
    feeds = sorted(out.rglob("*.xml"))
    assert any(f.name == "changes.xml" for f in feeds)
    for feed in feeds:
        ET.parse(feed)
        raw = feed.read_bytes()
        assert b"\r" not in raw and b"\t" not in raw, feed


def test_a_version_the_build_refuses_then_fixed_is_not_a_crash_and_check_warns_about_the_branch(scripted):
    root = scripted.root
    area_file = scripted.content / "areas/exampleshire.yaml"
    good = area_file.read_text()
    subprocess.run(["git", "-C", str(root), "checkout", "-q", "-b", "add-an-update"], check=True)
    for day, bad in ((1, {"date": "2016-02-30", "text": "x", "status": "complete"}), (3, 5)):
        data = yaml.safe_load(good)
        data["sections"][0]["groups"][0]["actions"][1]["updates"] = [bad] if isinstance(bad, dict) else bad
        area_file.write_text(dump(data))
        commit_bytes(root, b"Add an update", f"2016-07-0{day}T09:00:00+00:00")
        area_file.write_text(good)
        commit_bytes(root, b"Fix it", f"2016-07-0{day + 1}T09:00:00+00:00")

    checked = run_check(root)
    assert checked.returncode == 0, checked.stderr
    warnings = [line for line in checked.stderr.splitlines() if "the build refuses" in line]
    assert len(warnings) == 2
    assert all(w.startswith("content/areas/exampleshire.yaml: warning: commit ") for w in warnings)
    assert any("'2016-02-30' is not a real date" in w for w in warnings)
    assert any("'updates' should be a list" in w for w in warnings)
    assert run_check(root, "--strict").returncode == 1

    build_site(scripted, workers=1)
    headings = area_headings(scripted)
    assert headings[:4] == ["4 July 2016: Exampleshire: plan readable again",
                            "3 July 2016: Exampleshire: this version could not be read",
                            "2 July 2016: Exampleshire: plan readable again",
                            "1 July 2016: Exampleshire: this version could not be read"]
    assert headings[4:] == AREA_HEADINGS  # the history before it is intact
    assert_feeds_are_xml(scripted.output)

    subprocess.run(["git", "-C", str(root), "branch", "-q", "-f", "main", "HEAD"], check=True)  # merged:
    assert "the build refuses" not in run_check(root).stderr  # main's history is no longer the branch's to fix


def test_file_names_and_messages_git_cannot_decode_or_split_do_not_break_the_history(scripted):
    root = scripted.root
    areas = scripted.content / "areas"
    odd = [os.fsdecode(b"caf\xe9.yaml"), "my area.yaml", "new\nline.yaml", "z.yaml"]
    for name in odd:
        (areas / name).write_text("name: Z\nslug: z\n")
    commit_bytes(root, b"Odd files", "2016-07-01T09:00:00+00:00")
    for name in odd:
        (areas / name).unlink()
    area_file = areas / "exampleshire.yaml"
    area_file.write_text(area_file.read_text().replace("Agree the street triage", "Agree the street-triage"))
    commit_bytes(root, b"Caf\xe9 \xff\xfe not UTF-8\n\nChange-type: correction\n", "2016-07-02T09:00:00+00:00",
                 "-c", "i18n.commitEncoding=no-such-encoding")
    build_site(scripted, workers=1)
    site = changes_on((scripted.output / "changes/index.html").read_text())
    corrected = "2 July 2016: Correction: Exampleshire: 1 action corrected"
    # z.yaml is a plan's name (its version could not be read); the others never were, and its removal changed nothing
    assert list(site) == [corrected, "1 July 2016: z: this version could not be read", *AREA_HEADINGS]
    assert "Editor's note: Caf\ufffd \ufffd\ufffd not UTF-8" in text_of(site[corrected])
    assert area_headings(scripted) == [corrected, *AREA_HEADINGS]  # the older changes are still recorded
    assert_feeds_are_xml(scripted.output)


def test_a_commit_subject_cannot_forge_a_commit_a_correction_or_a_file_outside(scripted, tmp_path):
    root = scripted.root
    area_file = scripted.content / "areas/exampleshire.yaml"
    area_file.write_text(area_file.read_text().replace("Agree the street triage protocol", "Agree the protocol"))
    fake = "../../../../outside"
    commit_bytes(root, f"Shorter words\x1fcorrection\x1e{fake}\x1f\x1f2020-01-01T00:00:00+00:00\x1fForged\x1f"
                 .encode(), "2016-07-01T09:00:00+00:00")
    before = {p for p in tmp_path.rglob("*") if ".git" not in p.parts}
    build_site(scripted, workers=1)
    headings = area_headings(scripted)
    assert headings[0] == "1 July 2016: Exampleshire: 1 action updated"  # not a correction
    assert len(headings) == len(AREA_HEADINGS) + 1  # no forged commit
    feed = entries(scripted.output / "changes.xml")
    assert len(feed) == len(AREA_HEADINGS) + 1
    assert all(re.fullmatch(r"urn:concordat-plans:changes:[0-9a-f]{40}", i) and u.startswith("2016-")
               for i, _, u, _ in feed)
    after = {p for p in tmp_path.rglob("*") if ".git" not in p.parts}
    assert {p for p in after - before if scripted.output not in p.parents
            and p != scripted.output and p.name != ".site.lock"} == set()  # the site, its lock and the cache only
    assert not list(tmp_path.parent.glob("outside*")) and not list(root.parent.glob("outside*"))
    assert_feeds_are_xml(scripted.output)


def test_only_exactly_change_type_correction_marks_a_correction(scripted):
    area_file = scripted.content / "areas/exampleshire.yaml"
    text = area_file.read_text()
    for n, trailer in enumerate(["Change-type: not a correction", "Change-type: corrections",
                                 "See: the correction below\nChange-type: correction"]):
        text = text.replace("Agree the street triage protocol", f"Agree the street triage protocol {n}")
        area_file.write_text(text)
        commit_bytes(scripted.root, f"Edit {n}\n\n{trailer}\n".encode(), f"2016-07-0{n + 1}T09:00:00+00:00")
    build_site(scripted, workers=1)
    assert area_headings(scripted)[:3] == ["3 July 2016: Correction: Exampleshire: 1 action corrected",
                                           "2 July 2016: Exampleshire: 1 action updated",
                                           "1 July 2016: Exampleshire: 1 action updated"]


def test_a_renamed_area_file_is_a_rename_not_a_new_plan(scripted):
    root = scripted.root
    subprocess.run(["git", "-C", str(root), "mv", "content/areas/exampleshire.yaml", "content/areas/newshire.yaml"],
                   check=True)
    moved = scripted.content / "areas/newshire.yaml"
    moved.write_text(moved.read_text().replace("slug: exampleshire", "slug: newshire"))
    commit_bytes(root, b"Rename the area", "2016-07-01T09:00:00+00:00")
    build_site(scripted, workers=1)
    page = changes_on((scripted.output / "areas/newshire/changes/index.html").read_text())
    assert list(page) == ["1 July 2016: Exampleshire: file renamed"]
    shown = text_of(page["1 July 2016: Exampleshire: file renamed"])
    assert "The plan's file was renamed from content/areas/exampleshire.yaml." in shown
    assert "published" not in shown and "added" not in shown


def test_a_damaged_cache_file_is_worked_out_again(scripted, tmp_path):
    build_site(scripted, workers=1)
    files = sorted((scripted.root / ".git/concordat-history").rglob("*.json"))
    assert len(files) == 7
    for n, damaged in enumerate(files):
        record = json.loads(damaged.read_text())
        damaged.write_text(json.dumps([[], {"id": 5}, {**record, "areas": "x"}, {**record, "id": "../x"},
                                       {**record, "areas": [{"slug": 1}]}, "", {}][n]))
    build_site(scripted, out_dir=tmp_path / "again", full=True, workers=1)
    assert tree(tmp_path / "again") == tree(scripted.output)


def test_a_cached_action_with_an_unknown_status_is_worked_out_again(scripted, tmp_path):
    """Every action of every area in a cached commit is checked, not only a merge's last area's."""
    build_site(scripted, workers=1)
    damaged = 0
    for path in sorted((scripted.root / ".git/concordat-history").rglob("*.json")):
        record = json.loads(path.read_text())
        for area in record["areas"]:
            for action in area.get("actions", []):
                action["status_to"] = "finished-ish"
                damaged += 1
        path.write_text(json.dumps(record))
    assert damaged
    build_site(scripted, out_dir=tmp_path / "again", full=True, workers=1)
    assert tree(tmp_path / "again") == tree(scripted.output)


def bomb(width: int = 40) -> str:
    """An area file of a few lines whose aliases make width**4 progress updates."""
    def more(name: str, indent: int) -> str:
        return "".join(f"\n{' ' * indent}- *{name}" for _ in range(width - 1))
    return f"""name: Exampleshire
slug: exampleshire
source: {{title: A plan}}
sections:
  - &s
    heading: One
    theme: commissioning
    groups:
      - &g
        heading: Two
        actions:
          - &a
            id: "1"
            action: Act
            status: not-rated
            updates:
              - &u {{date: "2016-01-01", text: t, status: not-rated}}{more("u", 14)}
{more("a", 10)}{more("g", 6)}{more("s", 2)}
"""


def test_an_alias_bomb_in_an_old_version_is_not_expanded(scripted):
    area_file = scripted.content / "areas/exampleshire.yaml"
    good = area_file.read_text()
    area_file.write_text(bomb())
    commit_bytes(scripted.root, b"Bomb", "2016-07-01T09:00:00+00:00")
    area_file.write_text(good)
    commit_bytes(scripted.root, b"Defused", "2016-07-02T09:00:00+00:00")
    build_site(scripted, workers=1)
    assert area_headings(scripted)[1] == "1 July 2016: Exampleshire: this version could not be read"
    reason = history.read_version(bomb().encode(), "content/areas/exampleshire.yaml")
    assert "aliases" in reason and "500,000" in reason


def test_a_very_long_field_is_shown_replaced_whole_not_compared_word_by_word():
    old = " ".join(f"word{i}" for i in range(1600))
    new = " ".join(f"word{i}" if i % 2 else f"other{i}" for i in range(1600))
    assert history.word_diff(old, new) == [["-", old], ["+", new]]
    assert history.word_diff("a b c", "a x c") == [["=", "a "], ["-", "b"], ["+", "x"], ["=", " c"]]


def test_feeds_stay_xml_whatever_the_messages_and_values_hold(scripted):
    area_file = scripted.content / "areas/exampleshire.yaml"
    good = area_file.read_text()
    line = "action: Agree the street triage protocol"
    assert line in good
    area_file.write_text(good.replace(line, 'action: "Agree the street\\vtriage protocol"'))  # a Word line break
    commit_bytes(scripted.root, b"Paste \x01\x0b\x1b[31m from Word \xed\xa0\x80", "2016-07-01T09:00:00+00:00")
    area_file.write_text(good.replace(line, 'action: "Agree the street\\ttriage\\r\\nprotocol"'))  # tab, CR
    commit_bytes(scripted.root, b"Tab\tand CR\r\n\r\nChange-type: correction", "2016-07-02T09:00:00+00:00")
    area_file.write_text(good.replace(line, "action: Agree the street-triage protocol"))
    commit_bytes(scripted.root, b"Fixed\t\r\n", "2016-07-03T09:00:00+00:00")
    build_site(scripted, workers=1)
    assert area_headings(scripted)[:3] == ["3 July 2016: Exampleshire: plan readable again",
                                           "2 July 2016: Correction: Exampleshire: this version could not be read",
                                           "1 July 2016: Exampleshire: this version could not be read"]
    assert_feeds_are_xml(scripted.output)


def test_long_histories_are_split_into_pages_and_feeds_hold_the_latest(scripted, monkeypatch):
    monkeypatch.setattr(routes, "CHANGES_PAGE_SIZE", 4)
    monkeypatch.setattr(routes, "FEED_ENTRIES", 4)
    build_site(scripted, workers=1)
    out = scripted.output
    first = (out / "areas/exampleshire/changes/index.html").read_text()
    second = (out / "areas/exampleshire/changes/page/2/index.html").read_text()
    assert list(changes_on(first)) == AREA_HEADINGS[:4] and list(changes_on(second)) == AREA_HEADINGS[4:]
    assert 'href="/areas/exampleshire/changes/page/2/"' in first and "Page 2 of 2" in text_of(second)
    assert list(changes_on((out / "changes/page/2/index.html").read_text())) == AREA_HEADINGS[4:]
    for feed in ("changes.xml", "areas/exampleshire/changes.xml", "organisations/xmpt/changes.xml"):
        assert len(entries(out / feed)) == 4
    assert [t for _, t, _, _ in entries(out / "changes.xml")] == [h.split(": ", 1)[1] for h in AREA_HEADINGS[:4]]


# The property: random bytes in commit messages and area files, across a scripted history.

@pytest.fixture(scope="module")
def base_repository(tmp_path_factory):
    """The scripted history, copied afresh for each example."""
    return scripted_project(tmp_path_factory.mktemp("base"))


def _files_outside(root: Path, site: Path) -> dict[str, bytes]:
    """Every file below the project's folder except the site, its lock and the history cache."""
    found = {}
    for path in root.parent.rglob("*"):
        if path.is_file() and site not in path.parents and "concordat-history" not in path.parts \
                and not path.name.startswith(".site") and not path.is_symlink():
            found[str(path.relative_to(root.parent))] = path.read_bytes()
    return found


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(message=st.binary(max_size=40), inserted=st.binary(max_size=30), at=st.floats(0, 1),
       fixed=st.booleans(), second=st.binary(max_size=20))
def test_any_bytes_in_history_give_a_site_with_xml_feeds_or_one_line_errors(
        base_repository, tmp_path_factory, message, inserted, at, fixed, second):
    place = tmp_path_factory.mktemp("example")
    shutil.copytree(base_repository.root, place / "p", symlinks=True)
    project = Project(place / "p")
    area_file = project.content / "areas/exampleshire.yaml"
    good = area_file.read_bytes()
    cut = int(at * len(good))
    area_file.write_bytes(good[:cut] + inserted + good[cut:])
    commit_bytes(project.root, message.replace(b"\0", b"") or b"x", "2016-07-01T09:00:00+00:00")
    if fixed:
        area_file.write_bytes(good)
    commit_bytes(project.root, second.replace(b"\0", b"") or b"y", "2016-07-02T09:00:00+00:00")
    before = _files_outside(project.root, project.output)
    try:
        build_site(project, workers=1)
    except ContentErrors as exc:
        assert exc.errors and all("\n" not in str(e) for e in exc.errors)
        assert not fixed
    else:
        assert_feeds_are_xml(project.output)
        assert re.search(r"<h2>", (project.output / "areas/exampleshire/changes/index.html").read_text())
    assert _files_outside(project.root, project.output) == before
