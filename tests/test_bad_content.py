"""A corpus of broken and hostile content files: each gives a clear message naming the file
(and the line and field where there is one), exit code 1, no traceback, and the previous
site/ byte-for-byte intact."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from concordat.cli import main
from concordat.pipeline import build_site

from .conftest import FIXTURES, ROOT, make_project

EXAMPLE = (FIXTURES / "example-area.yaml").read_text(encoding="utf-8")
AREA = "content/areas/exampleshire.yaml"


def replace(old, new):
    def mutate(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return mutate


def whole(new):
    return lambda text: new


# (case id, file changed, how, expected message fragment, line expected?)
CASES = [
    ("yaml-syntax", AREA, replace("name: Exampleshire", "name: [Exampleshire"), "is not closed with ']'", True),
    ("tab-indent", AREA, replace("  title: Exampleshire", "\ttitle: Exampleshire"), "tabs", True),
    ("unquoted-colon", AREA, replace("timescale: Annually", "timescale: Annually: or so"),
     "put the whole value in quotes", True),
    ("unquoted-at", AREA, replace("name: Exampleshire\n", "name: Exampleshire\nreviewers: [@exampleshire-editor]\n"),
     "a value starting with @ or ` must be put in quotes", True),
    ("reviewer-not-a-github-name", AREA,
     replace("name: Exampleshire\n", "name: Exampleshire\nreviewers: [exampleshire-editor]\n"),
     "write a GitHub user as @name", True),
    ("empty-file", AREA, whole(""), "file is empty", False),
    ("only-comments", AREA, whole("# nothing here\n"), "file is empty", False),
    ("bom", AREA, lambda t: "\ufeff" + t, "byte order mark", True),
    ("not-utf8", AREA, lambda t: t.replace("Annually", "Annu\udce9lly"), "is not valid UTF-8", True),
    ("top-level-list", AREA, whole("- a\n- b\n"), "should be a set of 'key: value' lines", True),
    ("missing-name", AREA, replace("name: Exampleshire\n", ""), "missing required field 'name'", True),
    ("missing-action-text", AREA, replace("    action: Ensure that local", "    actio: Ensure that local"),
     "unknown field 'actio'", True),
    ("empty-required", AREA, replace("action: Agree the street triage protocol", "action: ''"), "'action' is empty",
     True),
    ("null-value", AREA, replace("timescale: May 2015", "timescale:"), "'timescale' is empty", True),
    ("wrong-type-list", AREA, replace("leads: [xmpt, example-police]", "leads: xmpt"), "should be a list", True),
    ("wrong-type-number", AREA, replace('number: "1.2"', "number: 1.2"), "should be text", True),
    ("wrong-type-bool", AREA, replace("lead_text: All CCGs", "lead_text: yes"), "should be text", True),
    ("wrong-type-mapping", AREA, replace("timescale: Annually", "timescale: {when: Annually}"), "should be a single",
     True),
    ("unknown-field", AREA, replace("timescale: May 2015", "timescales: May 2015"), "did you mean 'timescale'?",
     True),
    ("unknown-status", AREA, replace("status: complete", "status: Green"), "did you mean 'green'?", True),
    ("unknown-organisation", AREA, replace("[xmpt, example-police]", "[xmpt, example-polce]"),
     "unknown organisation 'example-polce'", True),
    ("unknown-theme", AREA, replace("theme: commissioning", "theme: comissioning"), "unknown theme 'comissioning'",
     True),
    ("unknown-subtheme", AREA, replace("subtheme: matching-local-need", "subtheme: matching-need"),
     "unknown sub-theme", True),
    ("duplicate-action-id", AREA, replace("- id: 1-2", "- id: 1-1"), "duplicate action id '1-1'", True),
    ("duplicate-key", AREA, replace("status: complete", "status: complete\n            status: red"),
     "duplicate key 'status'", True),
    ("duplicate-glossary-term", AREA, lambda t: t + "  - term: XMPT\n    meaning: again\n",
     "glossary term 'XMPT' is listed twice", True),
    ("impossible-date", AREA, replace("due: 2016-04", "due: 2016-02-31"), "is not a real date", True),
    ("badly-formatted-date", AREA, replace("due: 2016-04", "due: April 2016"), "write the date as YYYY-MM", True),
    ("slug-leaves-site", AREA, replace("slug: exampleshire", "slug: ../../etc"), "is not a valid slug", True),
    ("slug-absolute-path", AREA, replace("slug: exampleshire", "slug: /tmp/x"), "is not a valid slug", True),
    ("action-id-traversal", AREA, replace("- id: 1-2", "- id: ../../../index"), "is not a valid id", True),
    ("slug-mismatch", AREA, replace("slug: exampleshire", "slug: elsewhere"), "does not match the file name", True),
    ("javascript-url-source", AREA, replace("  date: March 2015", "  url: javascript:alert(1)"),
     "is not a valid url", True),
    ("yaml-python-tag", AREA, replace("lead_text: All CCGs", "lead_text: !!python/object/apply:os.system ['id']"),
     "is not allowed", True),
    ("yaml-anchor-bomb", AREA, lambda t: "a: &a ['x','x']\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b]\n" + t,
     "unknown field 'a'", True),
    ("enormous-file", AREA, lambda t: t + "# " + "x" * (6 * 1024 * 1024) + "\n", "file is too large", False),
    ("control-character", AREA, replace("timescale: Annually", 'timescale: "Annu\\x07ally"'),
     "invisible control character (U+0007)", True),
    ("organisations-broken", "content/organisations.yaml", replace("type: police", "type: polce"),
     "did you mean 'police'?", True),
    ("duplicate-organisation", "content/organisations.yaml",
     lambda t: t + "  - id: xmpt\n    name: Again\n    type: other\n", "duplicate organisation id 'xmpt'", True),
    ("themes-broken", "content/themes.yaml", replace("number: 1", "number: one"), "should be a whole number", True),
    ("site-bad-base-url", "content/site.yaml", replace("base_url: /", "base_url: concordat"),
     "is not a valid base_url", True),
]


@pytest.fixture(scope="module")
def built_example(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("bad") / "project")
    build_site(project)
    return project


def tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case_id,relative,mutate,expected,has_line", CASES, ids=[c[0] for c in CASES])
def test_bad_content_is_reported_and_nothing_is_published(built_example, capsys, case_id, relative, mutate,
                                                         expected, has_line):
    project = built_example
    path = project.root / relative
    original = path.read_bytes()
    before = tree(project.output)
    try:
        text = mutate(original.decode("utf-8"))
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
        code = main([], root=project.root)
        err = capsys.readouterr().err
    finally:
        path.write_bytes(original)
    assert code == 1
    assert "Traceback" not in err
    first = err.splitlines()[0]
    assert first.startswith(relative + (":" if has_line else "")), err
    if has_line:
        assert re.match(rf"{re.escape(relative)}:\d+:\d+: ", first), first
    assert expected in err, err
    assert tree(project.output) == before


def test_build_killed_at_any_moment_leaves_a_whole_site(tmp_path):
    """SIGKILL a build at many moments: site/ is always the old or the new site, whole."""
    project = make_project(tmp_path / "p")
    build_site(project)
    old = tree(project.output)
    area = project.content / "areas" / "exampleshire.yaml"
    area.write_text(area.read_text().replace("Agree the street triage protocol", "Agree the triage plan"))
    code = "import sys; from pathlib import Path; from concordat.cli import main; sys.exit(main(['--full'], Path('.')))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # How long an uninterrupted build takes, to spread the kills across it.
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", code], cwd=project.root, env=env, check=True, capture_output=True)
    duration = time.monotonic() - started
    new = tree(project.output)
    assert new != old
    # Put the old site back and kill builds at moments spread over the whole run.
    for delay in [duration * i / 12 for i in range(1, 13)]:
        build_site(project)  # the edited content: bring site/ to a known state
        area.write_text(area.read_text().replace("Agree the triage plan", "Agree the triage plan."))
        current = tree(project.output)
        process = subprocess.Popen([sys.executable, "-c", code], cwd=project.root, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = tree(project.output)
        if after != current:
            # Killed after the swap: the site must be the complete new build.
            assert "Agree the triage plan." in after["areas/exampleshire/actions/1-2/index.html"].decode()
            assert {k for k in after if not k.startswith("pagefind/")} == \
                {k for k in current if not k.startswith("pagefind/")}
            assert "pagefind/pagefind.js" in after
        area.write_text(area.read_text().replace("Agree the triage plan.", "Agree the triage plan"))
    result = build_site(project)
    assert result.pages > 0
    assert not list(project.root.glob(".site.staging-*"))


def test_two_builds_of_the_same_content_are_byte_identical(tmp_path):
    project = make_project(tmp_path / "p")
    build_site(project, out_dir=tmp_path / "one", full=True)
    build_site(project, out_dir=tmp_path / "two", full=True)
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
