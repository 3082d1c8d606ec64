"""The player's decision core: which page is on screen, when the next one comes, which
transition runs, what was shown when. Pure: every method takes the wall time ``now`` (aware)
and the monotonic time ``mono`` from the caller; nothing here reads a clock, touches the
display or the disk.

Vocabulary
----------
*Item*
    something that can be shown: a playlist entry after layout (one or more pages), an alert
    (from the playlist or from ``STATE_DIR/alerts.json``), or the calm default slide.
*Page key*
    ``(item.key, page_index)``; the page cache renders surfaces by this key. ``item.key``
    changes whenever the item's content may have changed (new program, edited alert).
*Program*
    the laid-out playlist: rotation items in playlist order, playlist alerts, the default
    slide, and the schedule (``active`` / ``next_change``) as functions of ``now``.

Rules
-----
* Rotation runs in playlist order, page by page; each page stays ``seconds`` (measured on the
  monotonic clock, transition included). The schedule is re-evaluated at every page boundary
  and at ``next_change``; an entry that drops out of its schedule ends at once.
* A new program (reload) is applied at the next page boundary (at once when only the default
  slide is showing, or when staff asked for the reload).
* Alerts: a new alert interrupts at once. ``red`` and ``orange`` hold the screen: while any is
  active only holding alerts are shown (several take turns, most severe first). ``blue`` and
  ``yellow`` share it: after the interrupt, alert pages alternate with rotation pages
  (one rotation page, then one alert page). When the last alert expires or is withdrawn the
  rotation resumes on the page it was interrupted on (shown again in full).
* A page switch waits until the incoming page is rendered (``ready``), so the screen never
  shows a blank or half-drawn page; the outgoing page stays up meanwhile.
* Items that failed to render are skipped until their retry time.
* Power off shows black and ends the proof record; power on resumes at once.
* Pause freezes the page timer (alerts and power still act); it ends by itself after
  ``pause_limit`` seconds so a forgotten pause cannot freeze the lobby for the day.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from kiosk.model import AlertLevel, Transition

PageKey = tuple[str, int]

LEVEL_RANK: dict[str, int] = {"blue": 1, "yellow": 2, "orange": 3, "red": 4}
HOLDING_LEVELS = frozenset({"orange", "red"})

DEFAULT_ID = "_default"
WAIT_POLL_S = 0.02  # how often to look again when the next page is still being rendered
FAIL_RETRY_S = 300.0


@dataclass(frozen=True)
class Item:
    """One showable thing with its pages' durations (seconds per page)."""

    id: str
    key: str
    title: str
    kind: str
    pages: tuple[float, ...]
    transition: Transition = "fade"
    transition_seconds: float = 0.8
    level: AlertLevel | None = None
    expires: datetime | None = None
    order: int = 0  # position in the playlist

    @property
    def is_alert(self) -> bool:
        return self.level is not None

    @property
    def holds(self) -> bool:
        return self.level in HOLDING_LEVELS


def _always(_now: datetime) -> Collection[str] | None:
    return None


def _never(_now: datetime) -> datetime | None:
    return None


@dataclass(frozen=True)
class Program:
    """What the loader hands the engine. ``active(now)`` returns the ids admitted by the
    schedule (``None`` = all); ``next_change(now)`` the next instant that may change it."""

    serial: int
    items: tuple[Item, ...]
    default: Item
    alerts: tuple[Item, ...] = ()
    active: Callable[[datetime], Collection[str] | None] = _always
    next_change: Callable[[datetime], datetime | None] = _never

    def find(self, item_id: str) -> Item | None:
        for it in self.items:
            if it.id == item_id:
                return it
        return None


Command = Literal["next", "previous", "pause", "resume", "toggle_pause"]


@dataclass(frozen=True)
class View:
    """What the shell draws this frame."""

    black: bool
    key: PageKey | None = None
    item: Item | None = None
    page: int = 0
    prev_key: PageKey | None = None  # outgoing page while a transition runs
    transition: Transition = "cut"
    progress: float = 1.0  # 0 → 1 over the transition; 1 = settled
    paused: bool = False


@dataclass(frozen=True)
class PageShown:
    """Emitted when a page goes on screen."""

    item: Item
    page: int
    at: datetime
    reason: str


@dataclass(frozen=True)
class ProofRecord:
    """One continuous showing of an item (entry or alert)."""

    entry_id: str
    title: str
    kind: str
    start: datetime
    end: datetime
    pages_shown: tuple[int, ...]  # 1-based page numbers, in order of first showing
    page_count: int


Event = PageShown | ProofRecord


@dataclass
class _Showing:
    item: Item
    page: int
    started: float  # mono
    ends: float  # mono
    wall: datetime


@dataclass
class _Proof:
    item: Item
    start: datetime
    pages: list[int] = field(default_factory=list)


def _alert_sort_key(item: Item) -> tuple[int, int]:
    return (-LEVEL_RANK.get(item.level or "", 0), item.order)


class Engine:
    def __init__(
        self,
        program: Program,
        now: datetime,
        mono: float,
        *,
        pause_limit: float = 600.0,
        fail_retry: float = FAIL_RETRY_S,
    ) -> None:
        self.program = program
        self.pending: Program | None = None
        self.pending_now = False
        self.pause_limit = pause_limit
        self.fail_retry = fail_retry
        self.external_alerts: tuple[Item, ...] = ()
        self.power_on = True
        self.paused_at: float | None = None
        self.paused_left = 0.0
        self.failed: dict[str, float] = {}  # item id → mono when it may be tried again
        self.events: list[Event] = []
        self.showing: _Showing | None = None
        self.transition: tuple[PageKey, Transition, float, float] | None = None
        # rotation bookmark: the rotation page last put on screen and whether it ran its time
        self.rot: tuple[str, int, int] | None = None  # (item id, page, playlist order)
        self.rot_done = False
        self.alert_turn = False  # sharing alerts: True when an alert page is due next
        self.alert_cursor: tuple[str, int] | None = None
        self.seen_alerts: set[str] = set()
        self.waiting = False
        self._active_cache: tuple[datetime, Collection[str] | None] | None = None
        self._proof: _Proof | None = None
        self.next_change_at: datetime | None = None
        self._refresh_schedule(now)

    # ------------------------------------------------------------------ inputs

    def offer_program(self, program: Program, *, immediate: bool = False) -> None:
        """A freshly loaded program; applied at the next page boundary (or at once)."""
        self.pending = program
        self.pending_now = self.pending_now or immediate

    def set_alerts(self, alerts: Sequence[Item]) -> None:
        """Alerts from ``alerts.json`` (replaces the previous set; withdrawals included)."""
        self.external_alerts = tuple(alerts)

    def set_power(self, on: bool, now: datetime, mono: float) -> None:
        if on == self.power_on:
            return
        self.power_on = on
        if not on:
            self._end_proof(now)
            self.showing = None
            self.transition = None
        # on: the next update() puts the bookmarked page back at once

    def mark_failed(self, item_id: str, mono: float) -> None:
        """An item's page could not be drawn: skip it until ``fail_retry`` has passed."""
        self.failed[item_id] = mono + self.fail_retry

    def command(self, cmd: Command, now: datetime, mono: float) -> None:
        if cmd == "toggle_pause":
            cmd = "resume" if self.paused_at is not None else "pause"
        if cmd == "pause":
            if self.paused_at is None and self.showing is not None:
                self.paused_at = mono
                self.paused_left = max(0.0, self.showing.ends - mono)
        elif cmd == "resume":
            self._resume(mono)
        elif cmd in ("next", "previous"):
            self._staff_step(cmd, now, mono)

    # ------------------------------------------------------------------ queries

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def current(self) -> tuple[Item, int] | None:
        return (self.showing.item, self.showing.page) if self.showing else None

    def since(self) -> datetime | None:
        return self.showing.wall if self.showing else None

    def drain_events(self) -> list[Event]:
        out, self.events = self.events, []
        return out

    def wanted(self, now: datetime, mono: float) -> list[PageKey]:
        """Pages the cache should have ready, most urgent first: the current page, then the
        one that comes next (and an interrupting alert)."""
        keys: list[PageKey] = []
        if not self.power_on:
            return keys
        if self.showing is not None:
            keys.append((self.showing.item.key, self.showing.page))
        saved = (self.program, self._active_cache)
        if self.pending is not None:  # the next boundary applies the pending program
            self.program, self._active_cache = self.pending, (now, self.pending.active(now))
        try:
            nxt = self._choose_next(now, mono, completes=True)
        finally:
            self.program, self._active_cache = saved
        if nxt is not None:
            keys.append((nxt[0].key, nxt[1]))
        for a in self._new_alerts(now):
            keys.append((a.key, 0))
        if self.showing is None:
            target = self._resume_target(now, mono)
            keys.append((target[0].key, target[1]))
        return list(dict.fromkeys(keys))

    def wake_in(self, now: datetime, mono: float) -> float | None:
        """Seconds until the engine needs another ``update`` (None = only on events)."""
        if not self.power_on:
            return None
        if self.transition is not None or self.waiting:
            return 0.0 if self.transition is not None else WAIT_POLL_S
        times: list[float] = []
        if self.showing is not None:
            if self.paused_at is None:
                times.append(self.showing.ends - mono)
            else:
                times.append(self.paused_at + self.pause_limit - mono)
        else:
            times.append(0.0)
        if self.next_change_at is not None:
            times.append((self.next_change_at - now).total_seconds())
        for a in self._alerts(now):
            if a.expires is not None:
                times.append((a.expires - now).total_seconds())
        for t in self.failed.values():
            times.append(t - mono)
        return max(0.0, min(times)) if times else None

    # ------------------------------------------------------------------ the step

    def update(self, now: datetime, mono: float, ready: Callable[[PageKey], bool]) -> View:
        """Advance the state to ``now``/``mono`` and say what to draw."""
        self.failed = {k: t for k, t in self.failed.items() if t > mono}
        if not self.power_on:
            return View(black=True)
        if self.paused_at is not None and mono - self.paused_at >= self.pause_limit:
            self._resume(mono)

        if self.pending is not None and (self.pending_now or self._on_default()):
            self._apply_pending(now)

        if self.next_change_at is not None and now >= self.next_change_at:
            self._refresh_schedule(now)

        self.waiting = False
        target, reason = self._decide(now, mono)
        if target is not None:
            item, page, transition = target
            if ready((item.key, page)):
                self._switch(item, page, now, mono, transition, reason)
            else:
                # the incoming page is still being rendered: the outgoing one stays up
                self.waiting = True
        return self._view(mono)

    # ------------------------------------------------------------------ internals

    def _on_default(self) -> bool:
        return self.showing is None or self.showing.item.id == DEFAULT_ID

    def _apply_pending(self, now: datetime) -> None:
        assert self.pending is not None
        self.program = self.pending
        self.pending = None
        self.pending_now = False
        self.failed.clear()
        self._refresh_schedule(now)
        if self.rot is not None:
            it = self.program.find(self.rot[0])
            if it is not None:
                self.rot = (it.id, min(self.rot[1], len(it.pages) - 1), it.order)

    def _refresh_schedule(self, now: datetime) -> None:
        self._active_cache = (now, self.program.active(now))
        nc = self.program.next_change(now)
        self.next_change_at = nc if nc is not None and nc > now else None

    def _active_ids(self, now: datetime) -> Collection[str] | None:
        if self._active_cache is None:
            self._refresh_schedule(now)
        assert self._active_cache is not None
        return self._active_cache[1]

    def _admitted(self, item: Item, now: datetime, mono: float) -> bool:
        ids = self._active_ids(now)
        if ids is not None and item.id not in ids:
            return False
        if item.id in self.failed and self.failed[item.id] > mono:
            return False
        return item.expires is None or item.expires > now

    def _alerts(self, now: datetime) -> list[Item]:
        ids = self._active_ids(now)
        out = [a for a in self.program.alerts if ids is None or a.id in ids]
        out += list(self.external_alerts)
        out = [a for a in out if a.expires is None or a.expires > now]
        return sorted(out, key=_alert_sort_key)

    def _usable_alerts(self, now: datetime, mono: float) -> list[Item]:
        return [
            a for a in self._alerts(now) if not (a.id in self.failed and self.failed[a.id] > mono)
        ]

    def _new_alerts(self, now: datetime) -> list[Item]:
        return [a for a in self._alerts(now) if a.key not in self.seen_alerts]

    def _rotation_next(
        self, now: datetime, mono: float, *, advance: bool, backwards: bool = False
    ) -> tuple[Item, int]:
        """The rotation page after (or before) the bookmark; the default slide when nothing
        in the playlist can be shown now."""
        items = [it for it in self.program.items if self._admitted(it, now, mono)]
        if not items:
            return (self.program.default, 0)
        if self.rot is None:
            first = items[-1] if backwards else items[0]
            return (first, len(first.pages) - 1 if backwards else 0)
        rid, rpage, rorder = self.rot
        cur = next((it for it in items if it.id == rid), None)
        if cur is not None:
            if not advance:
                return (cur, min(rpage, len(cur.pages) - 1))
            if not backwards and rpage + 1 < len(cur.pages):
                return (cur, rpage + 1)
            if backwards and rpage > 0:
                return (cur, min(rpage - 1, len(cur.pages) - 1))
        if backwards:
            before = [it for it in items if it.order < rorder]
            it = before[-1] if before else items[-1]
            return (it, len(it.pages) - 1)
        after = [it for it in items if it.order > rorder]
        if not after and cur is None:
            return (items[0], 0)
        it = after[0] if after else items[0]
        return (it, 0)

    def _resume_target(self, now: datetime, mono: float) -> tuple[Item, int]:
        return self._rotation_next(now, mono, advance=self.rot_done)

    def _choose_next(
        self, now: datetime, mono: float, *, completes: bool
    ) -> tuple[Item, int] | None:
        """What follows the current page; ``completes`` = the current page ran its time."""
        alerts = self._usable_alerts(now, mono)
        holding = [a for a in alerts if a.holds]
        if holding:
            return self._next_alert_page(holding)
        cur = self.showing
        if alerts and cur is not None and not cur.item.is_alert:
            return self._next_alert_page(alerts)  # sharing: an alert page after each page
        rotation_page = cur is not None and not cur.item.is_alert and cur.item.id != DEFAULT_ID
        done = self.rot_done or (completes and rotation_page)
        # after a sharing alert's page: back to the rotation; alerts come again after it
        return self._rotation_next(now, mono, advance=done)

    def _next_alert_page(self, alerts: list[Item]) -> tuple[Item, int]:
        cur = self.showing
        if cur is not None and cur.item.is_alert:
            same = next((a for a in alerts if a.id == cur.item.id), None)
            if same is not None and cur.page + 1 < len(same.pages):
                return (same, cur.page + 1)
            ids = [a.id for a in alerts]
            if cur.item.id in ids:
                return (alerts[(ids.index(cur.item.id) + 1) % len(alerts)], 0)
        if self.alert_cursor is not None:
            ids = [a.id for a in alerts]
            if self.alert_cursor[0] in ids:
                return (alerts[(ids.index(self.alert_cursor[0]) + 1) % len(alerts)], 0)
        return (alerts[0], 0)

    def _decide(
        self, now: datetime, mono: float
    ) -> tuple[tuple[Item, int, Transition], str] | tuple[None, str]:
        cur = self.showing
        # a new alert interrupts at once
        new = self._new_alerts(now)
        if new:
            a = new[0]
            return (a, 0, "cut"), "alert"
        alerts = self._usable_alerts(now, mono)
        if cur is None:
            # start, power on, or the alert we showed vanished with the display idle
            if any(a.holds for a in alerts):
                item, page = self._next_alert_page([a for a in alerts if a.holds])
            else:
                item, page = self._resume_target(now, mono)
            return (item, page, "cut"), "start"
        if cur.item.is_alert and all(a.id != cur.item.id for a in alerts):
            # withdrawn or expired: leave it at once
            nxt = self._choose_next(now, mono, completes=False)
            if nxt is not None:
                return (nxt[0], nxt[1], "cut"), "alert_end"
        on_rotation = not cur.item.is_alert and cur.item.id != DEFAULT_ID
        if on_rotation and (
            not self._admitted(cur.item, now, mono)
            or (self.program.find(cur.item.id) is None and self.pending is None)
        ):
            # dropped out of its schedule (or failed): end now
            self.rot_done = True
            nxt = self._choose_next(now, mono, completes=True)
            if nxt is not None:
                return (nxt[0], nxt[1], nxt[0].transition), "schedule"
        if cur.item.id == DEFAULT_ID:
            item, page = self._choose_next(now, mono, completes=False) or (cur.item, 0)
            if item.id != DEFAULT_ID:
                return (item, page, item.transition), "schedule"
        if self.paused_at is not None or mono < cur.ends:
            return None, ""
        # page boundary
        if not cur.item.is_alert:
            self.rot_done = True
        if self.pending is not None:
            self._apply_pending(now)
        else:
            self._refresh_schedule(now)
        nxt = self._choose_next(now, mono, completes=True)
        if nxt is None:
            return None, ""
        return (nxt[0], nxt[1], nxt[0].transition), "boundary"

    def _staff_step(self, cmd: Command, now: datetime, mono: float) -> None:
        cur = self.showing
        if cur is None or (cur.item.is_alert and cur.item.holds):
            return  # holding alerts cannot be skipped from the keyboard
        self.rot_done = True
        target = self._rotation_next(now, mono, advance=True, backwards=(cmd == "previous"))
        self._switch(target[0], target[1], now, mono, "cut", "key")
        if self.paused_at is not None:
            self.paused_at = mono
            self.paused_left = target[0].pages[target[1]]

    def _resume(self, mono: float) -> None:
        if self.paused_at is None:
            return
        if self.showing is not None:
            self.showing.ends = mono + self.paused_left
        self.paused_at = None

    def _switch(
        self,
        item: Item,
        page: int,
        now: datetime,
        mono: float,
        transition: Transition,
        reason: str,
    ) -> None:
        prev = self.showing
        seconds = item.pages[page] if 0 <= page < len(item.pages) else 10.0
        if prev is not None and (prev.item.key, prev.page) == (item.key, page):
            # the same page again (a single page with nothing else to show): just restart
            prev.started, prev.ends, prev.wall = mono, mono + seconds, now
            self._mark_shown(item, page, now, reason)
            return
        if prev is not None and prev.item.id != item.id:
            self._end_proof(now)
        dur = min(item.transition_seconds, seconds / 2)
        if prev is None or transition == "cut" or dur <= 0:
            self.transition = None
        else:
            self.transition = ((prev.item.key, prev.page), transition, mono, dur)
        self.showing = _Showing(item, page, mono, mono + seconds, now)
        if item.is_alert:
            self.seen_alerts.add(item.key)
            self.alert_cursor = (item.id, page)
        elif item.id != DEFAULT_ID:
            self.rot = (item.id, page, item.order)
            self.rot_done = False
        self._mark_shown(item, page, now, reason)

    def _mark_shown(self, item: Item, page: int, now: datetime, reason: str) -> None:
        if self._proof is None or self._proof.item.id != item.id:
            self._proof = _Proof(item, now)
        if page + 1 not in self._proof.pages:
            self._proof.pages.append(page + 1)
        self.events.append(PageShown(item, page, now, reason))

    def _end_proof(self, now: datetime) -> None:
        proof = self._proof
        if proof is None:
            return
        self._proof = None
        if proof.item.id == DEFAULT_ID:
            return
        self.events.append(
            ProofRecord(
                entry_id=proof.item.id,
                title=proof.item.title,
                kind=proof.item.kind,
                start=proof.start,
                end=now,
                pages_shown=tuple(proof.pages),
                page_count=len(proof.item.pages),
            )
        )

    def close(self, now: datetime) -> None:
        """The player stops: finish the open proof record."""
        self._end_proof(now)

    def _view(self, mono: float) -> View:
        cur = self.showing
        if cur is None:
            return View(black=False, paused=self.paused)
        key = (cur.item.key, cur.page)
        if self.transition is not None:
            prev_key, kind, t0, dur = self.transition
            progress = (mono - t0) / dur if dur > 0 else 1.0
            if progress >= 1.0:
                self.transition = None
            else:
                return View(
                    black=False,
                    key=key,
                    item=cur.item,
                    page=cur.page,
                    prev_key=prev_key,
                    transition=kind,
                    progress=max(0.0, progress),
                    paused=self.paused,
                )
        return View(black=False, key=key, item=cur.item, page=cur.page, paused=self.paused)


def with_key(item: Item, key: str) -> Item:
    return replace(item, key=key)
