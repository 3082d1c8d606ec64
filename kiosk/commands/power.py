"""``kiosk power status|on|off|auto [--until TIME]``: the screen switch for staff."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kiosk.errors import KioskError, UsageError

if TYPE_CHECKING:
    from kiosk.cli import Environment

NAME = "power"
HELP = "查看或手动开关屏幕 (screen power: status / on / off / auto)"
ORDER = 61


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        choices=("status", "on", "off", "auto"),
        nargs="?",
        default="status",
        help="status 查看；on/off 手动开关；auto 恢复按作息自动开关",
    )
    parser.add_argument(
        "--until",
        metavar="TIME",
        help="手动开关保持到何时：18:30、2026-11-30 08:00、2h (default: the next scheduled change)",
    )
    parser.add_argument(
        "--no-apply",
        action="store_true",
        help="只记录手动设置，由后台服务执行 (only record the override; the daemon applies it)",
    )


def _fmt(dt: datetime | None) -> str:
    if dt is None:
        return "无"
    weekdays = "一二三四五六日"
    return f"{dt:%Y年%m月%d日} 星期{weekdays[dt.weekday()]} {dt:%H:%M}"


def run(args: argparse.Namespace, env: Environment) -> int:
    from kiosk import daemon as d
    from kiosk.power import (
        Override,
        PowerController,
        choose_backend,
        parse_until,
        power_state,
        read_json,
        read_override,
        reason_text,
        write_override,
    )

    environ = env.environ
    out = env.out
    config = d.load_config(args.config, environ)
    clock = env.clock(ZoneInfo(config.timezone))
    now = clock.now()
    state_dir = Path(config.state_dir)
    calendar = d.load_work_calendar(config)

    try:
        if args.action in ("on", "off"):
            schedule = power_state(now, config.power, calendar, None)
            if args.until:
                try:
                    until: datetime | None = parse_until(args.until, now)
                except ValueError as exc:
                    raise UsageError(str(exc)) from None
            else:
                until = schedule.next_change  # None: until `kiosk power auto`
            write_override(state_dir, Override(on=args.action == "on", until=until, set_at=now))
        elif args.action == "auto":
            if args.until:
                raise UsageError("auto 不接受 --until (auto takes no --until)")
            write_override(state_dir, None)

        override = read_override(state_dir)
        decision = power_state(now, config.power, calendar, override)
        if args.action != "status" and not args.no_apply:
            PowerController(state_dir, choose_backend(config.power, environ)).apply(decision, now)
    except OSError as exc:
        raise KioskError(
            f"{state_dir}: 无法写入状态目录 (cannot write the state directory): "
            f"{exc.strerror or exc}；请以 kiosk 用户运行：sudo -u kiosk kiosk power … "
            "(run as the kiosk user)",
            key="power.state_dir",
        ) from None

    current = read_json(state_dir / "power.json")
    scheduled = power_state(now, config.power, calendar, None)
    out(f"屏幕: {'开' if decision.on else '关'}（{reason_text(decision.reason)}）")
    if current is not None and current.get("state") != ("on" if decision.on else "off"):
        out(f"注意: 播放端当前状态为 {current.get('state')}，后台服务一分钟内会更新")
    out(f"下次变化: {_fmt(decision.next_change)}")
    if override is not None and override.active(now):
        out(f"手动设置: {'开' if override.on else '关'}，保持到 {_fmt(override.until)}")
        out(f"按作息应为: {'开' if scheduled.on else '关'}（{reason_text(scheduled.reason)}）")
        out("恢复自动: kiosk power auto")
    if calendar is None:
        out("警告: 未加载工作日历，按周一至周五计算")
    return 0
