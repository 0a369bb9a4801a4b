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
import ipaddress
import mimetypes
import os
import re
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Callable

from . import processes, search, write
from .errors import ContentError, ContentErrors, describe_os_error
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
from .write import OutputFolderError

mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/wasm", ".wasm")

# livereload adds an inline script and a websocket: the preview's pages allow both.
PREVIEW_CSP = {"script-src": "'unsafe-inline'", "connect-src": "ws: wss:"}
POLL_SECONDS = 0.05
INDEX_NOTICE = (b'<p class="preview-notice" role="status">The search index is being updated after your last '
                b"change: results may be out of date for a few seconds.</p>")


class PreviewFailure(Exception):
    """Something other than the content stopped a save from showing: a full disk, say, or a bug."""

    def __init__(self, exc: Exception):
        if isinstance(exc, OSError):
            reason = describe_os_error(exc)
        else:
            reason = f"{type(exc).__name__}: {exc}"
            traceback.print_exception(exc, file=sys.stderr)  # a bug: its details, for a report
        super().__init__(f"the preview could not be updated ({reason}); it will try again at the next save")


class Preview:
    """The preview's state: what is built, from what, and the errors of the last build, if any."""

    def __init__(self, project: Project, on_change: Callable[[], None] = lambda: None):
        self.project = project
        self.out = project.root / ".preview"
        self.on_change = on_change  # tells the browsers to reload
        self.errors: list[ContentError | SearchIndexError | PreviewFailure] = []
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
        self.hosts = LOCAL_HOSTS  # the Host names the preview answers to
        self.stopped = threading.Event()  # set to end watch()

    def start_afresh(self) -> None:
        """Empty .preview/ (pages of an earlier session may be stale), once it is known to be ours:
        the same rule as the build's output folder (a symlink, or someone's files, are refused)."""
        write.check_output_folder(self.out, [self.project.content, self.project.templates], ".preview")
        shutil.rmtree(self.out, ignore_errors=True)
        write.write_preview_marker(self.out)

    def rebuild(self) -> None:
        """Bring .preview/ up to date with the files; on any failure, show what happened instead
        of stopping (a watcher that died would serve stale pages from then on, without a word)."""
        try:
            self._rebuild()
        except ContentErrors as exc:  # in templates/, say
            self._show_errors(exc.errors)
        except Exception as exc:  # whatever it is, the editor is told and the preview goes on
            self._show_errors([PreviewFailure(exc)])

    def _rebuild(self) -> None:
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
        except Exception as exc:  # the open data or index could not be written: say so, the pages go on
            self._show_errors([PreviewFailure(exc)])
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

    def watch(self, seen: dict | None = None) -> None:
        """Poll the content and templates for saves (a few stat calls, every POLL_SECONDS), from
        `seen` (the files as they were when the preview was built) or from now."""
        seen = self._snapshot() if seen is None else seen
        while not self.stopped.is_set():
            time.sleep(POLL_SECONDS)
            now = self._snapshot()
            if now != seen:
                seen = self._settled(now)
                self.rebuild()  # never raises: the watcher outlives every error

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
            try:
                paths = list(folder.rglob("*"))
            except OSError as exc:  # a folder removed or made unreadable mid-walk: looked at again next time
                stamps[str(folder)] = (exc.errno or 0, -1)
                continue
            for path in paths:
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
        """Serve the built preview, or the error page while the content has errors.

        Only to the editor's own machine (the Host header, against DNS rebinding), and only GET
        and HEAD; a path no file can have is a 400 or a 404, never a crash."""
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/")
        refused = request_refusal(environ.get("HTTP_HOST"), self.hosts)
        if refused is None and method not in ("GET", "HEAD"):
            refused = "405 Method Not Allowed", "The preview only answers GET and HEAD."
        if refused is None and "\0" in path:
            refused = "400 Bad Request", "A web address cannot contain a zero byte."
        if refused:
            body = refused[1].encode()
            start_response(refused[0], [("Content-Type", "text/plain; charset=utf-8"),
                                        ("Content-Length", str(len(body)))])
            return [body if method != "HEAD" else b""]
        status, kind, body = self._response(path)
        start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body))),
                                ("Cache-Control", "no-store")])
        return [body if method != "HEAD" else b""]

    def _response(self, path: str) -> tuple[str, str, bytes]:
        if self.errors and (path.endswith("/") or path.endswith(".html")):
            return "500 Content errors", "text/html; charset=utf-8", self.error_page()
        target = self._file(path)
        if target is None:
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
        return status, kind, body

    def _file(self, path: str):
        """The file a path names inside .preview/, or None (also for names no file system takes)."""
        if len(path) > MAX_URL_PATH:
            return None
        try:
            target = (self.out / path.lstrip("/")).resolve()
            if target.is_dir():
                target = target / "index.html"
            inside = self.out.resolve() in target.parents
            return target if inside and target.is_file() else None
        except (OSError, ValueError):  # a name too long, say
            return None


LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
MAX_URL_PATH = 2048  # longer than any page's address


def request_refusal(host_header: str | None, hosts: frozenset[str] = LOCAL_HOSTS) -> tuple[str, str] | None:
    """Refuse a request whose Host is a name other than localhost (or the --host given): a web page
    whose own domain was made to point at 127.0.0.1 (DNS rebinding) must not read the preview.
    An address in numbers (a phone on the same network, with --host 0.0.0.0) cannot be rebound,
    and a request with no Host at all is not from a browser."""
    if host_header is None:
        return None
    name = host_header.lower() if host_header.endswith("]") else host_header.lower().rsplit(":", 1)[0]
    if name in hosts:
        return None
    try:
        ipaddress.ip_address(name.removeprefix("[").removesuffix("]"))
        return None
    except ValueError:
        return "400 Bad Request", "The preview answers only to http://127.0.0.1 and http://localhost."


def cross_site(origin: str | None, fetch_site: str | None, host_header: str) -> bool:
    """Whether a browser sent this request from another site's page (so it may not reload the preview)."""
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    return origin is not None and origin.split("://", 1)[-1] != host_header


def guard_livereload(hosts: frozenset[str]) -> None:
    """livereload's own handlers (/forcereload, the /livereload websocket) answer anyone: give
    them the preview's rules. /forcereload is taken only from the preview's own pages or from a
    program on this machine, never from another site's page."""
    from livereload.handlers import ForceReloadHandler, LiveReloadHandler
    from tornado import web

    def prepare(handler) -> None:
        request = handler.request
        if request_refusal(request.host, hosts) or cross_site(
                request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site"), request.host):
            raise web.HTTPError(403)

    ForceReloadHandler.prepare = prepare
    LiveReloadHandler.check_origin = lambda handler, origin: not cross_site(origin, None, handler.request.host)
    LiveReloadHandler.prepare = prepare


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
    preview.hosts = LOCAL_HOSTS | {host.lower()}
    guard_livereload(preview.hosts)
    try:
        preview.start_afresh()
    except OutputFolderError as exc:
        print(f"error: {exc}; nothing was written.", file=sys.stderr)
        return 2
    seen = preview._snapshot()  # before the first build: a save during it is seen, not missed
    preview.rebuild()
    threading.Thread(target=preview.watch, args=(seen,), daemon=True).start()
    server = Server(app=preview.wsgi, watcher=NoPolling())
    print(f"Previewing on http://{host}:{port}/ (press Ctrl+C to stop)", file=sys.stderr, flush=True)
    server.serve(host=host, port=port, debug=False, restart_delay=0)
    return 0

