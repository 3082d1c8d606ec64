"""Urgent alerts: the small signed document the daemon polls every minute.

The portal publishes ``alerts.json`` and a detached signature ``alerts.json.sig`` beside the
manifest (same key, same signature scheme, checked with :func:`kiosk.manifest.verify_detached`
before anything is parsed). Format (``docs/deploy.md`` § "Alert feed")::

    {
      "format": "kiosk-alerts/1",
      "version": 12,                      # strictly increasing per publication
      "issued": "2026-11-29T09:00:00+08:00",
      "alerts": [
        {"id": "2026-117", "level": "red", "title": "...", "body": "...",
         "issued": "2026-11-29T09:00:00+08:00", "expires": "2026-11-29T18:00:00+08:00",
         "disclosure": "主动公开"}
      ]
    }

An alert is withdrawn by publishing a new version without it; it disappears on its own at
``expires`` (required, at most :data:`MAX_LIFETIME` after ``issued``) even when the portal is
unreachable. Only alerts marked ``"disclosure": "主动公开"`` are ever shown: an alert without
the field, or with any other value, is dropped when the document is parsed (listed in
:attr:`AlertDocument.dropped`, logged ``alert.not_public`` once when the document is adopted),
and the rest apply. The daemon writes what the player needs
to ``STATE_DIR/alerts.json``: ``{"alerts": [{id, level, title, body, expires, issued}],
"updated": ISO}`` — active alerts only, most severe first.

Pure: :func:`parse_alerts`, :func:`active_alerts`, :func:`player_document`. Shell:
:class:`AlertFeed` (conditional GET, verification, persistence).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time as _time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from kiosk import DISCLOSURE_PUBLIC
from kiosk.atomic import write_atomic, write_json_atomic
from kiosk.model import ALERT_LEVELS

log = logging.getLogger("kiosk.alerts")

FORMAT = "kiosk-alerts/1"
ALERTS_FILE = "alerts.json"  # the player's view, in STATE_DIR
FEED_DIR = "alerts-feed"  # the last verified document as received, in STATE_DIR
MAX_BYTES = 256 * 1024
MAX_ALERTS = 20
MAX_LIFETIME = timedelta(days=14)
MAX_TITLE = 60
MAX_BODY = 600


class AlertFeedError(Exception):
    """The feed could not be fetched, verified or parsed; ``key`` is a stable event key."""

    def __init__(
        self, message: str, key: str = "alert.feed_error", *, missing: bool = False
    ) -> None:
        super().__init__(message)
        self.key = key
        self.missing = missing  # the portal answered that there is no feed (404 / no file)


@dataclass(frozen=True)
class FeedAlert:
    id: str
    level: str
    title: str
    body: str
    issued: datetime
    expires: datetime
    disclosure: str

    def active(self, now: datetime) -> bool:
        return self.issued <= now < self.expires and self.disclosure == DISCLOSURE_PUBLIC

    def to_player(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level,
            "title": self.title,
            "body": self.body,
            "issued": self.issued.isoformat(timespec="seconds"),
            "expires": self.expires.isoformat(timespec="seconds"),
        }


@dataclass(frozen=True)
class AlertDocument:
    version: int
    issued: datetime
    alerts: tuple[FeedAlert, ...]  # 主动公开 only
    dropped: tuple[tuple[str, str | None], ...] = ()  # (id, disclosure or None when missing)


def _instant(value: object, where: str) -> datetime:
    if not isinstance(value, str):
        raise AlertFeedError(
            f"{where}: 需要带时区的时间 (ISO 8601 instant expected)", "alert.bad_document"
        )
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise AlertFeedError(
            f"{where}: 时间格式错误“{value}” (bad time)", "alert.bad_document"
        ) from None
    if parsed.tzinfo is None:
        raise AlertFeedError(
            f"{where}: 时间缺少时区“{value}” (time without zone)", "alert.bad_document"
        )
    return parsed


def _text(item: Mapping[str, Any], key: str, where: str, limit: int, required: bool) -> str:
    value = item.get(key, "" if not required else None)
    if not isinstance(value, str) or (required and not value.strip()):
        raise AlertFeedError(f"{where}.{key}: 需要文字 (text expected)", "alert.bad_document")
    if len(value) > limit:
        raise AlertFeedError(f"{where}.{key}: 超过 {limit} 字 (too long)", "alert.bad_document")
    return value.strip()


def parse_alerts(data: bytes) -> AlertDocument:
    """Parse a *verified* alerts document. Raises :class:`AlertFeedError` on any defect."""
    if len(data) > MAX_BYTES:
        raise AlertFeedError(f"文档过大 {len(data)} 字节 (document too large)", "alert.too_large")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise AlertFeedError(f"不是有效的 JSON (not JSON): {exc}", "alert.bad_document") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise AlertFeedError(f"format 应为 {FORMAT} (wrong format)", "alert.bad_document")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise AlertFeedError(
            "version 应为非负整数 (version must be an integer)", "alert.bad_document"
        )
    issued = _instant(doc.get("issued"), "issued")
    items = doc.get("alerts")
    if not isinstance(items, list) or len(items) > MAX_ALERTS:
        raise AlertFeedError(
            f"alerts 应为最多 {MAX_ALERTS} 项的列表 (alerts must be a list)", "alert.bad_document"
        )
    alerts: list[FeedAlert] = []
    dropped: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"alerts[{i}]"
        if not isinstance(item, dict):
            raise AlertFeedError(f"{where}: 应为对象 (object expected)", "alert.bad_document")
        alert_id = _text(item, "id", where, 64, True)
        if alert_id in seen:
            raise AlertFeedError(
                f"{where}.id: 重复的编号 {alert_id} (duplicate id)", "alert.bad_document"
            )
        seen.add(alert_id)
        disclosure = item.get("disclosure")
        if disclosure != DISCLOSURE_PUBLIC:
            # Dropped before its content is checked, like a manifest item that is not
            # 主动公开: it can never reach the screen, so it cannot spoil the others either.
            dropped.append((alert_id, None if disclosure is None else str(disclosure)))
            continue
        level = item.get("level")
        if level not in ALERT_LEVELS:
            raise AlertFeedError(
                f"{where}.level: 应为 {'/'.join(ALERT_LEVELS)} (bad level)", "alert.bad_document"
            )
        a_issued = _instant(item.get("issued", doc.get("issued")), f"{where}.issued")
        expires = _instant(item.get("expires"), f"{where}.expires")
        if not a_issued < expires <= a_issued + MAX_LIFETIME:
            raise AlertFeedError(
                f"{where}.expires: 须晚于发布时间且不超过 {MAX_LIFETIME.days} 天 (bad expiry)",
                "alert.bad_document",
            )
        alerts.append(
            FeedAlert(
                id=alert_id,
                level=str(level),
                title=_text(item, "title", where, MAX_TITLE, True),
                body=_text(item, "body", where, MAX_BODY, False),
                issued=a_issued,
                expires=expires,
                disclosure=DISCLOSURE_PUBLIC,
            )
        )
    return AlertDocument(
        version=version, issued=issued, alerts=tuple(alerts), dropped=tuple(dropped)
    )


def active_alerts(doc: AlertDocument | None, now: datetime) -> list[FeedAlert]:
    """Alerts to show at ``now``: public, issued, not expired; most severe first, then newest."""
    if doc is None:
        return []
    shown = [a for a in doc.alerts if a.active(now)]
    rank: dict[str, int] = {level: i for i, level in enumerate(ALERT_LEVELS)}
    return sorted(shown, key=lambda a: (-rank[a.level], -a.issued.timestamp(), a.id))


def player_document(alerts: Iterable[FeedAlert], now: datetime) -> dict[str, Any]:
    return {"alerts": [a.to_player() for a in alerts], "updated": now.isoformat(timespec="seconds")}


def next_expiry(doc: AlertDocument | None, now: datetime) -> datetime | None:
    """The next instant the set of active alerts changes on its own."""
    if doc is None:
        return None
    points = [t for a in doc.alerts for t in (a.issued, a.expires) if t > now]
    return min(points, default=None)


def check_succession(
    old: AlertDocument | None, old_bytes: bytes | None, new: AlertDocument, new_bytes: bytes
) -> None:
    """Reject rollback (older version) and a different document under the same version."""
    if old is None:
        return
    if new.version < old.version:
        raise AlertFeedError(
            f"版本回退 {new.version} < {old.version} (rollback rejected)", "alert.rollback"
        )
    if new.version == old.version and old_bytes is not None and new_bytes != old_bytes:
        raise AlertFeedError(
            f"同一版本 {new.version} 内容不同 (same version, different bytes)", "alert.rollback"
        )


# ----------------------------------------------------------------------------- shell

Verify = Callable[[bytes, bytes], None]
"""Checks a detached signature over the raw bytes; raises on failure."""


@dataclass
class FetchResult:
    status: int  # 200 or 304
    body: bytes = b""
    signature: bytes = b""
    etag: str | None = None
    last_modified: str | None = None


class HttpFetcher:
    """Conditional GET of ``alerts.json`` (+ ``.sig``) over HTTP(S), or read from a directory.

    No environment proxies or CA overrides (``trust_env=False``), connect/read timeouts, a
    total deadline and a byte cap, no redirects to another host.
    """

    def __init__(
        self,
        url: str,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float = 20.0,
        deadline: float = 45.0,
        ca_file: str | None = None,
    ) -> None:
        self.url = url
        self.timeouts = (connect_timeout, read_timeout)
        self.deadline = deadline
        self.ca_file = ca_file

    def _get(
        self, session: Any, url: str, headers: Mapping[str, str]
    ) -> tuple[int, bytes, Mapping[str, str]]:
        start = _time.monotonic()
        verify: bool | str = self.ca_file or True
        with session.get(
            url,
            headers=dict(headers),
            timeout=self.timeouts,
            stream=True,
            allow_redirects=False,
            verify=verify,
        ) as resp:
            if resp.status_code == 304:
                return 304, b"", resp.headers
            if resp.status_code != 200:
                raise AlertFeedError(
                    f"{url}: HTTP {resp.status_code}",
                    "alert.http_error",
                    missing=resp.status_code in (404, 410),
                )
            chunks: list[bytes] = []
            total = 0
            for chunk in resp.iter_content(16384):
                total += len(chunk)
                if total > MAX_BYTES:
                    raise AlertFeedError(
                        f"{url}: 超过 {MAX_BYTES} 字节 (too large)", "alert.too_large"
                    )
                if _time.monotonic() - start > self.deadline:
                    raise AlertFeedError(f"{url}: 下载超时 (deadline exceeded)", "alert.timeout")
                chunks.append(chunk)
            return 200, b"".join(chunks), resp.headers

    def fetch(self, etag: str | None, last_modified: str | None) -> FetchResult:
        parts = urlsplit(self.url)
        if parts.scheme in ("http", "https"):
            import requests

            headers = {"Accept-Encoding": "identity"}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            session = requests.Session()
            session.trust_env = False
            try:
                status, body, hdrs = self._get(session, self.url, headers)
                if status == 304:
                    return FetchResult(304, etag=etag, last_modified=last_modified)
                try:
                    _, sig, _ = self._get(
                        session, self.url + ".sig", {"Accept-Encoding": "identity"}
                    )
                except AlertFeedError as exc:  # a feed without its signature is broken
                    raise AlertFeedError(str(exc), exc.key) from None
            except requests.RequestException as exc:
                raise AlertFeedError(
                    f"{self.url}: {type(exc).__name__}", "alert.unreachable"
                ) from None
            finally:
                session.close()
            return FetchResult(200, body, sig, hdrs.get("ETag"), hdrs.get("Last-Modified"))
        path = Path(parts.path if parts.scheme == "file" else self.url)
        sig_path = Path(str(path) + ".sig")
        try:
            body = path.read_bytes()[: MAX_BYTES + 1]
            sig = sig_path.read_bytes()[:4096]
        except OSError as exc:
            where = exc.filename or path
            raise AlertFeedError(
                f"{where}: {exc.strerror}",
                "alert.unreachable",
                # only the document itself being absent means "no feed yet"
                missing=isinstance(exc, FileNotFoundError) and str(where) == str(path),
            ) from None
        return FetchResult(200, body, sig)


def feed_url(source: str | None, alerts: str | None) -> str | None:
    """Where the alerts document lives: ``portal.alerts`` or ``<portal.source>/alerts.json``."""
    if alerts:
        return alerts
    if not source:
        return None
    if urlsplit(source).scheme in ("http", "https"):
        return urljoin(source if source.endswith("/") else source + "/", "alerts.json")
    return os.path.join(source, "alerts.json")


class AlertFeed:
    """The daemon's view of the feed: last verified document, conditional-GET validators."""

    def __init__(self, state_dir: Path, fetcher: Any | None, verify: Verify | None) -> None:
        self.state_dir = Path(state_dir)
        self.fetcher = fetcher
        self.verify = verify
        self.doc: AlertDocument | None = None
        self.raw: bytes | None = None
        self.etag: str | None = None
        self.last_modified: str | None = None
        self.last_error: str | None = None
        self._shown: dict[str, FeedAlert] = {}
        self._load()

    @property
    def feed_dir(self) -> Path:
        return self.state_dir / FEED_DIR

    def _load(self) -> None:
        """Reload the last verified document (re-verified) so expiry works after a restart."""
        try:
            raw = (self.feed_dir / "alerts.json").read_bytes()
            sig = (self.feed_dir / "alerts.json.sig").read_bytes()
            meta = json.loads((self.feed_dir / "meta.json").read_bytes())
        except (OSError, ValueError):
            return
        try:
            if self.verify is not None:
                self.verify(raw, sig)
            self.doc = parse_alerts(raw)
        except Exception:
            return
        self.raw = raw
        if isinstance(meta, dict):
            self.etag = meta.get("etag")
            self.last_modified = meta.get("last_modified")
        with contextlib.suppress(Exception):
            previous = json.loads((self.state_dir / ALERTS_FILE).read_bytes())
            ids = {a["id"] for a in previous.get("alerts", [])}
            self._shown = {a.id: a for a in self.doc.alerts if a.id in ids}

    def poll(self) -> bool:
        """Fetch, verify and adopt a newer document. Returns True when a new one was adopted.

        Raises :class:`AlertFeedError`; on any error the previous document stays in force.
        """
        if self.fetcher is None or self.verify is None:
            raise AlertFeedError(
                "未配置告警源或公钥 (no alert feed or key configured)", "alert.unconfigured"
            )
        result = self.fetcher.fetch(self.etag, self.last_modified)
        if result.status == 304 or (self.raw is not None and result.body == self.raw):
            return False
        if len(result.body) > MAX_BYTES:
            raise AlertFeedError("文档过大 (document too large)", "alert.too_large")
        try:
            self.verify(result.body, result.signature)
        except Exception as exc:
            raise AlertFeedError(
                f"签名无效 (bad signature): {exc}", "alert.bad_signature"
            ) from None
        doc = parse_alerts(result.body)
        check_succession(self.doc, self.raw, doc, result.body)
        write_atomic(self.feed_dir / "alerts.json.sig", result.signature)
        write_atomic(self.feed_dir / "alerts.json", result.body)
        write_json_atomic(
            self.feed_dir / "meta.json",
            {"etag": result.etag, "last_modified": result.last_modified, "version": doc.version},
        )
        self.doc, self.raw = doc, result.body
        self.etag, self.last_modified = result.etag, result.last_modified
        for alert_id, disclosure in doc.dropped:
            log.warning(
                "alert.not_public id=%s disclosure=%s: 不是“%s”，不上屏 (not shown)",
                alert_id,
                "(missing)" if disclosure is None else disclosure,
                DISCLOSURE_PUBLIC,
            )
        return True

    def publish(self, now: datetime) -> list[FeedAlert]:
        """Write the player's ``alerts.json`` for ``now`` when the active set changed; log
        ``alert.new`` / ``alert.expired`` / ``alert.withdrawn`` per change."""
        shown = active_alerts(self.doc, now)
        current = {a.id: a for a in shown}
        for a in shown:
            if a.id not in self._shown:
                log.info(
                    "alert.new id=%s level=%s expires=%s title=%s",
                    a.id,
                    a.level,
                    a.expires.isoformat(timespec="seconds"),
                    a.title,
                )
        for old_id, old in self._shown.items():
            if old_id not in current:
                event = "alert.expired" if old.expires <= now else "alert.withdrawn"
                log.info("%s id=%s", event, old_id)
        path = self.state_dir / ALERTS_FILE
        changed = [a.to_player() for a in shown] != [a.to_player() for a in self._shown.values()]
        if changed or not path.exists():
            write_json_atomic(path, player_document(shown, now))
        self._shown = current
        return shown


# ----------------------------------------------------------------------------- publishing

SOURCE_KEYS = ("id", "level", "title", "body", "issued", "expires", "disclosure")


def _source_instant(text: str, tz: Any) -> datetime | None:
    """``2026-11-30 12:00`` (configured zone) or a full ISO instant."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def build_document(
    data: bytes, path: str, now: datetime, previous: AlertDocument | None
) -> tuple[bytes | None, list[Any]]:
    """Staff's alert source (YAML) → the bytes of the next ``alerts.json``. Pure.

    Source::

        alerts:
          - id: 2026-117
            level: orange            # blue / yellow / orange / red
            title: 明日上午停水通知
            body: 因管网维修，11月30日8:00—12:00镇区停水。
            expires: 2026-11-30 12:00  # in the configured zone
            disclosure: 主动公开        # required on every alert, and only this value
            # issued: 2026-11-29 09:00 (default: now)

    ``alerts: []`` withdraws every alert. An alert without ``disclosure: 主动公开`` is an error
    (nothing is published) rather than something for the device to drop. The version is one
    more than ``previous``.
    Returns ``(bytes, [])`` or ``(None, diagnostics)`` with file:line:col positions.
    """
    from kiosk.diagnostics import error
    from kiosk.yamlsrc import Map, Scalar, Seq, parse_yaml

    root, diags = parse_yaml(data, path)
    if root is None or any(d.is_error for d in diags):
        return None, diags
    if not isinstance(root, Map) or not isinstance(root.get("alerts"), Seq):
        return None, [
            error(
                root.pos,
                "alerts.source",
                "需要顶层键 alerts: 后跟列表",
                "expected a top-level 'alerts:' list",
            )
        ]
    seq = root.get("alerts")
    assert isinstance(seq, Seq)
    items: list[dict[str, str]] = []
    for node in seq.items:
        if not isinstance(node, Map):
            diags.append(
                error(
                    node.pos, "alerts.source", "每条通知应为键值表", "each alert must be a mapping"
                )
            )
            continue
        item: dict[str, str] = {}
        bad: set[str] = set()
        missing_at = node.pos
        for key, value in node:
            if key.text not in SOURCE_KEYS:
                diags.append(
                    error(
                        key.pos,
                        "alerts.unknown_key",
                        f"未知的键 {key.text}（可用: {', '.join(SOURCE_KEYS)}）",
                        f"unknown key {key.text}",
                    )
                )
                continue
            if not isinstance(value, Scalar):
                bad.add(key.text)
                diags.append(
                    error(
                        value.pos,
                        "alerts.source",
                        f"{key.text} 应为文字",
                        f"{key.text} must be text",
                    )
                )
                continue
            text = value.text
            if key.text == "disclosure" and text != DISCLOSURE_PUBLIC:
                if not text.strip():
                    missing_at = key.pos  # an empty value is reported as a missing one, below
                    continue
                bad.add(key.text)
                diags.append(
                    error(
                        value.pos,
                        "alerts.not_public",
                        f"公开属性是“{text}”，不是“{DISCLOSURE_PUBLIC}”：此通知不能发布到大厅屏",
                        f"disclosure is {text!r}, not {DISCLOSURE_PUBLIC}: this alert may not be "
                        "published to the lobby screen",
                    )
                )
                continue
            if key.text in ("issued", "expires"):
                when = _source_instant(text, now.tzinfo)
                if when is None:
                    bad.add(key.text)
                    diags.append(
                        error(
                            value.pos,
                            "alerts.bad_time",
                            f"时间格式应为 2026-11-30 12:00，而不是“{text}”",
                            f"time must look like 2026-11-30 12:00, not {text!r}",
                        )
                    )
                    continue
                text = when.isoformat(timespec="seconds")
            item[key.text] = text
        item.setdefault("issued", now.isoformat(timespec="seconds"))
        for required in ("id", "level", "title", "expires"):
            if required not in item and required not in bad:
                diags.append(
                    error(node.pos, "alerts.missing_key", f"缺少 {required}", f"missing {required}")
                )
        if "disclosure" not in item and "disclosure" not in bad:
            diags.append(
                error(
                    missing_at,
                    "alerts.missing_disclosure",
                    f"缺少 disclosure（公开属性）；只有标为“{DISCLOSURE_PUBLIC}”的通知可以发布",
                    f"missing disclosure; only alerts marked {DISCLOSURE_PUBLIC} may be published",
                )
            )
        items.append(item)
    if any(d.is_error for d in diags):
        return None, diags
    doc = {
        "format": FORMAT,
        "version": (previous.version + 1) if previous else 1,
        "issued": now.isoformat(timespec="seconds"),
        "alerts": items,
    }
    out = json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    try:
        parse_alerts(out)
    except AlertFeedError as exc:
        return None, [error(seq.pos, exc.key, str(exc), str(exc))]
    return out, diags
