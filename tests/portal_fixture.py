"""A tiny portal on 127.0.0.1 for ops tests: serves files from a directory with ETags,
answers conditional GETs with 304 and records every request."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Portal:
    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.url = url
        self.requests: list[tuple[str, str, int]] = []  # (path, If-None-Match, status)
        self.fail_with: int | None = None


@contextmanager
def serve(root: Path) -> Iterator[Portal]:
    portal: Portal

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            inm = self.headers.get("If-None-Match", "")
            if portal.fail_with is not None:
                self.send_response(portal.fail_with)
                self.send_header("Content-Length", "0")
                self.end_headers()
                portal.requests.append((self.path, inm, portal.fail_with))
                return
            path = root / self.path.lstrip("/")
            if ".." in self.path or not path.is_file():
                status, body, etag = 404, b"", ""
            else:
                body = path.read_bytes()
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                status = 304 if inm == etag else 200
            portal.requests.append((self.path, inm, status))
            self.send_response(status)
            if etag:
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body) if status == 200 else 0))
            self.end_headers()
            if status == 200:
                self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    portal = Portal(root, f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield portal
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
