"""A clock for headless runs: starts at a chosen wall time and runs ``speed`` times faster than
real time, so ``kiosk play --headless --fake-clock … --speed 600`` plays an office day in
minutes. Sleeping sleeps the real time that corresponds."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, tzinfo


class SpeedClock:
    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._start = start
        self._speed = speed
        self._real0 = time.monotonic()

    @property
    def tz(self) -> tzinfo:
        tz = self._start.tzinfo
        assert tz is not None
        return tz

    def _elapsed(self) -> float:
        return (time.monotonic() - self._real0) * self._speed

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed())

    def monotonic(self) -> float:
        return 1000.0 + self._elapsed()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds / self._speed)
