"""The validated playlist model: plain immutable data shared by validator, scheduler,
layout, player and sync. Parsing lives in :mod:`kiosk.playlist`; nothing here does I/O.

Conventions
-----------
* Dates are :class:`datetime.date`; times of day are naive :class:`datetime.time` in the
  configured zone; instants (alert expiry) are aware :class:`datetime.datetime`.
* A :class:`TimeRange` whose ``end`` is not after ``start`` wraps midnight; it belongs to the
  day it starts on. ``start`` is inclusive, ``end`` exclusive.
* Date ranges are inclusive at both ends.
* Text fields hold the text exactly as the person typed it (no YAML 1.1 implicit typing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal, TypeAlias

from kiosk import DISCLOSURE_PUBLIC
from kiosk.diagnostics import SourcePos

FORMAT_VERSION = 1

Kind = Literal["notice", "guide", "report", "image", "pdf", "alert"]
KINDS: tuple[Kind, ...] = ("notice", "guide", "report", "image", "pdf", "alert")

Transition = Literal["cut", "fade", "push"]
TRANSITIONS: tuple[Transition, ...] = ("cut", "fade", "push")

AlertLevel = Literal["blue", "yellow", "orange", "red"]
ALERT_LEVELS: tuple[AlertLevel, ...] = ("blue", "yellow", "orange", "red")

Fit = Literal["contain", "cover"]

NOWHERE = SourcePos("<built-in>")


# ----------------------------------------------------------------------------- content


@dataclass(frozen=True)
class Publicity:
    """公示期: from ``start`` for ``working_days`` working days (end date inclusive),
    or an explicit ``end`` date. Exactly one of ``working_days`` / ``end`` is set."""

    start: date
    working_days: int | None = None
    end: date | None = None


@dataclass(frozen=True)
class Notice:
    """公告/公示. ``body`` is plain text; paragraphs are separated by newlines and
    headings (一、 （一） 1.) are recognised by the layout."""

    title: str
    body: str
    doc_number: str | None = None  # 文号, e.g. 鄂政办字〔2017〕103号
    issuer: str | None = None  # 发布机关
    date: date | None = None  # 发布日期
    category: str | None = None  # 工作动态 / 人事任命 / 财政资金 / 计划总结 / ...
    publicity: Publicity | None = None
    url: str | None = None  # shown as a QR code


@dataclass(frozen=True)
class Guide:
    """办事指南."""

    service: str
    summary: str | None = None
    conditions: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    location: str | None = None  # window / room
    hours: str | None = None
    time_limit: str | None = None  # 承诺时限
    fee: str | None = None
    phone: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Figure:
    """A key figure tile: a large number with its label and unit."""

    label: str
    value: str  # as typed, e.g. "179" or "0" or "6"
    unit: str = ""
    note: str | None = None


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """A bar chart: one value per category per series."""

    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""
    type: Literal["bar"] = "bar"


@dataclass(frozen=True)
class Section:
    heading: str
    text: str


@dataclass(frozen=True)
class Report:
    title: str
    year: int | None = None
    figures: tuple[Figure, ...] = ()
    chart: Chart | None = None
    sections: tuple[Section, ...] = ()


@dataclass(frozen=True)
class Image:
    file: str  # path relative to the playlist file (inline) or a store object path
    fit: Fit = "contain"
    caption: str | None = None


@dataclass(frozen=True)
class Pdf:
    file: str
    title: str | None = None
    pages: tuple[str, ...] = ()
    """Pre-rendered page images, in order. Set for store items made by ``kiosk publish``
    (boards do no PDF work): logical file names in the manifest, object paths in the store;
    ``file`` then names the first page image. Empty for inline PDFs, rendered on the board."""


@dataclass(frozen=True)
class Alert:
    level: AlertLevel
    title: str
    body: str = ""
    expires: datetime | None = None  # aware; None = until withdrawn
    issued: datetime | None = None


Content: TypeAlias = Notice | Guide | Report | Image | Pdf | Alert

CONTENT_TYPES: dict[Kind, type] = {
    "notice": Notice,
    "guide": Guide,
    "report": Report,
    "image": Image,
    "pdf": Pdf,
    "alert": Alert,
}


# ----------------------------------------------------------------------------- schedule

DaySet = Literal["all", "workdays", "holidays"]


@dataclass(frozen=True)
class TimeRange:
    start: time
    end: time  # exclusive; end <= start wraps midnight

    @property
    def wraps(self) -> bool:
        return self.end <= self.start


@dataclass(frozen=True)
class Schedule:
    """When an entry may show. All given conditions must hold (AND).

    ``days`` is "all", "workdays"/"holidays" by the Chinese working calendar
    (调休 make-up days count as workdays), or a set of ISO weekdays (1 = Monday ... 7 = Sunday).
    ``times`` empty means all day. ``publicity`` limits the entry to its 公示期.
    """

    date_from: date | None = None
    date_to: date | None = None
    days: DaySet | frozenset[int] = "all"
    times: tuple[TimeRange, ...] = ()
    publicity: Publicity | None = None


ALWAYS = Schedule()


# ----------------------------------------------------------------------------- entries


@dataclass(frozen=True)
class Selection:
    """Select items from the synced content store: every current item of ``kind``
    (and ``category`` when given), ordered newest first (by date, then id), at most ``limit``."""

    kind: Kind
    category: str | None = None
    limit: int = 10
    order: Literal["newest", "oldest"] = "newest"


@dataclass(frozen=True)
class Entry:
    """One playlist entry. Exactly one of ``content`` (inline), ``ref`` (a store item id)
    or ``select`` (a rule over the store) is set."""

    id: str
    kind: Kind
    content: Content | None = None
    ref: str | None = None
    select: Selection | None = None
    duration: float | None = None  # seconds per page; None = automatic from text length
    transition: Transition | None = None  # None = playlist default
    enabled: bool = True
    schedule: Schedule = ALWAYS
    disclosure: str = DISCLOSURE_PUBLIC
    pos: SourcePos = NOWHERE


@dataclass(frozen=True)
class Defaults:
    duration: float | None = None  # None = automatic
    transition: Transition = "fade"
    transition_seconds: float = 0.8
    reading_speed: float = 5.0  # Chinese characters per second for automatic durations
    min_seconds: float = 8.0
    max_seconds: float = 60.0
    schedule: Schedule = ALWAYS  # applies to entries that give no schedule of their own


@dataclass(frozen=True)
class Frame:
    office: str = "红花尔基镇人民政府"
    phone: str | None = None  # 咨询电话
    theme: str | None = None  # None = the display config's theme


@dataclass(frozen=True)
class Ticker:
    items: tuple[str, ...] = ()
    speed: float = 120.0  # px per second at 1080 px screen height; scaled with the screen
    separator: str = "　　◆　　"


@dataclass(frozen=True)
class Playlist:
    entries: tuple[Entry, ...]
    defaults: Defaults = field(default_factory=Defaults)
    frame: Frame = field(default_factory=Frame)
    ticker: Ticker = field(default_factory=Ticker)
    name: str | None = None
    version: int = FORMAT_VERSION
    path: str = "<memory>"


# ----------------------------------------------------------------------------- store


@dataclass(frozen=True)
class StoreItem:
    """An item from the synced, verified content store (see :mod:`kiosk.store`).

    ``files`` maps the manifest's logical file names to absolute paths of verified objects.
    """

    id: str
    kind: Kind
    content: Content
    disclosure: str
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    files: dict[str, str] = field(default_factory=dict)
    date: date | None = None

    @property
    def public(self) -> bool:
        return self.disclosure == DISCLOSURE_PUBLIC
