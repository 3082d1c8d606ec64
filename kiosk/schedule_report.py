"""Plain-text day plans for staff: which entries show when (used by ``kiosk schedule``).

Pure: takes the playlist, the days, the zone, the calendar and ``now``; returns lines.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo

from kiosk.model import Alert, Entry, Guide, Image, Notice, Pdf, Playlist, Report
from kiosk.schedule import active, day_bounds, next_change, timeline
from kiosk.workcal import WorkCalendar, format_date_zh, weekday_zh

KIND_ZH = {
    "notice": "公告公示",
    "guide": "办事指南",
    "report": "报告",
    "image": "图片",
    "pdf": "PDF 文件",
    "alert": "紧急通知",
}
LEVEL_ZH = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}

_RANGE_WIDTH = 11  # "08:00–12:00"


def entry_title(entry: Entry) -> str:
    """A one-line description of an entry for staff."""
    c = entry.content
    if isinstance(c, Notice | Report):
        return c.title
    if isinstance(c, Guide):
        return f"办事指南：{c.service}"
    if isinstance(c, Alert):
        return f"【{LEVEL_ZH.get(c.level, c.level)}预警】{c.title}"
    if isinstance(c, Image):
        return c.caption or f"图片 {c.file}"
    if isinstance(c, Pdf):
        return c.title or f"PDF {c.file}"
    if entry.ref is not None:
        return f"（内容库中的 {entry.ref}）"
    if entry.select is not None:
        sel = entry.select
        what = KIND_ZH.get(sel.kind, sel.kind)
        cat = f"“{sel.category}”类" if sel.category else ""
        order = "最新" if sel.order == "newest" else "最早"
        return f"（自动选取内容库中{cat}{what}，{order}的至多 {sel.limit} 条）"
    return KIND_ZH.get(entry.kind, entry.kind)


def _clock(t: time) -> str:
    return t.strftime("%H:%M:%S" if t.second or t.microsecond else "%H:%M")


def _pad(text: str, width: int) -> str:
    cols = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - cols, 0)


def format_instant(when: datetime, today: date | None = None) -> str:
    """``11月30日 08:00`` (with the year when it differs from ``today``'s)."""
    d = when.date()
    if today is not None and d == today:
        return f"今天 {_clock(when.time())}"
    head = format_date_zh(d) if today is None or d.year != today.year else f"{d.month}月{d.day}日"
    return f"{head} {weekday_zh(d)} {_clock(when.time())}"


def day_header(d: date, calendar: WorkCalendar) -> str:
    """``2026年11月30日 星期一（工作日）``."""
    return f"{format_date_zh(d)} {weekday_zh(d)}（{calendar.day(d).label_zh()}）"


def render_now(
    playlist: Playlist, now: datetime, calendar: WorkCalendar, today: date | None = None
) -> list[str]:
    """What shows at ``now`` and when that changes next."""
    shown = active(playlist, now, calendar)
    when = format_instant(now, None)
    if shown:
        names = "、".join(e.id for e in shown)
        lines = [f"{when} 正在播放 {len(shown)} 项：{names}"]
    else:
        lines = [f"{when} 没有要播放的项目（屏幕显示默认页面）"]
    nxt = next_change(playlist, now, calendar)
    if nxt is None:
        lines.append("此后 400 天内播放内容不变")
    else:
        lines.append(f"下次变化：{format_instant(nxt, now.date())}")
    return lines


def render_day(playlist: Playlist, d: date, tz: tzinfo, calendar: WorkCalendar) -> list[str]:
    """The plan of one day: header, one line per stretch an entry shows, then what does
    not show that day."""
    start, end = day_bounds(d, tz)
    lines = [day_header(d, calendar)]
    spans = timeline(playlist, start, end, calendar)
    for span in spans:
        if span.start == start and span.end == end:
            when = _pad("全天", _RANGE_WIDTH)
        else:
            a = _clock(span.start.time())
            b = "24:00" if span.end == end else _clock(span.end.time())
            when = _pad(f"{a}–{b}", _RANGE_WIDTH)
        lines.append(f"  {when}  {span.entry.id}  {entry_title(span.entry)}")
    if not spans:
        lines.append("  （全天没有要播放的项目，屏幕显示默认页面）")
    shown = {id(s.entry) for s in spans}
    idle = [e.id for e in playlist.entries if e.enabled and id(e) not in shown]
    if idle:
        lines.append(f"  当天不播放：{'、'.join(idle)}")
    return lines


def render_schedule(
    playlist: Playlist,
    first_day: date,
    days: int,
    tz: tzinfo,
    calendar: WorkCalendar,
    now: datetime | None = None,
) -> list[str]:
    """The full report: optionally the situation at ``now``, then each day's plan."""
    lines: list[str] = []
    if now is not None:
        lines += render_now(playlist, now, calendar)
        lines.append("")
    for i in range(days):
        if i:
            lines.append("")
        lines += render_day(playlist, first_day + timedelta(days=i), tz, calendar)
    disabled = [e.id for e in playlist.entries if not e.enabled]
    if disabled:
        lines += ["", f"已停用（enabled: false）：{'、'.join(disabled)}"]
    return lines


def years_of(first_day: date, days: int) -> Sequence[int]:
    return sorted({(first_day + timedelta(days=i)).year for i in range(days)})
