"""A portal team following docs/portal-protocol.md alone — none of kiosk.publish, kiosk.manifest's
writers or kiosk.keys on the publishing side, just `cryptography`, Pillow, `json` (and, in one
case, the OpenSSL command line as the document shows it) — produces a publication and an alert
feed that a device syncs and shows, served by a plain static web server."""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from kiosk import alerts, manifest, store
from kiosk.keys import load_trusted_keys
from kiosk.manifest import verify_detached
from kiosk.model import Image as ImageContent
from kiosk.model import Notice, Pdf
from kiosk.sync import run_sync
from tests.storekit import TestClock

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "portal-protocol.md").read_text("utf-8")
TZ = ZoneInfo("Asia/Shanghai")
ISSUED = datetime(2026, 11, 29, 9, 0, tzinfo=TZ)


# ----------------------------------------------------------------------------- the portal side


def png(colour: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def put_object(root: Path, data: bytes) -> dict[str, Any]:
    """§1/§2: objects/<lowercase hex sha256>; the file reference's fields."""
    sha = hashlib.sha256(data).hexdigest()
    (root / "objects").mkdir(parents=True, exist_ok=True)
    (root / "objects" / sha).write_bytes(data)
    return {"sha256": sha, "length": len(data)}


def key_id(key: Ed25519PrivateKey) -> str:
    """§4: the first 16 hex digits of SHA-256 over the raw 32-byte public key."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def write_public_key(key: Ed25519PrivateKey, path: Path) -> Path:
    """§4: the device's key file is PEM SubjectPublicKeyInfo."""
    path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


def sign_file(key: Ed25519PrivateKey, path: Path) -> None:
    """§4: base64 of the 64-byte signature over the exact bytes, on one line (here without the
    optional trailing newline)."""
    sig = key.sign(path.read_bytes())
    path.with_name(path.name + ".sig").write_bytes(base64.b64encode(sig))


def hand_written_publication(root: Path, key: Ed25519PrivateKey) -> dict[str, Any]:
    photo = png((20, 110, 60))
    page1, page2 = png((250, 250, 250), (60, 80)), png((240, 240, 240), (60, 80))
    playlist = "version: 1\nentries:\n  - {id: news, kind: notice, select: {limit: 5}}\n"
    doc = {
        # §2 lists the keys; their order and the JSON layout are the portal's choice
        "items": [
            {
                "kind": "notice",
                "id": "caizheng-2026-caoyuan-butie",
                "disclosure": "主动公开",
                "date": "2026-11-27",
                "valid_to": "2027-01-15T23:59:59+08:00",
                "files": [],
                "meta": {
                    "title": "2026年度草原生态保护补助奖励资金发放情况公示",
                    "body": "现将发放情况公示如下：\n一、禁牧补助\n共发放补助资金。",
                    "doc_number": "红政发〔2026〕35号",
                    "issuer": "红花尔基镇人民政府",
                    "date": "2026-11-27",
                    "category": "财政资金",
                    "publicity": {"start": "2026-11-30", "working_days": 7},
                },
            },
            {
                "id": "image-service-hall-map",
                "kind": "image",
                "disclosure": "主动公开",
                "meta": {"file": "service-hall-map.png", "caption": "一楼便民服务大厅示意图"},
                "files": [
                    {
                        "name": "service-hall-map.png",
                        "media_type": "image/png",
                        **put_object(root, photo),
                    }
                ],
            },
            {
                "id": "pdf-heating-leaflet",
                "kind": "pdf",
                "disclosure": "主动公开",
                "meta": {
                    "file": "p01.png",
                    "title": "冬季供暖服务告知书",
                    "pages": ["p01.png", "p02.png"],
                },
                "files": [
                    {"name": "p01.png", "media_type": "image/png", **put_object(root, page1)},
                    {"name": "p02.png", "media_type": "image/png", **put_object(root, page2)},
                ],
            },
            {  # §3: anything but 主动公开 is dropped by the device
                "id": "shenqing-2026-01",
                "kind": "notice",
                "disclosure": "依申请公开",
                "meta": {"title": "依申请公开的答复", "body": "不应上屏。"},
                "files": [],
            },
        ],
        "key_id": key_id(key),
        "alg": "ed25519",
        "expires": (ISSUED + timedelta(days=14)).isoformat(),
        "issued": ISSUED.isoformat(),
        "version": 7,
        "format": 1,
        "publisher": "红花尔基镇人民政府办公室",
        "playlist": {
            "name": "playlist.yaml",
            "media_type": "application/yaml",
            **put_object(root, playlist.encode("utf-8")),
        },
    }
    # compact and ASCII-escaped: any valid UTF-8 JSON will do, the signature covers the bytes
    (root / "manifest.json").write_bytes(json.dumps(doc, separators=(",", ":")).encode("ascii"))
    sign_file(key, root / "manifest.json")
    return {"photo": photo, "pages": (page1, page2), "playlist": playlist}


def hand_written_alerts(root: Path, key: Ed25519PrivateKey) -> None:
    doc = {
        "format": "kiosk-alerts/1",
        "version": 3,
        "issued": ISSUED.isoformat(),
        "alerts": [
            {
                "id": "2026-117",
                "level": "orange",
                "title": "明日上午停水通知",
                "body": "因管网维修，11月30日8:00—12:00镇区停水，请提前储水。",
                "expires": (ISSUED + timedelta(days=1, hours=3)).isoformat(),
                "disclosure": "主动公开",
            },
            {  # §8: disclosure is required; an alert without it is dropped, never shown
                "id": "2026-119",
                "level": "red",
                "title": "未标公开属性的通知",
                "expires": (ISSUED + timedelta(days=1)).isoformat(),
            },
            {
                "id": "2026-118",
                "level": "red",
                "title": "内部通知",
                "expires": (ISSUED + timedelta(days=1)).isoformat(),
                "disclosure": "不予公开",
            },
        ],
    }
    (root / "alerts.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), "utf-8")
    sign_file(key, root / "alerts.json")


@pytest.fixture
def static_server(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A plain static web server (no ETag, no Range): §1 says any will do."""
    root = tmp_path / "www"
    root.mkdir()

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# ----------------------------------------------------------------------------- the device side


def test_a_publication_written_from_the_document_alone_syncs_and_shows(
    static_server: tuple[Path, str], tmp_path: Path
) -> None:
    root, url = static_server
    key = Ed25519PrivateKey.generate()
    made = hand_written_publication(root, key)
    trusted = load_trusted_keys([str(write_public_key(key, tmp_path / "portal.key.pub"))])
    state = tmp_path / "state"
    clock = TestClock(ISSUED + timedelta(hours=17))

    result = run_sync(url, state, trusted, clock)
    assert result.status == "updated" and result.version == 7, result.line()
    assert result.dropped == ("shenqing-2026-01",)
    view = store.read_current(state)
    assert view is not None and view.version == 7
    items = {i.id: i for i in view.items}
    assert set(items) == {
        "caizheng-2026-caoyuan-butie",
        "image-service-hall-map",
        "pdf-heating-leaflet",
    }
    notice = items["caizheng-2026-caoyuan-butie"].content
    assert isinstance(notice, Notice) and notice.doc_number == "红政发〔2026〕35号"
    image = items["image-service-hall-map"].content
    assert isinstance(image, ImageContent)
    assert Path(str(image.file)).read_bytes() == made["photo"]
    pdf = items["pdf-heating-leaflet"].content
    assert isinstance(pdf, Pdf)
    assert tuple(Path(p).read_bytes() for p in pdf.pages) == made["pages"]
    assert view.playlist is not None
    assert Path(view.playlist).read_text("utf-8") == made["playlist"]

    # nothing changed: the same bytes again (this server has no ETag, so no 304)
    assert run_sync(url, state, trusted, clock).status == "unchanged"


def test_an_alert_feed_written_from_the_document_alone_is_shown(
    static_server: tuple[Path, str], tmp_path: Path
) -> None:
    root, url = static_server
    key = Ed25519PrivateKey.generate()
    hand_written_alerts(root, key)
    trusted = load_trusted_keys([str(write_public_key(key, tmp_path / "portal.key.pub"))])
    state = tmp_path / "state"
    state.mkdir()

    def verify(raw: bytes, sig: bytes) -> None:  # what the daemon checks (§8: as §4)
        verify_detached(raw, sig, trusted, max_bytes=alerts.MAX_BYTES)

    feed = alerts.AlertFeed(state, alerts.HttpFetcher(alerts.feed_url(url, None) or ""), verify)
    assert feed.poll()
    shown = feed.publish(ISSUED + timedelta(hours=2))
    assert [(a.id, a.level) for a in shown] == [("2026-117", "orange")]
    assert feed.doc is not None
    assert feed.doc.dropped == (("2026-119", None), ("2026-118", "不予公开"))
    assert feed.publish(ISSUED + timedelta(days=1, hours=3)) == []  # gone at its expiry


def test_the_documented_alert_example_is_shown_and_disclosure_is_required() -> None:
    section = DOC.split("## 8. 紧急通知 `alerts.json`", 1)[1].split("\n## ", 1)[0]
    example = section.split("```json\n", 1)[1].split("```", 1)[0]
    doc = alerts.parse_alerts(example.encode("utf-8"))
    assert [a.id for a in doc.alerts] == ["2026-117"] and doc.dropped == ()
    (row,) = [ln for ln in section.splitlines() if ln.startswith("| `alerts[].disclosure` |")]
    assert "**必填**" in row and "**required**" in row


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command")
def test_the_openssl_recipe_in_the_document_signs_what_a_device_accepts(
    static_server: tuple[Path, str], tmp_path: Path
) -> None:
    root, url = static_server
    keydir = tmp_path / "keys"
    keydir.mkdir()
    recipe = DOC.split("### 用 OpenSSL 签名", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]

    def sh(script: str, cwd: Path) -> str:
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    # the document's key generation and key_id lines, as written
    lines = [ln for ln in recipe.splitlines() if ln and not ln.startswith("#")]
    sh("\n".join(lines[:2]), keydir)
    kid = sh(lines[2], keydir).strip()
    pem = serialization.load_pem_public_key((keydir / "portal.key.pub").read_bytes())
    raw_pub = pem.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert kid == hashlib.sha256(raw_pub).hexdigest()[:16]

    doc = {
        "format": 1,
        "version": 1,
        "issued": ISSUED.isoformat(),
        "expires": (ISSUED + timedelta(days=14)).isoformat(),
        "alg": "ed25519",
        "key_id": kid,
        "items": [
            {
                "id": "n-1",
                "kind": "notice",
                "disclosure": "主动公开",
                "meta": {"title": "关于冬季防火的通知", "body": "一、检查范围\n全镇。"},
                "files": [],
            }
        ],
    }
    # the signing and self-check lines as written, on the publishing machine; then the
    # manifest and its signature go to the web server
    (keydir / "manifest.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2), "utf-8")
    sh("\n".join(ln.replace("/tmp/sig.bin", str(tmp_path / "sig.bin")) for ln in lines[3:]), keydir)
    for name in ("manifest.json", "manifest.json.sig"):
        shutil.copy(keydir / name, root / name)
    trusted = load_trusted_keys([str(keydir / "portal.key.pub")])
    result = run_sync(url, tmp_path / "state", trusted, TestClock(ISSUED + timedelta(hours=1)))
    assert result.status == "updated", result.line()
    (sig_line,) = (root / "manifest.json.sig").read_bytes().splitlines()
    assert len(sig_line) == 88


def test_the_documented_limits_are_the_devices_limits() -> None:
    limits = DOC.split("## 7. 限值 Limits", 1)[1].split("\n## ", 1)[0]
    for text in [
        f"| `manifest.json` | {manifest.MAX_MANIFEST_BYTES // 2**20} MiB |",
        f"| `manifest.json.sig` | {manifest.MAX_SIGNATURE_BYTES} 字节 |",
        f"| `items` | {manifest.MAX_ITEMS} 条 |",
        f"| {manifest.MAX_FILES_PER_ITEM} 个 |",
        f"| 单个对象 `length` | {manifest.MAX_OBJECT_BYTES // 2**20} MiB |",
        f"| {manifest.MAX_META_DEPTH} 层 |",
        f"| {alerts.MAX_BYTES // 1024} KiB, {alerts.MAX_ALERTS} 条 |",
    ]:
        assert text in limits, text
    feed = DOC.split("## 8. 紧急通知", 1)[1].split("\n## ", 1)[0]
    assert f"最多 {alerts.MAX_ALERTS} 条" in feed
    assert f"最多 {alerts.MAX_TITLE} 个字符" in feed and f"最多 {alerts.MAX_BODY} 个字符" in feed
    assert f"{alerts.MAX_LIFETIME.days} 天" in feed
