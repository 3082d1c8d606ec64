"""``kiosk alerts``: publish the signed urgent-alert document, or show the alerts on screen."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kiosk.errors import UsageError

if TYPE_CHECKING:
    from kiosk.cli import Environment

NAME = "alerts"
HELP = "紧急通知：发布已签名的通知文件，或查看屏幕上的通知 (urgent alerts: publish / show)"
ORDER = 63

LEVELS_ZH = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("publish", "show"), help="publish 发布；show 查看")
    parser.add_argument("source", nargs="?", metavar="FILE", help="通知源文件 (YAML, publish)")
    parser.add_argument("--key", metavar="KEYFILE", help="签名私钥 (kiosk keygen 生成)")
    parser.add_argument("--out", metavar="DIR", help="门户发布目录（写入 alerts.json 和 .sig）")


def _fmt(value: str, tz: ZoneInfo) -> str:
    from datetime import datetime

    try:
        return f"{datetime.fromisoformat(value).astimezone(tz):%m月%d日 %H:%M}"
    except (TypeError, ValueError):
        return "?"


def run(args: argparse.Namespace, env: Environment) -> int:
    from kiosk import daemon as d

    config = d.load_config(args.config, env.environ)
    tz = ZoneInfo(config.timezone)
    if args.action == "show":
        from kiosk.power import read_json

        doc = read_json(Path(config.state_dir) / "alerts.json")
        alerts = (doc or {}).get("alerts") or []
        if not alerts:
            env.out("屏幕上没有紧急通知")
            return 0
        for a in alerts:
            level = LEVELS_ZH.get(str(a.get("level")), str(a.get("level")))
            env.out(f"[{level}] {a.get('title')}（{a.get('id')}，至 {_fmt(a.get('expires'), tz)}）")
        return 0
    return _publish(args, env, tz)


def _publish(args: argparse.Namespace, env: Environment, tz: ZoneInfo) -> int:
    from kiosk import keys
    from kiosk.alerts import AlertFeedError, build_document, parse_alerts
    from kiosk.atomic import write_atomic
    from kiosk.diagnostics import InputError
    from kiosk.manifest import sign

    if not args.source or not args.key or not args.out:
        raise UsageError("kiosk alerts publish FILE --key KEYFILE --out DIR（三者都需要）")
    out = Path(args.out)
    if not out.is_dir():
        raise UsageError(f"发布目录不存在: {out}")
    try:
        data = Path(args.source).read_bytes()
    except OSError as exc:
        raise UsageError(f"无法读取 {args.source}: {exc.strerror}") from None
    previous = None
    try:
        previous = parse_alerts((out / "alerts.json").read_bytes())
    except FileNotFoundError:
        pass
    except AlertFeedError as exc:
        raise UsageError(f"{out / 'alerts.json'} 已损坏，请先删除或修复: {exc}") from None
    now = env.clock(tz).now()
    body, diags = build_document(data, args.source, now, previous)
    for diag in diags:
        if not diag.is_error:
            env.err(diag.format(env.lang))
    if body is None:
        raise InputError([x for x in diags if x.is_error])
    key = keys.load_private_key(args.key)
    write_atomic(out / "alerts.json", body)
    write_atomic(out / "alerts.json.sig", sign(body, key))
    doc = parse_alerts(body)
    env.out(f"已发布紧急通知第 {doc.version} 版，共 {len(doc.alerts)} 条 → {out / 'alerts.json'}")
    env.out("各屏幕在一分钟内更新")
    return 0
