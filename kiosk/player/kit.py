"""What the player needs from the slides side (layout + drawing), as a protocol.

:class:`SlideKit` is implemented by :mod:`kiosk.player.slidekit` on top of ``kiosk.layout``
and ``kiosk.draw``; tests use a small double that implements the same protocol. One kit is
made per loaded playlist (the frame chrome, theme and ticker depend on the playlist).

Drawing is thread-safe per kit: implementations serialise their font use with a lock
taken per draw operation, so the loader thread can render the next page while the frame
loop draws the clock.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

from kiosk.model import Entry

Rect = tuple[int, int, int, int]


class PageArt(Protocol):
    """One laid-out page (``kiosk.layout.SlidePage`` in the real kit)."""

    @property
    def seconds(self) -> float: ...


class SlideKit(Protocol):
    @property
    def size(self) -> tuple[int, int]: ...

    @property
    def clock_rect(self) -> Rect: ...

    @property
    def ticker_rect(self) -> Rect: ...

    @property
    def content_rect(self) -> Rect: ...

    def layout(self, entry: Entry, now: datetime) -> list[Any]:
        """Pages of one entry (raises on content that cannot be laid out)."""
        ...

    def default_page(self, now: datetime) -> Any:
        """The calm page shown when nothing is scheduled (office, date, clock, phone)."""
        ...

    def render(self, page: Any, target: Any, now: datetime, updated: date | None) -> None:
        """Draw a full frame (background, header/footer chrome, content) onto ``target``,
        without the clock's time and the ticker text (the frame loop draws those)."""
        ...

    def draw_clock(self, target: Any, now: datetime) -> None:
        """Draw the header clock (date and time) into :attr:`clock_rect` of ``target``; the
        caller has restored the region's background first."""
        ...

    def ticker_strip(self, text: str) -> Any | None:
        """One period of the ticker text as a surface :attr:`ticker_rect` high."""
        ...
