"""What layout needs to know besides the slide: size, theme, fonts, defaults, clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kiosk.config import FontConfig
from kiosk.images import MediaProbe
from kiosk.measure import TextMetrics
from kiosk.model import Defaults, Frame, Ticker
from kiosk.themes import Sizes, Theme

if TYPE_CHECKING:
    from kiosk.layout.frame import Regions


@dataclass(frozen=True)
class LayoutContext:
    """Everything layout depends on, passed in (no I/O, no clock reads inside layout).

    ``metrics`` measures text (real fonts: :class:`kiosk.measure.FontMetrics`). ``media``
    reports image sizes and PDF page counts (:class:`kiosk.images.FileProbe`); without it
    image/pdf entries cannot be laid out. ``now`` is used for the publicity bar's remaining
    working days; ``calendar`` is a :class:`kiosk.workcal.WorkCalendar` (``None`` = the
    schedule module's fallback). ``base_dir`` resolves relative media paths of inline
    entries (the playlist's directory).
    """

    size: tuple[int, int]
    theme: Theme
    metrics: TextMetrics
    fonts: FontConfig = field(default_factory=FontConfig)
    defaults: Defaults = field(default_factory=Defaults)
    frame: Frame = field(default_factory=Frame)
    ticker: Ticker = field(default_factory=Ticker)
    base_dir: str | None = None
    calendar: Any = None
    now: datetime | None = None
    media: MediaProbe | None = None

    @cached_property
    def sizes(self) -> Sizes:
        return self.theme.sizes(self.size)

    @cached_property
    def regions(self) -> Regions:
        from kiosk.layout.frame import regions

        return regions(self.size, self.theme)
