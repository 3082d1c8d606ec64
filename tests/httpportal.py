"""A simulated portal for sync tests: a real HTTP server on 127.0.0.1 (ephemeral port)
serving a publication directory with strong ETags, If-None-Match and Range, whose
behaviour each test can script per path."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

Script = Callable[["Handler"], bool]
"""Return True when the script has answered the request itself."""


@dataclass
class Portal:
    root: Path
    host: str = "127.0.0.1"
    scripts: dict[str, Script] = field(default_factory=dict)
    log: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://{self.host}:{self.server.server_address[1]}/"

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])

    def requests(self, prefix: str = "") -> list[str]:
        return [p for _, p, _ in self.log if p.startswith(prefix)]


class Handler(BaseHTTPRequestHandler):
    server_version = "testportal"
    protocol_version = "HTTP/1.1"
    portal: Portal

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.portal.log.append(("GET", path, dict(self.headers.items())))
        script = self.portal.scripts.get(path) or self.portal.scripts.get("*")
        if script is not None and script(self):
            return
        self.serve_file(path)

    def body_of(self, path: str) -> bytes | None:
        rel = path.lstrip("/")
        target = (self.portal.root / rel).resolve()
        if not str(target).startswith(str(self.portal.root.resolve())) or not target.is_file():
            return None
        return target.read_bytes()

    def serve_file(self, path: str) -> None:
        data = self.body_of(path)
        if data is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes=") and self.headers.get("If-Range", etag) == etag:
            start = int(rng[6:].split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(data) - start))
            self.end_headers()
            self.wfile.write(data[start:])
            return
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def reply(
        self,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        length: int | None = None,
    ) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if body:
            self.wfile.write(body)


def start_portal(root: Path, host: str = "127.0.0.1") -> Portal:
    portal = Portal(root, host)
    handler = type("BoundHandler", (Handler,), {"portal": portal})
    server = ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    portal.server = server
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return portal


def stop_portal(portal: Portal) -> None:
    if portal.server is not None:
        portal.server.shutdown()
        portal.server.server_close()
