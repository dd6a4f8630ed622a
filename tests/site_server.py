"""A stand-in for the clinic's website on 127.0.0.1: plain HTTP, one thread per request.

Serves the HTML renderings of the saved pages (tests/fixtures/site/) and any
changed version a test sets, a robots.txt, ETag validators (answering a
matching If-None-Match with 304), and faults: an HTTP status (with its
Retry-After) for the next requests of a path. Every request is recorded with
its headers and the time it arrived.
"""

import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "site"
HTML = "text/html; charset=utf-8"


def fixture_page(page_id):
    """The HTML rendering of a saved page, as text."""
    return (FIXTURES / f"{page_id}.html").read_text(encoding="utf-8")


class SiteServer:
    def __init__(self):
        self.pages = {}  # path → (content type, body bytes)
        self.faults = {}  # path → [(status, headers), ...] answered before the page
        self.requests = []  # {"path", "headers", "at"}
        self.robots = None  # robots.txt text, or None for 404
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.site = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def url(self, path):
        return f"http://127.0.0.1:{self._server.server_port}{path}"

    def serve(self, path, text, content_type=HTML):
        with self._lock:
            self.pages[path] = (content_type, text.encode("utf-8"))

    def fail(self, path, status, times=1, headers=None):
        with self._lock:
            self.faults.setdefault(path, []).extend([(status, headers or {})] * times)

    def requests_for(self, path):
        return [r for r in self.requests if r["path"] == path]

    def _take_fault(self, path):
        with self._lock:
            waiting = self.faults.get(path)
            return waiting.pop(0) if waiting else None


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        site = self.server.site
        with site._lock:
            site.requests.append({"path": self.path, "headers": dict(self.headers),
                                  "at": time.monotonic()})
        fault = site._take_fault(self.path)
        if fault:
            self._send(fault[0], b"<html><body><h1>Unavailable</h1></body></html>", HTML, fault[1])
        elif self.path == "/robots.txt":
            if site.robots is None:
                self._send(404, b"Not found", "text/plain")
            else:
                self._send(200, site.robots.encode(), "text/plain")
        elif self.path in site.pages:
            self._send_page(*site.pages[self.path])
        else:
            self._send(404, b"<html><body>Not found</body></html>", HTML)

    def _send_page(self, content_type, body):
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", content_type, {"ETag": etag})
        else:
            self._send(200, body, content_type, {"ETag": etag})

    def _send(self, status, body, content_type, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def log_message(self, format, *args):  # keep the test output clean
        pass
