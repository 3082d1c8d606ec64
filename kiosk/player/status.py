"""``STATE_DIR/status.json``: what the player is doing, for ``kiosk status``, doctor and remote
checks. The player writes it atomically every few seconds and at each page change.

Keys (stable): ``pid``, ``started``, ``heartbeat``, ``state`` (playing / paused / power_off /
alert / default), ``entry``, ``title``, ``kind``, ``page``, ``pages``, ``since``, ``playlist``,
``playlist_mtime``, ``content_generation``, ``program``, ``last_reload``, ``last_reload_error``,
``entry_errors``, ``alerts``, ``power``, ``frames``, ``fps``, ``size``, ``driver``.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

STATUS_FILE = "status.json"

STALE_AFTER_S = 30.0

LABELS: list[tuple[str, str]] = [
    ("state", "状态"),
    ("title", "当前内容"),
    ("entry", "条目编号"),
    ("page", "页码"),
    ("since", "开始显示"),
    ("playlist", "播放列表"),
    ("playlist_mtime", "列表修改时间"),
    ("content_generation", "内容版本 (generation)"),
    ("last_reload", "上次加载"),
    ("last_reload_error", "加载错误"),
    ("entry_errors", "无法显示的条目"),
    ("alerts", "预警"),
    ("power", "屏幕电源"),
    ("frames", "帧计数"),
    ("fps", "帧率"),
    ("heartbeat", "心跳"),
    ("pid", "进程"),
    ("size", "分辨率"),
    ("driver", "显示驱动"),
]

STATE_TEXT = {
    "playing": "正在轮播",
    "paused": "已暂停",
    "power_off": "屏幕已关闭 (黑屏)",
    "alert": "正在显示预警",
    "default": "无排期内容，显示默认页",
    "starting": "启动中",
}


POWER_REASONS = {"default": "未收到后台服务的开关指令，保持开屏"}


def _fmt(key: str, value: Any, doc: dict[str, Any]) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "无" if key in ("last_reload_error", "entry_errors", "alerts") else "-"
    if key == "state":
        return f"{STATE_TEXT.get(str(value), str(value))} ({value})"
    if key == "page":
        return f"{value}/{doc.get('pages', '?')}"
    if key == "entry_errors" and isinstance(value, dict):
        return "\n".join(f"{k}: {v}" for k, v in value.items())  # one entry a line
    if key == "alerts" and isinstance(value, list):
        return ", ".join(str(a) for a in value)
    if key == "power" and isinstance(value, dict):
        from kiosk.power import reason_text

        state = "开" if value.get("on", True) else "关"
        reason = str(value.get("reason") or "")
        if not reason:
            return state
        text = POWER_REASONS.get(reason) or reason_text(reason)
        return f"{state}（{text}）" if text == reason else f"{state}（{text}） {reason}"
    if key == "fps" and isinstance(value, int | float):
        return f"{value:.1f}"
    if key == "size" and isinstance(value, list):
        return "×".join(str(v) for v in value)
    return str(value)


def display_width(text: str) -> int:
    """Terminal columns: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_status(doc: dict[str, Any], now: datetime | None = None) -> list[str]:
    """Human-readable lines with Chinese labels (stable English key in brackets).

    A value of several lines (a reload error with its context, one line per failed entry)
    keeps the key on its first line; the further lines are indented to the value column."""
    width = max(display_width(label) for _, label in LABELS)
    indent = " " * (width + 2)
    lines = []
    for key, label in LABELS:
        if key not in doc:
            continue
        pad = " " * (width - display_width(label))
        first, *more = _fmt(key, doc[key], doc).splitlines() or [""]
        lines.append(f"{label}{pad}  {first}  [{key}]")
        lines.extend(f"{indent}{line}" for line in more)
    stale = heartbeat_age(doc, now)
    if stale is not None and stale > STALE_AFTER_S:
        lines.append(
            f"警告: 心跳已 {stale:.0f} 秒未更新，播放器可能未运行 (heartbeat stale) [status.stale]"
        )
    return lines


def heartbeat_age(doc: dict[str, Any], now: datetime | None) -> float | None:
    if now is None or not isinstance(doc.get("heartbeat"), str):
        return None
    try:
        hb = datetime.fromisoformat(doc["heartbeat"])
    except ValueError:
        return None
    if hb.tzinfo is None:
        return None
    return (now - hb).total_seconds()
