"""Pull requests in plan terms (issue 20): `build.py diff` on a scripted branch, told as the history
module tells the same change once it is merged; CODEOWNERS from the areas' reviewers; `check`
annotating only the files a pull request changes; and the Check workflow's pull-request job."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

from concordat import history
from concordat.pipeline import Project, build_site, load_site
from concordat.render import long_date
from concordat.review import CODEOWNERS, codeowners

from .conftest import ROOT, make_project
from .in_process_cli import run_build_py
from .review_example import (
    AREA,
    BEGIN,
    END,
    actions,
    commit,
    contributing_block,
    diff_output,
    edit_yaml,
    example_markdown,
    git,
    main_branch,
    scripted_branch,
)
from .test_build import tree

WORKFLOW = ROOT / ".github" / "workflows" / "check.yml"


@pytest.fixture(scope="module")
def scripted(tmp_path_factory):
    """The scripted branch, diff's three outputs of it, and what the history module says of the same
    change once it is squash-merged into main (as GitHub's squash merge would)."""
    project = scripted_branch(tmp_path_factory.mktemp("review") / "p")
    outputs = {form: diff_output(project, "--format", form) for form in ("text", "markdown", "json")}
    outputs["committed"] = diff_output(project, "--committed", "--format", "json")
    root = project.root
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--squash", "change")
    commit(root, "The change, squash-merged", "2016-05-01T09:00:00+00:00")
    merged = history.read_history(root, load_site(project))
    assert merged.commits[0].subject == "The change, squash-merged"
    git(root, "checkout", "-q", "change")
    return project, outputs, merged.commits[0].areas


def test_diff_json_is_the_change_history_tells_once_merged(scripted):
    project, outputs, merged = scripted
    found = json.loads(outputs["json"])
    for area in found["areas"]:
        for action in area["actions"]:
            for key in ("first_words", "status_before", "status_after"):
                action.pop(key)
    assert found["areas"] == json.loads(json.dumps([dataclasses.asdict(a) for a in merged]))
    assert json.loads(outputs["committed"])["areas"] == json.loads(outputs["json"])["areas"]  # nothing uncommitted
    # What it says, in the plan's terms: each part of the scripted branch, and not main's own later change.
    (area,) = json.loads(outputs["json"])["areas"]
    actions = {a["id"]: a for a in area["actions"]}
    assert actions["1-1"]["status_from"] == "not-rated" and actions["1-1"]["status_to"] == "amber"
    assert actions["1-1"]["updates"] == ["2016-03-31"]
    assert actions["1-2"]["status_before"] == "complete" and actions["1-2"]["status_after"] == "green"
    assert [t["field"] for t in actions["1-2"]["texts"]] == ["progress"]
    assert actions["1-3"]["kind"] == "added" and actions["1-3"]["first_words"] == \
        "Open a crisis café in the town centre, run with the voluntary sector every evening"
    assert actions["governance"]["kind"] == "removed"
    assert "A fifth fewer" not in outputs["text"] + outputs["json"]  # main's own change, after the branch left it
    assert found["files"] == [AREA, "content/organisations.yaml", "tools/notes.txt"]
    assert found["names"] == [{
        "kind": "organisation", "key": "xmpt", "change": "renamed",
        "before": "Exampleshire Mental Health Partnership Trust", "after": "Exampleshire Partnership NHS Trust",
        "file": "content/organisations.yaml", "pages": found["names"][0]["pages"]}]
    assert "organisations/xmpt/index.html" in found["names"][0]["pages"]
    assert "areas/exampleshire/actions/1-1/index.html" in found["names"][0]["pages"]  # xmpt leads 1.1
    assert "areas/exampleshire/actions/1-2/index.html" not in found["names"][0]["pages"]  # no lead


def built_pages(project: Project, revision: str, dest) -> dict[str, bytes]:
    """The HTML pages of a full build of the content at `revision` (without git: no history)."""
    archive = subprocess.run(["git", "-C", str(project.root), "archive", revision], capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as files:
        files.extractall(dest, filter="data")
    shutil.copytree(project.root / "templates", dest / "templates")
    build_site(Project(dest), workers=1)
    return {k: v for k, v in tree(dest / "site").items() if k.endswith(".html")}


def test_diff_pages_are_the_pages_whose_html_the_change_alters(scripted, tmp_path):
    project, outputs, _ = scripted
    start = git(project.root, "merge-base", "main", "change").strip()  # main has moved on since
    before = built_pages(project, start, tmp_path / "start")
    after = built_pages(project, "change", tmp_path / "change")
    differ = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    pages = json.loads(outputs["json"])["pages"]
    assert set(pages["added"]) == after.keys() - before.keys() == {"areas/exampleshire/actions/1-3/index.html"}
    assert set(pages["removed"]) == before.keys() - after.keys() == {
        "areas/exampleshire/actions/governance/index.html"}
    assert set(pages["added"]) | set(pages["changed"]) | set(pages["removed"]) == differ
    assert "areas/exampleshire/actions/1-2/index.html" in pages["changed"]
    assert "404.html" in after and "404.html" not in differ  # an unaltered page: not listed


def history_lines(merged) -> list[str]:
    """What the text form must say of each action, from the history module's own changes."""
    said = []
    for area in merged:
        for action in area.actions:
            if action.kind == "changed":
                if action.status_changed:
                    said.append(f"Status {history.STATUS_LABELS[action.status_from]} → "
                                f"{history.STATUS_LABELS[action.status_to]}.")
                said += [f"Progress update of {long_date(d)} added." for d in action.updates]
                said += [f"Changed {t.field}: " for t in action.texts]
                said += [p.text.strip() for t in action.texts for p in t.parts if p.op != "="]
                said += [f"Changed: {', '.join(action.other)}."] if action.other else []
            else:
                said += [action.label, f": {action.kind}"]
    return said


def test_diff_text_tells_each_change_in_plan_terms(scripted):
    _, outputs, merged = scripted
    text = outputs["text"]
    for line in history_lines(merged):
        assert line in text
    assert "Compared with main at commit" in text and "changes 3 files" in text
    assert """\
Exampleshire (content/areas/exampleshire.yaml)
Exampleshire: 2 actions status changed, 1 added, 1 removed (the heading the changes pages will give it).

  Action 1.1: Develop a single point of access run by the XMPT crisis team … (id 1-1):
    - Status Not rated → Amber.
    - Progress update of 31 March 2016 added.
  Action 1.2: Agree the street triage protocol (id 1-2):
    - Status Complete → Green.
    - Changed progress: Completed [added: in draft; agreed by the police in May 2015]
    - Changed: status words, the plan's status.
  Action 1.3: Open a crisis café in the town centre, run with the voluntary sector every evening (id 1-3): added, \
status Not rated.
  Ensure that local governance arrangements are in place (id governance): removed (its status was Not rated).
""" in text
    assert ("xmpt renamed: “Exampleshire Mental Health Partnership Trust” → “Exampleshire Partnership NHS Trust”. "
            "Pages showing it: areas/exampleshire/actions/1-1/index.html") in text
    assert "13 pages: 11 changed, 1 new, 1 removed" in text
    assert "  areas/exampleshire/actions/1-3/index.html (new)\n" in text


def test_diff_markdown_is_the_same_change_for_a_job_summary(scripted):
    _, outputs, merged = scripted
    markdown = outputs["markdown"]
    assert markdown.startswith("## What this change does to the plans\n")
    assert "### Exampleshire (`content/areas/exampleshire.yaml`)\n" in markdown
    assert ("- **Action 1.1: Develop a single point of access run by the XMPT crisis team …** (id `1-1`):\n"
            "  - Status Not rated → Amber.\n  - Progress update of 31 March 2016 added.\n") in markdown
    assert "  - Changed progress: Completed **[added: in draft; agreed by the police in May 2015]**" in markdown
    assert "- `xmpt` renamed: “Exampleshire Mental Health Partnership Trust” → " in markdown
    assert "- `areas/exampleshire/actions/governance/index.html` (removed)" in markdown
    unmarked = re.sub(r"\\(.)", r"\1", markdown.replace("**", "").replace("~~", ""))
    for line in history_lines(merged):  # the same sentences, once Markdown's marks are taken out
        assert line in unmarked


def test_a_code_only_commit_changes_no_plan_and_no_page(scripted):
    project, _, _ = scripted
    text = diff_output(project, "change~1", "--committed")  # the branch's last commit: tools/ only
    assert "changes 1 file." in text
    assert "No plan, organisation or glossary term changed." in text
    assert "No page of the site changes." in text


def test_diff_without_history_says_why(tmp_path):
    project = make_project(tmp_path / "p")
    code = ("import sys; from pathlib import Path; from concordat.cli import main; "
            "sys.exit(main(sys.argv[1:], Path('.')))")
    done = subprocess.run([sys.executable, "-c", code, "diff"], cwd=project.root, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "GIT_CEILING_DIRECTORIES": str(tmp_path)})
    assert done.returncode == 2
    assert "is not in a git repository" in done.stderr


def test_diff_of_content_with_mistakes_says_why_in_the_summary(tmp_path):
    project = main_branch(tmp_path / "p")
    edit_yaml(project, AREA, lambda d: actions(d)[0].update(status="Green"))
    done = run(project.root, "diff", "--format", "markdown")
    assert done.returncode == 2
    assert done.stdout.startswith("## What this change does to the plans\n\nIt cannot be told: the content of the "
                                  "working tree has mistakes")
    assert "'Green' is not a valid status" in done.stdout


def test_contributing_shows_what_the_command_prints(tmp_path):
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    shown = text[text.index(BEGIN):text.index(END) + len(END)]
    printed = contributing_block(example_markdown(tmp_path / "p"))

    def same(block: str) -> str:  # a commit id depends on the test content's every byte
        return re.sub(r"commit [0-9a-f]{7}", "commit …", block)
    assert same(shown) == same(printed), "run `python -m tests.review_example`"
    assert "Status Not rated → Amber." in shown and "(new)" not in shown


# --- Reviewing by area -------------------------------------------------------------------------------------

def run(root, *args, env=None):
    return run_build_py(root, *args, env=env)


def run_in_a_process(root, *args, env=None):
    code = ("import sys; from pathlib import Path; from concordat.cli import main; "
            "sys.exit(main(sys.argv[1:], Path('.')))")
    return subprocess.run([sys.executable, "-c", code, *args], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def test_codeowners_is_made_from_the_areas_reviewers_and_check_reports_drift(tmp_path):
    project = make_project(tmp_path / "p")
    edit_yaml(project, AREA, lambda d: d.update(reviewers=["@exampleshire-editor", "@example-org/crisis-team"]))
    done = run(project.root, "check")  # reviewers named, no CODEOWNERS yet: advice (an error with --strict)
    assert done.returncode == 0 and ".github/CODEOWNERS: warning: this file is missing" in done.stderr
    assert run(project.root, "check", "--strict").returncode == 1
    done = run_in_a_process(project.root, "codeowners")
    assert done.returncode == 0, done.stderr
    owners = (project.root / CODEOWNERS).read_text(encoding="utf-8")
    assert "/content/areas/exampleshire.yaml @exampleshire-editor @example-org/crisis-team\n" in owners
    assert run(project.root, "check").returncode == 0
    edit_yaml(project, AREA, lambda d: d.update(reviewers=["@exampleshire-editor"]))
    done = run(project.root, "check")
    assert done.returncode == 1
    assert (".github/CODEOWNERS:4:1: this file does not match the areas' reviewers: line 4 should be "
            "'/content/areas/exampleshire.yaml @exampleshire-editor' (run `python build.py codeowners` "
            "to write it again)") in done.stderr
    edit_yaml(project, AREA, lambda d: d.update(reviewers=["exampleshire-editor"]))
    done = run(project.root, "check")
    assert done.returncode == 1 and "content/areas/exampleshire.yaml" in done.stderr and "reviewers" in \
        (project.root / AREA).read_text()


def test_the_checked_in_codeowners_is_what_the_reviewers_make(real_project):
    site = load_site(real_project)
    assert (ROOT / CODEOWNERS).read_text(encoding="utf-8") == codeowners(site), "run `python build.py codeowners`"


def test_check_annotates_only_the_files_the_pull_request_changes(tmp_path):
    project = main_branch(tmp_path / "p")
    other = (project.root / AREA).read_text(encoding="utf-8").replace("slug: exampleshire", "slug: otherton")
    (project.content / "areas" / "otherton.yaml").write_text(other.replace("name: Exampleshire", "name: Otherton"),
                                                             encoding="utf-8")
    commit(project.root, "Add Otherton", "2016-02-01T09:00:00+00:00")
    git(project.root, "checkout", "-q", "-b", "pr")
    edit_yaml(project, AREA, lambda d: d.update(name="Exampleshire and Otherby"))
    summary = tmp_path / "summary.md"
    done = run(project.root, "check", "--changed-since", "main", "--summary", str(summary),
               env={"GITHUB_ACTIONS": "true"})
    assert done.returncode == 0, done.stderr
    annotated = [line for line in done.stdout.splitlines() if line.startswith("::warning")]
    assert annotated and all("file=content/areas/exampleshire.yaml" in line for line in annotated)
    assert "content/areas/otherton.yaml:" in done.stderr  # still printed
    standing = done.stderr.count("content/areas/otherton.yaml:")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## Check\n\nPassed. Content is valid: 2 areas")
    assert f"Warnings: {len(annotated)} in the files this change touches, {standing} in other files" in text
    without = run(project.root, "check", env={"GITHUB_ACTIONS": "true"})
    assert sum(line.startswith("::warning") for line in without.stdout.splitlines()) == len(annotated) + standing


# --- The Check workflow ----------------------------------------------------------------------------------

def workflow_jobs() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]


def steps_running(job: dict, command: str) -> list[dict]:
    return [s for s in job["steps"] if command in s.get("run", "")]


def test_the_pull_request_job_fetches_history_writes_the_summary_and_uploads_the_site():
    job = workflow_jobs()["review"]
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # diff needs the merge base; the changes pages the history
    (check,) = steps_running(job, "python build.py check")
    assert '--changed-since "$BASE"' in check["run"] and '--summary "$GITHUB_STEP_SUMMARY"' in check["run"]
    (diff,) = steps_running(job, "python build.py diff")
    assert "--format markdown" in diff["run"] and '>> "$GITHUB_STEP_SUMMARY"' in diff["run"]
    assert "github.event_name == 'pull_request'" in diff["if"] and "!cancelled()" in diff["if"]
    (build,) = [s for s in job["steps"] if s.get("run", "").strip() == "python build.py"]
    upload = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert job["steps"].index(build) < job["steps"].index(upload)
    assert upload["uses"] == "actions/upload-artifact@v6"
    (copy,) = steps_running(job, "python build.py offline-copy site-preview")
    assert job["steps"].index(build) < job["steps"].index(copy) < job["steps"].index(upload)
    assert upload["with"]["path"] == "site-preview/" and upload["with"]["name"] == "site-preview"
    assert "--preview site-preview" in diff["run"]
    (tests,) = steps_running(job, "python -m pytest")
    files = re.findall(r"tests/\S+\.py", tests["run"])
    assert files and all((ROOT / f).exists() for f in files) and "-m browser" not in tests["run"]


def test_only_the_review_job_annotates_so_each_error_shows_once_on_the_changed_files():
    for name, job in workflow_jobs().items():
        if name != "review":
            for step in steps_running(job, "python build.py check"):
                assert step["run"].strip().endswith("> /dev/null"), f"job {name} would annotate every file"


def test_the_full_suite_runs_on_main_and_on_code_changes_only():
    jobs = workflow_jobs()
    full = next(name for name, job in jobs.items() if steps_running(job, "bash tests/setup.sh && python -m pytest"))
    assert jobs[full]["needs"] == "review" or "review" in jobs[full]["needs"]
    condition = jobs[full]["if"]
    assert "needs.review.outputs.code == 'true'" in condition
    scope = next(s for s in jobs["review"]["steps"] if s.get("id") == "scope")
    assert "content/" in scope["run"] and "push" in scope["run"]


# --- Previewing the built site without a web server --------------------------------------------------------

LINKS = re.compile(r'\b(?:href|src|action)="([^"]*)"')


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """The example site built under a sub-path, and its copy that opens from a folder."""
    project = make_project(tmp_path_factory.mktemp("offline") / "p")
    build_site(project, base_url="/concordat/", workers=1)
    dest = project.root / "site-preview"
    done = run_in_a_process(project.root, "offline-copy", "site-preview", "--base-url", "/concordat/")
    assert done.returncode == 0, done.stderr
    return project, dest


def test_the_offline_copy_links_every_page_to_files_in_the_folder(offline):
    project, dest = offline
    pages = sorted(dest.rglob("*.html"))
    assert len(pages) == len(list(project.output.rglob("*.html")))
    checked = 0
    for page in pages:
        for link in LINKS.findall(page.read_text(encoding="utf-8")):
            assert not link.startswith("/"), f"{page}: {link} needs a web server"
            if re.match(r"[a-z]+:|#", link):
                continue
            target = (page.parent / link.split("#")[0].split("?")[0]).resolve()
            assert target.is_file() and dest.resolve() in target.parents, f"{page}: {link}"
            checked += 1
    assert checked > 100
    assert run(project.root, "offline-copy", "site-preview").returncode == 2  # never over an existing folder


@pytest.mark.browser
def test_the_offline_copy_opens_from_the_folder_styled_with_working_links(offline, page):
    _, dest = offline
    page.goto((dest / "areas/exampleshire/actions/1-1/index.html").as_uri())
    assert page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor") != "rgba(0, 0, 0, 0)"
    page.get_by_role("link", name="Exampleshire").first.click()
    assert page.url == (dest / "areas/exampleshire/index.html").as_uri()
    assert "Exampleshire action plan" in page.title()


def test_the_pull_request_template_says_the_subject_is_published_and_how_to_mark_a_correction(tmp_path):
    template = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert "published" in template and "commit subject" in template
    (trailer,) = set(re.findall(r"`(Change-type: [a-z]+)`", template))
    # The trailer as the template spells it is the one the history module reads as a correction.
    project = main_branch(tmp_path / "p")
    edit_yaml(project, AREA, lambda d: d.update(name="Exampleshire (corrected)"))
    commit(project.root, f"Exampleshire: its name as the plan prints it\n\n{trailer}\n", "2016-06-01T09:00:00+00:00")
    assert history.read_history(project.root, load_site(project)).commits[0].correction


def test_the_bromley_change_of_the_issue_names_its_own_action(tmp_path):
    """Issue 20's example: in a change to Bromley 2b-1 the nearest id in the YAML diff was 2b-2's."""
    root = tmp_path / "p"
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copytree(ROOT / "templates", root / "templates")
    (root / ".gitignore").write_text("templates/\nsite/\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    commit(root, "The plans", "2016-01-10T10:00:00+00:00")
    area = root / "content/areas/bromley.yaml"
    text = area.read_text(encoding="utf-8")
    at = text.index("- id: 2b-1")
    end = text.index("- id: 2b-2", at)
    indent = text[text.rindex("\n", 0, end) + 1:end]
    update = (f"{indent}  updates:\n{indent}    - date: 2016-03-03\n{indent}      text: Two CPNs now work in the "
              f"integrated teams.\n{indent}      status: amber\n")
    area.write_text(text[:end - len(indent)] + update + text[end - len(indent):], encoding="utf-8")
    said = diff_output(Project(root))
    assert "Bromley (content/areas/bromley.yaml)" in said
    assert "Extend CPN pilot into integrated physical healthcare teams. (id 2b-1):" in said
    assert "    - Status Not rated → Amber.\n    - Progress update of 3 March 2016 added.\n" in said
    # the plans' terms name 2b-1 alone (later actions' pages do change: each gives its line in the file)
    assert "2b-2" not in said.split("Pages this change touches")[0]
    assert "  areas/bromley/actions/2b-1/index.html (changed)\n" in said


@pytest.mark.skipif(shutil.which("bash") is None, reason="the workflow's steps run in bash")
def test_the_fast_path_is_taken_only_by_a_pull_request_changing_content_alone(scripted, tmp_path):
    project, _, _ = scripted
    script = next(s for s in workflow_jobs()["review"]["steps"] if s.get("id") == "scope")["run"]

    def scope(event: str, base: str) -> str:
        output = tmp_path / f"output-{len(list(tmp_path.iterdir()))}"
        subprocess.run(["bash", "-e", "-c", script], cwd=project.root, check=True,
                       env={**os.environ, "EVENT": event, "BASE": base, "GITHUB_OUTPUT": str(output)})
        return output.read_text(encoding="utf-8")

    start = git(project.root, "merge-base", "main", "change").strip()
    assert scope("pull_request", start) == "code=true\n"  # the branch has a commit to tools/
    content_only = git(project.root, "rev-parse", "change~1").strip()
    git(project.root, "checkout", "-q", "--detach", content_only)
    try:
        assert scope("pull_request", start) == "code=false\n"
        assert scope("push", "") == "code=true\n"
    finally:
        git(project.root, "checkout", "-q", "change")
