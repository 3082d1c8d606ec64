"""``kiosk schedule PLAYLIST [--at ISO-TIME] [--days N]``: which entries show when."""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.config import load_config
from kiosk.diagnostics import Diagnostic, InputError, has_errors
from kiosk.errors import KioskError, UsageError
from kiosk.playlist import read_playlist
from kiosk.workcal import load_calendar

if TYPE_CHECKING:
    from kiosk.cli import Environment

NAME = "schedule"
HELP = "列出某天各条目的播放时段 (show which entries play when)"
ORDER = 30

MAX_DAYS = 366


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("playlist", metavar="PLAYLIST", help="播放表文件 (playlist YAML file)")
    parser.add_argument(
        "--at",
        metavar="ISO-TIME",
        help="从这一时刻所在的日期开始，并显示这一时刻正在播放什么；如 2026-10-10T09:00 或 "
        "2026-10-10（默认：现在）(date/time to show; default now, configured time zone)",
    )
    parser.add_argument(
        "--days",
        metavar="N",
        type=int,
        default=1,
        help=f"显示多少天，1–{MAX_DAYS}（默认 1）(number of days, default 1)",
    )
    parser.add_argument(
        "--calendar",
        metavar="FILE",
        help="日历覆盖文件，默认取配置项 calendar_overrides (calendar override file)",
    )


def parse_at(text: str, tz: tzinfo, flag: str = "--at") -> datetime:
    """``2026-10-10``, ``2026-10-10T09:00``, ``2026-10-10 09:00`` or with an offset.
    Naive values are read in ``tz``; aware ones are converted to it."""
    s = text.strip()
    try:
        if len(s) == 10:
            when = datetime.combine(date.fromisoformat(s), time(0))
        else:
            when = datetime.fromisoformat(s)
    except ValueError:
        raise UsageError(
            f"{flag}：无法识别的时间“{text}”，应写成 2026-10-10T09:00 或 2026-10-10 "
            f"(invalid {flag} value {text!r})"
        ) from None
    if not 1970 <= when.year <= 2200:  # the calendar arithmetic runs years ahead of it
        raise UsageError(
            f"{flag}：年份 {when.year} 超出范围，应在 1970 到 2200 之间 (year out of range)"
        )
    if when.tzinfo is None:
        return when.replace(tzinfo=tz)
    return when.astimezone(tz)


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise KioskError(
            f"未知的时区“{name}”，请检查配置项 timezone (unknown time zone)", key="config.timezone"
        ) from None


def _print_diags(env: Environment, diags: list[Diagnostic]) -> None:
    for d in diags:
        env.err(d.format(env.lang))


def run(args: argparse.Namespace, env: Environment) -> int:
    if not 1 <= args.days <= MAX_DAYS:
        raise UsageError(f"--days 应在 1 到 {MAX_DAYS} 之间 (--days must be 1..{MAX_DAYS})")
    from kiosk.schedule_report import render_schedule, years_of

    config = load_config(args.config, env.environ)
    tz = _zone(config.timezone)
    now = parse_at(args.at, tz) if args.at else env.clock(tz).now()

    calendar, cal_diags = load_calendar(args.calendar or config.calendar_overrides)
    playlist, diags = read_playlist(args.playlist, calendar=calendar, today=now.date(), tz=tz)
    if playlist is None or has_errors(diags):
        raise InputError(cal_diags + diags)
    _print_diags(env, diags)  # warnings only

    for line in render_schedule(playlist, now.date(), args.days, tz, calendar, now=now):
        env.out(line)
    _print_diags(env, cal_diags + calendar.warnings_for(years_of(now.date(), args.days)))
    return 1 if has_errors(cal_diags) else 0
