"""``kiosk screenshot OUT.png``: save what the running player shows now.

Works through the state directory: the command writes ``screenshot.request``; the player (which
looks at its state files once a second) saves ``screenshot.png`` atomically and removes the
request; the command copies the picture to OUT.png.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from kiosk.atomic import write_atomic
from kiosk.errors import KioskError
from kiosk.player.cli_support import add_state_dir, state_dir

NAME = "screenshot"
HELP = "保存屏幕当前画面 (save what is on screen now)"
ORDER = 43


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_state_dir(parser)
    parser.add_argument("out", metavar="OUT.png", help="截图保存到的 PNG 文件 (output PNG)")
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="等待播放器的秒数，默认 10 (seconds to wait)"
    )


def run(args: argparse.Namespace, env: Any) -> int:
    sdir = Path(state_dir(args, env.environ))
    if not sdir.is_dir():
        raise KioskError(f"{sdir}: 状态目录不存在 (no state directory)", key="screenshot.no_state")
    req = sdir / "screenshot.request"
    shot = sdir / "screenshot.png"
    before = shot.stat().st_mtime_ns if shot.exists() else None
    try:
        write_atomic(req, json.dumps({"pid": os.getpid(), "time": time.time()}).encode())
    except OSError as exc:
        raise KioskError(
            f"{req}: 无法向播放器发出截图请求 (cannot write the request): "
            f"{exc.strerror or exc}；请以 kiosk 用户运行：sudo -u kiosk kiosk screenshot "
            "/tmp/屏幕.png (run as the kiosk user)",
            key="screenshot.request",
        ) from None
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if not req.exists() and shot.exists() and shot.stat().st_mtime_ns != before:
            try:
                shutil.copyfile(shot, args.out)
            except OSError as exc:
                raise KioskError(
                    f"{args.out}: 无法保存截图 (cannot write): {exc.strerror or exc}",
                    key="screenshot.write",
                ) from None
            env.out(f"已保存 (saved) {args.out}")
            return 0
        time.sleep(0.1)
    with contextlib.suppress(FileNotFoundError):
        req.unlink()
    raise KioskError(
        f"播放器 {args.timeout:g} 秒内没有响应，是否在运行？(no answer from the player; "
        "is `kiosk play` running with this state directory?)",
        key="screenshot.timeout",
    )
