"""The real :class:`~kiosk.player.kit.SlideKit`: ``kiosk.layout`` for layout, ``kiosk.draw``
for pixels. One kit per loaded playlist (theme, frame and ticker come from it).

Thread safety: layout measures text and drawing renders glyphs through pygame's FreeType
module, which is shared process-wide. The loader thread and the frame loop therefore take
``FONT_LOCK``: the loader per laid-out entry and per drawn operation, the frame loop for the
clock, and the frame loop never waits for it (if the loader holds it, the clock is drawn on
the next frame, a few milliseconds later).
"""

from __future__ import annotations

import threading
from datetime import date, datetime
from typing import Any

from kiosk.config import Config
from kiosk.model import Entry, Playlist
from kiosk.player.kit import ClockBusy

FONT_LOCK = threading.RLock()


class RealKit:
    def __init__(
        self,
        cfg: Config,
        size: tuple[int, int],
        playlist: Playlist | None,
        *,
        renderer: Any,
        metrics: Any,
        media: Any,
        calendar: Any,
    ) -> None:
        from kiosk.layout import LayoutContext
        from kiosk.model import Defaults, Frame, Ticker
        from kiosk.themes import get_theme

        frame = playlist.frame if playlist is not None else Frame()
        theme = get_theme(frame.theme or cfg.display.theme)
        base_dir = None
        if playlist is not None and playlist.path and not playlist.path.startswith("<"):
            import os

            base_dir = os.path.dirname(os.path.abspath(playlist.path))
        self.theme = theme
        self.renderer = renderer
        self.ctx = LayoutContext(
            size=size,
            theme=theme,
            metrics=metrics,
            fonts=cfg.display.fonts,
            defaults=playlist.defaults if playlist is not None else Defaults(),
            frame=frame,
            ticker=playlist.ticker if playlist is not None else Ticker(),
            base_dir=base_dir,
            calendar=calendar,
            media=media,
        )
        self._size = size
        regions = self.ctx.regions
        self._clock = regions.clock
        self._ticker = regions.ticker
        self._content = regions.content
        self._frame_cache: dict[date | None, Any] = {}

    @property
    def size(self) -> tuple[int, int]:
        return self._size

    @property
    def clock_rect(self) -> tuple[int, int, int, int]:
        return self._clock

    @property
    def ticker_rect(self) -> tuple[int, int, int, int]:
        return self._ticker

    @property
    def content_rect(self) -> tuple[int, int, int, int]:
        return self._content

    def _ctx_at(self, now: datetime) -> Any:
        from dataclasses import replace

        return replace(self.ctx, now=now)

    def layout(self, entry: Entry, now: datetime) -> list[Any]:
        from kiosk.layout import layout_entry

        with FONT_LOCK:
            return list(layout_entry(entry, self._ctx_at(now)))

    def default_page(self, now: datetime) -> Any:
        from kiosk.layout import default_slide

        with FONT_LOCK:
            return default_slide(self._ctx_at(now))

    def render(self, page: Any, target: Any, now: datetime, updated: date | None) -> None:
        from kiosk.layout import frame_ops

        ops: list[Any] = []
        if getattr(page, "fullscreen", False):
            target.fill(getattr(page, "background", self.theme.background))
        else:
            target.fill(self.theme.background)
            with FONT_LOCK:
                ops.extend(frame_ops(self.ctx, now, updated))
        ops.extend(page.ops)
        with FONT_LOCK:
            self.renderer.prepare(tuple(ops))
        for op in ops:
            with FONT_LOCK:
                self.renderer.draw(target, (op,))

    def draw_clock(self, target: Any, now: datetime) -> None:
        from kiosk.layout import clock_ops

        if not FONT_LOCK.acquire(blocking=False):
            raise ClockBusy
        try:
            self.renderer.draw(target, clock_ops(self.ctx, now))
        finally:
            FONT_LOCK.release()

    def clock_key(self, now: datetime) -> tuple[str, str]:
        from kiosk.layout import format_date, format_time

        return (format_date(now.date()), format_time(now))

    def ticker_strip(self, text: str) -> Any | None:
        if not text:
            return None
        with FONT_LOCK:
            return self.renderer.ticker_strip(text, self._ticker[3], self.theme)
