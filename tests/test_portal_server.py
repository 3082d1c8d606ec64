"""The demo/test portal server: a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import http.client
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.portal_server import (
    UNSATISFIABLE,
    ByteRange,
    PortalServer,
    etag_matches,
    make_server,
    parse_range,
    safe_segments,
)

MANIFEST = b'{"format": 1, "version": 7}\n'
OBJECT = bytes(range(256)) * 40  # 10240 bytes
OBJECT_HASH = hashlib.sha256(OBJECT).hexdigest()


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[tuple[PortalServer, Path]]:
    outside = tmp_path / "secret.txt"
    outside.write_text("not for the public")
    root = tmp_path / "portal"
    (root / "objects").mkdir(parents=True)
    (root / "manifest.json").write_bytes(MANIFEST)
    (root / "objects" / OBJECT_HASH).write_bytes(OBJECT)
    (root / ".kiosk").mkdir()
    (root / ".kiosk" / "cache.json").write_text("{}")
    (root / "escape").symlink_to(outside)
    (root / "inside-link.json").symlink_to(root / "manifest.json")
    server = make_server(root, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, root
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def request(
    server: PortalServer, method: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
    finally:
        conn.close()


def test_get_serves_bytes_with_length_type_and_a_strong_content_hash_etag(
    portal: tuple[PortalServer, Path],
) -> None:
    server, _ = portal
    status, headers, body = request(server, "GET", "/manifest.json")
    assert status == 200
    assert body == MANIFEST
    assert headers["content-length"] == str(len(MANIFEST))
    assert headers["content-type"] == "application/json"
    assert headers["etag"] == f'"{hashlib.sha256(MANIFEST).hexdigest()}"'
    assert headers["cache-control"] == "no-cache"
    assert headers["accept-ranges"] == "bytes"


def test_objects_are_served_as_immutable(portal: tuple[PortalServer, Path]) -> None:
    server, _ = portal
    status, headers, body = request(server, "GET", f"/objects/{OBJECT_HASH}")
    assert status == 200 and body == OBJECT
    assert "immutable" in headers["cache-control"]
    assert headers["content-type"] == "application/octet-stream"


def test_matching_if_none_match_gives_304_without_body(portal: tuple[PortalServer, Path]) -> None:
    server, _ = portal
    _, headers, _ = request(server, "GET", "/manifest.json")
    etag = headers["etag"]
    for value in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        status, h304, body = request(server, "GET", "/manifest.json", {"If-None-Match": value})
        assert (status, body) == (304, b"")
        assert h304["etag"] == etag
    status, _, body = request(server, "GET", "/manifest.json", {"If-None-Match": '"stale"'})
    assert (status, body) == (200, MANIFEST)


def test_etag_changes_when_the_file_is_replaced(portal: tuple[PortalServer, Path]) -> None:
    server, root = portal
    _, first, _ = request(server, "GET", "/manifest.json")
    new = root / "manifest.json.tmp"
    new.write_bytes(b'{"format": 1, "version": 8}\n')
    new.replace(root / "manifest.json")
    status, second, _ = request(server, "GET", "/manifest.json", {"If-None-Match": first["etag"]})
    assert status == 200
    assert second["etag"] != first["etag"]


@pytest.mark.parametrize(
    ("spec", "start", "end"),
    [("bytes=100-199", 100, 199), ("bytes=10000-", 10000, 10239), ("bytes=-40", 10200, 10239)],
)
def test_single_range_gives_206_with_content_range(
    portal: tuple[PortalServer, Path], spec: str, start: int, end: int
) -> None:
    server, _ = portal
    status, headers, body = request(server, "GET", f"/objects/{OBJECT_HASH}", {"Range": spec})
    assert status == 206
    assert body == OBJECT[start : end + 1]
    assert headers["content-range"] == f"bytes {start}-{end}/{len(OBJECT)}"
    assert headers["content-length"] == str(end - start + 1)


def test_range_beyond_the_end_gives_416(portal: tuple[PortalServer, Path]) -> None:
    server, _ = portal
    status, headers, body = request(
        server, "GET", f"/objects/{OBJECT_HASH}", {"Range": f"bytes={len(OBJECT)}-"}
    )
    assert status == 416
    assert headers["content-range"] == f"bytes */{len(OBJECT)}"
    assert body == b""


def test_if_range_with_a_stale_etag_sends_the_whole_file(portal: tuple[PortalServer, Path]) -> None:
    server, _ = portal
    path = f"/objects/{OBJECT_HASH}"
    status, _, body = request(server, "GET", path, {"Range": "bytes=5-", "If-Range": '"old"'})
    assert (status, body) == (200, OBJECT)
    etag = f'"{OBJECT_HASH}"'
    status, _, body = request(server, "GET", path, {"Range": "bytes=5-", "If-Range": etag})
    assert (status, body) == (206, OBJECT[5:])


def test_several_ranges_are_answered_with_the_whole_file(portal: tuple[PortalServer, Path]) -> None:
    server, _ = portal
    status, _, body = request(server, "GET", f"/objects/{OBJECT_HASH}", {"Range": "bytes=0-1,5-6"})
    assert (status, body) == (200, OBJECT)


def test_head_sends_the_get_headers_without_a_body(portal: tuple[PortalServer, Path]) -> None:
    server, _ = portal
    _, get_headers, _ = request(server, "GET", "/manifest.json")
    status, headers, body = request(server, "HEAD", "/manifest.json")
    assert status == 200 and body == b""
    assert headers["content-length"] == str(len(MANIFEST))
    assert headers["etag"] == get_headers["etag"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/objects",
        "/objects/",
        "/../secret.txt",
        "/objects/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/objects/..%2f..%2fsecret.txt",
        "/objects%2f" + OBJECT_HASH,
        "/manifest.json%00",
        "/.kiosk/cache.json",
        "/%2ekiosk/cache.json",
        "/escape",
        "/..%5csecret.txt",
        "/no-such-file",
    ],
)
def test_traversal_dotfiles_directories_and_escaping_symlinks_are_not_found(
    portal: tuple[PortalServer, Path], path: str
) -> None:
    server, _ = portal
    status, _, body = request(server, "GET", path)
    assert status == 404
    assert b"not for the public" not in body


def test_symlink_inside_the_root_is_served(portal: tuple[PortalServer, Path]) -> None:
    server, _ = portal
    status, _, body = request(server, "GET", "/inside-link.json")
    assert (status, body) == (200, MANIFEST)


def test_methods_other_than_get_and_head_are_refused(portal: tuple[PortalServer, Path]) -> None:
    server, _ = portal
    status, headers, _ = request(server, "POST", "/manifest.json")
    assert status == 405
    assert headers["allow"] == "GET, HEAD"


def test_query_strings_are_ignored(portal: tuple[PortalServer, Path]) -> None:
    server, _ = portal
    status, _, body = request(server, "GET", "/manifest.json?cachebust=1")
    assert (status, body) == (200, MANIFEST)


# ----------------------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 10, None),
        ("bytes=0-0", 10, ByteRange(0, 0)),
        ("bytes=3-100", 10, ByteRange(3, 9)),
        ("bytes=-100", 10, ByteRange(0, 9)),
        ("bytes=-0", 10, UNSATISFIABLE),
        ("bytes=10-", 10, UNSATISFIABLE),
        ("bytes=5-2", 10, None),
        ("items=0-1", 10, None),
        ("bytes=a-b", 10, None),
        ("bytes=0-1, 3-4", 10, None),
        ("bytes=0-", 0, UNSATISFIABLE),
    ],
)
def test_parse_range(header: str | None, size: int, expected: object) -> None:
    assert parse_range(header, size) == expected


def test_if_range_uses_strong_comparison_and_if_none_match_weak() -> None:
    assert etag_matches('W/"a"', '"a"')
    assert not etag_matches('W/"a"', '"a"', weak=False)
    assert etag_matches('"a"', '"a"', weak=False)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/objects/abc", ["objects", "abc"]),
        ("//manifest.json?x=1", ["manifest.json"]),
        ("/a%20b", ["a b"]),
        ("/a/../b", None),
        ("/.git/config", None),
        ("/a%2fb", None),
        ("/a%5cb", None),
        ("/a%0ab", None),
        ("relative", None),
    ],
)
def test_safe_segments(path: str, expected: list[str] | None) -> None:
    assert safe_segments(path) == expected


# ----------------------------------------------------------------------------- command


def test_portal_serve_command_listens_on_loopback_and_reports_its_port(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    import time

    root = tmp_path / "portal"
    root.mkdir()
    (root / "manifest.json").write_bytes(MANIFEST)
    port_file = tmp_path / "port"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk",
            "portal",
            "serve",
            str(root),
            "--port",
            "0",
            "--port-file",
            str(port_file),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = proc.stdout.readline().decode() if proc.stdout else ""
        assert "http://127.0.0.1:" in line
        port = int(port_file.read_text())
        deadline = time.monotonic() + 10
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        while True:
            try:
                conn.request("GET", "/manifest.json")
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline
        resp = conn.getresponse()
        assert (resp.status, resp.read()) == (200, MANIFEST)
        conn.close()
    finally:
        proc.terminate()
        proc.wait(10)


def test_portal_serve_on_a_missing_directory_is_one_line_and_exit_1(tmp_path: Path) -> None:
    import io

    from kiosk.cli import Environment, main

    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["portal", "serve", str(tmp_path / "nope"), "--port", "0"],
        Environment(stdout=out, stderr=err, environ={}),
    )
    assert code == 1
    assert len(err.getvalue().strip().splitlines()) == 1
    assert "目录不存在" in err.getvalue()
