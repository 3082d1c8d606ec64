"""systemd's notify protocol without a dependency: ``READY=1``, ``STATUS=…``, ``WATCHDOG=1``.

Datagrams go to ``$NOTIFY_SOCKET`` (a path, or ``@name`` for the abstract namespace). Outside
systemd the variable is unset and every call does nothing. ``Watchdog`` pings at half of
``$WATCHDOG_USEC`` — the caller pings from its frame loop, so a frozen loop stops the pings and
systemd restarts the player.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping


class Notifier:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        addr = env.get("NOTIFY_SOCKET", "")
        self.address: str | None = None
        if addr.startswith("@"):
            self.address = "\0" + addr[1:]
        elif addr.startswith("/"):
            self.address = addr
        self._sock: socket.socket | None = None
        self._last: str | None = None

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, message: str) -> bool:
        """Send one notification; False when not under systemd or the send failed."""
        if self.address is None:
            return False
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto(message.encode("utf-8"), self.address)
            return True
        except OSError:
            return False

    def status(self, text: str) -> None:
        """``STATUS=`` only when it changed (systemctl status shows the latest)."""
        if text != self._last:
            self._last = text
            self.send(f"STATUS={text}")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def watchdog_interval(environ: Mapping[str, str] | None = None) -> float | None:
    """Seconds between pings (half of WatchdogSec), or None when no watchdog is set for us."""
    env = os.environ if environ is None else environ
    usec = env.get("WATCHDOG_USEC")
    if not usec:
        return None
    pid = env.get("WATCHDOG_PID")
    if pid and pid.isdigit() and int(pid) != os.getpid():
        return None
    try:
        return max(0.5, int(usec) / 2_000_000)
    except ValueError:
        return None


class Watchdog:
    """Call :meth:`beat` once per frame-loop iteration; it pings at most every ``interval``."""

    def __init__(self, notifier: Notifier, interval: float | None, mono: Callable[[], float]):
        self.notifier = notifier
        self.interval = interval
        self.mono = mono
        self._next = 0.0

    def beat(self) -> None:
        if self.interval is None:
            return
        t = self.mono()
        if t >= self._next:
            self._next = t + self.interval
            self.notifier.send("WATCHDOG=1")
