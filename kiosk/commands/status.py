"""``kiosk status [--json]``: what the player shows now, from ``STATE_DIR/status.json``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError
from kiosk.player.cli_support import add_state_dir, state_dir
from kiosk.player.status import STALE_AFTER_S, STATUS_FILE, format_status, heartbeat_age

NAME = "status"
HELP = "显示播放器当前状态 (what the player is showing now)"
ORDER = 41


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_state_dir(parser)
    parser.add_argument(
        "--json", action="store_true", help="输出原始 JSON（供脚本使用） (raw status JSON)"
    )


def run(args: argparse.Namespace, env: Any) -> int:
    path = Path(state_dir(args, env.environ)) / STATUS_FILE
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KioskError(
            f"{path}: 没有状态文件，播放器可能从未运行 (no status file; has the player run?)",
            key="status.missing",
        ) from None
    except (OSError, ValueError) as exc:
        raise KioskError(
            f"{path}: 无法读取状态 (cannot read status): {exc}", key="status.bad"
        ) from exc
    if not isinstance(doc, dict):
        raise KioskError(f"{path}: 状态文件格式错误 (not a JSON object)", key="status.bad")
    now = env.clock("UTC").now().astimezone()
    if args.json:
        env.out(json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True))
    else:
        for line in format_status(doc, now):
            env.out(line)
    age = heartbeat_age(doc, now)
    return 1 if age is not None and age > STALE_AFTER_S else 0
