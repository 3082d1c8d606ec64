"""The on-disk content store shared by the sync (writer) and the player (reader).

Layout of ``STATE_DIR``::

    current -> generations/<n>       relative symlink; switched atomically by rename
    generations/<n>/manifest.json    the verified, signed manifest exactly as received
    generations/<n>/manifest.json.sig
    generations/<n>/items.json       normalised items of this generation (below)
    generations/.staging-<n>/        a generation being built (never read)
    objects/<sha256>                 verified content objects, immutable, shared
    state.json                       sync state (see :mod:`kiosk.sync`)

``items.json``::

    {"format": 1, "generation": 7, "version": 42, "applied_at": ISO, "key_id": "...",
     "manifest_sha256": "...", "playlist": "<sha256>" | null,
     "items": [{"id", "kind", "disclosure", "date"?, "valid_from"?, "valid_to"?,
                "meta": {...}, "files": {"<logical name>": "<sha256>"}}],
     "dropped": [{"id", "disclosure"}]}

Only items marked 主动公开 are ever written to ``items.json``. Readers never follow a
symlink other than ``current`` (which must point to ``generations/<digits>``), and never
write.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError
from kiosk.manifest import ManifestError, content_with_paths, default_content
from kiosk.model import KINDS, StoreItem

log = logging.getLogger(__name__)

CURRENT = "current"
GENERATIONS = "generations"
OBJECTS = "objects"
ITEMS_NAME = "items.json"
STATE_NAME = "state.json"
STAGING_PREFIX = ".staging-"
ITEMS_FORMAT = 1
MAX_ITEMS_JSON_BYTES = 64 * 1024 * 1024

_GEN_TARGET_RE = re.compile(r"^generations/([0-9]{1,12})/?$")


class StoreError(KioskError):
    def __init__(self, message: str, *, key: str = "store.error") -> None:
        super().__init__(message, key=key)


@dataclass(frozen=True)
class StoreView:
    """The current verified generation as the player sees it."""

    generation: int
    version: int
    items: tuple[StoreItem, ...]
    updated_at: datetime | None
    path: str
    playlist: str | None = None  # absolute path of the published playlist object, if any
    applied_at: datetime | None = None


def objects_dir(state_dir: str | os.PathLike[str]) -> Path:
    return Path(state_dir) / OBJECTS


def object_path(state_dir: str | os.PathLike[str], sha256: str) -> Path:
    return Path(state_dir) / OBJECTS / sha256


def current_generation(state_dir: str | os.PathLike[str]) -> int | None:
    """The generation number ``current`` points to, or None. Only a symlink of the exact
    form ``generations/<n>`` counts."""
    try:
        target = os.readlink(Path(state_dir) / CURRENT)
    except OSError:
        return None
    m = _GEN_TARGET_RE.match(target)
    return int(m.group(1)) if m else None


def generation_dir(state_dir: str | os.PathLike[str], n: int) -> Path:
    return Path(state_dir) / GENERATIONS / str(n)


def read_file_nofollow(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """Read a regular file without following a symlink at its last component."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        import stat

        if not stat.S_ISREG(st.st_mode):
            raise OSError(f"{path}: not a regular file")
        if st.st_size > max_bytes:
            raise OSError(f"{path}: too large")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise OSError(f"{path}: too large")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _is_real_dir(path: Path) -> bool:
    try:
        import stat

        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def parse_items_json(raw: bytes) -> dict[str, Any]:
    data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict) or data.get("format") != ITEMS_FORMAT:
        raise ValueError("unsupported items.json")
    if not isinstance(data.get("items"), list):
        raise ValueError("items.json without items")
    return data


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def store_items(data: dict[str, Any], state_dir: Path) -> list[StoreItem]:
    """Turn ``items.json`` data into :class:`StoreItem` values with absolute object paths.
    Items that do not read back are skipped with a log line (they were validated at sync)."""
    out: list[StoreItem] = []
    for raw in data["items"]:
        try:
            item_id = raw["id"]
            kind = raw["kind"]
            if kind not in KINDS:
                raise ValueError(f"unknown kind {kind!r}")
            files = {
                str(name): str(object_path(state_dir, sha))
                for name, sha in dict(raw.get("files", {})).items()
                if re.fullmatch(r"[0-9a-f]{64}", str(sha))
            }
            content = default_content(kind, raw["meta"], f"items[{item_id}]")
            content = content_with_paths(kind, content, files)
            out.append(
                StoreItem(
                    id=str(item_id),
                    kind=kind,
                    content=content,
                    disclosure=str(raw["disclosure"]),
                    valid_from=_instant(raw.get("valid_from")),
                    valid_to=_instant(raw.get("valid_to")),
                    files=files,
                    date=date.fromisoformat(raw["date"]) if raw.get("date") else None,
                )
            )
        except (KeyError, TypeError, ValueError, ManifestError) as exc:
            log.warning("store.item_unreadable item=%r error=%s", raw.get("id"), exc)
    return out


def _last_success(state_dir: Path) -> datetime | None:
    try:
        raw = read_file_nofollow(state_dir / STATE_NAME, 16 * 1024 * 1024)
        data = json.loads(raw.decode("utf-8"))
        success = data.get("last_success") if isinstance(data, dict) else None
        return _instant(success.get("time")) if isinstance(success, dict) else None
    except (OSError, ValueError, AttributeError):
        return None


def read_current(state_dir: str | os.PathLike[str]) -> StoreView | None:
    """Load the current verified generation, or None when there is none (fresh device) or
    it cannot be read. Never writes. ``updated_at`` is the last successful sync (from
    ``state.json``), falling back to when this generation was applied."""
    root = Path(state_dir)
    n = current_generation(root)
    if n is None:
        return None
    gen = generation_dir(root, n)
    if not _is_real_dir(root / GENERATIONS) or not _is_real_dir(gen):
        log.warning("store.current_broken generation=%s", n)
        return None
    try:
        data = parse_items_json(read_file_nofollow(gen / ITEMS_NAME, MAX_ITEMS_JSON_BYTES))
    except (OSError, ValueError) as exc:
        log.warning("store.current_unreadable generation=%s error=%s", n, exc)
        return None
    items = store_items(data, root)
    playlist = data.get("playlist")
    applied_at = _instant(data.get("applied_at"))
    version = data.get("version")
    return StoreView(
        generation=n,
        version=version if isinstance(version, int) else 0,
        items=tuple(items),
        updated_at=_last_success(root) or applied_at,
        path=str(gen),
        playlist=str(object_path(root, playlist))
        if isinstance(playlist, str) and re.fullmatch(r"[0-9a-f]{64}", playlist)
        else None,
        applied_at=applied_at,
    )
