"""``kiosk daemon``: nightly sync, alert poll, screen power and housekeeping (systemd unit
``kiosk-daemon.service``). Logs one line per state change to stdout."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Mapping
from types import FrameType
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kiosk.errors import KioskError

if TYPE_CHECKING:
    from kiosk.cli import Environment
    from kiosk.daemon import Daemon

NAME = "daemon"
HELP = "后台调度：夜间同步、紧急通知、屏幕开关、日常维护 (scheduler daemon)"
ORDER = 60

JOBS = ("sync", "alerts", "power", "housekeeping")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--once",
        choices=JOBS,
        help="只运行一次指定任务后退出 (run one job now and exit)",
    )
    parser.add_argument(
        "--metrics-port",
        type=int,
        metavar="PORT",
        help="在 127.0.0.1:PORT/metrics 提供 Prometheus 指标 (serve metrics on localhost)",
    )


def setup_logging(verbose: bool, under_journal: bool = False) -> None:
    """One line per event on stdout; the journal adds its own timestamps."""
    handler = logging.StreamHandler(sys.stdout)
    fmt = "%(levelname)s %(name)s %(message)s"
    handler.setFormatter(logging.Formatter(fmt if under_journal else "%(asctime)s " + fmt))
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    if root.handlers:  # already configured (embedding, tests)
        return
    root.addHandler(handler)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def run(args: argparse.Namespace, env: Environment) -> int:
    from kiosk import daemon as d

    environ = env.environ
    setup_logging(env.verbose, under_journal=bool(environ.get("JOURNAL_STREAM")))
    config = d.load_config(args.config, environ)
    try:
        clock = env.clock(ZoneInfo(config.timezone))
    except (KeyError, ValueError) as exc:
        raise KioskError(f"未知时区 {config.timezone} (unknown time zone)") from exc
    from kiosk.cli import refuse_root_in_foreign_state_dir

    refuse_root_in_foreign_state_dir(config.state_dir, env)
    daemon = d.make_daemon(config, clock, environ)
    try:
        # held until the process exits: a second daemon (or --once beside a running one)
        # must not write the same state files
        lock_fd = d.acquire_instance_lock(daemon.state_dir)
    except d.AlreadyRunning as exc:
        logging.getLogger("kiosk.daemon").error("daemon.already_running pid=%s", exc.pid)
        raise KioskError(str(exc), key="daemon.already_running") from None
    try:
        return _run(args, daemon, environ)
    finally:
        os.close(lock_fd)


def _run(args: argparse.Namespace, daemon: Daemon, environ: Mapping[str, str]) -> int:
    from kiosk import daemon as d

    config = daemon.config
    if args.once:
        job = getattr(daemon, f"job_{args.once}")
        job()
        if args.once == "sync" and daemon.last_sync is not None and not daemon.last_sync.ok:
            return 1
        return 0
    if args.metrics_port:
        from kiosk import metrics

        metrics.serve(args.metrics_port, lambda: d.metrics_text(daemon))
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        logging.getLogger("kiosk.daemon").info("daemon.stop signal=%d", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    logging.getLogger("kiosk.daemon").info(
        "daemon.start state_dir=%s timezone=%s portal=%s",
        config.state_dir,
        config.timezone,
        config.portal.source,
    )
    from kiosk.sdnotify import Notifier

    notifier = Notifier(environ)
    d.run_forever(daemon, d.build_scheduler(daemon), stop, notifier if notifier.enabled else None)
    return 0
