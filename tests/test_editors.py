"""The editors' workflow: check, annotations, new-area, live preview, workflows, field reference."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from concordat import docs

from .conftest import ROOT
from .in_process_cli import run_build_py

CLI = "import sys; from pathlib import Path; from concordat.cli import main; sys.exit(main(sys.argv[1:], Path('.')))"


def run_cli(project, *args, **env):
    return run_build_py(project.root, *args, env=env)


def run_cli_in_a_process(project, *args, **env):
    return subprocess.run([sys.executable, "-c", CLI, *args], cwd=project.root, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env}, timeout=120)


def break_area(project, old, new):
    area = project.content / "areas" / "exampleshire.yaml"
    text = area.read_text()
    assert old in text
    area.write_text(text.replace(old, new))


def test_check_is_silent_about_good_content_and_exits_zero(example_project):
    result = run_cli(example_project, "check")
    assert result.returncode == 0
    assert result.stdout.startswith("Content is valid: 1 areas, 3 actions")


def test_check_reports_every_error_with_exit_one_and_no_traceback(example_project):
    break_area(example_project, "leads: [xmpt, example-police]", "leads: [xmpt, example-polise]")
    break_area(example_project, "due: 2016-04", "due: 2016-02-30")
    result = run_cli(example_project, "check")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("content/areas/exampleshire.yaml:")
    assert any("unknown organisation 'example-polise' (did you mean 'example-police'?)" in ln for ln in lines)
    assert any("'2016-02-30' is not a real date" in ln for ln in lines)
    assert lines[-1] == "2 errors in content: nothing was published."
    assert "::error" not in result.stdout


def test_check_under_github_actions_prints_annotations(example_project):
    break_area(example_project, "status: complete", "status: completed")
    result = run_cli(example_project, "check", GITHUB_ACTIONS="true")
    assert result.returncode == 1
    [annotation] = [ln for ln in result.stdout.splitlines() if ln.startswith("::error")]
    assert annotation.startswith("::error file=content/areas/exampleshire.yaml,line=41,col=21::")
    assert "'completed' is not a valid status (did you mean 'complete'?)" in annotation


def test_new_area_writes_a_starter_file_that_check_accepts_and_build_will_not_publish(example_project):
    result = run_cli_in_a_process(example_project, "new-area", "North Yorkshire")
    assert result.returncode == 0, result.stderr
    path = example_project.content / "areas" / "north-yorkshire.yaml"
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=../../concordat/schemas/area.schema.json")
    assert "\nsource:" not in text and "action plan" not in text  # no title made up for the plan
    check = run_cli(example_project, "check")
    assert check.returncode == 0, check.stderr
    shown = "content/areas/north-yorkshire.yaml"
    assert f"{shown}:11:3: warning: a REVIEW note is still here" in check.stderr
    assert f"{shown}:20:21: warning: 'Describe the first action here.' is the starter file's" in check.stderr
    strict = run_cli(example_project, "check", "--strict")
    assert strict.returncode == 1 and f"{shown}:20:21: 'Describe the first action here.'" in strict.stderr
    build = run_cli(example_project, "build")
    assert build.returncode == 1 and "nothing was published" in build.stderr
    assert f"{shown}:21:24: 'Name the lead organisation here.' is the starter file's placeholder" in build.stderr
    assert not example_project.output.exists()
    again = run_cli(example_project, "new-area", "North Yorkshire")
    assert again.returncode == 2 and "already exists" in again.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(predicate, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


def test_preview_server_rebuilds_shows_errors_and_recovers(example_project):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", CLI, "serve", "--port", str(port)], cwd=example_project.root,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    page = f"http://127.0.0.1:{port}/areas/exampleshire/actions/1-2/"

    def status_and_body():
        try:
            return fetch(page)
        except OSError:
            return None

    try:
        assert wait_for(lambda: (r := status_and_body()) and r[0] == 200)
        assert "Agree the street triage protocol" in fetch(page)[1]
        # An edit is picked up without restarting.
        break_area(example_project, "Agree the street triage protocol", "Agree the street triage plan")
        assert wait_for(lambda: "Agree the street triage plan" in (status_and_body() or (0, ""))[1])
        # A mistake shows as an error page naming file, line and problem; the server keeps running.
        break_area(example_project, "status: complete", "status: done")
        code, body = wait_for(lambda: (r := status_and_body()) and r[0] == 500 and r) or (0, "")
        assert code == 500
        assert "content/areas/exampleshire.yaml:41:21: &#x27;done&#x27; is not a valid status" in body
        # Fixed: the page comes back.
        break_area(example_project, "status: done", "status: complete")
        assert wait_for(lambda: (r := status_and_body()) and r[0] == 200)
        assert server.poll() is None
        # The preview never touches site/.
        assert not example_project.output.exists()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_workflow_files_are_valid():
    # pip puts the binary beside this Python's scripts, which may not be on PATH (pyenv, venvs).
    beside = Path(sysconfig.get_path("scripts")) / "actionlint"
    actionlint = str(beside) if beside.exists() else shutil.which("actionlint")
    if not actionlint:
        pytest.fail("actionlint is not installed: run `bash tests/setup.sh`")
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert len(workflows) == 2
    result = subprocess.run([actionlint, *workflows], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_publish_workflow_builds_for_the_project_site_address():
    text = (ROOT / ".github" / "workflows" / "publish.yml").read_text()
    assert 'python build.py --full --base-url "/${REPO_NAME}/"' in text
    assert "actions/upload-pages-artifact@" in text and "actions/deploy-pages@" in text


def test_field_reference_in_contributing_matches_the_schema():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    block = text[text.index(docs.BEGIN) + len(docs.BEGIN):text.index(docs.END)]
    assert block.strip() == docs.field_reference().strip(), "run `python -m concordat.docs`"
    for field in ["`lead_text`", "`timescale`", "`due`", "`status`", "`subtheme`", "`short_names`"]:
        assert field in block


def test_preview_updates_only_changed_pages_and_says_when_search_is_catching_up(example_project):
    from concordat.serve import Preview

    reloads = []
    preview = Preview(example_project, on_change=lambda: reloads.append(1))
    preview.rebuild()

    def get(path):
        status = []
        body = b"".join(preview.wsgi({"PATH_INFO": path}, lambda s, headers: status.append(s)))
        return status[0], body.decode()

    assert wait_for(lambda: not preview.indexing)
    assert (preview.out / "pagefind" / "pagefind.js").is_file()
    assert "search index is being updated" not in get("/search/")[1]
    before = {p: p.stat().st_mtime_ns for p in preview.out.rglob("*.html")}
    break_area(example_project, "Agree the street triage protocol", "Agree the street triage plan")
    preview.rebuild()
    after = {p: p.stat().st_mtime_ns for p in preview.out.rglob("*.html")}
    rewritten = sorted(p.relative_to(preview.out).as_posix() for p in after if after[p] != before.get(p))
    assert "areas/exampleshire/actions/1-2/index.html" in rewritten
    assert "areas/exampleshire/actions/1-1/index.html" not in rewritten and len(rewritten) < 8
    assert "Agree the street triage plan" in get("/areas/exampleshire/actions/1-2/")[1]
    preview.indexing = True  # as while Pagefind runs after a save
    status, body = get("/search/")
    assert status.startswith("200") and '<p class="preview-notice" role="status">' in body
    assert "preview-notice" not in get("/areas/exampleshire/")[1]
    assert reloads


@pytest.mark.parametrize("name", ["No", "1e3", "On"])
def test_new_area_quotes_values_yaml_readers_disagree_about(example_project, name):
    result = run_cli(example_project, "new-area", name)
    assert result.returncode == 0, result.stderr
    slug = name.lower()
    text = (example_project.content / "areas" / f"{slug}.yaml").read_text()
    assert f'slug: "{slug}"' in text
    (example_project.content / "areas" / "exampleshire.yaml").unlink()
    assert run_cli(example_project, "check").returncode == 0
    independent = subprocess.run([sys.executable, "-m", "check_jsonschema", "--schemafile",
                                  str(ROOT / "concordat/schemas/area.schema.json"),
                                  str(example_project.content / "areas" / f"{slug}.yaml")],
                                 capture_output=True, text=True)
    assert independent.returncode == 0, independent.stdout


def test_each_action_page_names_its_id_and_file_and_links_to_edit_it_on_github(example_project):
    """An editor on an action's page sees what to search for and where; with site.yaml's GitHub
    repository, a link opens the file in GitHub's editor and one starts an issue naming the action."""
    import html
    import urllib.parse

    from concordat.pipeline import build_site

    page = example_project.output / "areas" / "exampleshire" / "actions" / "1-2" / "index.html"
    area = (example_project.content / "areas" / "exampleshire.yaml").read_text().splitlines()
    line = next(n for n, text in enumerate(area, start=1) if text.strip() == "- id: 1-2")
    build_site(example_project)
    text = page.read_text()
    assert (f"Action id: <code>1-2</code>, in <code>content/areas/exampleshire.yaml</code> (line {line})."
            in text)
    assert "Edit this action on GitHub" not in text  # no repository given: no links
    site_file = example_project.content / "site.yaml"
    site_file.write_text(site_file.read_text() + "repository: https://github.com/example/plans\n")
    build_site(example_project)
    text = html.unescape(page.read_text())
    edit = f'<a href="https://github.com/example/plans/edit/main/content/areas/exampleshire.yaml#L{line}">'
    assert edit + "Edit this action on GitHub</a>" in text
    [issue] = [h for h in re.findall(r'<a href="([^"]+)">Suggest a correction</a>', text)]
    assert issue.startswith("https://github.com/example/plans/issues/new?")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(issue).query)
    assert query["title"] == ["Correction to Exampleshire: Action 1.2"]
    assert f"Action id: 1-2, in content/areas/exampleshire.yaml, line {line}" in query["body"][0]
