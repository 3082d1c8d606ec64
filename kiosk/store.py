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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kiosk.clock import parse_instant
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
                    valid_from=parse_instant(raw.get("valid_from")),
                    valid_to=parse_instant(raw.get("valid_to")),
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
        return parse_instant(success.get("time")) if isinstance(success, dict) else None
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
    applied_at = parse_instant(data.get("applied_at"))
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


# ----------------------------------------------------------------------------- writer
# Only the sync process calls what follows (under its lock).

PARTIAL = ".partial"
SHA_RE = re.compile(r"^[0-9a-f]{64}$")


def _lstat_mode(path: Path) -> int | None:
    try:
        return os.lstat(path).st_mode
    except FileNotFoundError:
        return None


def _remove_any(path: Path) -> None:
    """Remove a file, symlink or directory tree at ``path`` without following symlinks."""
    import shutil
    import stat

    mode = _lstat_mode(path)
    if mode is None:
        return
    if stat.S_ISDIR(mode):
        shutil.rmtree(path)  # fd-based on Linux: does not follow symlinks inside
    else:
        path.unlink()


def ensure_layout(state_dir: str | os.PathLike[str]) -> list[str]:
    """Create the store's directories and repair anything planted in them: a symlink or
    non-directory where a directory belongs, a symlink or non-regular file among objects,
    a ``current`` that is not a symlink to ``generations/<n>``, symlinks inside
    generations. Returns what was repaired (one line each, for the log)."""
    import stat

    root = Path(state_dir)
    repaired: list[str] = []
    mode = _lstat_mode(root)
    if mode is not None and stat.S_ISLNK(mode):
        # the state dir itself may be a symlink the administrator made; follow it once
        root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    for name in (GENERATIONS, OBJECTS):
        sub = root / name
        mode = _lstat_mode(sub)
        if mode is not None and not stat.S_ISDIR(mode):
            _remove_any(sub)
            repaired.append(f"{name}: not a directory, removed")
        sub.mkdir(exist_ok=True)
    partial = root / OBJECTS / PARTIAL
    mode = _lstat_mode(partial)
    if mode is not None and not stat.S_ISDIR(mode):
        _remove_any(partial)
        repaired.append(f"{OBJECTS}/{PARTIAL}: not a directory, removed")
    partial.mkdir(exist_ok=True)
    for entry in os.scandir(partial):
        if not entry.is_file(follow_symlinks=False):
            _remove_any(Path(entry.path))
            repaired.append(f"{OBJECTS}/{PARTIAL}/{entry.name}: planted entry removed")
    for entry in os.scandir(root / OBJECTS):
        if entry.name == PARTIAL:
            continue
        if not SHA_RE.match(entry.name) or not entry.is_file(follow_symlinks=False):
            _remove_any(Path(entry.path))
            repaired.append(f"{OBJECTS}/{entry.name}: not an object, removed")
    for entry in os.scandir(root / GENERATIONS):
        if not entry.is_dir(follow_symlinks=False):
            _remove_any(Path(entry.path))
            repaired.append(f"{GENERATIONS}/{entry.name}: not a directory, removed")
            continue
        for inner in os.scandir(entry.path):
            if not inner.is_file(follow_symlinks=False):
                _remove_any(Path(inner.path))
                repaired.append(f"{GENERATIONS}/{entry.name}/{inner.name}: planted entry removed")
    cur = root / CURRENT
    mode = _lstat_mode(cur)
    if mode is not None:
        n = current_generation(root)
        if not stat.S_ISLNK(mode) or n is None or not _is_real_dir(generation_dir(root, n)):
            _remove_any(cur)
            repaired.append(f"{CURRENT}: not a link to a generation, removed")
    return repaired


def present_objects(state_dir: str | os.PathLike[str]) -> dict[str, int]:
    """Objects in the store (regular files named by hash) and their sizes."""
    out: dict[str, int] = {}
    with os.scandir(Path(state_dir) / OBJECTS) as it:
        for entry in it:
            if SHA_RE.match(entry.name) and entry.is_file(follow_symlinks=False):
                out[entry.name] = entry.stat(follow_symlinks=False).st_size
    return out


def hash_file(path: Path, max_bytes: int) -> str | None:
    """SHA-256 of a regular file (not following a symlink), or None if unreadable."""
    import hashlib

    h = hashlib.sha256()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        size = 0
        while chunk := os.read(fd, 1 << 20):
            size += len(chunk)
            if size > max_bytes:
                return None
            h.update(chunk)
    finally:
        os.close(fd)
    return h.hexdigest()


def generations(state_dir: str | os.PathLike[str]) -> list[int]:
    """Committed generation numbers, ascending."""
    out = []
    for entry in os.scandir(Path(state_dir) / GENERATIONS):
        if entry.name.isdigit() and entry.is_dir(follow_symlinks=False):
            out.append(int(entry.name))
    return sorted(out)


def next_generation(state_dir: str | os.PathLike[str]) -> int:
    used = [0]
    for entry in os.scandir(Path(state_dir) / GENERATIONS):
        name = entry.name.removeprefix(STAGING_PREFIX)
        if name.isdigit():
            used.append(int(name))
    return max(used) + 1


def _write_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def stage_generation(state_dir: str | os.PathLike[str], n: int, files: dict[str, bytes]) -> Path:
    """Write a complete generation into ``generations/.staging-<n>``, fsynced."""
    from kiosk.atomic import fsync_dir

    staging = Path(state_dir) / GENERATIONS / f"{STAGING_PREFIX}{n}"
    _remove_any(staging)
    staging.mkdir()
    for name, data in files.items():
        _write_synced(staging / name, data)
    fsync_dir(staging)
    return staging


def commit_generation(state_dir: str | os.PathLike[str], n: int) -> Path:
    """Rename the staged generation into place and switch ``current`` to it: a new
    symlink beside ``current`` renamed over it, then fsync of the directories. A crash at
    any point leaves ``current`` at the old generation or the new one."""
    from kiosk.atomic import fsync_dir

    root = Path(state_dir)
    staging = root / GENERATIONS / f"{STAGING_PREFIX}{n}"
    final = generation_dir(root, n)
    os.rename(staging, final)
    fsync_dir(root / GENERATIONS)
    tmp = root / f".{CURRENT}.{os.getpid()}.tmp"
    _remove_any(tmp)
    os.symlink(f"{GENERATIONS}/{n}", tmp)
    os.replace(tmp, root / CURRENT)
    fsync_dir(root)
    return final


def referenced_objects(state_dir: str | os.PathLike[str], n: int) -> set[str]:
    """Objects a committed generation refers to (from its items.json); empty when that
    cannot be read."""
    return _references(state_dir, n) or set()


def _references(state_dir: str | os.PathLike[str], n: int) -> set[str] | None:
    """As :func:`referenced_objects`, but ``None`` when items.json cannot be read."""
    try:
        data = parse_items_json(
            read_file_nofollow(generation_dir(state_dir, n) / ITEMS_NAME, MAX_ITEMS_JSON_BYTES)
        )
    except (OSError, ValueError):
        return None
    out: set[str] = set(data.get("objects", []))
    for item in data["items"]:
        out.update(str(s) for s in dict(item.get("files", {})).values())
    if isinstance(data.get("playlist"), str):
        out.add(data["playlist"])
    return {s for s in out if SHA_RE.match(s)}


def collect_garbage(
    state_dir: str | os.PathLike[str], keep: set[int], keep_objects: Iterable[str] = ()
) -> tuple[int, int]:
    """Remove generations not in ``keep`` (and staging leftovers), then objects and
    partial downloads no kept generation refers to. Returns (generations, objects) removed.
    When a kept generation's items.json cannot be read (a read error), no object is removed:
    not knowing what it refers to must not cost the screen its pictures."""
    root = Path(state_dir)
    removed_gens = 0
    for entry in os.scandir(root / GENERATIONS):
        name = entry.name
        if name.isdigit() and int(name) in keep:
            continue
        _remove_any(Path(entry.path))
        removed_gens += 1
    wanted = set(keep_objects)
    for n in keep:
        refs = _references(root, n)
        if refs is None:
            log.warning("store.gc_skipped generation=%d reason=unreadable_items", n)
            return removed_gens, 0
        wanted |= refs
    removed_objects = 0
    for sha in present_objects(root):
        if sha not in wanted:
            (root / OBJECTS / sha).unlink()
            removed_objects += 1
    for entry in os.scandir(root / OBJECTS / PARTIAL):
        if entry.name.split(".", 1)[0] not in wanted:
            _remove_any(Path(entry.path))
    return removed_gens, removed_objects


LOCK_NAME = ".sync.lock"


def try_lock(state_dir: str | os.PathLike[str]) -> int | None:
    """Take the store's writer lock (flock on ``.sync.lock``) without waiting. Returns the
    fd to close to release it, or None when another writer holds it."""
    import fcntl

    fd = os.open(
        Path(state_dir) / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644
    )
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def gc(state_dir: str | os.PathLike[str]) -> tuple[int, int]:
    """Housekeeping between syncs (the daemon calls it): keep the current generation and the
    one before it, remove everything else and objects none of them refers to. Skipped
    (returns (0, 0)) while a sync holds the lock or when there is no current generation."""
    root = Path(state_dir)
    if not _is_real_dir(root / GENERATIONS):
        return 0, 0
    fd = try_lock(root)
    if fd is None:
        return 0, 0
    try:
        cur = current_generation(root)
        if cur is None:
            return 0, 0
        older = [g for g in generations(root) if g < cur]
        return collect_garbage(root, {cur, *older[-1:]})
    finally:
        os.close(fd)
