"""Sync: a 1,000-item publication served by the portal server on 127.0.0.1.

``sync_first_s``: first sync into an empty store (manifest, signature, every object fetched,
verified, fsynced; generation staged and switched). ``baseline_plain_get_s``: the same files
fetched in the same run with a bare ``requests`` loop into memory (no checks, no disk), and
``sync_first_vs_plain`` their ratio. ``sync_noop_s``: a second sync with nothing changed
(one conditional request answered 304). ``sync_one_change_bytes``: bytes received when one
item's object changes (that object, the manifest and its signature), against
``naive_full_bytes``, what re-downloading the whole publication would cost.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

from kiosk import keys
from kiosk.clock import SystemClock
from kiosk.manifest import FileRef, Manifest, ManifestItem, dump_manifest, sign
from kiosk.portal_server import make_server
from kiosk.sync import SyncSettings, run_sync

TITLE = "Sync (1,000-item publication over HTTP on 127.0.0.1)"

NOTES = """
A publication of 1,000 items (900 images of 8 KiB of random bytes each, 100 notices),
served by `kiosk.portal_server` on 127.0.0.1, synced by `kiosk.sync.run_sync` into a fresh
state directory on the local disk. The baseline fetches the same manifest, signature and
objects with a bare `requests.Session` loop into memory in the same run (no signature check,
no hashing, no fsync, no generation switch), so `sync_first_vs_plain` is the price of the
checks and of crash safety. Targets: `sync_noop_s` < 0.3 s with one conditional request
(`sync_noop_requests`); `sync_one_change_bytes` = one object + manifest + signature
(`sync_one_change_extra_bytes`, anything beyond those, is 0), far below `naive_full_bytes`.
"""

TZ = ZoneInfo("Asia/Shanghai")


def _publication(root: Path, key: Any, version: int, n_items: int, changed: int | None) -> int:
    """Write the publication; returns its total size in bytes (manifest + sig + objects)."""
    objects = root / "objects"
    objects.mkdir(parents=True, exist_ok=True)
    items: list[ManifestItem] = []
    total = 0
    rnd = hashlib.sha256(b"seed")
    for i in range(n_items):
        if i % 10 == 9:
            meta = {"title": f"公告第{i}号", "body": "一、总体情况\n本年度主动公开政府信息179条。"}
            items.append(ManifestItem(f"notice-{i:04d}", "notice", "主动公开", meta))
            continue
        salt = b"changed" if i == changed else b""
        data = b"".join(
            hashlib.sha256(
                rnd.digest() + salt + i.to_bytes(4, "big") + j.to_bytes(2, "big")
            ).digest()
            for j in range(256)
        )  # 8 KiB, incompressible
        sha = hashlib.sha256(data).hexdigest()
        path = objects / sha
        if not path.exists():
            path.write_bytes(data)
        total += len(data)
        ref = FileRef(f"photo-{i}.png", sha, len(data), "image/png")
        items.append(ManifestItem(f"img-{i:04d}", "image", "主动公开", {"file": ref.name}, (ref,)))
    issued = datetime(2026, 11, 29, 2, 0, tzinfo=TZ)
    manifest = Manifest(
        version=version,
        issued=issued,
        expires=issued + timedelta(days=3650),
        key_id=keys.key_id_of(key.public_key()),
        items=tuple(items),
    )
    raw = dump_manifest(manifest)
    sig = sign(raw, key)
    (root / "manifest.json.sig").write_bytes(sig)
    (root / "manifest.json").write_bytes(raw)
    return total + len(raw) + len(sig)


def _plain_get_all(url: str, root: Path) -> float:
    names = ["manifest.json", "manifest.json.sig"] + [
        f"objects/{p.name}" for p in (root / "objects").iterdir()
    ]
    t = time.perf_counter()
    with requests.Session() as s:
        for name in names:
            r = s.get(url + name, timeout=10)
            r.raise_for_status()
            _ = r.content
    return time.perf_counter() - t


def run(quick: bool = False) -> dict[str, float]:
    n_items = 200 if quick else 1000
    key = keys.generate()
    trusted = keys.trusted([keys.public_key(key.public_key())])
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        portal = Path(tmp) / "portal"
        state = Path(tmp) / "state"
        full = _publication(portal, key, 1, n_items, None)
        server = make_server(portal, "127.0.0.1", 0)
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        try:
            url = server.url
            clock = SystemClock("Asia/Shanghai")
            settings = SyncSettings(
                free_space=lambda p: os.statvfs(p).f_bavail * os.statvfs(p).f_frsize
            )
            plain = min(_plain_get_all(url, portal) for _ in range(1 if quick else 2))
            t = time.perf_counter()
            first = run_sync(url, state, trusted, clock, settings)
            first_s = time.perf_counter() - t
            assert first.status == "updated", first.line()
            noop_times = []
            requests_made = 0
            for _ in range(3 if quick else 10):
                t = time.perf_counter()
                noop = run_sync(url, state, trusted, clock, settings)
                noop_times.append(time.perf_counter() - t)
                assert noop.status == "unchanged", noop.line()
                requests_made = noop.requests_made
            _publication(portal, key, 2, n_items, changed=0)
            change = run_sync(url, state, trusted, clock, settings)
            assert change.status == "updated" and change.objects_fetched == 1, change.line()
            # what the target allows: the changed object (8 KiB), the manifest, its signature
            allowed = 8192 + sum(
                (portal / n).stat().st_size for n in ("manifest.json", "manifest.json.sig")
            )
        finally:
            server.shutdown()
            server.server_close()
    return {
        "sync_items": float(n_items),
        "sync_first_s": round(first_s, 3),
        "baseline_plain_get_s": round(plain, 3),
        "sync_first_vs_plain": round(first_s / plain, 2),
        "sync_noop_s": round(sorted(noop_times)[len(noop_times) // 2], 4),
        "sync_noop_requests": float(requests_made),
        "sync_one_change_bytes": float(change.bytes_downloaded),
        "sync_one_change_extra_bytes": float(change.bytes_downloaded - allowed),
        "naive_full_bytes": float(full),
        "sync_one_change_vs_full": round(change.bytes_downloaded / full, 4),
    }
