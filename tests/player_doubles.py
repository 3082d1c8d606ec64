"""Test doubles for the player: a slide kit that paints flat colours (one per page, so tests
can tell pages apart by pixel) and content sources reading a tiny YAML playlist format.

They implement the documented interfaces (``kiosk.player.kit.SlideKit``,
``kiosk.player.loader.Sources``) only as far as the player tests need.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pygame
import yaml

from kiosk.diagnostics import Diagnostic, SourcePos, error
from kiosk.model import Alert, Entry, Image, Notice, Playlist, StoreItem, Ticker
from kiosk.player.loader import Sources, StoreSnapshot

HEADER_H = 100
TICKER_H = 60


def colour(name: str) -> tuple[int, int, int]:
    d = hashlib.sha256(name.encode()).digest()
    return (40 + d[0] % 200, 40 + d[1] % 200, 40 + d[2] % 200)


@dataclass(frozen=True)
class FlatPage:
    name: str
    seconds: float
    image: str | None = None


class FlatKit:
    """Pages are flat colours; the header is grey with the clock drawn as a colour that
    changes every second; the ticker strip is a striped surface."""

    def __init__(self, size: tuple[int, int], fail_layout: set[str] | None = None) -> None:
        self._size = size
        self.fail_layout = fail_layout or set()
        self.renders = 0
        self.clock_draws = 0

    @property
    def size(self) -> tuple[int, int]:
        return self._size

    @property
    def clock_rect(self) -> tuple[int, int, int, int]:
        return (self._size[0] - 300, 0, 300, HEADER_H)

    @property
    def ticker_rect(self) -> tuple[int, int, int, int]:
        return (0, self._size[1] - TICKER_H, self._size[0], TICKER_H)

    @property
    def content_rect(self) -> tuple[int, int, int, int]:
        return (0, HEADER_H, self._size[0], self._size[1] - HEADER_H - TICKER_H)

    def layout(self, entry: Entry, now: datetime) -> list[Any]:
        if entry.id in self.fail_layout:
            raise ValueError("layout exploded")
        c = entry.content
        if isinstance(c, Notice):
            parts = c.body.split("---")
            return [FlatPage(f"{entry.id}#{i}", 10.0) for i in range(len(parts))]
        if isinstance(c, Image):
            return [FlatPage(f"{entry.id}#0", 10.0, image=c.file)]
        if isinstance(c, Alert):
            return [FlatPage(f"{entry.id}#0", 20.0)]
        return [FlatPage(f"{entry.id}#0", 10.0)]

    def default_page(self, now: datetime) -> Any:
        return FlatPage("default", 60.0)

    def render(self, page: Any, target: Any, now: datetime, updated: date | None) -> None:
        self.renders += 1
        target.fill((128, 128, 128))
        target.fill(colour(page.name), self.content_rect)
        if page.image is not None:
            img = pygame.image.load(page.image)  # raises on a corrupt file
            target.blit(img, self.content_rect[:2])

    def draw_clock(self, target: Any, now: datetime) -> None:
        self.clock_draws += 1
        target.fill(((now.second * 4) % 256, 0, 0), self.clock_rect)

    def ticker_strip(self, text: str) -> Any:
        s = pygame.Surface((400, TICKER_H))
        s.fill((255, 255, 255))
        s.fill((0, 0, 0), (0, 0, 200, TICKER_H))
        return s


def _entry(d: dict[str, Any], base: Path) -> Entry:
    kind = d.get("kind", "notice")
    content: Any
    if kind == "notice":
        content = Notice(title=d.get("title", d["id"]), body=d.get("body", ""))
    elif kind == "image":
        content = Image(file=str(base / d["file"]))
    elif kind == "alert":
        exp = d.get("expires")
        content = Alert(
            level=d["level"],
            title=d.get("title", "预警"),
            expires=datetime.fromisoformat(exp) if exp else None,
        )
    else:
        raise ValueError(kind)
    return Entry(
        id=d["id"],
        kind=kind,
        content=content,
        duration=d.get("duration"),
        transition=d.get("transition"),
        enabled=d.get("enabled", True),
    )


def read_playlist(path: str) -> tuple[Playlist | None, list[Diagnostic]]:
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        entries = tuple(_entry(e, Path(path).parent) for e in doc["entries"])
        ticker = Ticker(items=tuple(doc.get("ticker", ())), speed=float(doc.get("speed", 120)))
        return Playlist(entries=entries, ticker=ticker, path=path), []
    except Exception as exc:
        return None, [error(SourcePos(path, 1, 1), "playlist.syntax", f"语法错误: {exc}", str(exc))]


@dataclass
class FakeSchedule:
    """Entries listed in ``off`` are outside their schedule."""

    off: set[str]

    def active(self, playlist: Playlist, now: datetime) -> list[Entry]:
        return [e for e in playlist.entries if e.enabled and e.id not in self.off]

    def next_change(self, playlist: Playlist, now: datetime) -> datetime | None:
        return None


def resolve(
    entries: Sequence[Entry], items: Sequence[StoreItem], now: datetime
) -> tuple[list[Entry], list[Diagnostic]]:
    return [e for e in entries if e.content is not None], []


def sources(
    size: tuple[int, int], kit: FlatKit | None = None
) -> tuple[Sources, FlatKit, FakeSchedule]:
    kit = kit or FlatKit(size)
    sched = FakeSchedule(set())

    def read_store(state_dir: str) -> StoreSnapshot | None:
        return None

    return (
        Sources(
            read_playlist=read_playlist,
            read_store=read_store,
            resolve=resolve,
            active=sched.active,
            next_change=sched.next_change,
            make_kit=lambda playlist: kit,
        ),
        kit,
        sched,
    )
