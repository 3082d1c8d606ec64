"""Turning the playlist file and the content store into a laid-out :class:`Program`.

Runs off the frame path (in the player's worker thread). Every content-side function comes in
through :class:`Sources`, so tests can drive the player with small doubles; the real ones are
assembled by :func:`kiosk.player.sources.real_sources`.

Failures are contained here: a playlist with errors raises :class:`PlaylistInvalid` (the caller
keeps the last good program); an entry whose layout fails is left out, named in
``Loaded.entry_errors`` and retried with the next load.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from kiosk.diagnostics import Diagnostic
from kiosk.model import (
    Alert,
    Entry,
    Guide,
    Image,
    Notice,
    Pdf,
    Playlist,
    Report,
    StoreItem,
    Transition,
)
from kiosk.player.engine import DEFAULT_ID, Item, PageKey, Program
from kiosk.player.kit import SlideKit

DEFAULT_PAGE_SECONDS = 60.0
ALERT_PAGE_SECONDS = 20.0


@dataclass(frozen=True)
class StoreSnapshot:
    generation: int
    items: tuple[StoreItem, ...]
    updated_at: datetime | None = None
    version: int | None = None


@dataclass(frozen=True)
class Sources:
    """The content-side functions the player uses (see the team's interface list)."""

    read_playlist: Callable[[str], tuple[Playlist | None, list[Diagnostic]]]
    read_store: Callable[[str], StoreSnapshot | None]
    resolve: Callable[
        [Sequence[Entry], Sequence[StoreItem], datetime], tuple[list[Entry], list[Diagnostic]]
    ]
    active: Callable[[Playlist, datetime], Sequence[Entry]]
    next_change: Callable[[Playlist, datetime], datetime | None]
    make_kit: Callable[[Playlist | None], SlideKit]


class PlaylistInvalid(Exception):
    def __init__(self, path: str, diagnostics: list[Diagnostic]) -> None:
        errs = [d for d in diagnostics if d.is_error] or diagnostics
        first = errs[0].format("zh") if errs else f"{path}: 错误: 无法读取播放列表"
        more = f" (另有 {len(errs) - 1} 个错误)" if len(errs) > 1 else ""
        super().__init__(first + more)
        self.path = path
        self.diagnostics = diagnostics


@dataclass
class Loaded:
    """A program ready for the engine, with everything the frame loop needs to draw it."""

    program: Program
    kit: SlideKit
    arts: dict[PageKey, Any]
    playlist: Playlist | None
    playlist_path: str
    playlist_mtime: float | None
    generation: int | None
    updated: date | None
    ticker_text: str | None
    ticker_speed: float
    entry_errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def title_of(entry: Entry) -> str:
    """The title for status, logs and the proof of display: as read on screen, so the
    writer's break hints (a space between Chinese characters) are left out."""
    from kiosk.layout.textblock import title_text

    c = entry.content
    if isinstance(c, Notice | Report | Alert):
        return title_text(c.title)
    if isinstance(c, Guide):
        return title_text(c.service)
    if isinstance(c, Image):
        return c.caption or os.path.basename(c.file)
    if isinstance(c, Pdf):
        return c.title or os.path.basename(c.file)
    return entry.id


def _transition(entry: Entry, playlist: Playlist | None) -> tuple[Transition, float]:
    d = playlist.defaults if playlist is not None else None
    kind: Transition = entry.transition or (d.transition if d else "fade")
    seconds = d.transition_seconds if d else 0.8
    return kind, seconds


def _page_seconds(entry: Entry, page: Any, playlist: Playlist | None) -> float:
    if entry.duration is not None:
        return float(entry.duration)
    seconds = float(getattr(page, "seconds", 0) or 0)
    if seconds > 0:
        return seconds
    if playlist is not None and playlist.defaults.duration is not None:
        return float(playlist.defaults.duration)
    return 15.0


def lay_out_entries(
    entries: Sequence[Entry],
    kit: SlideKit,
    playlist: Playlist | None,
    now: datetime,
    prefix: str,
) -> tuple[list[Item], list[Item], dict[PageKey, Any], dict[str, str]]:
    """Layout each entry; returns (rotation items, alert items, arts, errors by entry id)."""
    items: list[Item] = []
    alerts: list[Item] = []
    arts: dict[PageKey, Any] = {}
    errors: dict[str, str] = {}
    for order, entry in enumerate(entries):
        if not entry.enabled or entry.content is None:
            continue
        try:
            pages = list(kit.layout(entry, now))
            if not pages:
                raise ValueError("没有可显示的页面 (no pages)")
        except Exception as exc:  # content must never take the player down
            errors[entry.id] = f"{type(exc).__name__}: {exc}"
            continue
        key = f"{prefix}:{entry.id}"
        for i, p in enumerate(pages):
            arts[(key, i)] = p
        kind, tsec = _transition(entry, playlist)
        content = entry.content
        if isinstance(content, Alert):
            alerts.append(
                Item(
                    id=entry.id,
                    key=key,
                    title=title_of(entry),
                    kind="alert",
                    pages=tuple(
                        float(entry.duration or getattr(p, "seconds", 0) or ALERT_PAGE_SECONDS)
                        for p in pages
                    ),
                    transition="cut",
                    transition_seconds=0.0,
                    level=content.level,
                    expires=content.expires,
                    order=order,
                )
            )
        else:
            items.append(
                Item(
                    id=entry.id,
                    key=key,
                    title=title_of(entry),
                    kind=entry.kind,
                    pages=tuple(_page_seconds(entry, p, playlist) for p in pages),
                    transition=kind,
                    transition_seconds=tsec,
                    order=order,
                )
            )
    return items, alerts, arts, errors


def _mtime(path: str) -> float | None:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


def load_program(
    sources: Sources,
    playlist_path: str,
    state_dir: str,
    now: datetime,
    serial: int,
) -> Loaded:
    """Read, resolve, schedule and lay out. Raises :class:`PlaylistInvalid`."""
    mtime = _mtime(playlist_path)
    playlist, diags = sources.read_playlist(playlist_path)
    if playlist is None or any(d.is_error for d in diags):
        raise PlaylistInvalid(playlist_path, diags)
    warnings = [d.format("zh") for d in diags]

    store = sources.read_store(state_dir)
    items = store.items if store is not None else ()
    resolved, rdiags = sources.resolve(playlist.entries, items, now)
    warnings += [d.format("zh") for d in rdiags]
    playlist = replace(playlist, entries=tuple(resolved))

    kit = sources.make_kit(playlist)
    rot, alerts, arts, errors = lay_out_entries(resolved, kit, playlist, now, str(serial))

    default_key = f"{serial}:{DEFAULT_ID}"
    arts[(default_key, 0)] = kit.default_page(now)
    default = Item(
        id=DEFAULT_ID,
        key=default_key,
        title=playlist.frame.office,
        kind="default",
        pages=(DEFAULT_PAGE_SECONDS,),
        transition="fade",
        transition_seconds=playlist.defaults.transition_seconds,
    )

    laid_out = {it.id for it in rot} | {a.id for a in alerts}
    pl = playlist

    def active(when: datetime) -> set[str]:
        return {e.id for e in sources.active(pl, when) if e.id in laid_out}

    def next_change(when: datetime) -> datetime | None:
        return sources.next_change(pl, when)

    program = Program(
        serial=serial,
        items=tuple(rot),
        default=default,
        alerts=tuple(alerts),
        active=active,
        next_change=next_change,
    )
    ticker = playlist.ticker
    text = ticker.separator.join(ticker.items) + ticker.separator if ticker.items else None
    updated = store.updated_at.date() if store is not None and store.updated_at else None
    return Loaded(
        program=program,
        kit=kit,
        arts=arts,
        playlist=playlist,
        playlist_path=playlist_path,
        playlist_mtime=mtime,
        generation=store.generation if store is not None else None,
        updated=updated,
        ticker_text=text,
        ticker_speed=ticker.speed,
        entry_errors=errors,
        warnings=warnings,
    )


def calm_program(kit: SlideKit, now: datetime, serial: int, playlist_path: str) -> Loaded:
    """Only the default slide: what shows when no playlist could ever be loaded."""
    key = f"{serial}:{DEFAULT_ID}"
    default = Item(DEFAULT_ID, key, "", "default", (DEFAULT_PAGE_SECONDS,))
    return Loaded(
        program=Program(serial=serial, items=(), default=default),
        kit=kit,
        arts={(key, 0): kit.default_page(now)},
        playlist=None,
        playlist_path=playlist_path,
        playlist_mtime=None,
        generation=None,
        updated=None,
        ticker_text=None,
        ticker_speed=0.0,
    )


def lay_out_alerts(
    entries: Sequence[Entry], kit: SlideKit, now: datetime, serial: int
) -> tuple[list[Item], dict[PageKey, Any], dict[str, str]]:
    """Alerts from ``alerts.json`` (already parsed into entries) laid out with ``kit``."""
    _, alerts, arts, errors = lay_out_entries(entries, kit, None, now, f"a{serial}")
    return alerts, arts, errors
