"""Motion as pure functions of elapsed time: transitions, the ticker, the clock's tick.

Nothing here knows the frame rate: a frame drawn late simply shows a later state, so motion
keeps its speed whether the loop runs at 60, 30 or 5 frames per second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from kiosk.model import Transition

Rect = tuple[int, int, int, int]


def ease_in_out(p: float) -> float:
    """Smoothstep easing on [0, 1] (gentle start and end; clamps outside)."""
    p = min(1.0, max(0.0, p))
    return p * p * (3.0 - 2.0 * p)


@dataclass(frozen=True)
class Placement:
    """Where to blit a page during a transition: offset from the region's origin and the
    opacity (0–255) of that page."""

    dx: int
    alpha: int


def transition_frame(kind: Transition, progress: float, width: int) -> tuple[Placement, Placement]:
    """Placements of the outgoing and the incoming page at ``progress`` (0 → 1).

    * ``cut``: the incoming page at once.
    * ``fade``: the outgoing page stays, the incoming one fades in over it (a cross-fade that
      never shows the background through both).
    * ``push``: the incoming page pushes the outgoing one out to the left.
    """
    p = ease_in_out(progress)
    if kind == "cut" or progress >= 1.0:
        return Placement(0, 0), Placement(0, 255)
    if kind == "fade":
        return Placement(0, 255), Placement(0, round(255 * p))
    # push
    shift = round(width * p)
    return Placement(-shift, 255), Placement(width - shift, 255)


def ticker_offset(elapsed: float, speed: float, strip_width: int) -> int:
    """Horizontal scroll of a ticker strip ``strip_width`` px wide (one period of the text
    including its trailing separator) after ``elapsed`` seconds at ``speed`` px/s."""
    if strip_width <= 0 or speed <= 0 or elapsed <= 0:
        return 0
    return math.floor(elapsed * speed) % strip_width


def ticker_speed(speed_at_1080: float, screen_height: int) -> float:
    """The playlist gives ticker speed in px/s at a 1080 px tall screen; scale it."""
    return speed_at_1080 * screen_height / 1080.0


def ticker_step_in(elapsed: float, speed: float) -> float:
    """Seconds until the ticker has moved by one more whole pixel."""
    if speed <= 0:
        return math.inf
    moved = elapsed * speed
    return (math.floor(moved) + 1 - moved) / speed


def clock_key(now: datetime) -> tuple[int, int, int, int, int, int]:
    """What the header clock shows; it is redrawn only when this changes (once a second)."""
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)


def until_next_second(now: datetime) -> float:
    """Seconds until the wall clock's next whole second."""
    return 1.0 - now.microsecond / 1_000_000


WEEKDAYS = "一二三四五六日"


def date_text(now: datetime) -> str:
    """``2026年11月29日 星期日`` — the official way."""
    return f"{now.year}年{now.month}月{now.day}日 星期{WEEKDAYS[now.weekday()]}"


def time_text(now: datetime) -> str:
    return f"{now.hour:02d}:{now.minute:02d}:{now.second:02d}"
