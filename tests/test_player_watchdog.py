"""The player feeds systemd's watchdog from its frame loop, so the pings stop when frames stop.

systemd is played by a datagram socket bound where ``NOTIFY_SOCKET`` points; the frame loop is
the real :func:`kiosk.player.shell.run_loop` with the real player on a fake clock.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from kiosk.player.shell import run_loop
from kiosk.sdnotify import Notifier, Watchdog, watchdog_interval
from tests.test_player_shell import Rig

WATCHDOG_SEC = 30  # kiosk-player.service: WatchdogSec=30


@pytest.fixture
def systemd(tmp_path: Path) -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.setblocking(False)
    yield sock
    sock.close()


def drain(sock: socket.socket) -> list[str]:
    got = []
    while True:
        try:
            got.append(sock.recv(4096).decode())
        except BlockingIOError:
            return got


def run_player(
    tmp_path: Path, sock: socket.socket, seconds: float, hang_at: float | None = None
) -> tuple[list[float], Rig]:
    """Run the frame loop for ``seconds`` of fake time; return the fake monotonic times at
    which systemd received WATCHDOG=1. With ``hang_at``, the frame due at that time takes a
    whole minute (a hung render)."""
    rig = Rig(tmp_path / "rig")
    environ = {"NOTIFY_SOCKET": sock.getsockname(), "WATCHDOG_USEC": str(WATCHDOG_SEC * 10**6)}
    notifier = Notifier(environ)
    watchdog = Watchdog(notifier, watchdog_interval(environ), rig.clock.monotonic)
    start = rig.clock.monotonic()
    pings: list[float] = []
    frame = rig.player.frame
    hung = [False]

    def slow_frame() -> float:
        if hang_at is not None and not hung[0] and rig.clock.monotonic() - start >= hang_at:
            hung[0] = True
            rig.clock.advance(60)
        return frame()

    rig.player.frame = slow_frame  # type: ignore[method-assign]

    def wait(s: float) -> None:
        # systemd's side: note when each ping arrived
        pings.extend(rig.clock.monotonic() - start for m in drain(sock) if m == "WATCHDOG=1")
        rig.clock.advance(min(max(s, 1 / 60), 1.0))

    def stop() -> bool:
        return rig.clock.monotonic() - start >= seconds

    run_loop(rig.player, wait=wait, stop=stop, heartbeat=watchdog.beat)
    notifier.close()
    return pings, rig


def test_the_watchdog_is_fed_at_half_its_period_while_frames_advance(
    tmp_path: Path, systemd: socket.socket
) -> None:
    pings, rig = run_player(tmp_path, systemd, 120)
    assert rig.player.frames > 0
    assert len(pings) >= 120 // (WATCHDOG_SEC // 2)
    gaps = [b - a for a, b in pairwise(pings)]
    assert max(gaps) < WATCHDOG_SEC  # systemd never loses patience


def test_a_hung_frame_stops_the_pings_so_systemd_restarts_the_player(
    tmp_path: Path, systemd: socket.socket
) -> None:
    pings, _ = run_player(tmp_path, systemd, 150, hang_at=40)
    gaps = [b - a for a, b in pairwise(pings)]
    long = [g for g in gaps if g >= WATCHDOG_SEC]
    assert len(long) == 1 and long[0] >= 60  # silent for the whole hung frame
    assert pings[-1] > 100  # and fed again once frames move (were it not killed by then)
