"""Publishing: a full publish against an unchanged rerun and a one-image change; the cost of
refusing a decompression bomb against decoding an honest image.

Baselines (same run): the first, full publish of the same sources (for the reruns) and the
normalisation of a small honest PNG (for the bomb refusal).
"""

from __future__ import annotations

import contextlib
import io
import struct
import tempfile
import time
import zlib
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

from kiosk import keys
from kiosk.media import MediaError, normalise_image
from kiosk.publish import publish

TITLE = "Publishing: incremental reruns and decompression-bomb refusal"
NOTES = """
A source of N notices and N/2 images (1600×1200 photos and posters) plus a two-page PDF.
`publish_full_s`: first publish into an empty portal directory (every image normalised,
PDF pages rendered, objects written, manifest signed). `publish_noop_s`: the same sources
again ("无变化": sources read and hashed, nothing rendered or written);
`publish_noop_vs_full` is their ratio (target: well under 0.2). `publish_one_change_s` /
`publish_one_change_objects`: one image edited; only its object is new.
`bomb_refusal_us`: refusing a 74-byte PNG whose header claims 50,000×50,000 pixels;
`bomb_refusal_vs_small_png`: that against normalising an honest 640×480 PNG (target: far
below 1 — the bomb is refused from its header, before any pixel is decoded).
"""

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 29, 9, 0, tzinfo=TZ)


def _photo(seed: int) -> bytes:
    grad = Image.linear_gradient("L").resize((1600, 1200))
    im = Image.merge("RGB", (grad, grad.rotate(90 + seed % 90).resize((1600, 1200)), grad))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _poster(seed: int) -> bytes:
    im = Image.new("RGB", (1600, 1200), (250, 248, 242))
    d = ImageDraw.Draw(im)
    d.rectangle((100, 100, 800 + seed % 400, 600), fill=(170, 28, 36))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _source(root: Path, n: int) -> None:
    items, files = root / "items", root / "files"
    items.mkdir(parents=True)
    files.mkdir()
    for i in range(n):
        (items / f"n{i:03d}.yaml").write_text(
            f"id: notice-{i:03d}\nkind: notice\ndisclosure: 主动公开\ncategory: 工作动态\n"
            f"title: 第{i}号工作动态\ndate: 2026-11-{1 + i % 28:02d}\n"
            "body: |\n  一、基本情况\n  " + "镇政府按计划推进各项工作。" * 20 + "\n",
            encoding="utf-8",
        )
    for i in range(n // 2):
        (files / f"img{i:03d}.png").write_bytes(_photo(i) if i % 2 else _poster(i))
        (items / f"i{i:03d}.yaml").write_text(
            f"id: image-{i:03d}\nkind: image\ndisclosure: 主动公开\n"
            f"file: ../files/img{i:03d}.png\n",
            encoding="utf-8",
        )
    demo_pdf = Path(__file__).resolve().parent.parent / "assets" / "demo" / "files"
    (files / "leaflet.pdf").write_bytes((demo_pdf / "heating-leaflet.pdf").read_bytes())
    (items / "pdf.yaml").write_text(
        "id: leaflet\nkind: pdf\ndisclosure: 主动公开\nfile: ../files/leaflet.pdf\n",
        encoding="utf-8",
    )


def _bomb() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def run(quick: bool) -> dict[str, float]:
    n = 12 if quick else 60
    key = keys.generate()
    with tempfile.TemporaryDirectory() as tmp:
        src, portal = Path(tmp) / "src", Path(tmp) / "portal"
        _source(src, n)
        t = time.perf_counter()
        publish(src, portal, key, NOW)
        full = time.perf_counter() - t
        t = time.perf_counter()
        noop = publish(src, portal, key, NOW + timedelta(hours=1))
        noop_s = time.perf_counter() - t
        assert noop.objects_written == 0
        (src / "files" / "img001.png").write_bytes(_poster(399))  # unlike any other image
        t = time.perf_counter()
        change = publish(src, portal, key, NOW + timedelta(hours=2))
        change_s = time.perf_counter() - t

    bomb = _bomb()
    honest = io.BytesIO()
    Image.new("RGB", (640, 480), (20, 60, 150)).save(honest, "PNG")
    reps = 20 if quick else 200
    t = time.perf_counter()
    for _ in range(reps):
        with contextlib.suppress(MediaError):
            normalise_image(bomb)
    bomb_s = (time.perf_counter() - t) / reps
    t = time.perf_counter()
    for _ in range(reps):
        normalise_image(honest.getvalue())
    honest_s = (time.perf_counter() - t) / reps
    return {
        "publish_items": float(n + n // 2 + 1),
        "publish_full_s": round(full, 3),
        "publish_noop_s": round(noop_s, 3),
        "publish_noop_vs_full": round(noop_s / full, 4),
        "publish_one_change_s": round(change_s, 3),
        "publish_one_change_objects": float(change.objects_written),
        "bomb_refusal_us": round(bomb_s * 1e6, 1),
        "bomb_refusal_vs_small_png": round(bomb_s / honest_s, 4),
    }
