"""``kiosk doctor``: one line per check (ok / warn / fail); exit 0 unless something fails."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from kiosk.cli import Environment

NAME = "doctor"
HELP = "检查设备：显示、字体、时间、节假日数据、内容、节目单、通知源、CEC (diagnose)"
ORDER = 62


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="机器可读的输出 (JSON lines)")
    parser.add_argument("--offline", action="store_true", help="不访问网络（跳过紧急通知源检查）")


def run(args: argparse.Namespace, env: Environment) -> int:
    from kiosk import daemon as d
    from kiosk.doctor import Probe, run_checks, summary, worst

    config = d.load_config(args.config, env.environ)
    try:
        clock = env.clock(ZoneInfo(config.timezone))
    except (KeyError, ValueError):
        clock = env.clock("UTC")
    probe = Probe(config=config, clock=clock, environ=env.environ, network=not args.offline)
    calendar = None
    try:
        calendar = d.load_work_calendar(config)
    except Exception as exc:  # reported by the calendar check
        env.err(
            f"kiosk: cannot load the work calendar: {exc}"
            if env.lang == "en"
            else f"kiosk: 工作日历加载失败: {exc}"
        )
    verify = None
    try:
        verify = d.make_verify(config)
    except Exception as exc:
        env.err(
            f"kiosk: cannot load the public key: {exc}"
            if env.lang == "en"
            else f"kiosk: 公钥加载失败: {exc}"
        )
    checks = run_checks(probe, calendar, verify)
    for c in checks:
        if args.json:
            env.out(
                json.dumps(
                    {"key": c.key, "status": c.status, "text": c.zh, "en": c.en},
                    ensure_ascii=False,
                )
            )
        else:
            env.out(c.line(env.lang))
    overall = worst(checks)
    if not args.json:
        n = {s: sum(c.status == s for c in checks) for s in ("ok", "warn", "fail")}
        env.out(summary(len(checks), n["ok"], n["warn"], n["fail"], env.lang))
    return 1 if overall == "fail" else 0
