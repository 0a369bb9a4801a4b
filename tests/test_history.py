"""What changed, from git history: a scripted series of commits, and the changes pages, Atom feeds
and action histories the build makes of it."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
import yaml

from concordat import history
from concordat.pipeline import build_site

from .conftest import make_project
from .test_build import tree
from .test_living import commit_all, run_check, text_of

ATOM = "{http://www.w3.org/2005/Atom}"
CORRECTION = "Fix a typo in action 1.1\n\nChange-type: correction\n"


@pytest.fixture
def scripted(tmp_path):
    return scripted_project(tmp_path)


def scripted_project(tmp_path):
    """A project whose git history adds an area, adds an action, changes a status through an update,
    edits progress text, corrects a typo and removes an action: one commit each, on known dates."""
    project = make_project(tmp_path / "p")
    area_file = project.content / "areas/exampleshire.yaml"
    area_text = area_file.read_text()
    area_file.unlink()
    subprocess.run(["git", "init", "-q", str(project.root)], check=True)
    (project.root / "templates").rename(tmp_path / "templates")  # only content/ is in the repository
    commit_all(project.root, "Site settings", "2015-12-01T09:00:00+00:00")
    (tmp_path / "templates").rename(project.root / "templates")
    (project.root / ".gitignore").write_text("templates/\nsite/\n.site*\n")

    area_file.write_text(area_text)
    commit_all(project.root, "Add the Exampleshire plan", "2016-01-10T10:00:00+00:00")

    def edit(change, message, date):
        data = yaml.safe_load(area_file.read_text())
        change(data["sections"][0]["groups"][0]["actions"])
        area_file.write_text(dump(data))
        commit_all(project.root, message, date)

    edit(lambda actions: actions.append({"id": "1-3", "number": "1.3", "action": "Open a crisis café",
                                         "leads": ["xmpt"], "status": "not-rated"}),
         "Add action 1.3", "2016-02-15T11:00:00+00:00")
    edit(lambda actions: actions[0].update(updates=[{"date": "2016-03-31", "text": "The line runs all night.",
                                                     "status": "complete"}]),
         "Action 1.1 is complete", "2016-04-02T12:00:00+00:00")
    edit(lambda actions: actions[1].update(progress="Completed in May 2015"),
         "Progress on action 1.2", "2016-04-20T13:00:00+00:00")
    edit(lambda actions: actions[0].update(action=actions[0]["action"].replace("urgent care line", "urgent-care line")),
         CORRECTION, "2016-05-01T14:00:00+00:00")
    edit(lambda actions: actions.pop(), "Remove action 1.3", "2016-06-01T15:00:00+00:00")
    return project


class _BlockDumper(yaml.SafeDumper):
    """Writes text of several lines as a block (|-), as editors do."""


_BlockDumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


def dump(data, **options) -> str:
    return yaml.dump(data, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, **options)


def entries(feed_path):
    root = ET.parse(feed_path).getroot()
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}id").text and root.find(f"{ATOM}updated").text and root.find(f"{ATOM}title").text
    return [(e.find(f"{ATOM}id").text, e.find(f"{ATOM}title").text, e.find(f"{ATOM}updated").text,
             e.find(f"{ATOM}content").text) for e in root.findall(f"{ATOM}entry")]


def changes_on(html: str) -> dict[str, str]:
    """Each listed change's heading (date: subject) -> its HTML."""
    items = re.findall(r'<li class="change"[^>]*>(.*?)</li>\s*(?=<li class="change"|</ol>)', html, re.S)
    return {text_of(re.search(r"<h2>(.*?)</h2>", i, re.S).group(1)).strip(): i for i in items}


AREA_HEADINGS = ["1 June 2016: Exampleshire: 1 action removed",
                 "1 May 2016: Correction: Exampleshire: 1 action corrected",
                 "20 April 2016: Exampleshire: 1 action updated", "2 April 2016: Exampleshire: 1 action completed",
                 "15 February 2016: Exampleshire: 1 action added", "10 January 2016: Exampleshire: plan published"]


def test_each_change_is_on_the_right_changes_page_with_its_date(scripted):
    build_site(scripted, workers=1)
    out = scripted.output
    area = changes_on((out / "areas/exampleshire/changes/index.html").read_text())
    assert list(area) == AREA_HEADINGS  # headings made from the change
    assert "Action 1.3: Open a crisis café removed." in text_of(area[AREA_HEADINGS[0]])
    assert "Editor's note: Remove action 1.3" in text_of(area[AREA_HEADINGS[0]])  # the subject, beneath
    correction = area[AREA_HEADINGS[1]]
    assert "Correction" in text_of(correction) and "tag-correction" in correction
    hidden = '<span class="visually-hidden">'
    assert (f'- Promote the <del>{hidden}[removed: </span>urgent care{hidden}]</span></del>'
            f'<ins>{hidden}[added: </span>urgent-care{hidden}]</span></ins> line') in correction
    assert "Corrected action text:" in text_of(correction)
    progress = area[AREA_HEADINGS[2]]
    assert "Changed progress:" in text_of(progress)
    assert f"<ins>{hidden}[added: </span> in May 2015{hidden}]</span></ins>" in progress
    status = area[AREA_HEADINGS[3]]
    assert re.search(r"status-not-rated\">Not rated</strong> <span aria-hidden=\"true\">→</span>"
                     r"<span class=\"visually-hidden\">to</span> <strong class=\"status status-complete\">"
                     r"Complete</strong>", status)
    assert "Status changed: Not rated → to Complete" in text_of(status)
    assert "Progress update of 31 March 2016 added." in text_of(status)
    assert 'href="/areas/exampleshire/actions/1-1/"' in status  # still published: linked
    assert "Action 1.3: Open a crisis café added." in text_of(area[AREA_HEADINGS[4]])
    assert "/actions/1-3/" not in area[AREA_HEADINGS[4]]  # removed since: no page to link
    assert "The plan was published here, with 3 actions." in text_of(area[AREA_HEADINGS[5]])

    site = changes_on((out / "changes/index.html").read_text())
    assert list(site) == AREA_HEADINGS  # "Site settings" changed no plan: it is not listed
    home = (out / "index.html").read_text()
    assert '<link rel="alternate" type="application/atom+xml" href="/changes.xml"' in home
    assert '<link rel="alternate" type="application/atom+xml" href="/areas/exampleshire/changes.xml"' in \
        (out / "areas/exampleshire/index.html").read_text()
    assert '<link rel="alternate" type="application/atom+xml" href="/organisations/xmpt/changes.xml"' in \
        (out / "organisations/xmpt/index.html").read_text()


def timeline(project, action="1-1"):
    html = (project.output / f"areas/exampleshire/actions/{action}/index.html").read_text()
    return [text_of(i).strip() for i in re.findall(r'<li class="timeline-item">(.*?)</li>', html, re.S)]


def test_action_history_has_its_updates_and_the_dates_its_words_or_status_changed(scripted):
    build_site(scripted, workers=1)
    assert timeline(scripted) == [
        "1 May 2016 Correction Corrected: action text.",
        "2 April 2016 Status changed from Not rated to Complete. Status: Complete",
        "31 March 2016 Progress update. Status: Complete The line runs all night.",
        "10 January 2016 Published on this site.",
    ]
    other = (scripted.output / "areas/exampleshire/actions/1-2/index.html").read_text()
    assert "20 April 2016 Changed: progress." in text_of(other)


FEED_TITLES = [h.split(": ", 1)[1] for h in AREA_HEADINGS]


def test_feeds_parse_as_atom_with_ids_stable_from_build_to_build(scripted, tmp_path):
    build_site(scripted, workers=1)
    out = scripted.output
    site = entries(out / "changes.xml")
    area = entries(out / "areas/exampleshire/changes.xml")
    xmpt = entries(out / "organisations/xmpt/changes.xml")
    police = entries(out / "organisations/example-police/changes.xml")
    assert [t for _, t, _, _ in area] == FEED_TITLES
    assert [u for _, _, u, _ in area][:2] == ["2016-06-01T15:00:00+00:00", "2016-05-01T14:00:00+00:00"]
    assert [t for _, t, _, _ in site] == FEED_TITLES  # the commit that changed no plan is not in the feed
    # An organisation's feed has the commits that changed actions it leads: 1.3 (xmpt), 1.1 (xmpt and police).
    assert [t for _, t, _, _ in xmpt] == [FEED_TITLES[i] for i in (0, 1, 3, 4)]
    assert [t for _, t, _, _ in police] == [FEED_TITLES[i] for i in (1, 3)]
    assert "in May 2015" in area[2][3] and "<ins>" in area[2][3]  # the entry's content is the change, as HTML
    assert "Editor's note: Progress on action 1.2" in area[2][3]
    ids = [i for feed in (site, area, xmpt) for i, _, _, _ in feed]
    assert len(ids) == len(set(ids))
    build_site(scripted, out_dir=tmp_path / "again", full=True, workers=1)
    assert entries(tmp_path / "again" / "areas/exampleshire/changes.xml") == area
    assert tree(out) == tree(tmp_path / "again")  # the same commit gives the same bytes


def cache_files(project):
    return sorted((project.root / ".git" / "concordat-history").rglob("*.json"))


def test_a_new_commit_is_not_skipped_as_no_change_and_costs_only_its_own_diff(scripted, monkeypatch):
    build_site(scripted, workers=1)
    assert len(cache_files(scripted)) == 7  # one a commit, the one that changed no plan too
    area_file = scripted.content / "areas/exampleshire.yaml"
    area_file.write_text(area_file.read_text().replace("Agree the street triage protocol",
                                                       "Agree the street triage protocol with the police"))
    build_site(scripted, workers=1)  # the edit, not yet committed
    read = []
    real = history.git.objects
    monkeypatch.setattr(history.git, "objects",
                        lambda root, ids, max_bytes=None: read.extend(ids) or real(root, ids, max_bytes))
    commit_all(scripted.root, "Action 1.2 agreed with the police", "2016-07-01T09:00:00+00:00")
    result = build_site(scripted, workers=1)  # the same files, a new commit
    assert not result.unchanged
    assert "1 July 2016: Exampleshire: 1 action updated" in changes_on(
        (scripted.output / "areas/exampleshire/changes/index.html").read_text())
    assert len(read) == 3  # the new commit, and the two versions of the one file it changed


def test_content_without_history_still_builds_and_says_history_is_not_available(scripted, tmp_path):
    plain = tmp_path / "tarball"
    shutil.copytree(scripted.root, plain, ignore=shutil.ignore_patterns(".git"))
    from concordat.pipeline import Project
    build_site(Project(plain), workers=1)
    page = text_of((plain / "site/areas/exampleshire/changes/index.html").read_text())
    assert "The history of the plans is not available in this copy of the site (not a git repository)." in page
    assert entries(plain / "site/changes.xml") == []
    assert "Published on this site" not in (plain / "site/areas/exampleshire/actions/1-1/index.html").read_text()

    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{scripted.root}", str(shallow)], check=True)
    shutil.copytree(scripted.root / "templates", shallow / "templates")
    build_site(Project(shallow), workers=1)
    assert "(a shallow clone)" in text_of((shallow / "site/changes/index.html").read_text())


@pytest.mark.parametrize("workflow", ["publish.yml", "check.yml"])
def test_the_publish_and_check_workflows_check_out_the_whole_history(workflow):
    from .conftest import ROOT
    text = (ROOT / ".github/workflows" / workflow).read_text()
    assert re.search(r"actions/checkout@\S+\n\s+with:\n\s+fetch-depth: 0", text)


def every_page(out) -> str:
    return "\n".join(p.read_text() for p in sorted(out.rglob("*")) if p.suffix in (".html", ".xml"))


def test_a_change_to_code_shared_files_or_formatting_only_is_listed_nowhere(scripted):
    root = scripted.root
    (root / "tools.py").write_text("print('a code change')\n")
    site_file = scripted.content / "site.yaml"
    site_file.write_text(site_file.read_text() + "\n# a comment\n")
    commit_all(root, "Refactor the pipeline skeleton", "2016-07-01T09:00:00+00:00")
    area_file = scripted.content / "areas/exampleshire.yaml"
    data = yaml.safe_load(area_file.read_text())
    area_file.write_text("# Reformatted for editors\n" + dump(data, width=60, indent=4))
    commit_all(root, "Block style for editors", "2016-07-02T09:00:00+00:00")
    build_site(scripted, workers=1)
    pages = every_page(scripted.output)
    for subject in ("Refactor the pipeline skeleton", "Block style for editors", "Site settings"):
        assert subject not in pages
    assert "July 2016" not in pages and "No action changed" not in pages and "No plan changed" not in pages
    assert area_headings(scripted) == AREA_HEADINGS
    assert [t for _, t, _, _ in entries(scripted.output / "changes.xml")] == FEED_TITLES


def area_headings(project, slug="exampleshire"):
    return list(changes_on((project.output / f"areas/{slug}/changes/index.html").read_text()))


def test_a_listed_commit_and_a_trailer_both_read_as_corrections_everywhere(scripted):
    root = scripted.root
    area_file = scripted.content / "areas/exampleshire.yaml"
    data = yaml.safe_load(area_file.read_text())
    data["preamble"][0].update(status="complete", progress="Governance arrangements completed in May 2015",
                               status_words="Governance arrangements completed", leads=["xmpt"])
    area_file.write_text(dump(data))
    commit_all(root, "Governance completed", "2016-07-01T09:00:00+00:00")  # a correction, listed below
    listed = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
    (scripted.content / "corrections.txt").write_text(f"# How the plan was copied\n{listed}  # its status\n")
    commit_all(root, "List a correction", "2016-07-02T09:00:00+00:00")  # changes no plan: listed nowhere
    build_site(scripted, workers=1)
    out = scripted.output

    for headings in (area_headings(scripted), list(changes_on((out / "changes/index.html").read_text()))):
        assert headings[0] == "1 July 2016: Correction: Exampleshire: 1 action corrected"
        assert headings[1:] == AREA_HEADINGS
    page = changes_on((out / "areas/exampleshire/changes/index.html").read_text())
    listed_entry = text_of(page["1 July 2016: Correction: Exampleshire: 1 action corrected"])
    assert "Status corrected: Not rated → to Complete" in listed_entry
    assert "Editor's note: Governance completed" in listed_entry
    for feed in ("changes.xml", "areas/exampleshire/changes.xml", "organisations/xmpt/changes.xml"):
        titles = [t for _, t, _, _ in entries(out / feed)]
        assert titles[0] == "Correction: Exampleshire: 1 action corrected", feed
        assert "Correction: Exampleshire: 1 action corrected" in titles[1:], feed
        assert not any("completed" in t for t in titles if t.startswith("Correction"))
    assert timeline(scripted, "governance")[0] == (
        "1 July 2016 Correction Corrected: progress, lead organisations, status words, the plan&#39;s status. "
        "Status corrected from Not rated to Complete.")  # and no "Status: Complete" badge: it is not progress
    assert timeline(scripted)[0] == "1 May 2016 Correction Corrected: action text."

    (scripted.content / "corrections.txt").write_text("# a short id\nfe75672\n")
    checked = run_check(root)
    assert checked.returncode == 1
    assert "content/corrections.txt:2:1: 'fe75672' is not a full commit id" in checked.stderr


def test_on_the_real_history_kent_4_4_shows_no_status_change_after_2016_as_progress(built_site):
    from .conftest import ROOT
    if history.git.run(ROOT, "rev-parse", "--is-shallow-repository") != b"false\n":
        pytest.skip("the repository's history is not here (a shallow clone or no git)")
    html = (built_site / "areas/kent-and-medway/actions/4-4/index.html").read_text()
    items = [text_of(i).strip() for i in re.findall(r'<li class="timeline-item">(.*?)</li>', html, re.S)]
    assert items, "Kent 4.4 has a history"
    for item in items:
        year = int(re.search(r"\b(20\d\d)\b", item).group(1))
        if year > 2016:
            assert "Correction" in item and "Status changed" not in item and "Status:" not in item, item
            assert "complete" not in item.split("Status corrected")[0].lower(), item
    assert any("Status corrected from Not rated to Complete." in i for i in items)
