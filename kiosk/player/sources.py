"""The real content-side functions for :class:`kiosk.player.loader.Sources`: the playlist
reader, the content store, resolution of store references, the schedule and the slide kit."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.config import Config
from kiosk.diagnostics import Diagnostic
from kiosk.model import Entry, Playlist, StoreItem
from kiosk.player.loader import Sources, StoreSnapshot

log = logging.getLogger("kiosk.player")


def real_sources(cfg: Config, size: tuple[int, int]) -> Sources:
    from kiosk import playlist as playlist_mod
    from kiosk import resolve as resolve_mod
    from kiosk import schedule, store
    from kiosk.draw import Renderer
    from kiosk.images import FileProbe
    from kiosk.measure import FontMetrics
    from kiosk.player.slidekit import RealKit
    from kiosk.workcal import load_calendar

    tz = ZoneInfo(cfg.timezone)
    calendar, problems = load_calendar(cfg.calendar_overrides)
    for d in problems:
        log.warning("calendar.warning %s", d.format("zh"))
    metrics = FontMetrics(cfg.display.fonts)
    renderer = Renderer(cfg.display.fonts, metrics=metrics)
    media = FileProbe()

    def read_playlist(path: str) -> tuple[Playlist | None, list[Diagnostic]]:
        # Missing media files are not fatal here: the entry is skipped (and retried) by the
        # player, the rest of the playlist plays.
        result: tuple[Playlist | None, list[Diagnostic]] = playlist_mod.read_playlist(
            path, calendar=calendar, tz=tz, check_files=False
        )
        return result

    def read_store(state_dir: str) -> StoreSnapshot | None:
        view = store.read_current(state_dir)
        if view is None:
            return None
        return StoreSnapshot(view.generation, view.items, view.updated_at, view.version)

    def resolve(
        entries: Sequence[Entry], items: Sequence[StoreItem], now: datetime
    ) -> tuple[list[Entry], list[Diagnostic]]:
        result: tuple[list[Entry], list[Diagnostic]] = resolve_mod.resolve_entries(
            entries, items, now
        )
        return result

    def active(playlist: Playlist, now: datetime) -> Sequence[Entry]:
        result: Sequence[Entry] = schedule.active(playlist, now, calendar)
        return result

    def next_change(playlist: Playlist, now: datetime) -> datetime | None:
        result: datetime | None = schedule.next_change(playlist, now, calendar)
        return result

    def make_kit(playlist: Playlist | None) -> Any:
        return RealKit(
            cfg,
            size,
            playlist,
            renderer=renderer,
            metrics=metrics,
            media=media,
            calendar=calendar,
        )

    return Sources(
        read_playlist=read_playlist,
        read_store=read_store,
        resolve=resolve,
        active=active,
        next_change=next_change,
        make_kit=make_kit,
    )
