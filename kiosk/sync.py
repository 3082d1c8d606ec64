"""Device-side sync: fetch a signed publication, verify it, swap it in atomically.

Functional core: :func:`plan_sync` decides (pure) what a verified manifest means for the
store — reject (rollback, equivocation, expiry), unchanged, or apply with a list of objects
to fetch. The imperative shell :func:`run_sync` does the I/O around it in this order:

1. lock ``STATE_DIR/.sync.lock``; repair planted entries in the store;
2. load ``state.json`` (or rebuild it from the verified generations on disk);
3. GET manifest.json with ``If-None-Match`` (304 → unchanged, unless the stored manifest
   has expired by a trusted clock: then ``sync.expired``), capped; GET the signature;
4. verify the signature over the raw bytes, parse strictly, check ``key_id``;
5. drop items not marked 主动公开 (logged), validate the content of the rest;
6. plan; check free space and the disk budget against the declared sizes;
7. fetch missing objects (each verified by length and sha256), verify reused ones;
8. stage the generation, fsync, switch ``current`` by rename, fsync;
9. write ``state.json`` atomically; remove generations other than current and previous,
   and objects no kept generation refers to.

On any failure before step 8 completes, ``current`` and the highest applied version are
untouched; the failed attempt is recorded in ``state.json``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from kiosk import store
from kiosk.atomic import write_json_atomic
from kiosk.clock import Clock
from kiosk.errors import KioskError
from kiosk.fetch import DISK_FULL_ERRNOS, Deadline, FetchSettings, Source, open_source
from kiosk.keys import TrustedKeys
from kiosk.manifest import (
    CheckedItems,
    ContentParser,
    Manifest,
    ManifestError,
    check_items,
    default_content,
    item_json,
    verify_and_parse,
    verify_header,
)

log = logging.getLogger(__name__)

STATE_FORMAT = 1
MAX_STATE_BYTES = 1024 * 1024
SPACE_RESERVE = 16 * 1024 * 1024  # keep this much free beyond what a sync needs

EXIT_OK = 0
EXIT_FAILED = 1  # transfer, disk, lock: try again later
EXIT_REJECTED = 3  # the publication itself was refused (signature, rollback, expiry ...)

REJECT_KEYS = frozenset(
    {
        "manifest.bad_signature",
        "manifest.unknown_key",
        "manifest.unknown_alg",
        "manifest.no_key",
        "manifest.malformed",
        "manifest.too_large",
        "manifest.unsupported_format",
        "sync.rollback",
        "sync.equivocation",
        "sync.expired",
        "fetch.hash_mismatch",
        "fetch.length_mismatch",
        "fetch.too_long",
    }
)


class SyncError(KioskError):
    def __init__(self, message: str, *, key: str) -> None:
        super().__init__(message, key=key, exit_code=EXIT_REJECTED if key in REJECT_KEYS else 1)


# ----------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class SyncSettings:
    fetch: FetchSettings = field(default_factory=FetchSettings)
    disk_budget_bytes: int = 2048 * 1024 * 1024
    space_reserve_bytes: int = SPACE_RESERVE
    verify_present: bool = True  # re-hash reused objects before a new generation goes live
    keep_generations: int = 2  # current and previous
    free_space: Callable[[str], int] | None = None  # bytes available; None = statvfs
    content_parser: ContentParser = default_content

    @staticmethod
    def from_config(portal: Any) -> SyncSettings:
        """From :class:`kiosk.config.PortalConfig`."""
        return SyncSettings(
            fetch=FetchSettings(
                connect_timeout=portal.connect_timeout,
                read_timeout=portal.read_timeout,
                file_deadline=portal.file_deadline,
                run_deadline=portal.run_deadline,
                ca_file=portal.ca_file,
                max_manifest_bytes=portal.max_manifest_bytes,
            ),
            disk_budget_bytes=int(portal.disk_budget_mb) * 1024 * 1024,
        )


def statvfs_free(path: str) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


# ----------------------------------------------------------------------------- state


@dataclass(frozen=True)
class Outcome:
    time: datetime
    result: Literal["updated", "unchanged", "failed"]
    version: int | None = None
    key: str | None = None
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"time": self.time.isoformat(), "result": self.result}
        if self.version is not None:
            out["version"] = self.version
        if self.key:
            out["key"] = self.key
        if self.message:
            out["message"] = self.message
        return out


@dataclass(frozen=True)
class SyncState:
    """What ``state.json`` holds (see docs/portal-protocol.md §6.6)."""

    highest_version: int = 0
    highest_sha256: str | None = None  # sha256 of the manifest bytes at highest_version
    current_generation: int | None = None
    last_trusted_time: datetime | None = None
    etags: Mapping[str, str] = field(default_factory=dict)
    source: str | None = None
    last_attempt: Outcome | None = None
    last_success: Outcome | None = None
    rebuilt: bool = False
    # not stored: the expiry of the current generation's verified manifest (load_state)
    current_expires: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "highest_version": self.highest_version,
            "highest_sha256": self.highest_sha256,
            "current_generation": self.current_generation,
            "last_trusted_time": self.last_trusted_time.isoformat()
            if self.last_trusted_time
            else None,
            "etags": dict(self.etags),
            "source": self.source,
            "last_attempt": self.last_attempt.to_json() if self.last_attempt else None,
            "last_success": self.last_success.to_json() if self.last_success else None,
            # flat copies for simple readers (metrics, doctor, daemon)
            "last_attempt_at": self.last_attempt.time.isoformat() if self.last_attempt else None,
            "last_success_at": self.last_success.time.isoformat() if self.last_success else None,
            "last_result": self.last_attempt.result if self.last_attempt else None,
        }


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        raise ValueError("naive time")
    return when


def _outcome(value: Any) -> Outcome | None:
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("result") not in ("updated", "unchanged", "failed"):
        raise ValueError("bad outcome")
    t = _when(value.get("time"))
    if t is None:
        raise ValueError("outcome without time")
    v = value.get("version")
    return Outcome(
        t,
        value["result"],
        v if isinstance(v, int) else None,
        value.get("key"),
        value.get("message"),
    )


def parse_state(raw: bytes) -> SyncState:
    """Strict parse; raises ValueError on anything odd (the caller then rebuilds)."""
    data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        raise ValueError("unsupported state.json")
    hv = data.get("highest_version")
    if not isinstance(hv, int) or isinstance(hv, bool) or hv < 0:
        raise ValueError("bad highest_version")
    hs = data.get("highest_sha256")
    if hs is not None and (not isinstance(hs, str) or not store.SHA_RE.match(hs)):
        raise ValueError("bad highest_sha256")
    cg = data.get("current_generation")
    etags = data.get("etags") or {}
    if not isinstance(etags, dict) or not all(isinstance(v, str) for v in etags.values()):
        raise ValueError("bad etags")
    return SyncState(
        highest_version=hv,
        highest_sha256=hs,
        current_generation=cg if isinstance(cg, int) else None,
        last_trusted_time=_when(data.get("last_trusted_time")),
        etags=etags,
        source=data.get("source") if isinstance(data.get("source"), str) else None,
        last_attempt=_outcome(data.get("last_attempt")),
        last_success=_outcome(data.get("last_success")),
    )


@dataclass(frozen=True)
class GenerationInfo:
    n: int
    version: int
    sha256: str
    issued: datetime
    expires: datetime


def verified_generations(state_dir: Path, trusted_keys: TrustedKeys) -> list[GenerationInfo]:
    """Generations on disk whose stored manifest still verifies with a trusted key. Only
    the signature and the header are checked (:func:`verify_header`): the items were
    validated when the generation was applied, and a no-op sync must stay cheap."""
    out: list[GenerationInfo] = []
    for n in store.generations(state_dir):
        gen = store.generation_dir(state_dir, n)
        try:
            raw = store.read_file_nofollow(gen / "manifest.json", 64 * 1024 * 1024)
            sig = store.read_file_nofollow(gen / "manifest.json.sig", 4096)
            m = verify_header(raw, sig, trusted_keys, max_bytes=len(raw))
        except (OSError, ManifestError):
            continue
        out.append(
            GenerationInfo(n, m.version, hashlib.sha256(raw).hexdigest(), m.issued, m.expires)
        )
    return out


def load_state(state_dir: Path, trusted_keys: TrustedKeys) -> SyncState:
    """``state.json``, reconciled with the verified generations on disk: the highest
    applied version is never lower than any verified generation's (a crash between the
    switch and the state write, a deleted or corrupt state file)."""
    gens = verified_generations(state_dir, trusted_keys)
    try:
        state = parse_state(store.read_file_nofollow(state_dir / store.STATE_NAME, MAX_STATE_BYTES))
    except FileNotFoundError:
        state = SyncState(rebuilt=bool(gens))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        log.warning("sync.state_rebuilt reason=%s", str(exc)[:120])
        state = SyncState(rebuilt=True)
    if gens:
        top = max(gens, key=lambda g: g.version)
        if top.version > state.highest_version or (
            top.version == state.highest_version and state.highest_sha256 is None
        ):
            state = replace(state, highest_version=top.version, highest_sha256=top.sha256)
        trusted = max(g.issued for g in gens)
        if state.last_trusted_time is None or trusted > state.last_trusted_time:
            state = replace(state, last_trusted_time=trusted)
    cur = store.current_generation(state_dir)
    expires = next((g.expires for g in gens if g.n == cur), None)
    return replace(state, current_generation=cur, current_expires=expires)


def current_manifest_sha(state_dir: Path) -> str | None:
    n = store.current_generation(state_dir)
    if n is None:
        return None
    path = store.generation_dir(state_dir, n) / "manifest.json"
    try:
        return hashlib.sha256(store.read_file_nofollow(path, 64 * 1024 * 1024)).hexdigest()
    except OSError:
        return None


# ----------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class Plan:
    action: Literal["apply", "unchanged", "reject"]
    fetch: Mapping[str, int] = field(default_factory=dict)  # sha256 -> length to download
    reuse: Mapping[str, int] = field(default_factory=dict)  # already present
    fetch_bytes: int = 0
    total_bytes: int = 0
    clock_trusted: bool = True
    key: str | None = None  # reject reason key
    message: str | None = None


def clock_trusted(now: datetime, last_trusted_time: datetime | None) -> bool:
    """A clock earlier than the last trusted time (e.g. a Pi without RTC just booted) is not
    used to judge expiry."""
    return last_trusted_time is None or now >= last_trusted_time


def plan_not_modified(old_state: SyncState, now: datetime) -> Plan:
    """The portal answered 304 Not Modified: the manifest is the one in the current
    generation. It is judged like any other manifest would be, on what is stored: once it
    has expired (and the clock is trusted) the run is a failure (``sync.expired``), not
    "unchanged" — the portal has not re-signed in time, and the screen keeps showing the
    current generation while the failure is reported. Pure."""
    trusted = clock_trusted(now, old_state.last_trusted_time)
    expires = old_state.current_expires
    if trusted and expires is not None and now >= expires:
        return Plan(
            "reject",
            clock_trusted=trusted,
            key="sync.expired",
            message=f"门户未更新，当前清单已于 {expires.isoformat()} 过期 (304 Not Modified, "
            "but the stored manifest has expired)",
        )
    return Plan("unchanged", clock_trusted=trusted)


def plan_sync(
    old_state: SyncState,
    manifest: Manifest,
    present_objects: Mapping[str, int],
    *,
    manifest_sha256: str,
    now: datetime,
    current_sha256: str | None = None,
) -> Plan:
    """Decide what a verified manifest means for the store. Pure."""
    trusted = clock_trusted(now, old_state.last_trusted_time)
    v, hv = manifest.version, old_state.highest_version
    if v < hv:
        return Plan(
            "reject",
            clock_trusted=trusted,
            key="sync.rollback",
            message=f"版本 {v} 低于已应用的 {hv}，拒绝回滚 (version {v} is lower than the applied "
            f"{hv}: rollback refused)",
        )
    if v == hv and old_state.highest_sha256 and manifest_sha256 != old_state.highest_sha256:
        return Plan(
            "reject",
            clock_trusted=trusted,
            key="sync.equivocation",
            message=f"同一版本 {v} 的清单内容不同 (a different manifest with the same version {v})",
        )
    if trusted and now >= manifest.expires:
        return Plan(
            "reject",
            clock_trusted=trusted,
            key="sync.expired",
            message=f"清单已于 {manifest.expires.isoformat()} 过期 (manifest expired)",
        )
    wanted = manifest.objects()
    if current_sha256 == manifest_sha256 and all(s in present_objects for s in wanted):
        return Plan("unchanged", reuse=wanted, clock_trusted=trusted)
    fetch = {s: n for s, n in wanted.items() if present_objects.get(s) != n}
    reuse = {s: n for s, n in wanted.items() if s not in fetch}
    return Plan(
        "apply",
        fetch=fetch,
        reuse=reuse,
        fetch_bytes=sum(fetch.values()),
        total_bytes=sum(wanted.values()),
        clock_trusted=trusted,
    )


def check_space(
    plan: Plan,
    *,
    free_bytes: int,
    budget_bytes: int,
    kept_bytes: int,
    extra_bytes: int,
    reserve_bytes: int,
) -> str | None:
    """None if the plan fits; else the reason. ``kept_bytes``: objects of the current
    generation that are kept as fallback and not part of the new one. Pure."""
    need = plan.fetch_bytes + extra_bytes
    if need + reserve_bytes > free_bytes:
        return (
            f"磁盘空间不足：需要 {_mb(need + reserve_bytes)}，可用 {_mb(free_bytes)} "
            f"(disk full: need {_mb(need + reserve_bytes)}, free {_mb(free_bytes)})"
        )
    total = plan.total_bytes + kept_bytes + extra_bytes
    if total > budget_bytes:
        return (
            f"超出磁盘预算：需要 {_mb(total)}，预算 {_mb(budget_bytes)} "
            f"(over the disk budget: {_mb(total)} > {_mb(budget_bytes)})"
        )
    return None


def _mb(n: int) -> str:
    return f"{n / 1048576:.1f} MiB"


# ----------------------------------------------------------------------------- shell


@dataclass(frozen=True)
class SyncResult:
    status: Literal["updated", "unchanged", "failed"]
    version: int | None = None
    generation: int | None = None
    key: str = "sync.ok"
    message: str = ""
    exit_code: int = EXIT_OK
    bytes_downloaded: int = 0
    objects_fetched: int = 0
    requests_made: int = 0
    dropped: tuple[str, ...] = ()
    repaired: tuple[str, ...] = ()
    clock_trusted: bool = True

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    @property
    def changed(self) -> bool:
        return self.status == "updated"

    def line(self) -> str:
        if self.status == "updated":
            return f"已更新 (updated) to version {self.version}"
        if self.status == "unchanged":
            return f"无变化 (unchanged) version {self.version}"
        return f"同步失败 (sync failed): {self.message} [{self.key}]"


class _Lock:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.fd = -1

    def __enter__(self) -> _Lock:
        fd = store.try_lock(self.state_dir)
        if fd is None:
            raise SyncError("另一个同步正在进行 (another sync is running)", key="sync.locked")
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)


def _record(state_dir: Path, state: SyncState) -> None:
    write_json_atomic(state_dir / store.STATE_NAME, state.to_json())


def items_document(
    manifest: Manifest,
    kept: CheckedItems,
    *,
    generation: int,
    applied_at: datetime,
    key_id: str,
    manifest_sha256: str,
) -> bytes:
    items = []
    for item in kept.public:
        doc = item_json(item)
        doc["files"] = {f.name: f.sha256 for f in item.files}
        items.append(doc)
    data = {
        "format": store.ITEMS_FORMAT,
        "generation": generation,
        "version": manifest.version,
        "issued": manifest.issued.isoformat(),
        "expires": manifest.expires.isoformat(),
        "applied_at": applied_at.isoformat(),
        "key_id": key_id,
        "manifest_sha256": manifest_sha256,
        "playlist": manifest.playlist.sha256 if manifest.playlist else None,
        "objects": sorted(manifest.objects()),
        "items": items,
        "dropped": [{"id": i, "disclosure": d} for i, d in kept.dropped],
    }
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def run_sync(
    source: str | Source,
    state_dir: str | os.PathLike[str],
    trusted_keys: TrustedKeys,
    clock: Clock,
    settings: SyncSettings | None = None,
) -> SyncResult:
    """One sync run. Never raises for expected failures: returns a failed result (and
    records it in state.json) with ``current`` untouched."""
    settings = settings or SyncSettings()
    root = Path(state_dir)
    try:
        root.mkdir(parents=True, exist_ok=True)
        with _Lock(root):
            return _run_locked(source, root, trusted_keys, clock, settings)
    except KioskError as exc:  # the lock
        return SyncResult("failed", key=exc.key, message=str(exc), exit_code=exc.exit_code)
    except OSError as exc:  # the state directory itself: missing rights, a file in the way
        where = exc.filename or root
        message = (
            f"状态目录不可用 (state directory unusable): {where}: {exc.strerror or exc}; "
            "请检查路径和权限，或以 kiosk 用户运行 (check the path and permissions)"
        )
        log.error("sync.failed key=sync.state_dir %s", message)
        return SyncResult("failed", key="sync.state_dir", message=message, exit_code=1)


def _run_locked(
    source: str | Source,
    root: Path,
    trusted_keys: TrustedKeys,
    clock: Clock,
    settings: SyncSettings,
) -> SyncResult:
    repaired = tuple(store.ensure_layout(root))
    for line in repaired:
        log.warning("store.repaired %s", line)
    state = load_state(root, trusted_keys)
    started = clock.now()
    src = open_source(source, settings.fetch, clock) if isinstance(source, str) else source
    desc = src.description
    if state.source is not None and state.source != desc:
        state = replace(state, etags={})
    deadline = Deadline(clock, settings.fetch.run_deadline, what="run")
    try:
        result = _attempt(src, root, trusted_keys, clock, settings, state, deadline)
    except (KioskError, OSError) as exc:
        if isinstance(exc, KioskError):
            key, message = exc.key, str(exc)
            code = EXIT_REJECTED if key in REJECT_KEYS else exc.exit_code
        elif exc.errno in DISK_FULL_ERRNOS:  # e.g. staging the generation
            key, code = "sync.disk_full", 1
            message = f"磁盘已满 (disk full): {exc.strerror or exc}: {exc.filename}"
        else:
            key, message, code = "sync.io_error", f"{exc.strerror or exc}: {exc.filename}", 1
        log.error("sync.failed key=%s source=%s %s", key, desc, message)
        failed = Outcome(started, "failed", state.highest_version or None, key, message)
        with contextlib.suppress(OSError):
            _record(root, replace(state, last_attempt=failed, source=desc))
        return SyncResult(
            "failed",
            version=state.highest_version or None,
            generation=state.current_generation,
            key=key,
            message=message,
            exit_code=code,
            repaired=repaired,
        )
    finally:
        src.close()
    return replace(result, repaired=repaired)


def _attempt(
    src: Source,
    root: Path,
    trusted_keys: TrustedKeys,
    clock: Clock,
    settings: SyncSettings,
    state: SyncState,
    deadline: Deadline,
) -> SyncResult:
    now = clock.now()
    desc = src.description
    # a conditional request only when the current generation verifies with a trusted key:
    # 304 then means "what you have", judged below on the stored manifest
    has_current = state.current_generation is not None and state.current_expires is not None
    etag = state.etags.get("manifest") if has_current else None
    fetched = src.manifest(etag, deadline)
    if fetched.raw is None or fetched.signature is None:  # 304 Not Modified
        judged = plan_not_modified(state, now)
        if judged.action == "reject":
            raise SyncError(judged.message or "expired", key=judged.key or "sync.expired")
        return _unchanged(root, state, now, desc, fetched.etag, requests_made=1)
    raw = fetched.raw
    try:
        manifest = verify_and_parse(
            raw, fetched.signature, trusted_keys, max_bytes=settings.fetch.max_manifest_bytes
        )
        kept = check_items(manifest, settings.content_parser)
    except ManifestError as exc:
        raise SyncError(str(exc), key=exc.key) from None
    for item_id, disclosure in kept.dropped:
        log.warning("sync.dropped_item item=%s disclosure=%s (not 主动公开)", item_id, disclosure)
    # from here on only the public items: a dropped item's files are never downloaded or kept
    manifest = replace(manifest, items=kept.public)
    sha = hashlib.sha256(raw).hexdigest()
    present = store.present_objects(root)
    plan = plan_sync(
        state,
        manifest,
        present,
        manifest_sha256=sha,
        now=now,
        current_sha256=current_manifest_sha(root),
    )
    if not plan.clock_trusted:
        log.warning(
            "clock.untrusted now=%s last_trusted=%s (expiry not judged)",
            now.isoformat(),
            state.last_trusted_time.isoformat() if state.last_trusted_time else None,
        )
    if plan.action == "reject":
        raise SyncError(plan.message or "rejected", key=plan.key or "sync.rejected")
    if plan.action == "unchanged":
        return _unchanged(root, state, now, desc, fetched.etag, requests_made=2)

    # disk: free space and budget against declared sizes, before downloading anything
    cur = state.current_generation
    kept_objs = store.referenced_objects(root, cur) if cur is not None else set()
    kept_bytes = sum(
        present.get(s, 0) for s in kept_objs if s not in plan.fetch and s not in plan.reuse
    )
    free = (settings.free_space or statvfs_free)(str(root))
    problem = check_space(
        plan,
        free_bytes=free,
        budget_bytes=settings.disk_budget_bytes,
        kept_bytes=kept_bytes,
        extra_bytes=2 * len(raw) + 4096,
        reserve_bytes=settings.space_reserve_bytes,
    )
    if problem:
        raise SyncError(
            problem, key="sync.disk_full" if "disk full" in problem else "sync.over_budget"
        )
    # drop leftovers that neither the kept generation nor this plan needs
    store.collect_garbage(
        root,
        keep=set(store.generations(root)) if cur is None else {cur, *store.generations(root)},
        keep_objects=set(plan.fetch) | set(plan.reuse),
    )

    # objects
    objects = root / store.OBJECTS
    partial = objects / store.PARTIAL
    downloaded = 0
    for sha_obj, length in sorted(plan.fetch.items()):
        dest = objects / sha_obj
        with contextlib.suppress(FileNotFoundError):
            dest.unlink()  # present with the wrong size
        downloaded += src.fetch_object(sha_obj, length, dest, partial, deadline)
    if plan.fetch:
        from kiosk.atomic import fsync_dir

        fsync_dir(objects)
    if settings.verify_present:
        for sha_obj, length in plan.reuse.items():
            deadline.check()
            if store.hash_file(objects / sha_obj, length) != sha_obj:
                (objects / sha_obj).unlink(missing_ok=True)
                raise SyncError(
                    f"store: 本地对象 {sha_obj[:16]}… 已损坏，已删除，下次同步重新下载 "
                    "(a stored object was corrupt; removed, will be fetched again)",
                    key="store.corrupt_object",
                )

    # stage and switch
    n = store.next_generation(root)
    applied = clock.now()
    key_id = manifest.key_id
    store.stage_generation(
        root,
        n,
        {
            "manifest.json": raw,
            "manifest.json.sig": fetched.signature,
            store.ITEMS_NAME: items_document(
                manifest, kept, generation=n, applied_at=applied, key_id=key_id, manifest_sha256=sha
            ),
        },
    )
    store.commit_generation(root, n)
    ok = Outcome(applied, "updated", manifest.version)
    trusted_time = max(t for t in (state.last_trusted_time, manifest.issued) if t is not None)
    new_state = replace(
        state,
        highest_version=manifest.version,
        highest_sha256=sha,
        current_generation=n,
        last_trusted_time=trusted_time,
        etags={"manifest": fetched.etag} if fetched.etag else {},
        source=desc,
        last_attempt=ok,
        last_success=ok,
    )
    _record(root, new_state)
    keep = {n}
    if cur is not None and cur != n:
        keep.add(cur)
    gens, objs = store.collect_garbage(root, keep)
    log.info(
        "sync.ok version=%d generation=%d fetched=%d bytes=%d dropped=%d removed_generations=%d "
        "removed_objects=%d",
        manifest.version,
        n,
        len(plan.fetch),
        downloaded,
        len(kept.dropped),
        gens,
        objs,
    )
    return SyncResult(
        "updated",
        version=manifest.version,
        generation=n,
        message=f"已更新 (updated) to version {manifest.version}",
        bytes_downloaded=downloaded + len(raw) + len(fetched.signature),
        objects_fetched=len(plan.fetch),
        dropped=tuple(i for i, _ in kept.dropped),
        clock_trusted=plan.clock_trusted,
    )


def _needs_tidying(root: Path, cur: int) -> bool:
    """More than the current and one older generation, staging leftovers, or partial
    downloads lying around."""
    gens = [e.name for e in os.scandir(root / store.GENERATIONS)]
    if len(gens) > 2 or any(not g.isdigit() for g in gens) or str(cur) not in gens:
        return True
    with os.scandir(root / store.OBJECTS / store.PARTIAL) as it:
        return any(True for _ in it)


def _unchanged(
    root: Path, state: SyncState, now: datetime, desc: str, etag: str | None, requests_made: int
) -> SyncResult:
    out = Outcome(now, "unchanged", state.highest_version or None)
    cur = store.current_generation(root)
    if cur is not None and _needs_tidying(root, cur):
        # an earlier run was killed after its switch or mid-download: tidy up (cheap to
        # check, costly to do, so a plain no-op run skips it)
        older = [g for g in store.generations(root) if g < cur]
        store.collect_garbage(root, {cur, *older[-1:]})
    etags = {"manifest": etag} if etag else {}
    _record(root, replace(state, last_attempt=out, last_success=out, source=desc, etags=etags))
    log.info("sync.unchanged version=%s", state.highest_version)
    return SyncResult(
        "unchanged",
        version=state.highest_version or None,
        generation=state.current_generation,
        key="sync.unchanged",
        message="无变化 (unchanged)",
        requests_made=requests_made,
    )


def sync_from_config(config: Any, clock: Clock) -> SyncResult:
    """One sync with the device config (:class:`kiosk.config.Config`): for the daemon."""
    from kiosk.keys import load_trusted_keys

    portal = config.portal
    if not portal.source or not portal.public_key:
        return SyncResult(
            "failed",
            key="sync.not_configured",
            message="未配置 portal.source 或 portal.public_key (portal not configured)",
            exit_code=2,
        )
    try:
        trusted = load_trusted_keys([portal.public_key])
    except KioskError as exc:
        return SyncResult("failed", key=exc.key, message=str(exc), exit_code=2)
    return run_sync(
        portal.source, config.state_dir, trusted, clock, SyncSettings.from_config(portal)
    )
