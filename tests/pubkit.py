"""Test helpers: build signed publications on disk (without the publish command)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk import keys
from kiosk.manifest import FileRef, Manifest, ManifestItem, dump_manifest, sign

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 29, 2, 0, tzinfo=TZ)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def notice(
    item_id: str, title: str = "关于公开2018年政府信息公开年度报告的公告", **kw: Any
) -> ManifestItem:
    meta = {"title": title, "body": "一、总体情况\n本年度主动公开政府信息179条。"}
    return ManifestItem(
        id=item_id, kind="notice", disclosure=kw.pop("disclosure", "主动公开"), meta=meta, **kw
    )


def image_item(item_id: str, data: bytes, name: str = "photo.png") -> tuple[ManifestItem, bytes]:
    ref = FileRef(name, sha(data), len(data), "image/png")
    item = ManifestItem(
        id=item_id,
        kind="image",
        disclosure="主动公开",
        meta={"file": name, "caption": "镇政府办事大厅"},
        files=(ref,),
    )
    return item, data


class Publisher:
    """Writes publications into ``root`` like a portal would."""

    def __init__(self, root: Path, key: Ed25519PrivateKey | None = None) -> None:
        self.root = root
        self.key = key or keys.generate()
        self.key_id = keys.key_id_of(self.key.public_key())
        root.mkdir(parents=True, exist_ok=True)
        (root / "objects").mkdir(exist_ok=True)

    @property
    def trusted(self) -> dict[str, keys.PublicKey]:
        return keys.trusted([keys.public_key(self.key.public_key())])

    def manifest(
        self,
        version: int,
        items: Sequence[ManifestItem],
        *,
        issued: datetime = T0,
        expires: datetime | None = None,
    ) -> Manifest:
        return Manifest(
            version=version,
            issued=issued,
            expires=expires or issued + timedelta(days=30),
            key_id=self.key_id,
            items=tuple(items),
        )

    def publish(
        self,
        version: int,
        items: Sequence[ManifestItem] = (),
        objects: Mapping[str, bytes] | Sequence[bytes] = (),
        *,
        manifest: Manifest | None = None,
        raw: bytes | None = None,
        **kw: Any,
    ) -> bytes:
        blobs = list(objects.values()) if isinstance(objects, Mapping) else list(objects)
        for data in blobs:
            (self.root / "objects" / sha(data)).write_bytes(data)
        m = manifest or self.manifest(version, items, **kw)
        body = raw if raw is not None else dump_manifest(m)
        self.write_manifest(body)
        return body

    def write_manifest(self, body: bytes, sig: bytes | None = None) -> None:
        tmp = self.root / ".manifest.tmp"
        tmp.write_bytes(body)
        os.replace(tmp, self.root / "manifest.json")
        (self.root / "manifest.json.sig").write_bytes(
            sig if sig is not None else sign(body, self.key)
        )


def simple_publication(pub: Publisher, version: int, n: int = 3, salt: str = "") -> bytes:
    items: list[ManifestItem] = []
    blobs: list[bytes] = []
    for i in range(n):
        item, data = image_item(
            f"img-{i}", f"PNG{salt}-{version if salt else ''}-{i}".encode() * 50
        )
        items.append(item)
        blobs.append(data)
    items.append(notice("notice-1"))
    return pub.publish(version, items, blobs)


__all__ = ["T0", "TZ", "Publisher", "image_item", "notice", "replace", "sha", "simple_publication"]
