"""Parsing the small state files the daemon writes for the player (pure: bytes in, values out).

``power.json``: ``{"state": "on"|"off", "reason": str, "since": ISO, "until": ISO|null}``
``alerts.json``: ``{"alerts": [{id, level, title, body, expires, issued}], "updated": ISO}``
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from kiosk.model import ALERT_LEVELS, Alert, Entry


class StateFileError(ValueError):
    pass


@dataclass(frozen=True)
class PowerState:
    on: bool
    reason: str = ""
    since: str | None = None
    until: str | None = None


POWER_ON = PowerState(True, "default")


def _load(data: bytes, name: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateFileError(f"{name}: 不是有效的 JSON (not valid JSON): {exc}") from exc


def parse_power(data: bytes) -> PowerState:
    doc = _load(data, "power.json")
    if not isinstance(doc, dict) or doc.get("state") not in ("on", "off"):
        raise StateFileError('power.json: "state" 应为 "on" 或 "off" (must be "on" or "off")')
    return PowerState(
        on=doc["state"] == "on",
        reason=str(doc.get("reason") or ""),
        since=doc.get("since"),
        until=doc.get("until"),
    )


def _instant(value: Any, tz: tzinfo, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise StateFileError(f"alerts.json: {field} 应为 ISO 时间 (must be an ISO time)")
    try:
        t = datetime.fromisoformat(value)
    except ValueError as exc:
        raise StateFileError(f"alerts.json: {field}: {exc}") from exc
    # shown on screen as local times: in the configured zone, whatever offset was written
    return t.astimezone(tz) if t.tzinfo is not None else t.replace(tzinfo=tz)


def parse_alerts(data: bytes, tz: tzinfo) -> list[Entry]:
    """Alerts as playlist-style entries with id ``alert:<id>``; a bad alert is an error for
    the whole file (the daemon writes only verified feeds, so this means corruption)."""
    doc = _load(data, "alerts.json")
    if not isinstance(doc, dict) or not isinstance(doc.get("alerts", []), list):
        raise StateFileError('alerts.json: 缺少 "alerts" 列表 (missing "alerts" list)')
    out: list[Entry] = []
    for i, a in enumerate(doc.get("alerts", [])):
        where = f"alerts[{i}]"
        if not isinstance(a, dict):
            raise StateFileError(f"alerts.json: {where} 应为对象 (must be an object)")
        aid, level, title = a.get("id"), a.get("level"), a.get("title")
        if not isinstance(aid, str) or not aid:
            raise StateFileError(f"alerts.json: {where}.id 缺失 (missing id)")
        if level not in ALERT_LEVELS:
            raise StateFileError(
                f"alerts.json: {where}.level 应为 {'/'.join(ALERT_LEVELS)} (unknown level)"
            )
        if not isinstance(title, str) or not title:
            raise StateFileError(f"alerts.json: {where}.title 缺失 (missing title)")
        body = a.get("body") or ""
        alert = Alert(
            level=level,
            title=title,
            body=str(body),
            expires=_instant(a.get("expires"), tz, f"{where}.expires"),
            issued=_instant(a.get("issued"), tz, f"{where}.issued"),
        )
        out.append(Entry(id=f"alert:{aid}", kind="alert", content=alert))
    return out
