"""Time sources.

Logic never reads the clock: it takes ``now`` (an aware datetime) or a :class:`Clock`.
Only the imperative shell constructs a :class:`SystemClock`; tests use :class:`FakeClock`.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"


def parse_instant(value: object) -> datetime | None:
    """An aware instant from an ISO 8601 string (as the state files store them), or None for
    anything else: not a string, not a time, or a time without a zone. Never raises."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


TIME_ERROR = 5  # adjtimex(2): the clock is not synchronised (STA_UNSYNC)


def kernel_clock_synchronised() -> bool | None:
    """Whether the kernel regards the wall clock as synchronised, as ``adjtimex(2)`` reports
    it (any NTP client — systemd-timesyncd, chrony, ntpd — clears ``STA_UNSYNC`` once it has
    set the clock). None when it cannot be asked (no libc adjtimex, or a seccomp filter such
    as systemd's ``ProtectClock=`` refuses it). Reads only: ``modes`` is 0."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        adjtimex = libc.adjtimex
    except (OSError, AttributeError):
        return None
    buf = ctypes.create_string_buffer(512)  # struct timex is ~208 bytes; all zero: read only
    state = adjtimex(buf)
    if state < 0:
        return None
    return bool(state != TIME_ERROR)


class Clock(Protocol):
    """Wall time in the configured zone plus a monotonic counter for durations."""

    @property
    def tz(self) -> tzinfo: ...

    def now(self) -> datetime:
        """Aware wall-clock time in ``tz``."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin; never goes backwards."""
        ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def __init__(self, tz: tzinfo | str = DEFAULT_TIMEZONE) -> None:
        self._tz = ZoneInfo(tz) if isinstance(tz, str) else tz

    @property
    def tz(self) -> tzinfo:
        return self._tz

    def now(self) -> datetime:
        return datetime.now(self._tz)

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class FakeClock:
    """A clock that only moves when told to. ``sleep`` advances it instantly.

    ``speed`` lets a headless run treat real elapsed time as faster time; with
    ``speed=None`` (the default) time is fully manual.
    """

    def __init__(self, start: datetime, tz: tzinfo | str | None = None) -> None:
        if start.tzinfo is None:
            zone = ZoneInfo(tz) if isinstance(tz, str) else (tz or ZoneInfo(DEFAULT_TIMEZONE))
            start = start.replace(tzinfo=zone)
        self._tz: tzinfo = (
            ZoneInfo(tz) if isinstance(tz, str) else (tz or start.tzinfo or ZoneInfo("UTC"))
        )
        self._wall = start.astimezone(self._tz)
        self._mono = 1000.0

    @property
    def tz(self) -> tzinfo:
        return self._tz

    def now(self) -> datetime:
        return self._wall

    def monotonic(self) -> float:
        return self._mono

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.advance(seconds)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("monotonic time cannot go backwards")
        self._mono += seconds
        self._wall = self._wall + timedelta(seconds=seconds)

    def jump_wall(self, delta: timedelta) -> None:
        """Move only the wall clock (an NTP step or a manual change); monotonic is unaffected."""
        self._wall = self._wall + delta

    def set_wall(self, when: datetime) -> None:
        self._wall = when.astimezone(self._tz)
