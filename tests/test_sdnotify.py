"""sd_notify over a real datagram socket, as systemd would receive it."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from kiosk.sdnotify import Notifier, Watchdog, watchdog_interval


def test_ready_status_and_watchdog_reach_the_notify_socket(tmp_path: Path) -> None:
    path = str(tmp_path / "notify.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    srv.bind(path)
    srv.settimeout(2)
    try:
        n = Notifier({"NOTIFY_SOCKET": path})
        assert n.send("READY=1")
        n.status("显示 公告 1/2")
        n.status("显示 公告 1/2")  # unchanged: not sent again
        t = [100.0]
        wd = Watchdog(n, 5.0, lambda: t[0])
        wd.beat()
        wd.beat()  # too soon
        t[0] += 5.0
        wd.beat()
        got = [srv.recv(1024).decode() for _ in range(4)]
        assert got == ["READY=1", "STATUS=显示 公告 1/2", "WATCHDOG=1", "WATCHDOG=1"]
        srv.setblocking(False)
        try:
            extra = srv.recv(1024)
        except BlockingIOError:
            extra = b""
        assert extra == b""
        n.close()
    finally:
        srv.close()


def test_without_systemd_nothing_is_sent() -> None:
    n = Notifier({})
    assert not n.enabled and not n.send("READY=1")


def test_watchdog_interval_is_half_of_watchdog_usec_and_only_for_our_pid() -> None:
    assert watchdog_interval({"WATCHDOG_USEC": "10000000"}) == 5.0
    assert watchdog_interval({}) is None
    env = {"WATCHDOG_USEC": "10000000", "WATCHDOG_PID": str(os.getpid() + 1)}
    assert watchdog_interval(env) is None
