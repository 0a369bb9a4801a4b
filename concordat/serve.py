"""`python build.py serve`: a live-reload preview for editors.

The preview is built into `.preview/` (never into `site/`) with the base URL `/`. It keeps the
parsed content, each area's model and every page's fingerprint in memory, so a save re-reads
only the changed file, re-renders only the pages whose inputs changed, writes them in place
and tells the browser to reload: a fraction of a second even with every area in England.
The open data and the search index follow in a background thread; meanwhile the search page
says the index is being updated. While the content has errors every page shows them, with
file, line and message, and the server keeps running; the page recovers when the file is fixed.
"""

from __future__ import annotations

import html
import mimetypes
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable

from . import processes, search
from .errors import ContentError, ContentErrors
from .pipeline import (
    ContentMemory,
    Project,
    code_fingerprint,
    load_site,
    make_environment,
    page_fingerprints,
    search_index_fingerprints,
    site_files,
)
from .render import render_pages
from .routes import index_shards, routes
from .search import SearchIndexError

mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/wasm", ".wasm")

# livereload adds an inline script and a websocket: the preview's pages allow both.
PREVIEW_CSP = {"script-src": "'unsafe-inline'", "connect-src": "ws: wss:"}
POLL_SECONDS = 0.05
INDEX_NOTICE = (b'<p class="preview-notice" role="status">The search index is being updated after your last '
                b"change: results may be out of date for a few seconds.</p>")


class Preview:
    """The preview's state: what is built, from what, and the errors of the last build, if any."""

    def __init__(self, project: Project, on_change: Callable[[], None] = lambda: None):
        self.project = project
        self.out = project.root / ".preview"
        self.on_change = on_change  # tells the browsers to reload
        self.errors: list[ContentError | SearchIndexError] = []
        self.memory = ContentMemory()
        self.routes: dict = {}  # each area's pages from the last save, reused while it is unchanged
        self.fingerprints: dict[str, str] = {}  # output file -> fingerprint of what is there now
        self.pages: dict = {}  # output file -> the Page of the last save
        self.saves = 0
        self._site_files: dict[str, bytes] = {}  # open data, assets, sitemap: as written last
        self.code = ""
        self.env = None
        self.indexing = False
        self._indexed: dict[str, str] = {}  # each search index's folder -> fingerprint of the pages it was made from
        self._background: threading.Thread | None = None
        self._background_due: tuple | None = None
        self._lock = threading.Lock()

    def rebuild(self) -> None:
        """Bring .preview/ up to date with the files, re-rendering only what changed."""
        with self._lock:
            started = time.perf_counter()
            try:
                site = load_site(self.project, base_url="/", memory=self.memory)
            except ContentErrors as exc:
                self._show_errors(exc.errors)
                return
            code = code_fingerprint(self.project)
            if code != self.code or self.env is None:
                self.env, self.code = make_environment(self.project, site, PREVIEW_CSP), code
                self.routes, self.pages = {}, {}
            pages = routes(site, memory=self.routes)
            fingerprints = page_fingerprints(pages, code, self.pages)
            self.pages = {page.output: page for page in pages}
            changed = [p for p in pages if self.fingerprints.get(p.output) != fingerprints[p.output]]
            # Forking costs more than a few pages; `processes` forks nothing once threads run.
            workers = processes.default_workers() if len(changed) > 500 else 1
            for _ in render_pages(self.env, changed, self._write, workers):
                pass
            for gone in set(self.fingerprints) - set(fingerprints):
                (self.out / gone).unlink(missing_ok=True)
            self.fingerprints = fingerprints
            self.errors = []
            print(f"Preview updated: {len(changed)} of {len(pages)} pages rendered in "
                  f"{time.perf_counter() - started:.2f}s", file=sys.stderr, flush=True)
            self.on_change()
            shards = index_shards(site)
            self._refresh_in_background(site, pages, shards, search_index_fingerprints(pages, fingerprints, shards))
            self._tidy_memory()

    def _tidy_memory(self) -> None:
        """After the reload: collect what this save left behind and freeze what is kept, so the next
        save's collections never walk the whole country's objects. Now and then everything is
        unfrozen and collected, so nothing a save dropped is held for the whole session."""
        self.saves += 1
        processes.freeze_survivors(start_over=self.saves % 25 == 0)

    def _write(self, output: str, data: bytes) -> None:
        """Replace one file in place: a reader sees the old page or the new one, never half of one."""
        target = self.out / output
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        while_in_use(os.replace, temporary, target)

    def _show_errors(self, errors: list) -> None:
        self.errors = errors
        for error in errors:
            print(error, file=sys.stderr, flush=True)
        self.on_change()

    def _refresh_in_background(self, site, pages, shards, indexes: dict[str, str]) -> None:
        """Open data and the search index, after the pages: the reader's page does not wait for them."""
        self._background_due = (site, pages, shards, indexes)
        if self._background is None or not self._background.is_alive():
            self.indexing = True
            self._background = threading.Thread(target=self._background_work, daemon=True)
            self._background.start()

    def _background_work(self) -> None:
        """Open data in this thread (each area's is cached, so only the saved area's is made
        again, and only files that changed are written); the index by Pagefind, a command run
        at low priority from this thread, one index at a time (each holds only its own pages
        in memory)."""
        try:
            self._refresh_until_done()
        finally:
            self.indexing = False
            self.on_change()

    def _refresh_until_done(self) -> None:
        while self._background_due is not None:
            site, pages, shards, indexes = self._background_due
            self._background_due = None
            self.write_site_files(site, pages)
            stale = [shard for shard in shards if self._indexed.get(shard.folder) != indexes[shard.folder]]
            for folder in set(self._indexed) - set(indexes):
                shutil.rmtree(self.out / folder, ignore_errors=True)
            try:
                for shard in stale:
                    self._index(shard)
            except SearchIndexError as exc:
                self._show_errors([exc])
            else:
                self._indexed = indexes

    def write_site_files(self, site, pages) -> None:
        """The open data, assets and sitemap; only the files that changed are written."""
        files = site_files(self.project, site, pages)
        for path, data in files.items():
            if self._site_files.get(path) != data:
                self._write(path, data)
        for gone in set(self._site_files) - set(files):
            (self.out / gone).unlink(missing_ok=True)
        self._site_files = files

    def _index(self, shard) -> None:
        """A new index beside the old one, then swapped in: searches keep working meanwhile."""
        fresh = self.out / f".{shard.folder}-new"
        shutil.rmtree(fresh, ignore_errors=True)
        search.build_search_index(self.out, shard.glob, output_subdir=fresh.name, background=True)
        old = self.out / f".{shard.folder}-old"
        shutil.rmtree(old, ignore_errors=True)
        if (self.out / shard.folder).exists():
            while_in_use(os.rename, self.out / shard.folder, old)
        if fresh.exists():  # not when the areas have no actions yet
            while_in_use(os.rename, fresh, self.out / shard.folder)
        shutil.rmtree(old, ignore_errors=True)

    def watch(self) -> None:
        """Poll the content and templates for saves (a few stat calls, every POLL_SECONDS)."""
        seen = self._snapshot()
        while True:
            time.sleep(POLL_SECONDS)
            now = self._snapshot()
            if now != seen:
                seen = self._settled(now)
                self.rebuild()

    def _settled(self, now: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        """Wait out a save in progress: an editor (or a script) truncates a file, then writes it.
        Until the files stop changing and none is empty, for up to a second."""
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            time.sleep(POLL_SECONDS / 2)
            again = self._snapshot()
            if again == now and all(size for _, size in now.values()):
                break
            now = again
        return now

    def _snapshot(self) -> dict[str, tuple[int, int]]:
        stamps = {}
        for folder in (self.project.content, self.project.templates):
            for path in folder.rglob("*"):
                try:
                    info = path.stat()
                except OSError:
                    continue
                stamps[str(path)] = (info.st_mtime_ns, info.st_size)
        return stamps

    def error_page(self) -> bytes:
        items = "\n".join(f"<li><code>{html.escape(str(e))}</code></li>" for e in self.errors)
        count = len(self.errors)
        return (
            '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Errors – preview</title><style>code{overflow-wrap:anywhere}</style></head><body>"
            f"<main><h1>{count} error{'s' if count != 1 else ''}: the preview could not be built</h1>"
            "<p>The preview will update as soon as the file is fixed and saved.</p>"
            f'<ul id="content-errors">{items}</ul></main></body></html>'
        ).encode()

    def wsgi(self, environ, start_response):
        """Serve the built preview, or the error page while the content has errors."""
        path = environ.get("PATH_INFO", "/")
        if self.errors and (path.endswith("/") or path.endswith(".html")):
            body = self.error_page()
            start_response("500 Content errors", [("Content-Type", "text/html; charset=utf-8"),
                                                  ("Content-Length", str(len(body)))])
            return [body]
        target = (self.out / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        inside = self.out.resolve() in target.parents
        if not inside or not target.is_file():
            target = self.out / "404.html"
            status = "404 Not Found"
        else:
            status = "200 OK"
        body = target.read_bytes() if target.is_file() else b"Not found"
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html" and self.indexing and b'id="search-form"' in body:
            body = re.sub(rb"(<main\b[^>]*>)", lambda m: m.group(1) + INDEX_NOTICE, body, count=1)
        if kind.startswith("text/"):
            kind += "; charset=utf-8"
        start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body))),
                                ("Cache-Control", "no-store")])
        return [body]


def while_in_use(rename: Callable, source, target, tries: int = 100) -> None:
    """Rename, trying again for up to a second while it is refused: on Windows a file (or a
    folder with a file) that is being read cannot be replaced, and the server reads them."""
    for attempt in range(tries):
        try:
            rename(source, target)
            return
        except PermissionError:
            if attempt == tries - 1:
                raise
            time.sleep(0.01)


def serve(project: Project, host: str = "127.0.0.1", port: int = 8000) -> int:
    from livereload import Server
    from livereload.handlers import LiveReloadHandler
    from livereload.watcher import Watcher
    from tornado.ioloop import IOLoop

    class NoPolling(Watcher):
        """The preview watches files itself: livereload's own poll runs every 0.8 s."""

        def start(self, callback) -> bool:
            return True  # "event-driven": livereload starts no polling of its own

        def examine(self):
            return None, None

    loop = IOLoop.current()
    preview = Preview(project, on_change=lambda: loop.add_callback(LiveReloadHandler.reload_waiters))
    shutil.rmtree(preview.out, ignore_errors=True)  # pages of an earlier session may be stale
    preview.rebuild()
    threading.Thread(target=preview.watch, daemon=True).start()
    server = Server(app=preview.wsgi, watcher=NoPolling())
    print(f"Previewing on http://{host}:{port}/ (press Ctrl+C to stop)", file=sys.stderr, flush=True)
    server.serve(host=host, port=port, debug=False, restart_delay=0)
    return 0

