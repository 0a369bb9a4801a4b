"""Windows and macOS, tried on Linux: no fork, backslashes, CRLF line endings, file locks.

Python on Windows has no fork, and on macOS it spawns by default. A `sitecustomize.py` on
PYTHONPATH makes this Linux machine the same for the commands run under it: asking for the
fork start method fails as it does there, the default start method is spawn, and os.fork is gone.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from concordat.cli import main
from concordat.errors import ContentErrors
from concordat.pipeline import build_site, load_site

from .conftest import ROOT, make_project
from .plan_documents import word_plan
from .test_build import tree
from .test_import import national_template_plan

NO_FORK = """\
import multiprocessing, os
_get_context = multiprocessing.get_context
def get_context(method=None):
    if method == "fork":
        raise ValueError("cannot find context for 'fork'")
    return _get_context(method)
multiprocessing.get_context = get_context
multiprocessing.set_start_method("spawn", force=True)
del os.fork
"""

CLI = "import sys; from pathlib import Path; from concordat.cli import main; sys.exit(main(sys.argv[1:], Path('.')))"


@pytest.fixture(scope="module")
def no_fork(tmp_path_factory) -> dict[str, str]:
    """The environment for a command run as on a system without fork."""
    folder = tmp_path_factory.mktemp("no-fork")
    (folder / "sitecustomize.py").write_text(NO_FORK, encoding="utf-8")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)])}


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_the_stand_in_really_takes_fork_away(no_fork, tmp_path):
    probe = ("import multiprocessing, os\n"
             "try:\n    multiprocessing.get_context('fork')\nexcept ValueError:\n    print('no fork context')\n"
             "print(hasattr(os, 'fork'), multiprocessing.get_start_method())")
    assert run(["-c", probe], tmp_path, no_fork).stdout.split("\n")[:2] == ["no fork context", "False spawn"]


def test_a_build_without_fork_equals_the_build_with_it(no_fork, tmp_path):
    """Byte for byte, every page, data file and search index of the real plans. Both builds run
    in a process of their own: one with threads (this one may have a server's) would not fork."""
    with_fork, without = tmp_path / "with-fork", tmp_path / "without"
    for out, env in ((with_fork, {**os.environ, "PYTHONPATH": str(ROOT)}), (without, no_fork)):
        done = run(["-c", CLI, "--full", "--workers", "2", "--out", str(out)], ROOT, env)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    assert tree(without) == tree(with_fork)
    assert (without / "pagefind" / "pagefind.js").is_file() and (without / "data" / "actions.csv").is_file()


def test_check_and_import_without_fork_say_what_they_say_with_it(no_fork, tmp_path):
    project = make_project(tmp_path / "p")
    normal = run(["-c", CLI, "check"], project.root, {**os.environ, "PYTHONPATH": str(ROOT)})
    without = run(["-c", CLI, "check"], project.root, no_fork)
    assert (without.returncode, without.stdout, without.stderr) == (normal.returncode, normal.stdout, normal.stderr)
    plan = word_plan(national_template_plan(), "national", tmp_path / "plan.docx")
    area = project.content / "areas" / "otherside.yaml"
    imports = []
    for env in ({**os.environ, "PYTHONPATH": str(ROOT)}, no_fork):
        done = run(["-c", CLI, "import", str(plan), "--name", "Otherside"], project.root, env)
        assert done.returncode == 0, done.stderr
        imports.append((done.stdout, area.read_bytes()))
        area.unlink()
    assert imports[0] == imports[1]


PREVIEW = """\
import sys, time
from pathlib import Path
from concordat.pipeline import Project
from concordat.serve import Preview
preview = Preview(Project(Path(sys.argv[1])))
preview.rebuild()
area = preview.project.content / "areas" / "exampleshire.yaml"
area.write_text(area.read_text(encoding="utf-8").replace(sys.argv[2], sys.argv[3], 1), encoding="utf-8")
preview.rebuild()  # a save: the background refresh runs again, now beside a thread
deadline = time.monotonic() + 120
while (preview.indexing or preview._background_due) and time.monotonic() < deadline:
    time.sleep(0.05)
print("errors:", preview.errors)
"""


def test_the_preview_without_fork_refreshes_search_and_open_data(no_fork, tmp_path):
    """On Windows the background refresh must not die: the search index and the open data appear,
    and show the save."""
    project = make_project(tmp_path / "p")
    done = run(["-c", PREVIEW, str(project.root), "Agree the street triage protocol", "Agree the street triage plan"],
               tmp_path, no_fork)
    assert done.returncode == 0 and "errors: []" in done.stdout, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    out = project.root / ".preview"
    assert (out / "pagefind" / "pagefind.js").is_file()
    assert "Agree the street triage plan" in (out / "data" / "actions.csv").read_text(encoding="utf-8")
    assert "Agree the street triage plan" in (out / "areas/exampleshire/actions/1-2/index.html").read_text(
        encoding="utf-8")


def with_crlf(project) -> None:
    """Every content file as an editor's Windows program saves it: CRLF line endings."""
    for path in project.content.rglob("*.yaml"):
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))


def test_content_saved_with_windows_line_endings_builds_the_same_site(tmp_path):
    lf, crlf = make_project(tmp_path / "lf"), make_project(tmp_path / "crlf")
    with_crlf(crlf)
    assert b"\r\n" in (crlf.content / "areas" / "exampleshire.yaml").read_bytes()
    build_site(lf, workers=1)
    build_site(crlf, workers=1)
    manifest = ".concordat-manifest.json"  # it holds a digest of the content files' bytes
    assert {k: v for k, v in tree(crlf.output).items() if k != manifest} == \
           {k: v for k, v in tree(lf.output).items() if k != manifest}


@pytest.mark.parametrize("old, new", [
    ("status: complete", "status: done"),  # the schema's check
    ("timescale: May 2015", "timescale:May 2015"),  # the parser's
    ("due: 2016-04", "due: 2016-13"),  # validation's
    ("timescale: May 2015", "timescale: 'May 2015"),  # a quote never closed: the parser reads on to the end
])
def test_a_mistake_in_a_file_with_windows_line_endings_is_reported_at_the_same_place(tmp_path, old, new):
    reported = []
    for name in ("lf", "crlf"):
        project = make_project(tmp_path / name)
        area = project.content / "areas" / "exampleshire.yaml"
        text = area.read_text(encoding="utf-8")
        assert old in text
        area.write_text(text.replace(old, new, 1), encoding="utf-8")
        if name == "crlf":
            with_crlf(project)
        assert main(["check"], project.root) == 1
        with pytest.raises(ContentErrors) as caught:
            load_site(project)
        reported.append([str(e) for e in caught.value.errors])
    assert reported[0] and reported[1] == reported[0]


def test_messages_name_files_with_forward_slashes_on_windows(monkeypatch):
    """Windows paths have backslashes: messages and GitHub annotations show content/areas/x.yaml,
    as GitHub and the editors' tools do (an annotation with backslashes is not put on the line)."""
    import ntpath
    from types import SimpleNamespace

    from concordat import errors

    project = r"C:\Users\editor\plans"
    windows = SimpleNamespace(path=ntpath, sep="\\", fspath=os.fspath, getcwd=lambda: project)
    monkeypatch.setattr(errors, "os", windows)
    shown = errors.display_path(project + r"\content\areas\kent.yaml", project)
    assert shown == "content/areas/kent.yaml"
    assert errors.display_path(r"D:\elsewhere\kent.yaml", project) == "D:/elsewhere/kent.yaml"
    error = errors.ContentError(shown, "'done' is not a valid status", 41, 21)
    assert str(error).startswith("content/areas/kent.yaml:41:21: ")
    assert error.github_annotation().startswith("::error file=content/areas/kent.yaml,line=41,col=21::")


def test_messages_quoting_any_character_print_where_the_output_is_not_utf8(tmp_path):
    """Windows pipes output in its code page (cp1252), which has no "≥": a message quoting such
    words must reach CI's log (the annotation on stdout, the message on stderr) whole, not crash."""
    project = make_project(tmp_path / "p")
    area = project.content / "areas" / "exampleshire.yaml"
    area.write_text(area.read_text(encoding="utf-8").replace("status_words: Completed", 'status_words: "≥ 5 a week"'),
                    encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", CLI, "check"], cwd=project.root, capture_output=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "cp1252",
                               "GITHUB_ACTIONS": "true"})
    assert "Traceback" not in done.stderr.decode("utf-8", "replace")
    words = "'≥ 5 a week' is not in this action's progress or timescale".encode()
    assert b"content/areas/exampleshire.yaml:42:27: " + words in done.stderr
    assert b"::error file=content/areas/exampleshire.yaml,line=42,col=27::" + words in done.stdout


def test_without_an_atomic_swap_a_build_killed_between_renames_loses_no_site(example_project, monkeypatch):
    """Windows cannot swap two folders in one step: the old site is renamed aside, then the new one
    in. Killed between the two, site/ is missing for a moment; the next build, even one refused
    for a content error, puts the old site back first."""
    from concordat import write

    build_site(example_project)
    area = example_project.content / "areas" / "exampleshire.yaml"
    area.write_text(area.read_text(encoding="utf-8").replace("Exampleshire", "Exampleshire and District", 1),
                    encoding="utf-8")
    real_rename = os.rename

    def killed_after_one_rename(source, target):
        real_rename(source, target)
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(write, "_exchange", lambda a, b: False)
    monkeypatch.setattr(write.os, "rename", killed_after_one_rename)
    with pytest.raises(KeyboardInterrupt):
        build_site(example_project)
    monkeypatch.setattr(write.os, "rename", real_rename)
    assert not example_project.output.exists()
    area.write_text(area.read_text(encoding="utf-8").replace("status: complete", "status: done", 1), encoding="utf-8")
    with pytest.raises(ContentErrors):
        build_site(example_project)
    page = (example_project.output / "index.html").read_text(encoding="utf-8")
    assert "Exampleshire" in page and "Exampleshire and District" not in page
    area.write_text(area.read_text(encoding="utf-8").replace("status: done", "status: complete", 1), encoding="utf-8")
    build_site(example_project)
    assert "Exampleshire and District" in (example_project.output / "index.html").read_text(encoding="utf-8")
    assert not list(example_project.output.parent.glob(".site.previous"))


WHERE = """\
import os, sys, threading
from concordat import processes
def where(item):
    return item, os.getpid()
alone = sorted(processes.map_unordered(where, range(8), 2))
stop = threading.Event()
thread = threading.Thread(target=stop.wait)
thread.start()
beside = sorted(processes.map_unordered(where, range(8), 2))
stop.set()
print([i for i, _ in alone] == list(range(8)), os.getpid() in {pid for _, pid in alone},
      beside == [(i, os.getpid()) for i in range(8)])
"""


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux forks")
def test_workers_are_forked_only_from_a_process_without_threads(tmp_path):
    """A fork copies locks other threads may hold (the preview's threads): there the work is done
    in this process. Either way every item is done once. (In a fresh process: pytest's may have
    a server's thread.)"""
    done = run(["-c", WHERE], tmp_path, {**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout.split() == ["True", "False", "True"], done.stdout + done.stderr


def test_the_preview_waits_for_a_page_being_read_before_replacing_it(example_project, monkeypatch):
    """On Windows a file the server is reading cannot be replaced for that moment (PermissionError):
    the preview tries again rather than stopping."""
    from concordat import serve

    preview = serve.Preview(example_project)
    real_replace, refused = os.replace, []

    def in_use_at_first(source, target):
        if len(refused) < 3:
            refused.append(target)
            raise PermissionError(13, "The process cannot access the file because it is being used")
        real_replace(source, target)

    monkeypatch.setattr(serve.os, "replace", in_use_at_first)
    preview._write("areas/exampleshire/index.html", b"<p>new</p>")
    assert len(refused) == 3
    assert (preview.out / "areas/exampleshire/index.html").read_bytes() == b"<p>new</p>"
