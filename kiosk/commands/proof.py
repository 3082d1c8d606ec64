"""``kiosk proof --from DATE --to DATE [--csv]``: what was on screen, from the proof log."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.errors import UsageError
from kiosk.player.cli_support import add_state_dir, load_cfg, state_dir
from kiosk.player.proof import between, read_records, summarize, to_csv

NAME = "proof"
HELP = "播放记录：某段时间内显示过的内容 (proof of display)"
ORDER = 42


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"日期应为 YYYY-MM-DD (date must be YYYY-MM-DD): {text}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_state_dir(parser)
    parser.add_argument(
        "--from", dest="first", metavar="DATE", help="起始日期，默认今天 (first day)"
    )
    parser.add_argument(
        "--to", dest="last", metavar="DATE", help="结束日期，默认与 --from 相同 (last day)"
    )
    parser.add_argument(
        "--entry", metavar="ID", help="只看这个条目（及其引用的内容） (only this entry)"
    )
    parser.add_argument(
        "--csv",
        action="store_true",
        help="输出 CSV，列名为英文键；带 UTF-8 BOM，Excel/WPS 直接打开不乱码 (CSV output)",
    )
    parser.add_argument(
        "--no-bom",
        action="store_true",
        help="CSV 不加 BOM（供脚本读取） (CSV without the byte-order mark, for scripts)",
    )
    parser.add_argument(
        "--summary", action="store_true", help="每个条目汇总为一行 (one line per entry)"
    )


def _hms(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def run(args: argparse.Namespace, env: Any) -> int:
    cfg = load_cfg(args, env.environ)
    tz = ZoneInfo(cfg.timezone)
    first = _day(args.first) if args.first else env.clock(tz).now().date()
    last = _day(args.last) if args.last else first
    if last < first:
        raise UsageError("--to 早于 --from (--to is before --from)")
    records = between(read_records(state_dir(args, env.environ)), first, last, tz, args.entry)
    if args.csv:
        # Excel on a Chinese Windows PC reads a CSV without a BOM as GBK and garbles the titles
        env.stdout.write(("" if args.no_bom else "\ufeff") + to_csv(records))
        return 0
    if args.summary:
        env.out("条目编号\t次数\t累计时长\t首次\t末次\t天数\t标题")
        for s in summarize(records):
            env.out(
                f"{s.id}\t{s.showings}\t{_hms(s.seconds)}\t"
                f"{s.first.astimezone(tz):%Y-%m-%d %H:%M:%S}\t"
                f"{s.last.astimezone(tz):%Y-%m-%d %H:%M:%S}\t{s.days}\t{s.title}"
            )
        return 0
    env.out("开始\t结束\t时长\t条目编号\t页\t标题")
    for r in records:
        env.out(
            f"{r.start.astimezone(tz):%Y-%m-%d %H:%M:%S}\t{r.end.astimezone(tz):%H:%M:%S}\t"
            f"{_hms(r.seconds)}\t{r.id}\t{','.join(map(str, r.pages))}/{r.page_count}\t{r.title}"
        )
    total = sum(r.seconds for r in records)
    env.out(f"共 {len(records)} 条记录，累计显示 {_hms(total)} ({first} – {last})")
    return 0
