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
from kiosk.player.kit import Rect, SlideKit
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
CACHE_PAGES = 4  # full-screen surfaces kept (current, next, outgoing, one spare)
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
class Options:
    fps: int = 60
    poll_s: float = POLL_S
    status_s: float = STATUS_S
    thumb_every_s: float | None = None  # small periodic screenshot (state dir thumb.png)
    thumb_width: int = 480
    threaded: bool = True
    cache_pages: int = CACHE_PAGES
    driver: str = ""


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
        self.ticker: tuple[Any, float] | None = None  # (strip surface, px/s)
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
        self._drawn_clock: tuple[int, ...] | None = None
        self._in_transition = False
        self._force_full = True
        self._shot_pending = False
        self.frames = 0
        self._fps_mark = (0.0, 0)
        self.fps = 0.0
        self.started = clock.now()
        self._t0 = clock.monotonic()
        self._status_dirty = True
        self.first_frame_at: float | None = None

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
                self.ticker = (strip, speed)
        self._force_full = True

    # ------------------------------------------------------------------ polling

    def _remember_signatures(self) -> None:
        for name, path in self._watched().items():
            self._sigs[name] = stat_signature(path)

    def _watched(self) -> dict[str, str]:
        return {
            "playlist": self.playlist_path,
            "current": str(self.state_dir / "current"),
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

    def _render_page(self, key: PageKey, now: datetime) -> Any:
        import pygame

        kit, art = self.arts[key]
        updated = self.loaded.updated if self.loaded is not None else None
        surface = pygame.Surface(self.canvas.get_size(), 0, self.canvas)
        kit.render(art, surface, now, updated)
        return surface

    def _render_into_cache(self, key: PageKey, now: datetime) -> None:
        if key in self.cache or key not in self.arts:
            return
        try:
            self.cache[key] = self._render_page(key, now)
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

    def _render_job(self, key: PageKey, now: datetime) -> Callable[[], Any]:
        return lambda: self._render_page(key, now)

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
        mono, now = self.clock.monotonic(), self.clock.now()
        cmd = self.keys.press(name, mods, mono) if down else self.keys.release(name, mono)
        if cmd is not None:
            self.command(cmd, now, mono)

    def command(self, cmd: str, now: datetime | None = None, mono: float | None = None) -> None:
        now = now or self.clock.now()
        mono = self.clock.monotonic() if mono is None else mono
        assert self.engine is not None
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
        self._request_pages(wanted, now)

        rects = self._draw(view, now, mono)
        if rects:
            self.present(rects)
            self.frames += 1
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
            elif isinstance(ev, PageShown):
                self._status_dirty = True
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
            if self.ticker is not None and self._ticker_on(view):
                waits.append(max(frame_s, motion.ticker_step_in(mono - self._t0, self.ticker[1])))
        k = self.keys.wake_in(mono)
        if k is not None:
            waits.append(k)
        if self.worker.pending():
            waits.append(frame_s)
        return max(0.0, min(min(waits), MAX_IDLE_SLEEP_S))

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
        if view.prev_key is not None and view.prev_key in self.cache:
            self._compose_transition(self.cache[view.prev_key], page, view, kit)
            self._in_transition = True
            self._draw_clock(page, now, kit, force=True)
            self._draw_ticker(page, view, mono)
            self._drawn_key = None
            return [full]
        if self._force_full or self._in_transition or view.key != self._drawn_key:
            canvas.blit(page, (0, 0))
            self._in_transition = False
            self._force_full = False
            self._drawn_key = view.key
            self._draw_clock(page, now, kit, force=True)
            self._draw_ticker(page, view, mono)
            return [full]
        rects = []
        r = self._draw_clock(page, now, kit, force=False)
        if r is not None:
            rects.append(r)
        r = self._draw_ticker(page, view, mono)
        if r is not None:
            rects.append(r)
        return rects

    def _compose_transition(self, old: Any, new: Any, view: View, kit: SlideKit | None) -> None:
        canvas = self.canvas
        region = kit.content_rect if kit is not None else (0, 0, *canvas.get_size())
        if view.transition == "push":
            x, y, w, _h = region
            out, inc = motion.transition_frame("push", view.progress, w)
            canvas.blit(new, (0, 0))
            canvas.set_clip(region)
            canvas.blit(old, (x + out.dx, y), region)
            canvas.blit(new, (x + inc.dx, y), region)
            canvas.set_clip(None)
            return
        _, inc = motion.transition_frame(view.transition, view.progress, region[2])
        canvas.blit(old, (0, 0))
        new.set_alpha(inc.alpha)
        canvas.blit(new, (0, 0))
        new.set_alpha(None)

    def _draw_clock(
        self, page: Any, now: datetime, kit: SlideKit | None, force: bool
    ) -> Rect | None:
        ck = motion.clock_key(now)
        if kit is None or (not force and ck == self._drawn_clock):
            return None
        self._drawn_clock = ck
        rect = kit.clock_rect
        self.canvas.blit(page, rect[:2], rect)
        try:
            kit.draw_clock(self.canvas, now)
        except Exception as exc:  # a clock must never stop the screen
            log.error("player.clock_failed error=%s", exc)
        return rect

    def _draw_ticker(self, page: Any, view: View, mono: float) -> Rect | None:
        kit = self._kit()
        if self.ticker is None or kit is None or not self._ticker_on(view):
            return None
        strip, speed = self.ticker
        rect = kit.ticker_rect
        x, y, w, _h = rect
        sw = strip.get_width()
        off = motion.ticker_offset(mono - self._t0, speed, sw)
        canvas = self.canvas
        canvas.blit(page, (x, y), rect)
        canvas.set_clip(rect)
        sx = x - off
        while sx < x + w:
            canvas.blit(strip, (sx, y))
            sx += sw
        canvas.set_clip(None)
        return rect

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
            write_json_atomic(self.state_dir / STATUS_FILE, self.status_doc())
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
