"""What an odd file, a wrong flag or a hostile web page must not do: delete a folder that is not a
build, read past content/, or break the preview. Each case from the audit in issue 18."""

from __future__ import annotations

import errno
import http.client
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
import yaml

from concordat.cli import main
from concordat.pipeline import build_site
from concordat.write import OutputFolderError

from .conftest import ROOT
from .test_editors import wait_for


def files_under(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


# The output folder is only ever a build.

def test_a_site_symlink_is_refused_and_its_target_left_alone(example_project, tmp_path):
    elsewhere = tmp_path / "someone-else"
    elsewhere.mkdir()
    (elsewhere / "thesis.docx").write_bytes(b"years of work")
    example_project.output.symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OutputFolderError, match="symbolic link"):
        build_site(example_project)
    assert files_under(elsewhere) == ["thesis.docx"]
    assert example_project.output.is_symlink()


@pytest.mark.parametrize("out", [".", "content", "content/areas", "templates", "templates/assets", "..", "site/../."])
def test_the_project_its_inputs_and_their_ancestors_are_never_an_output(example_project, monkeypatch, capsys, out):
    monkeypatch.chdir(example_project.root)  # `--out` is relative to where the command is typed
    before = files_under(example_project.root.parent)
    assert main(["--out", out], example_project.root) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the output folder ") and err.count("\n") == 1, err
    assert files_under(example_project.root.parent) == before


def test_a_folder_of_other_files_is_refused_but_an_empty_one_or_a_build_is_used(example_project, tmp_path, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "holiday.jpg").write_bytes(b"jpeg")
    assert main(["--out", str(photos)], example_project.root) == 2
    assert "has files in it and is not a previous build" in capsys.readouterr().err
    assert files_under(photos) == ["holiday.jpg"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["--out", str(empty)], example_project.root) == 0
    assert (empty / "index.html").is_file()
    assert main(["--out", str(empty), "--full"], example_project.root) == 0  # a previous build: replaced


def test_a_file_as_the_output_is_refused(example_project, tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(OutputFolderError, match="is a file"):
        build_site(example_project, out_dir=tmp_path / "notes.txt")
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_a_committed_preview_symlink_is_refused_and_nothing_written_into_its_target(example_project, tmp_path):
    from concordat.serve import Preview

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("keep")
    (example_project.root / ".preview").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OutputFolderError, match="symbolic link"):
        Preview(example_project).start_afresh()
    assert files_under(elsewhere) == ["keep.txt"]


def test_the_preview_clears_only_its_own_folder(example_project):
    from concordat.serve import Preview

    preview = Preview(example_project)
    preview.out.mkdir()
    (preview.out / "mine.txt").write_text("not a preview")
    with pytest.raises(OutputFolderError, match="not a previous build"):
        preview.start_afresh()
    assert (preview.out / "mine.txt").is_file()
    (preview.out / "mine.txt").unlink()
    preview.start_afresh()
    preview.rebuild()
    assert wait_for(lambda: not preview.indexing)
    (preview.out / "stale.html").write_text("from an earlier session")
    preview.start_afresh()  # its own folder, marked by the last session: emptied
    assert not (preview.out / "stale.html").exists()


# Content is plain files.

def check_errors(project):
    from concordat.errors import ContentErrors
    from concordat.pipeline import load_site

    with pytest.raises(ContentErrors) as raised:
        load_site(project)
    return [str(e) for e in raised.value.errors]


def test_a_committed_symlink_in_content_is_refused_without_reading_its_target(example_project, tmp_path, capsys):
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (example_project.content / "areas" / "leak.yaml").symlink_to(secret)
    assert main(["check"], example_project.root) == 1
    err = capsys.readouterr().err
    assert "content/areas/leak.yaml: is a symbolic link, not a file" in err
    assert "root:x" not in err and "/bin/bash" not in err


def test_a_symlinked_site_file_is_refused_too(example_project):
    real = example_project.root / "site-real.yaml"
    (example_project.content / "site.yaml").rename(real)
    (example_project.content / "site.yaml").symlink_to(real)
    assert any(e.startswith("content/site.yaml: is a symbolic link") for e in check_errors(example_project))


def test_a_link_to_a_device_is_refused_before_it_is_read(example_project):
    (example_project.content / "areas" / "zero.yaml").symlink_to("/dev/zero")
    assert any(e.startswith("content/areas/zero.yaml: is a symbolic link") for e in check_errors(example_project))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_a_fifo_in_content_is_refused_instead_of_hanging_the_build(example_project):
    os.mkfifo(example_project.content / "areas" / "pipe.yaml")
    assert any(e.startswith("content/areas/pipe.yaml: is a device, pipe or socket, not a plain file")
               for e in check_errors(example_project))


def test_a_folder_named_like_an_area_file_is_an_error_not_a_traceback(example_project, capsys):
    (example_project.content / "areas" / "x.yaml").mkdir()
    assert main(["check"], example_project.root) == 1
    err = capsys.readouterr().err
    assert "content/areas/x.yaml: is a folder, not a file" in err and "Traceback" not in err


def test_a_symlinked_areas_folder_is_refused(example_project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (example_project.content / "areas").rename(elsewhere)
    (example_project.content / "areas").symlink_to(elsewhere, target_is_directory=True)
    assert any(e.startswith("content/areas: is a symbolic link, not a folder") for e in check_errors(example_project))


# The preview survives what happens to its files, and answers only its own pages.

@pytest.fixture
def watched(example_project):
    from concordat.serve import Preview

    preview = Preview(example_project)
    seen = preview._snapshot()
    preview.rebuild()
    assert wait_for(lambda: not preview.indexing)
    watcher = threading.Thread(target=preview.watch, args=(seen,), daemon=True)
    watcher.start()
    yield preview, watcher
    preview.stopped.set()
    watcher.join()


def test_the_preview_watcher_survives_a_folder_named_like_an_area_file(watched, example_project):
    preview, watcher = watched
    odd = example_project.content / "areas" / "x.yaml"
    odd.mkdir()
    assert wait_for(lambda: any("content/areas/x.yaml: is a folder" in str(e) for e in preview.errors))
    assert b"content/areas/x.yaml: is a folder" in get(preview, "/")[2]
    odd.rmdir()
    assert wait_for(lambda: not preview.errors)
    assert watcher.is_alive() and get(preview, "/")[0].startswith("200")


def test_the_preview_says_what_stopped_a_save_and_carries_on(watched, example_project, monkeypatch):
    from concordat import serve

    preview, watcher = watched
    monkeypatch.chdir(example_project.root)  # where `serve` runs: errors name files from there

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(preview.out / "index.html"))

    monkeypatch.setattr(preview, "_write", full_disk)
    area = example_project.content / "areas" / "exampleshire.yaml"
    area.write_text(area.read_text().replace("Agree the street triage protocol", "Agree the triage plan"))
    assert wait_for(lambda: preview.errors)
    assert [str(e) for e in preview.errors] == [
        "the preview could not be updated (.preview/index.html: the disk is full); it will try again at the next save"]
    monkeypatch.undo()
    monkeypatch.setattr(serve, "routes", lambda *a, **k: 1 / 0)  # a bug, not the editor's doing
    area.write_text(area.read_text().replace("Agree the triage plan", "Agree the triage plans"))
    assert wait_for(lambda: "ZeroDivisionError" in str(preview.errors))
    monkeypatch.undo()
    area.write_text(area.read_text().replace("Agree the triage plans", "Agree the triage plan!"))
    assert wait_for(lambda: not preview.errors)
    assert watcher.is_alive()
    assert "Agree the triage plan!" in get(preview, "/areas/exampleshire/actions/1-2/")[2].decode()


def get(preview, path, method="GET", host="127.0.0.1:8000"):
    answer = []
    body = b"".join(preview.wsgi({"PATH_INFO": path, "REQUEST_METHOD": method, "HTTP_HOST": host},
                                 lambda status, headers: answer.extend([status, dict(headers)])))
    return answer[0], answer[1], body


def test_the_preview_answers_head_and_refuses_bad_paths_and_other_hosts(example_project):
    from concordat.serve import Preview

    preview = Preview(example_project)
    preview.rebuild()
    status, headers, body = get(preview, "/", "HEAD")
    assert status.startswith("200") and body == b"" and int(headers["Content-Length"]) > 1000
    assert get(preview, "/areas/%00/")[0].startswith("404")  # as typed: not decoded
    assert get(preview, "/areas/\0/")[0].startswith("400")
    assert get(preview, "/" + "a" * 300 + "/")[0].startswith("404")  # longer than a file name may be
    assert get(preview, "/" + "a/" * 3000)[0].startswith("404")
    for host in ("localhost:8000", "127.0.0.1", "[::1]:8000", "192.168.1.20:8000"):
        assert get(preview, "/", host=host)[0].startswith("200"), host
    for host in ("evil.example:8000", "localhost.evil.example", "", "[::1"):
        status, _, body = get(preview, "/", host=host)
        assert status.startswith("400") and b"Exampleshire" not in body, host
    assert get(preview, "/", "POST")[0].startswith("405")


@pytest.fixture
def preview_server(example_project):
    """`python build.py serve` on a free port; yields its port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = ("import sys; from pathlib import Path; from concordat.cli import main; "
            "sys.exit(main(sys.argv[1:], Path('.')))")
    server = subprocess.Popen([sys.executable, "-c", code, "serve", "--port", str(port)], cwd=example_project.root,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        for line in server.stderr:
            if line.startswith("Previewing on"):
                break
        else:
            pytest.fail("the preview did not start")
        threading.Thread(target=server.stderr.read, daemon=True).start()  # its request log must not fill the pipe
        deadline = time.monotonic() + 60
        while True:  # the line is printed just before the server listens
            try:
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def ask(port, path, method="GET", headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, headers=headers or {})
    response = connection.getresponse()
    return response.status, response.read()


def test_the_running_preview_answers_head_and_takes_forcereload_only_from_itself(preview_server):
    port = preview_server
    assert ask(port, "/", "HEAD") == (200, b"")
    assert ask(port, "/areas/exampleshire/", "HEAD")[0] == 200
    assert ask(port, "/%00")[0] == 400
    assert ask(port, "/" + "a" * 5000)[0] == 404
    assert ask(port, "/", headers={"Host": f"rebound.example:{port}"})[0] == 400
    assert ask(port, "/forcereload")[0] == 200  # a program on this machine, such as an editor's plug-in
    assert ask(port, "/forcereload", headers={"Sec-Fetch-Site": "same-origin"})[0] == 200
    assert ask(port, "/forcereload", headers={"Sec-Fetch-Site": "cross-site"})[0] == 403
    assert ask(port, "/forcereload", headers={"Origin": "https://evil.example"})[0] == 403
    assert ask(port, "/forcereload", headers={"Host": "evil.example"})[0] == 403


# Small things that broke a page path, hid a character or printed a traceback.

def edit_area(project, old, new):
    area = project.content / "areas" / "exampleshire.yaml"
    text = area.read_text(encoding="utf-8")
    assert old in text
    area.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_id_with_a_trailing_line_break_fails_the_pattern(example_project):
    edit_area(example_project, "- id: 1-1\n", '- id: "1-1\\n"\n')
    assert "content/areas/exampleshire.yaml:20:17: '1-1\n' is not a valid id" in " ".join(
        e.split(" (")[0] for e in check_errors(example_project))


@pytest.mark.parametrize("escape, described", [("\\t", "a tab (U+0009)"), ("\\r", "a carriage return (U+000D)")])
def test_a_tab_or_carriage_return_written_as_a_yaml_escape_is_refused(example_project, escape, described):
    edit_area(example_project, "action: Agree the street triage protocol",
              f'action: "Agree the street{escape}triage protocol"')
    assert f"content/areas/exampleshire.yaml:37:21: 'action' contains {described}" in " ".join(
        check_errors(example_project))


@pytest.mark.parametrize("name, slug", [("Ōxford", "oxford"), ("Łódź and Straße", "lodz-and-strasse"),
                                        ("Ynys Môn", "ynys-mon")])
def test_new_area_spells_accented_letters_plainly_instead_of_dropping_them(example_project, capsys, name, slug):
    assert main(["new-area", name], example_project.root) == 0
    written = yaml.safe_load((example_project.content / "areas" / f"{slug}.yaml").read_text(encoding="utf-8"))
    assert (written["name"], written["slug"]) == (name, slug)


def test_a_name_with_letters_beyond_a_to_z_is_refused_with_those_letters(example_project, capsys):
    assert main(["new-area", "Αθήνα"], example_project.root) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot make a web address from the name 'Αθήνα': 'α', 'η', 'θ', 'ν' cannot be")
    assert list((example_project.content / "areas").iterdir()) == [example_project.content / "areas/exampleshire.yaml"]


@pytest.mark.parametrize("command", [["new-area"], ["import", "plan.docx", "--name"]])
def test_a_very_long_name_is_one_line_not_a_traceback(example_project, capsys, command):
    assert main([*command, "North " * 60], example_project.root) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the name makes a web address of 359 characters") and err.count("\n") == 1, err


def test_a_name_beyond_the_schemas_limit_is_not_reported_as_an_importer_fault(tmp_path, capsys):
    from .test_import import _good_docx, project_without

    project = project_without(tmp_path)
    name = "Exampleshire" + " &" * 60  # a short web address, but longer than a name may be
    assert main(["import", str(_good_docx(tmp_path)), "--name", name], project.root) == 1
    err = capsys.readouterr().err
    assert "'name' is too long (132 characters; at most 120)" in err and "report" not in err


# A full or read-only disk is one line that says so.

def test_a_full_disk_is_one_line_and_publishes_nothing(example_project, monkeypatch, capsys):
    from concordat import write

    assert main([], example_project.root) == 0
    before = files_under(example_project.output)

    def full(staging, relative, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(write, "write_file", full)
    capsys.readouterr()
    assert main(["--full", "--workers", "1"], example_project.root) == 1
    err = capsys.readouterr().err
    assert err.endswith("error: cannot write site: the disk is full; nothing was published.\n"), err
    assert "Traceback" not in err and files_under(example_project.output) == before


def test_a_read_only_disk_is_one_line(example_project, monkeypatch, capsys):
    from concordat import write

    def read_only(out_dir):
        raise OSError(errno.EROFS, "Read-only file system", str(out_dir.parent / ".site.staging-x"))

    monkeypatch.setattr(write, "make_staging", read_only)
    monkeypatch.chdir(example_project.root)
    assert main([], example_project.root) == 1
    assert capsys.readouterr().err.endswith("error: .site.staging-x: the disk is read-only; nothing was published.\n")


def test_a_full_disk_while_pagefind_writes_is_not_called_a_damaged_index(example_project, monkeypatch, capsys):
    import shutil
    from collections import namedtuple

    from concordat import search

    cut_short = ("import pathlib, sys; out = pathlib.Path(sys.argv[sys.argv.index('--output-subdir') + 1]); "
                 "out.mkdir(); (out / 'pagefind-entry.json').write_text('')")  # as Pagefind leaves a full disk
    monkeypatch.setattr(search.indexing, "PAGEFIND", [sys.executable, "-c", cut_short])
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 4096, 4096))
    assert main(["--workers", "1"], example_project.root) == 1
    err = capsys.readouterr().err
    assert "error: the search index could not be written: the disk is full (4 KiB free); nothing was published." in err
    assert "damaged" not in err


def test_a_symlinked_asset_or_template_is_refused_not_published(example_project, tmp_path, capsys):
    secret = tmp_path / "runner-secret.txt"
    secret.write_text("TOKEN=abc123")
    (example_project.assets / "notes.txt").symlink_to(secret)
    assert main(["--workers", "1"], example_project.root) == 1
    err = capsys.readouterr().err
    assert "templates/assets/notes.txt: is a symbolic link, not a file" in err and "abc123" not in err
    assert not example_project.output.exists()


def test_an_output_name_too_long_for_the_file_system_is_one_line(example_project, capsys):
    assert main(["--out", "x" * 300], example_project.root) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.endswith(": the name is too long for the file system; nothing was "
                                                       "published.\n") and err.count("\n") == 1, err
