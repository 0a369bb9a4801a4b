"""Scripted repositories for `build.py diff`: a main branch and a branch changing it.

`python -m tests.review_example` writes the example job summary in CONTRIBUTING.md from the
small change below, by running the command itself; tests/test_review.py checks it is still
what the command prints.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from concordat.pipeline import Project

from .conftest import ROOT, make_project

BEGIN = "<!-- diff-example:begin (written by `python -m tests.review_example`; do not edit by hand) -->"
END = "<!-- diff-example:end -->"
AREA = "content/areas/exampleshire.yaml"


def git(root: Path, *args: str, date: str = "2016-01-10T10:00:00+00:00") -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": "Editor",
           "GIT_AUTHOR_EMAIL": "editor@example.org", "GIT_COMMITTER_NAME": "Editor",
           "GIT_COMMITTER_EMAIL": "editor@example.org", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True,
                          env=env).stdout


def commit(root: Path, message: str, date: str) -> None:
    git(root, "add", "-A", date=date)
    git(root, "commit", "-q", "--allow-empty", "-m", message, date=date)


class _Dumper(yaml.SafeDumper):
    """Writes text of several lines as a block (|-), as editors do."""


_Dumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


def edit_yaml(project: Project, path: str, change) -> None:
    file = project.root / path
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    change(data)
    file.write_text(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000),
                    encoding="utf-8")


def actions(data: dict) -> list[dict]:
    return data["sections"][0]["groups"][0]["actions"]


def main_branch(dest: Path) -> Project:
    """A repository whose `main` holds the example project (templates kept out of git, as in tests)."""
    project = make_project(dest)
    edit_yaml(project, AREA, lambda d: None)  # as edit_yaml writes it: later edits change only their own lines
    git(project.root, "init", "-q", "-b", "main")
    (project.root / ".gitignore").write_text("templates/\nsite/\n.site*\n", encoding="utf-8")
    commit(project.root, "Add the Exampleshire plan", "2016-01-10T10:00:00+00:00")
    return project


def scripted_branch(dest: Path) -> Project:
    """main, then a branch `change` that changes statuses, adds an update, adds an action and removes
    one, renames an organisation and changes code only; main moves on meanwhile (action 1.1's
    outcomes: the diff must not show main's own change)."""
    project = main_branch(dest)
    root = project.root
    git(root, "checkout", "-q", "-b", "change")
    edit_yaml(project, AREA, lambda d: actions(d)[0].update(
        updates=[{"date": "2016-03-31", "text": "The line now runs at night.", "status": "amber"}]))
    commit(root, "Action 1.1 is at risk", "2016-04-01T09:00:00+00:00")

    def street_triage(d):
        action = actions(d)[1]
        action.update(status="green", progress="Completed in draft; agreed by the police in May 2015",
                      status_words="agreed by the police in May 2015")  # a plan's own status needs its words
    edit_yaml(project, AREA, street_triage)
    commit(root, "Action 1.2: status and progress as the plan gives them", "2016-04-02T09:00:00+00:00")

    def add_and_remove(d):
        actions(d).append({"id": "1-3", "number": "1.3", "action": "Open a crisis café in the town centre, "
                           "run with the voluntary sector every evening", "leads": ["xmpt"], "status": "not-rated"})
        d.pop("preamble")
    edit_yaml(project, AREA, add_and_remove)
    commit(root, "Add action 1.3; remove the governance row", "2016-04-03T09:00:00+00:00")
    edit_yaml(project, "content/organisations.yaml", lambda d: d["organisations"][0].update(
        name="Exampleshire Partnership NHS Trust"))
    commit(root, "XMPT's new name", "2016-04-04T09:00:00+00:00")
    (root / "tools").mkdir()
    (root / "tools" / "notes.txt").write_text("Code, not content.\n", encoding="utf-8")
    commit(root, "Tools: a note", "2016-04-05T09:00:00+00:00")

    git(root, "checkout", "-q", "main")
    edit_yaml(project, AREA, lambda d: actions(d)[0].update(outcomes="A fifth fewer people wait for help in A&E"))
    commit(root, "Action 1.1: outcomes as the plan's new version gives them", "2016-04-06T09:00:00+00:00")
    git(root, "checkout", "-q", "change")
    return project


def example_branch(dest: Path) -> Project:
    """The change CONTRIBUTING.md shows: a progress update that changes a status, a changed timescale and
    a new glossary term."""
    project = main_branch(dest)
    git(project.root, "checkout", "-q", "-b", "update-1-1")

    def change(d):
        action = actions(d)[0]
        action["updates"] = [{"date": "2016-03-31", "text": "The line now runs at night.", "status": "amber"}]
        action["timescale"] = "April 2016 (line at night by March)"
        d["glossary"].append({"term": "A&E", "meaning": "Accident and emergency department"})
    edit_yaml(project, AREA, change)
    commit(project.root, "Exampleshire 1.1: the line runs at night, at risk", "2016-04-01T09:00:00+00:00")
    return project


def diff_output(project: Project, *options: str) -> str:
    code = ("import sys; from pathlib import Path; from concordat.cli import main; "
            "sys.exit(main(sys.argv[1:], Path('.')))")
    done = subprocess.run([sys.executable, "-c", code, "diff", *options], cwd=project.root, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def example_markdown(dest: Path) -> str:
    return diff_output(example_branch(dest), "--format", "markdown", "--preview", "site-preview")


def contributing_block(markdown: str) -> str:
    """The example as CONTRIBUTING.md shows it: the Markdown the command prints."""
    return f"{BEGIN}\n\n```markdown\n{markdown}```\n\n{END}"


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as temporary:
        block = contributing_block(example_markdown(Path(temporary) / "p"))
    path = ROOT / "CONTRIBUTING.md"
    text = path.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    path.write_text(text[:start] + block + text[end:], encoding="utf-8")
    print(f"Wrote the diff example in {path}")
