"""The frame loop: the imperative shell around :class:`kiosk.player.engine.Engine`.

Per frame it (1) polls the state files at most once a second, (2) collects finished background
jobs (loads, renders), (3) asks the engine what to show, (4) draws only what changed — a
pre-rendered page blit on a switch, the clock region once a second, the ticker strip while it
moves — and (5) says how long it may sleep. It never renders slide text; the clock's few
characters once a second are the only text drawn here.

The caller owns the display: it passes the canvas surface and a ``present(rects)`` callable
(``pygame.display.update`` or a rotating presenter). Tests pass an off-screen surface and a
:class:`~kiosk.clock.FakeClock`.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.atomic import write_atomic, write_json_atomic
from kiosk.clock import Clock
from kiosk.player import motion
from kiosk.player.engine import DEFAULT_ID, Engine, PageKey, PageShown, ProofRecord, View
from kiosk.player.keys import KeyMap
from kiosk.player.kit import ClockBusy, Rect, SlideKit
from kiosk.player.loader import (
    Loaded,
    PlaylistInvalid,
    Sources,
    calm_program,
    lay_out_alerts,
    load_program,
)
from kiosk.player.proof import ProofLog
from kiosk.player.statefiles import POWER_ON, PowerState, StateFileError, parse_alerts, parse_power
from kiosk.player.status import STATUS_FILE
from kiosk.player.worker import Worker

log = logging.getLogger("kiosk.player")

POLL_S = 1.0  # state files are looked at once a second
STATUS_S = 10.0  # status.json heartbeat
RETRY_S = 300.0  # entries that failed to lay out are tried again after this
CACHE_PAGES = 3  # full-screen surfaces kept: current, next, outgoing (8 MiB each at 1080p)
MAX_IDLE_SLEEP_S = 0.25  # keys are read at least this often


def stat_signature(path: str | os.PathLike[str]) -> tuple[Any, ...] | None:
    """What identifies a file's version: inode, size, mtime (and the link target)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    target = None
    if os.path.islink(path):
        try:
            target = os.readlink(path)
        except OSError:
            target = None
    return (st.st_ino, st.st_size, st.st_mtime_ns, target)


@dataclass
class TickerBand:
    """The ticker, pre-rendered for the frame loop: the strip (one period of the text and its
    gap) laid out twice over in the canvas's pixel format, so a frame is a single blit of a
    window of it — no clipping, no format conversion, nothing under it to redraw.

    Between frames only the rows that hold ink change (the band's colour above and below the
    text never moves), so a scrolling frame redraws just those rows: ``ink`` is their
    ``(top, height)`` within the strip. A full redraw (page switch) copies the whole band.
    """

    surface: Any
    period: int
    speed: float
    rect: Rect
    ink: tuple[int, int]
    drawn_offset: int | None = None

    @classmethod
    def prepare(cls, strip: Any, speed: float, rect: Rect, canvas: Any) -> TickerBand:
        import pygame

        _x, _y, w, h = rect
        period = max(1, strip.get_width())
        band = pygame.Surface((period + w, h), 0, canvas)
        bg = strip.get_at((period - 1, 0))
        band.fill(bg)
        sx = 0
        while sx < period + w:
            band.blit(strip, (sx, 0))
            sx += period
        ink = pygame.mask.from_threshold(band, bg, (1, 1, 1, 255))
        ink.invert()
        boxes = ink.get_bounding_rects()
        if boxes:
            top = min(b.top for b in boxes)
            bottom = max(b.bottom for b in boxes)
            rows = (top, bottom - top)
        else:
            rows = (0, 0)
        return cls(band, period, speed, rect, rows)

    def draw(self, canvas: Any, offset: int, *, force: bool) -> Rect | None:
        """Put the band scrolled by ``offset`` on ``canvas``; returns the rectangle changed
        (``None`` when nothing did)."""
        x, y, w, h = self.rect
        if force:
            canvas.blit(self.surface, (x, y), (offset, 0, w, h))
            self.drawn_offset = offset
            return self.rect
        if offset == self.drawn_offset or self.ink[1] == 0:
            return None
        top, rows = self.ink
        canvas.blit(self.surface, (x, y + top), (offset, top, w, rows))
        self.drawn_offset = offset
        return (x, y + top, w, rows)


@dataclass
class Options:
    fps: int = 60
    poll_s: float = POLL_S
    status_s: float = STATUS_S
    thumb_every_s: float | None = None  # small periodic screenshot (state dir thumb.png)
    thumb_width: int = 480
    threaded: bool = True
    cache_pages: int = CACHE_PAGES
    driver: str = ""
    max_idle_s: float = MAX_IDLE_SLEEP_S  # longest sleep (how quickly keys are noticed)


class Player:
    def __init__(
        self,
        *,
        clock: Clock,
        canvas: Any,
        sources: Sources,
        playlist_path: str,
        state_dir: str,
        present: Callable[[Sequence[Rect] | None], None] | None = None,
        options: Options | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.clock = clock
        self.canvas = canvas
        self.sources = sources
        self.playlist_path = playlist_path
        self.state_dir = Path(state_dir)
        self.present = present or (lambda rects: None)
        self.opt = options or Options()
        self.notify = notify or (lambda msg: None)
        self.worker = Worker(threaded=self.opt.threaded)
        self.keys = KeyMap()
        self.proof = ProofLog(self.state_dir)
        self.quit_requested = False

        self.serial = 0
        self.loaded: Loaded | None = None
        self.pending_loaded: dict[int, Loaded] = {}
        self.arts: dict[PageKey, tuple[SlideKit, Any]] = {}
        self.cache: OrderedDict[PageKey, Any] = OrderedDict()
        self.render_failed: set[PageKey] = set()
        self.ticker: TickerBand | None = None
        self.ticker_cache: dict[str, Any] = {}
        self.alert_serial = 0
        self.power = POWER_ON
        self.last_error: str | None = None
        self.last_reload: datetime | None = None
        self.entry_errors: dict[str, str] = {}
        self.file_errors: dict[str, str] = {}
        self.engine: Engine | None = None

        self._sigs: dict[str, tuple[Any, ...] | None] = {}
        self._next_poll = 0.0
        self._next_status = 0.0
        self._next_thumb: float | None = None
        self._retry_at: float | None = None
        self._manual_reload = False
        self._load_day: Any = None
        self._drawn_key: PageKey | None = None
        self._drawn_black = False
        self._drawn_clock: object = None
        self._clock_failed = False
        self._clock_surf: Any = None
        self._clock_retry = False
        self._drawn_view_key: PageKey | None = None
        self._in_transition = False
        self._force_full = True
        self._shot_pending = False
        # While a static page shows and only the ticker moves, frames up to this monotonic
        # time draw the ticker and nothing else (see _calm_frame).
        self._calm_until: float | None = None
        self._calm_view: View | None = None
        self.frames = 0
        self.changes = 0  # pages put on screen
        self.proof_records = 0
        self._fps_mark = (0.0, 0)
        self.fps = 0.0
        self.started = clock.now()
        self._t0 = clock.monotonic()
        self._status_dirty = True
        self.first_frame_at: float | None = None
        # benchmarks: called after each frame with the view and perf_counter at its start
        self.frame_timer: Callable[[View, float], None] | None = None

    # ------------------------------------------------------------------ start / stop

    def start(self) -> None:
        """Load the playlist (synchronously: nothing is on screen yet) and draw frame one."""
        now, mono = self.clock.now(), self.clock.monotonic()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._poll_power()
        loaded = self._load_now(now)
        self._install(loaded, now)
        assert self.loaded is not None
        self.engine = Engine(self.loaded.program, now, mono)
        self.engine.set_power(self.power.on, now, mono)
        self._remember_signatures()
        self._poll_alerts(now, sync=True)
        self._next_poll = mono + self.opt.poll_s
        # render what the first frame needs before it is due
        for key in self.engine.wanted(now, mono)[:2]:
            self._render_into_cache(key, now)
        self.frame()
        self.first_frame_at = self.clock.monotonic()
        self.notify("READY=1")

    def settle(self) -> None:
        """Draw the current page in full, as if a running transition had finished (used for
        the exit screenshot of ``kiosk play --screenshot``)."""
        assert self.engine is not None
        cur = self.engine.current()
        if cur is None or not self.power.on:
            return
        key = (cur[0].key, cur[1])
        if key not in self.cache:
            return
        view = View(black=False, key=key, item=cur[0], page=cur[1], paused=self.engine.paused)
        self._force_full = True
        self._drawn_clock = None
        rects = self._draw(view, self.clock.now(), self.clock.monotonic())
        if rects:
            self.present(rects)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.close(self.clock.now())
            self._handle_events()
        self.worker.stop()
        self._write_status(force=True)

    # ------------------------------------------------------------------ loading

    def _load_now(self, now: datetime) -> Loaded:
        self.serial += 1
        try:
            loaded = load_program(
                self.sources, self.playlist_path, str(self.state_dir), now, self.serial
            )
            self._loaded_ok(loaded, now)
            return loaded
        except Exception as exc:
            self._load_failed(exc, now)
            return calm_program(self.sources.make_kit(None), now, self.serial, self.playlist_path)

    def _submit_load(self, *, manual: bool = False) -> None:
        self._manual_reload = self._manual_reload or manual
        self.serial += 1
        serial = self.serial
        now = self.clock.now()
        self.worker.submit(
            "load",
            serial,
            lambda: load_program(
                self.sources, self.playlist_path, str(self.state_dir), now, serial
            ),
            urgent=manual,
        )

    def _loaded_ok(self, loaded: Loaded, now: datetime) -> None:
        if self.last_error is not None:
            log.info("playlist.ok path=%s", self.playlist_path)
        self.last_error = None
        self.last_reload = now
        self._load_day = now.date()
        for msg in loaded.warnings:
            log.warning("playlist.warning %s", msg)
        for eid, err in loaded.entry_errors.items():
            if self.entry_errors.get(eid) != err:
                log.error("player.entry_failed entry=%s error=%s", eid, err)
        self.entry_errors = dict(loaded.entry_errors)
        mono = self.clock.monotonic()
        self._retry_at = mono + RETRY_S if loaded.entry_errors else None
        self._status_dirty = True

    def _load_failed(self, exc: BaseException, now: datetime) -> None:
        msg = str(exc) if isinstance(exc, PlaylistInvalid) else f"{type(exc).__name__}: {exc}"
        if msg != self.last_error:
            key = "playlist.invalid" if isinstance(exc, PlaylistInvalid) else "playlist.load_failed"
            log.error("%s %s", key, msg)
        self.last_error = msg
        self.last_reload = now
        self._load_day = now.date()
        self._status_dirty = True

    def _install(self, loaded: Loaded, now: datetime) -> None:
        """Register a program's pages with the cache and make its ticker strip."""
        self.loaded = loaded
        for key, art in loaded.arts.items():
            self.arts[key] = (loaded.kit, art)
        self.ticker = None
        if loaded.ticker_text:
            strip = self.ticker_cache.get(loaded.ticker_text)
            if strip is None:
                try:
                    strip = loaded.kit.ticker_strip(loaded.ticker_text)
                except Exception as exc:
                    log.error("player.ticker_failed error=%s", exc)
                    strip = None
                self.ticker_cache = {loaded.ticker_text: strip} if strip is not None else {}
            if strip is not None:
                speed = motion.ticker_speed(loaded.ticker_speed, self.canvas.get_height())
                self.ticker = TickerBand.prepare(strip, speed, loaded.kit.ticker_rect, self.canvas)
        self._force_full = True

    # ------------------------------------------------------------------ polling

    def _remember_signatures(self) -> None:
        for name, path in self._watched().items():
            self._sigs[name] = stat_signature(path)

    def _watched(self) -> dict[str, str]:
        return {
            "playlist": self.playlist_path,
            "current": str(self.state_dir / "current"),
            # the sync's record: a nightly sync that finds nothing new changes no generation
            # but moves the last success, which the footer shows as 内容更新于
            "sync_state": str(self.state_dir / "state.json"),
            "power": str(self.state_dir / "power.json"),
            "alerts": str(self.state_dir / "alerts.json"),
        }

    def _changed(self, name: str, path: str) -> bool:
        sig = stat_signature(path)
        if sig != self._sigs.get(name):
            self._sigs[name] = sig
            return True
        return False

    def _poll(self, now: datetime, mono: float) -> None:
        w = self._watched()
        reload = self._changed("playlist", w["playlist"]) | self._changed("current", w["current"])
        reload |= self._changed("sync_state", w["sync_state"])
        if self._load_day is not None and now.date() != self._load_day:
            reload = True  # layouts show dates and days left of publicity periods
        if self._retry_at is not None and mono >= self._retry_at:
            self._retry_at = None
            reload = True
        if reload:
            self._submit_load()
        if self._changed("power", w["power"]):
            self._poll_power()
            assert self.engine is not None
            self.engine.set_power(self.power.on, now, mono)
        if self._changed("alerts", w["alerts"]):
            self._poll_alerts(now)
        if (self.state_dir / "screenshot.request").exists():
            self._shot_pending = True

    def _read_state_file(self, name: str) -> bytes | None:
        try:
            return (self.state_dir / name).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._file_error(name, str(exc))
            return None

    def _file_error(self, name: str, msg: str | None) -> None:
        if msg is None:
            if self.file_errors.pop(name, None) is not None:
                log.info("player.state_file_ok file=%s", name)
            return
        if self.file_errors.get(name) != msg:
            log.error("player.state_file_invalid file=%s error=%s", name, msg)
        self.file_errors[name] = msg

    def _poll_power(self) -> None:
        data = self._read_state_file("power.json")
        state: PowerState = POWER_ON
        if data is not None:
            try:
                state = parse_power(data)
                self._file_error("power.json", None)
            except StateFileError as exc:
                self._file_error("power.json", str(exc))  # unreadable: keep the screen on
        if state.on != self.power.on:
            log.info("player.power state=%s reason=%s", "on" if state.on else "off", state.reason)
        self.power = state
        self._status_dirty = True

    def _poll_alerts(self, now: datetime, *, sync: bool = False) -> None:
        data = self._read_state_file("alerts.json")
        entries = []
        if data is not None:
            try:
                entries = parse_alerts(data, self.clock.tz)
                self._file_error("alerts.json", None)
            except StateFileError as exc:
                self._file_error("alerts.json", str(exc))
                return  # keep the alerts we have
        assert self.loaded is not None
        kit = self.loaded.kit
        self.alert_serial += 1
        serial = self.alert_serial

        def job() -> Any:
            return lay_out_alerts(entries, kit, now, serial)

        if sync:
            self._alerts_ready(job(), kit)
        else:
            self.worker.submit("alerts", serial, job, urgent=True)

    def _alerts_ready(self, result: Any, kit: SlideKit) -> None:
        items, arts, errors = result
        for key, art in arts.items():
            self.arts[key] = (kit, art)
        for aid, err in errors.items():
            log.error("player.alert_failed alert=%s error=%s", aid, err)
        assert self.engine is not None
        old = {a.id for a in self.engine.external_alerts}
        new = {a.id for a in items}
        for a in items:
            if a.id not in old:
                log.info("player.alert id=%s level=%s title=%s", a.id, a.level, a.title)
        for aid in old - new:
            log.info("player.alert_end id=%s", aid)
        self.engine.set_alerts(items)
        self._status_dirty = True

    # ------------------------------------------------------------------ background results

    def _collect(self, now: datetime, mono: float) -> None:
        assert self.engine is not None
        for done in self.worker.results():
            if done.tag == "load":
                if done.arg != self.serial:
                    continue  # superseded by a newer load
                if done.error is not None:
                    self._load_failed(done.error, now)
                    self._manual_reload = False
                    continue
                loaded: Loaded = done.value
                self._loaded_ok(loaded, now)
                self.pending_loaded[loaded.program.serial] = loaded
                for k, art in loaded.arts.items():
                    self.arts[k] = (loaded.kit, art)
                self.engine.offer_program(loaded.program, immediate=self._manual_reload)
                self._manual_reload = False
                log.info(
                    "playlist.loaded path=%s entries=%d generation=%s",
                    self.playlist_path,
                    len(loaded.program.items),
                    loaded.generation,
                )
            elif done.tag == "alerts":
                if done.error is not None:
                    log.error("player.alerts_failed error=%s", done.error)
                elif done.arg == self.alert_serial and self.loaded is not None:
                    self._alerts_ready(done.value, self.loaded.kit)
            elif done.tag == "render":
                key: PageKey = done.arg
                if done.error is not None or done.value is None:
                    self._render_failed(key, done.error, mono)
                else:
                    self.cache[key] = done.value
                    self.cache.move_to_end(key)

    def _render_failed(self, key: PageKey, error: BaseException | None, mono: float) -> None:
        assert self.engine is not None
        item_id = key[0].split(":", 1)[1]
        if key not in self.render_failed:
            log.error("player.entry_failed entry=%s page=%d error=%s", item_id, key[1] + 1, error)
        self.render_failed.add(key)
        self.entry_errors[item_id] = f"{type(error).__name__}: {error}"
        self.engine.mark_failed(item_id, mono)
        self._status_dirty = True

    # ------------------------------------------------------------------ rendering pages

    def _render_page(self, kit: SlideKit, art: Any, now: datetime, updated: Any) -> Any:
        """A full frame of one page on a new surface (runs in the worker thread)."""
        import pygame

        surface = pygame.Surface(self.canvas.get_size(), 0, self.canvas)
        kit.render(art, surface, now, updated)
        return surface

    def _render_job(self, key: PageKey, now: datetime) -> Callable[[], Any]:
        kit, art = self.arts[key]  # looked up here, on the frame loop's thread
        updated = self.loaded.updated if self.loaded is not None else None
        return lambda: self._render_page(kit, art, now, updated)

    def _render_into_cache(self, key: PageKey, now: datetime) -> None:
        if key in self.cache or key not in self.arts:
            return
        try:
            self.cache[key] = self._render_job(key, now)()
        except Exception as exc:
            self._render_failed(key, exc, self.clock.monotonic())

    def _request_pages(self, wanted: list[PageKey], now: datetime) -> None:
        for key in wanted:
            if key in self.cache or key not in self.arts:
                continue
            if key in self.render_failed and not self._retry_due(key):
                continue
            self.render_failed.discard(key)
            self.worker.submit("render", key, self._render_job(key, now))

    def _retry_due(self, key: PageKey) -> bool:
        assert self.engine is not None
        item_id = key[0].split(":", 1)[1]
        return item_id not in self.engine.failed

    def _follow_program(self, now: datetime) -> None:
        """When the engine has switched to a newly loaded program, draw with its kit and
        ticker from now on."""
        assert self.engine is not None
        serial = self.engine.program.serial
        if self.loaded is not None and self.loaded.program.serial != serial:
            new = self.pending_loaded.pop(serial, None)
            if new is not None:
                self._install(new, now)

    def _ready(self, key: PageKey) -> bool:
        return key in self.cache

    def _trim(self, keep: set[PageKey]) -> None:
        while len(self.cache) > self.opt.cache_pages:
            victim = next((k for k in self.cache if k not in keep), None)
            if victim is None:
                break
            del self.cache[victim]
        # forget the layouts of programs that are neither current nor pending
        assert self.engine is not None
        live = {self.engine.program.serial}
        if self.engine.pending is not None:
            live.add(self.engine.pending.serial)
        for s in list(self.pending_loaded):
            if s not in live:
                del self.pending_loaded[s]
        prefixes = {str(s) for s in live} | {f"a{self.alert_serial}"}
        stale = [k for k in self.arts if k[0].split(":", 1)[0] not in prefixes and k not in keep]
        for k in stale:
            del self.arts[k]
        for k in [k for k in self.render_failed if k not in self.arts]:
            self.render_failed.discard(k)

    # ------------------------------------------------------------------ input

    def key(self, name: str, mods: set[str], down: bool) -> None:
        self._calm_until = None
        mono, now = self.clock.monotonic(), self.clock.now()
        cmd = self.keys.press(name, mods, mono) if down else self.keys.release(name, mono)
        if cmd is not None:
            self.command(cmd, now, mono)

    def command(self, cmd: str, now: datetime | None = None, mono: float | None = None) -> None:
        now = now or self.clock.now()
        mono = self.clock.monotonic() if mono is None else mono
        assert self.engine is not None
        self._calm_until = None
        log.info("player.key command=%s", cmd)
        if cmd == "quit":
            self.quit_requested = True
        elif cmd == "reload":
            self._submit_load(manual=True)
        elif cmd == "screenshot":
            self._shot_pending = True
        elif cmd in ("next", "previous", "toggle_pause", "pause", "resume"):
            self.engine.command(cmd, now, mono)  # type: ignore[arg-type]
            self._status_dirty = True

    # ------------------------------------------------------------------ the frame

    def frame(self) -> float:
        """One iteration of the loop; returns how long the caller may sleep."""
        assert self.engine is not None
        t_begin = time.perf_counter()
        if self._calm_until is not None:
            sleep = self._calm_frame(t_begin)
            if sleep is not None:
                return sleep
        now, mono = self.clock.now(), self.clock.monotonic()
        if mono >= self._next_poll:
            self._poll(now, mono)
            self._next_poll = mono + self.opt.poll_s
        held = self.keys.poll(mono)
        if held is not None:
            self.command(held, now, mono)
        self._collect(now, mono)

        view = self.engine.update(now, mono, self._ready)
        self._follow_program(now)
        self._handle_events()
        wanted = self.engine.wanted(now, mono)
        keep = set(wanted)
        if view.key is not None:
            keep.add(view.key)
        if view.prev_key is not None:
            keep.add(view.prev_key)
        self._trim(keep)
        if view.prev_key is None or any(k not in self.cache for k in wanted[:1]):
            # prerendering waits while a transition runs: its frames have the CPU to themselves
            self._request_pages(wanted, now)

        rects = self._draw(view, now, mono)
        if rects:
            self.present(rects)
            self.frames += 1
        if self.frame_timer is not None:
            self.frame_timer(view, t_begin)
        if self._shot_pending and view.prev_key is None:
            self._shot_pending = False
            self._screenshot()
        if self.opt.thumb_every_s:
            if self._next_thumb is None:
                self._next_thumb = mono + self.opt.thumb_every_s
            elif mono >= self._next_thumb and view.prev_key is None:
                self._next_thumb = mono + self.opt.thumb_every_s
                self._thumbnail()
        self._write_status()
        return self._sleep_for(view, now, mono)

    def _handle_events(self) -> None:
        assert self.engine is not None
        for ev in self.engine.drain_events():
            if isinstance(ev, ProofRecord):
                self.proof.append(ev)
                self.proof_records += 1
            elif isinstance(ev, PageShown):
                self._status_dirty = True
                self.changes += 1
                if ev.page == 0 or ev.reason != "boundary":
                    log.info(
                        "player.show entry=%s page=%d/%d reason=%s title=%s",
                        ev.item.id,
                        ev.page + 1,
                        len(ev.item.pages),
                        ev.reason,
                        ev.item.title,
                    )
                self.notify(
                    f"STATUS=显示 {ev.item.title or ev.item.id} {ev.page + 1}/{len(ev.item.pages)}"
                )

    def _sleep_for(self, view: View, now: datetime, mono: float) -> float:
        assert self.engine is not None
        frame_s = 1.0 / max(1, self.opt.fps)
        if view.black:
            waits = [self._next_poll - mono]
        elif view.prev_key is not None:
            return frame_s
        else:
            waits = [motion.until_next_second(now), self._next_poll - mono]
            wake = self.engine.wake_in(now, mono)
            if wake is not None:
                waits.append(wake)
        k = self.keys.wake_in(mono)
        if k is not None:
            waits.append(k)
        busy = self.worker.pending() or self._clock_retry
        if busy:
            waits.append(frame_s)
        self._calm_until = None
        if not view.black and self.ticker is not None and self._ticker_on(view):
            step = max(frame_s, motion.ticker_step_in(mono - self._t0, self.ticker.speed))
            if not busy and not self._shot_pending and not self._status_dirty:
                # Until anything else is due, frames only move the ticker.
                due = [*waits, self._next_status - mono]
                if self._next_thumb is not None:
                    due.append(self._next_thumb - mono)
                self._calm_until = mono + min(due)
                self._calm_view = view
            waits.append(step)
        return max(0.0, min(min(waits), self.opt.max_idle_s))

    def _calm_frame(self, t_begin: float) -> float | None:
        """A frame while only the ticker moves: its strip is the only thing drawn and nothing
        else is looked at (polls, the engine, the clock and status are due later). Returns
        the sleep, or ``None`` when the calm is over and a full frame must run."""
        mono = self.clock.monotonic()
        view = self._calm_view
        band = self.ticker
        if self._calm_until is None or mono >= self._calm_until or view is None or band is None:
            self._calm_until = None
            return None
        rect = self._draw_ticker(view, mono, force=False)
        if rect is not None:
            self.present([rect])
            self.frames += 1
        if self.frame_timer is not None:
            self.frame_timer(view, t_begin)
        frame_s = 1.0 / max(1, self.opt.fps)
        step = max(frame_s, motion.ticker_step_in(mono - self._t0, band.speed))
        return max(0.0, min(step, self._calm_until - mono, self.opt.max_idle_s))

    # ------------------------------------------------------------------ drawing

    def _kit(self) -> SlideKit | None:
        return self.loaded.kit if self.loaded is not None else None

    def _ticker_on(self, view: View) -> bool:
        return view.item is not None and not view.item.is_alert

    def _draw(self, view: View, now: datetime, mono: float) -> list[Rect]:
        canvas = self.canvas
        full = (0, 0, *canvas.get_size())
        if view.black:
            if self._drawn_black:
                return []
            canvas.fill((0, 0, 0))
            self._drawn_black = True
            self._drawn_key = None
            return [full]
        self._drawn_black = False
        if view.key is None or view.key not in self.cache:
            return []
        page = self.cache[view.key]
        kit = self._kit()
        self._drawn_view_key = view.key
        if view.prev_key is not None and view.prev_key in self.cache:
            region = self._compose_transition(self.cache[view.prev_key], page, view, kit)
            self._in_transition = True
            self._force_full = False
            rects = [region]
            for r in (
                self._draw_clock(page, now, kit, force=True),
                self._draw_ticker(view, mono, force=True),
            ):
                if r is not None and region != full:
                    rects.append(r)
            self._drawn_key = None
            return rects
        if self._force_full or self._in_transition or view.key != self._drawn_key:
            canvas.blit(page, (0, 0))
            self._in_transition = False
            self._force_full = False
            self._drawn_key = view.key
            self._draw_clock(page, now, kit, force=True)
            self._draw_ticker(view, mono, force=True)
            return [full]
        rects = []
        r = self._draw_clock(page, now, kit, force=False)
        if r is not None:
            rects.append(r)
        r = self._draw_ticker(view, mono, force=False)
        if r is not None:
            rects.append(r)
        return rects

    def _compose_transition(self, old: Any, new: Any, view: View, kit: SlideKit | None) -> Rect:
        """One transition frame. When both pages carry the same frame chrome (header and
        footer), only the content region changes, so only it is composed."""
        canvas = self.canvas
        full = (0, 0, *canvas.get_size())
        framed = (
            kit is not None
            and not self._fullscreen(view.prev_key)
            and not self._fullscreen(view.key)
        )
        region = kit.content_rect if framed and kit is not None else full
        dirty = region
        if region != full and (not self._in_transition or self._force_full):
            canvas.blit(new, (0, 0))  # first frame: header and footer of the new page
            dirty = full
        x, y, w, h = region
        if view.transition == "push":
            out, _inc = motion.transition_frame("push", view.progress, w)
            shift = min(w, max(0, -out.dx))
            # each pixel once: the outgoing page's part still in view, then the incoming part
            if shift < w:
                canvas.blit(old, (x, y), (x + shift, y, w - shift, h))
            if shift > 0:
                canvas.blit(new, (x + w - shift, y), (x, y, shift, h))
            return dirty
        _, inc = motion.transition_frame(view.transition, view.progress, w)
        if inc.alpha >= 255:
            canvas.blit(new, region[:2], region)  # (surface alpha 255 is a very slow path)
            return dirty
        canvas.blit(old, region[:2], region)
        if inc.alpha > 0:
            new.set_alpha(inc.alpha)
            canvas.blit(new, region[:2], region)
            new.set_alpha(None)
        return dirty

    def _draw_clock(
        self, page: Any, now: datetime, kit: SlideKit | None, force: bool
    ) -> Rect | None:
        """The header clock: text is drawn once a second into the clock region and kept as a
        small surface, which full redraws and transition frames within that second reuse."""
        if kit is None or self._fullscreen(self._drawn_view_key):
            return None
        key_fn = getattr(kit, "clock_key", None)  # what the clock shows (e.g. HH:MM)
        ck: object = key_fn(now) if key_fn is not None else motion.clock_key(now)
        rect = kit.clock_rect
        if ck == self._drawn_clock and self._clock_surf is not None:
            if not force:
                return None
            self.canvas.blit(self._clock_surf, rect[:2])
            return rect
        try:
            kit.draw_clock(self.canvas, now)
        except ClockBusy:
            self._clock_retry = True  # the loader holds the fonts: next frame
            if self._clock_surf is not None and force:
                self.canvas.blit(self._clock_surf, rect[:2])
            return None
        except Exception as exc:  # a clock must never stop the screen
            if not self._clock_failed:
                log.error("player.clock_failed error=%s", exc)
            self._clock_failed = True
            self._drawn_clock = ck
            return None
        self._clock_retry = False
        self._clock_failed = False
        self._drawn_clock = ck
        import pygame

        if self._clock_surf is None or self._clock_surf.get_size() != rect[2:]:
            self._clock_surf = pygame.Surface(rect[2:], 0, self.canvas)
        self._clock_surf.blit(self.canvas, (0, 0), rect)
        return rect

    def _fullscreen(self, key: PageKey | None) -> bool:
        entry = self.arts.get(key) if key is not None else None
        return bool(entry is not None and getattr(entry[1], "fullscreen", False))

    def _draw_ticker(self, view: View, mono: float, *, force: bool) -> Rect | None:
        kit = self._kit()
        band = self.ticker
        if band is None or kit is None or not self._ticker_on(view):
            return None
        if band.rect != kit.ticker_rect:
            return None  # a kit of another size (cannot happen with one canvas)
        off = motion.ticker_offset(mono - self._t0, band.speed, band.period)
        return band.draw(self.canvas, off, force=force)

    # ------------------------------------------------------------------ screenshots & status

    def _png(self, surface: Any) -> bytes:
        import pygame

        buf = io.BytesIO()
        pygame.image.save(surface, buf, "png")
        return buf.getvalue()

    def _screenshot(self) -> None:
        req = self.state_dir / "screenshot.request"
        try:
            write_atomic(self.state_dir / "screenshot.png", self._png(self.canvas))
            log.info("player.screenshot path=%s", self.state_dir / "screenshot.png")
        except (OSError, ValueError) as exc:
            log.error("player.screenshot_failed error=%s", exc)
        with contextlib.suppress(FileNotFoundError):
            req.unlink()

    def _thumbnail(self) -> None:
        import pygame

        w, h = self.canvas.get_size()
        tw = min(self.opt.thumb_width, w)
        small = pygame.transform.smoothscale(self.canvas, (tw, max(1, h * tw // w)))
        try:
            write_atomic(self.state_dir / "thumb.png", self._png(small))
        except OSError as exc:
            log.error("player.thumbnail_failed error=%s", exc)

    def status_doc(self) -> dict[str, Any]:
        assert self.engine is not None
        now, mono = self.clock.now(), self.clock.monotonic()
        cur = self.engine.current()
        if not self.power.on:
            state = "power_off"
        elif self.engine.paused:
            state = "paused"
        elif cur is not None and cur[0].is_alert:
            state = "alert"
        elif cur is not None and cur[0].id == DEFAULT_ID:
            state = "default"
        elif cur is None:
            state = "starting"
        else:
            state = "playing"
        since = self.engine.since()
        loaded = self.loaded
        errors = dict(self.entry_errors)
        errors.update({f"file:{k}": v for k, v in self.file_errors.items()})
        return {
            "pid": os.getpid(),
            "started": self.started.isoformat(timespec="seconds"),
            "heartbeat": now.isoformat(timespec="seconds"),
            "state": state,
            "entry": cur[0].id if cur and self.power.on else None,
            "title": cur[0].title if cur and self.power.on else None,
            "kind": cur[0].kind if cur and self.power.on else None,
            "page": cur[1] + 1 if cur and self.power.on else None,
            "pages": len(cur[0].pages) if cur and self.power.on else None,
            "since": since.isoformat(timespec="seconds") if since and self.power.on else None,
            "playlist": self.playlist_path,
            "playlist_mtime": (
                datetime.fromtimestamp(loaded.playlist_mtime, now.tzinfo).isoformat(
                    timespec="seconds"
                )
                if loaded is not None and loaded.playlist_mtime is not None
                else None
            ),
            "content_generation": loaded.generation if loaded is not None else None,
            "program": self.engine.program.serial,
            "last_reload": (
                self.last_reload.isoformat(timespec="seconds") if self.last_reload else None
            ),
            "last_reload_error": self.last_error,
            "entry_errors": errors,
            "alerts": [a.id for a in self.engine._alerts(now)],
            "power": {"on": self.power.on, "reason": self.power.reason},
            "frames": self.frames,
            "fps": round(self.fps, 2),
            "uptime_s": round(mono - self._t0, 1),
            "size": list(self.canvas.get_size()),
            "driver": self.opt.driver,
        }

    def _write_status(self, force: bool = False) -> None:
        mono = self.clock.monotonic()
        if not force and not self._status_dirty and mono < self._next_status:
            return
        mark_t, mark_f = self._fps_mark
        if mono - mark_t >= 1.0:
            self.fps = (self.frames - mark_f) / (mono - mark_t) if mark_t else 0.0
            self._fps_mark = (mono, self.frames)
        self._status_dirty = False
        self._next_status = mono + self.opt.status_s
        try:
            # not fsynced: rewritten every few seconds, advisory, and the SD card wears
            write_json_atomic(self.state_dir / STATUS_FILE, self.status_doc(), durable=False)
        except OSError as exc:
            log.error("player.status_failed error=%s", exc)


def run_loop(
    player: Player,
    *,
    wait: Callable[[float], None],
    stop: Callable[[], bool],
    heartbeat: Callable[[], None] | None = None,
) -> None:
    """Drive ``player`` until ``stop()`` or a quit key. ``wait(seconds)`` sleeps and feeds
    input events to the player; ``heartbeat`` runs once per iteration (systemd watchdog)."""
    while not player.quit_requested and not stop():
        sleep = player.frame()
        if heartbeat is not None:
            heartbeat()
        wait(sleep)
    sys.stdout.flush()
