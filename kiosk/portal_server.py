"""A small static file server for a portal directory: the demo, tests and a USB-free LAN test.

It serves exactly what a production web server would (see ``docs/portal-protocol.md`` for
the nginx set-up): regular files below the root, with

* strong ETags (the SHA-256 of the file's bytes) and ``If-None-Match`` → 304;
* ``Last-Modified`` and ``If-Modified-Since`` (only when no ``If-None-Match`` is sent);
* single byte ranges (``Range: bytes=a-b``, ``a-``, ``-n``) → 206, unsatisfiable → 416,
  honouring ``If-Range``; several ranges in one request are answered with the whole file;
* ``HEAD``; every other method → 405;
* ``Cache-Control: no-cache`` for the manifest and other top-level files, and a year,
  ``immutable``, for ``objects/<sha256>`` (their names are their hashes);
* no directory listings, no dot-files (the publisher keeps its bookkeeping in ``.kiosk/``),
  no path traversal: ``..``, encoded slashes, NUL bytes, backslashes and symlinks leading out of
  the root are all answered with 404.

The request parsing helpers (:func:`parse_range`, :func:`etag_matches`, :func:`safe_segments`)
are pure; the handler is the thin shell around them.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import logging
import os
import stat
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO, Final
from urllib.parse import unquote, urlsplit

log = logging.getLogger("kiosk.portal")

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8470
IMMUTABLE: Final = "public, max-age=31536000, immutable"
REVALIDATE: Final = "no-cache"

CONTENT_TYPES: Final = {
    ".json": "application/json",
    ".sig": "text/plain; charset=us-ascii",
    ".pub": "text/plain; charset=us-ascii",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".txt": "text/plain; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
OCTET: Final = "application/octet-stream"


# ----------------------------------------------------------------------------- pure helpers


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


UNSATISFIABLE: Final = "unsatisfiable"


def parse_range(header: str | None, size: int) -> ByteRange | str | None:
    """Interpret a ``Range`` header for a resource of ``size`` bytes.

    Returns a :class:`ByteRange` for one satisfiable range, :data:`UNSATISFIABLE` when the
    only range lies beyond the end (→ 416), and ``None`` when the header is absent, not
    understood, or asks for several ranges (→ the whole resource, as RFC 9110 allows)."""
    if not header:
        return None
    unit, sep, spec = header.strip().partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    parts = [p.strip() for p in spec.split(",")]
    if len(parts) != 1:
        return None
    first, dash, last = parts[0].partition("-")
    if not dash:
        return None
    first, last = first.strip(), last.strip()
    if not (first.isdigit() or first == "") or not (last.isdigit() or last == ""):
        return None
    if first == "":
        if last == "":
            return None
        suffix = int(last)
        if suffix == 0:
            return UNSATISFIABLE
        if size == 0:
            return UNSATISFIABLE
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # syntactically invalid: ignore the header
    if start >= size:
        return UNSATISFIABLE
    return ByteRange(start, min(end, size - 1))


def _etag_list(header: str) -> list[str]:
    tags: list[str] = []
    for raw in header.split(","):
        tag = raw.strip()
        if tag:
            tags.append(tag)
    return tags


def etag_matches(header: str | None, etag: str, *, weak: bool = True) -> bool:
    """Does an ``If-None-Match`` (weak comparison) or ``If-Range`` (strong) header match?"""
    if not header:
        return False
    for tag in _etag_list(header):
        if tag == "*":
            return True
        if weak:
            if tag.removeprefix("W/") == etag.removeprefix("W/"):
                return True
        elif not tag.startswith("W/") and tag == etag:
            return True
    return False


def safe_segments(url_path: str) -> list[str] | None:
    """The path segments of a request target, or ``None`` when it must not be served
    (traversal, dot-files, encoded separators, control characters, backslashes)."""
    if url_path.startswith("/"):
        raw = url_path.partition("?")[0].partition("#")[0]
    elif url_path.lower().startswith(("http://", "https://")):
        raw = urlsplit(url_path).path  # absolute-form request target
    else:
        return None
    if not raw.startswith("/"):
        return None
    segments: list[str] = []
    for part in raw.split("/"):
        if part == "":
            continue
        try:
            name = unquote(part, errors="strict")
        except UnicodeDecodeError:
            return None
        if name in (".", "..") or name.startswith("."):
            return None
        if "/" in name or "\\" in name or any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
            return None
        segments.append(name)
    return segments


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(os.path.splitext(name)[1].lower(), OCTET)


def cache_control(segments: list[str]) -> str:
    return IMMUTABLE if len(segments) == 2 and segments[0] == "objects" else REVALIDATE


# ----------------------------------------------------------------------------- shell


class _EtagCache:
    """SHA-256 ETags keyed by (device, inode, size, mtime): recomputed only when the file
    changes, which publishing does by atomic rename (a new inode)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tags: dict[tuple[int, int, int, int], str] = {}

    def get(self, path: Path, st: os.stat_result) -> str:
        key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        with self._lock:
            tag = self._tags.get(key)
        if tag is not None:
            return tag
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        tag = f'"{digest.hexdigest()}"'
        with self._lock:
            if len(self._tags) > 100_000:
                self._tags.clear()
            self._tags[key] = tag
        return tag


class PortalServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: str | os.PathLike[str], host: str, port: int) -> None:
        self.root = Path(root).resolve(strict=True)
        if not self.root.is_dir():
            raise NotADirectoryError(str(root))
        self.etags = _EtagCache()
        super().__init__((host, port), PortalHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One log line instead of socketserver's traceback on stderr: a client that goes
        away mid-request (a device rebooted, a sync killed) is routine."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            log.info("portal.client_gone %s %s", client_address[0], type(exc).__name__)
        else:
            log.error("portal.request_failed %s %s: %s", client_address[0], type(exc).__name__, exc)

    @property
    def url(self) -> str:
        host = str(self.server_address[0])
        port = int(self.server_address[1])
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"


class PortalHandler(BaseHTTPRequestHandler):
    server: PortalServer
    server_version = "kiosk-portal"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds per socket read: a slow client cannot hold a thread for ever
    # headers and body go out in separate writes; without TCP_NODELAY each keep-alive
    # response waits ~40 ms for the client's delayed ACK (Nagle)
    disable_nagle_algorithm = True

    # -- plumbing

    def log_message(self, format: str, *args: object) -> None:
        log.info("portal.request %s %s", self.address_string(), format % args)

    def _simple(self, status: HTTPStatus, extra: dict[str, str] | None = None) -> None:
        body = b"" if self.command == "HEAD" else f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=us-ascii")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _not_allowed(self) -> None:
        self._simple(HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_GET(self) -> None:
        self._serve(send_body=True)

    # -- the resource

    def _locate(self) -> tuple[Path, os.stat_result, list[str]] | None:
        segments = safe_segments(self.path)
        if not segments:
            return None
        candidate = self.server.root.joinpath(*segments)
        try:
            real = candidate.resolve(strict=True)
            real.relative_to(self.server.root)
            st = os.stat(real)
        except (OSError, ValueError, RuntimeError):
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        return real, st, segments

    def _serve(self, *, send_body: bool) -> None:
        found = self._locate()
        if found is None:
            self._simple(HTTPStatus.NOT_FOUND)
            return
        path, st, segments = found
        try:
            etag = self.server.etags.get(path, st)
        except OSError:
            self._simple(HTTPStatus.NOT_FOUND)
            return
        size = st.st_size
        mtime = datetime.fromtimestamp(int(st.st_mtime), UTC)
        common = {
            "ETag": etag,
            "Last-Modified": email.utils.format_datetime(mtime, usegmt=True),
            "Cache-Control": cache_control(segments),
            "Accept-Ranges": "bytes",
            "X-Content-Type-Options": "nosniff",
        }
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            if etag_matches(inm, etag):
                self._headers_only(HTTPStatus.NOT_MODIFIED, common)
                return
        elif self._not_modified_since(mtime):
            self._headers_only(HTTPStatus.NOT_MODIFIED, common)
            return

        rng = parse_range(self.headers.get("Range"), size)
        if_range = self.headers.get("If-Range")
        range_stale = if_range is not None and not self._if_range_ok(if_range, etag, mtime)
        if rng is not None and range_stale:
            rng = None
        if rng == UNSATISFIABLE:
            self._headers_only(
                HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                {**common, "Content-Range": f"bytes */{size}", "Content-Length": "0"},
            )
            return
        if isinstance(rng, ByteRange):
            status, start, length = HTTPStatus.PARTIAL_CONTENT, rng.start, rng.length
            common["Content-Range"] = f"bytes {rng.start}-{rng.end}/{size}"
        else:
            status, start, length = HTTPStatus.OK, 0, size
        try:
            fh = open(path, "rb")  # noqa: SIM115 - closed by the with block below
        except OSError:
            self._simple(HTTPStatus.NOT_FOUND)
            return
        with fh:
            self.send_response(status)
            self.send_header("Content-Type", content_type(path.name))
            self.send_header("Content-Length", str(length))
            for k, v in common.items():
                self.send_header(k, v)
            self.end_headers()
            if send_body and length:
                fh.seek(start)
                self._copy(fh, length)

    def _copy(self, fh: BinaryIO, length: int) -> None:
        left = length
        try:
            while left > 0:
                block = fh.read(min(left, 1 << 16))
                if not block:
                    break  # the file shrank under us: the client sees a short body
                self.wfile.write(block)
                left -= len(block)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _headers_only(self, status: HTTPStatus, headers: dict[str, str]) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if "Content-Length" not in headers and status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_modified_since(self, mtime: datetime) -> bool:
        ims = self.headers.get("If-Modified-Since")
        if not ims or self.command not in ("GET", "HEAD"):
            return False
        try:
            since = email.utils.parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return mtime <= since

    @staticmethod
    def _if_range_ok(header: str, etag: str, mtime: datetime) -> bool:
        header = header.strip()
        if header.startswith(('"', "W/")):
            return etag_matches(header, etag, weak=False)
        try:
            when = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when == mtime


def make_server(
    root: str | os.PathLike[str], host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
) -> PortalServer:
    """Bind (port 0 = any free port) without serving yet; call ``serve_forever``."""
    return PortalServer(root, host, port)


def serve(
    root: str | os.PathLike[str],
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    ready: Callable[[PortalServer], None] | None = None,
) -> None:
    server = make_server(root, host, port)
    with server:
        if ready is not None:
            ready(server)
        log.info("portal.serving %s root=%s", server.url, server.root)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
        log.info("portal.stopped %s", server.url)
