"""`python build.py serve`: a live-reload preview for editors.

The preview is built into `.preview/` (never into `site/`), with the base URL `/`, by the same
incremental build as `python build.py`, so a change re-renders only the pages it affects.
While the content has errors every page shows them, with file, line and message, and the
server keeps running; the page recovers by itself when the file is fixed.
"""

from __future__ import annotations

import html
import mimetypes
import sys

from .errors import ContentError, ContentErrors
from .pipeline import Project, build_site
from .search import SearchIndexError

mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/wasm", ".wasm")


class Preview:
    """The preview's state: where it is built, and the errors of the last build, if any."""

    def __init__(self, project: Project):
        self.project = project
        self.out = project.root / ".preview"
        self.errors: list[ContentError | SearchIndexError] = []

    def rebuild(self) -> None:
        try:
            result = build_site(self.project, out_dir=self.out, base_url="/", durable=False)
        except ContentErrors as exc:
            self.errors = exc.errors
        except (ContentError, SearchIndexError) as exc:
            self.errors = [exc]
        else:
            self.errors = []
            print(result.summary(), file=sys.stderr, flush=True)
            return
        for error in self.errors:
            print(error, file=sys.stderr, flush=True)

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
        if kind == "text/html":
            # livereload adds an inline script and a websocket: allow both, in the preview only.
            body = body.replace(b"script-src 'self'", b"script-src 'self' 'unsafe-inline'", 1)
            body = body.replace(b"connect-src 'self'", b"connect-src 'self' ws: wss:", 1)
        if kind.startswith("text/"):
            kind += "; charset=utf-8"
        start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body))),
                                ("Cache-Control", "no-store")])
        return [body]


def serve(project: Project, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False) -> int:
    from livereload import Server

    preview = Preview(project)
    preview.rebuild()
    server = Server(app=preview.wsgi)
    for folder in (project.content, project.templates):
        server.watch(str(folder), preview.rebuild, delay=0.2)
    print(f"Previewing on http://{host}:{port}/ (press Ctrl+C to stop)", file=sys.stderr, flush=True)
    server.serve(host=host, port=port, debug=False, open_url_delay=1 if open_browser else None,
                 restart_delay=0)
    return 0
