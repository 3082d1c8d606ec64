"""The frame loop driven frame by frame with a fake clock (no sleeping, no screen)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pygame
import pytest

from kiosk.atomic import write_json_atomic
from kiosk.clock import FakeClock
from kiosk.player.shell import Options, Player
from tests.player_doubles import HEADER_H, TICKER_H, FlatKit, colour, sources

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 30, 9, 0, 0, tzinfo=TZ)
SIZE = (320, 240)
CENTRE = (160, 120)

PLAYLIST = """
entries:
  - {id: a, body: "one---two"}
  - {id: b, body: "only", transition: push}
  - {id: c, body: "x", transition: cut}
"""
TICKER_PLAYLIST = PLAYLIST + 'ticker: ["办事大厅 8:30 开门"]\nspeed: 90\n'


class Rig:
    def __init__(self, tmp_path: Path, playlist: str = PLAYLIST, kit: FlatKit | None = None):
        pygame.init()
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.path = tmp_path / "playlist.yaml"
        self.path.write_text(playlist, encoding="utf-8")
        self.state = tmp_path / "state"
        self.clock = FakeClock(T0)
        self.canvas = pygame.Surface(SIZE)
        self.presented: list[Sequence[tuple[int, int, int, int]] | None] = []
        self.sources, self.kit, self.sched = sources(SIZE, kit)
        self.player = Player(
            clock=self.clock,
            canvas=self.canvas,
            sources=self.sources,
            playlist_path=str(self.path),
            state_dir=str(self.state),
            present=self.presented.append,
            options=Options(threaded=False),
        )
        self.player.start()
        self.sleeps: list[float] = []
        self.frame_hook: Any = None

    def run(self, seconds: float, *, max_step: float = 1.0) -> None:
        end = self.clock.monotonic() + seconds
        while self.clock.monotonic() < end - 1e-9:
            s = self.player.frame()
            self.sleeps.append(s)
            if self.frame_hook:
                self.frame_hook()
            self.clock.advance(min(max(s, 1 / 60), max_step, end - self.clock.monotonic()))
        self.sleeps.append(self.player.frame())

    def pixel(self, at: tuple[int, int] = CENTRE) -> tuple[int, int, int]:
        c = self.canvas.get_at(at)
        return (c.r, c.g, c.b)

    def showing(self) -> tuple[str, int]:
        cur = self.player.engine.current() if self.player.engine else None
        assert cur is not None
        return (cur[0].id, cur[1])

    def status(self) -> dict[str, Any]:
        return dict(json.loads((self.state / "status.json").read_text()))

    def touch_playlist(self, text: str) -> None:
        self.path.write_text(text, encoding="utf-8")


@pytest.fixture
def rig(tmp_path: Path) -> Rig:
    return Rig(tmp_path)


def test_pages_rotate_in_playlist_order_and_each_shows_its_own_pixels(rig: Rig) -> None:
    seen = []
    rig.run(1.0)
    for _ in range(5):
        seen.append((rig.showing(), rig.pixel()))
        rig.run(10.0)
    assert [s for s, _ in seen] == [("a", 0), ("a", 1), ("b", 0), ("c", 0), ("a", 0)]
    assert seen[0][1] == colour("a#0") and seen[1][1] == colour("a#1")


def test_no_presented_frame_is_blank_or_half_drawn_at_a_switch(rig: Rig) -> None:
    known = {colour(n) for n in ("a#0", "a#1", "b#0", "c#0")}
    seen: list[tuple[int, int, int]] = []

    def check() -> None:
        if rig.presented and rig.presented[-1] is not None:
            seen.append(rig.pixel((5, 150)))

    rig.frame_hook = check
    rig.run(45.0, max_step=1 / 60)
    pure = [p for p in seen if p in known]
    blended = [p for p in seen if p not in known]
    assert pure
    # fade frames blend two page colours; none is black or the header grey
    assert (0, 0, 0) not in blended and (128, 128, 128) not in blended


def test_a_fade_blends_the_two_pages_over_the_transition(rig: Rig) -> None:
    rig.run(10.0 + 0.4, max_step=1 / 60)  # mid-fade from a#0 to a#1
    got = rig.pixel()
    old, new = colour("a#0"), colour("a#1")
    assert got not in (old, new)
    for g, o, n in zip(got, old, new, strict=True):
        assert min(o, n) - 2 <= g <= max(o, n) + 2


def test_a_push_moves_the_incoming_page_in_from_the_right(rig: Rig) -> None:
    rig.run(20.0 + 0.4, max_step=1 / 60)  # pushing from a#1 to b#0
    assert rig.pixel((2, 150)) == colour("a#1")
    assert rig.pixel((318, 150)) == colour("b#0")
    row = [rig.pixel((x, 150)) for x in range(SIZE[0])]
    k = row.index(colour("b#0"))  # one clean edge: the old page on the left, the new on the right
    assert 0 < k < SIZE[0] and row == [colour("a#1")] * k + [colour("b#0")] * (SIZE[0] - k)
    assert rig.pixel((2, 20)) == (128, 128, 128) or rig.pixel((2, 20)) != colour("a#1")


def test_while_static_only_the_clock_region_is_redrawn_once_a_second(rig: Rig) -> None:
    rig.run(2.0)
    rig.presented.clear()
    draws = rig.kit.clock_draws
    rig.run(5.0, max_step=1 / 60)
    assert rig.kit.clock_draws - draws == 5
    assert all(r == [rig.kit.clock_rect] for r in rig.presented)


def test_the_loop_sleeps_when_nothing_moves(rig: Rig) -> None:
    rig.run(3.0, max_step=1.0)
    assert min(rig.sleeps[-3:]) > 0.2


def test_the_ticker_moves_by_elapsed_time_whatever_the_frame_rate(tmp_path: Path) -> None:
    text = TICKER_PLAYLIST
    fast = Rig(tmp_path / "fast", text)
    slow = Rig(tmp_path / "slow", text)
    fast.run(3.3, max_step=1 / 60)
    slow.run(3.3, max_step=1 / 7)
    y = SIZE[1] - TICKER_H // 2
    row_fast = [fast.pixel((x, y)) for x in range(0, SIZE[0], 7)]
    row_slow = [slow.pixel((x, y)) for x in range(0, SIZE[0], 7)]
    assert row_fast == row_slow
    # and it does move
    fast.run(0.5, max_step=1 / 60)
    assert [fast.pixel((x, y)) for x in range(0, SIZE[0], 7)] != row_fast
    assert fast.presented[-1] == [fast.kit.ticker_rect] or fast.kit.clock_rect in (
        fast.presented[-1] or []
    )


def ticker_row(rig: Rig) -> list[bool]:
    """Which pixels along the ticker's middle row are ink (the double's strip is black)."""
    y = SIZE[1] - TICKER_H // 2
    return [rig.pixel((x, y)) == (0, 0, 0) for x in range(SIZE[0])]


def test_the_ticker_scrolls_the_same_pixels_per_second_at_60_24_and_5_fps(tmp_path: Path) -> None:
    speed = 90 * SIZE[1] / 1080  # px/s at a 1080 px screen, scaled to this one: 20 px/s
    rows = {}
    for fps in (60, 24, 5):
        rig = Rig(tmp_path / str(fps), TICKER_PLAYLIST)
        rig.run(3.3, max_step=1 / fps)
        first = ticker_row(rig)
        rig.run(3.0, max_step=1 / fps)
        rows[fps] = (first, ticker_row(rig))
    assert rows[60] == rows[24] == rows[5]
    # The double's strip is 200 px black then 200 px white, scrolled left by speed × time.
    offsets = []
    for row in rows[60]:
        fits = [o for o in range(400) if row == [(x + o) % 400 < 200 for x in range(SIZE[0])]]
        assert len(fits) == 1
        offsets.append(fits[0])
    assert abs(offsets[0] - 3.3 * speed) <= 1
    assert abs(offsets[1] - offsets[0] - 3.0 * speed) <= 1


def test_a_static_page_with_a_ticker_redraws_only_the_clock_and_ticker_regions(
    tmp_path: Path,
) -> None:
    rig = Rig(tmp_path, TICKER_PLAYLIST)
    rig.run(2.0, max_step=1 / 60)
    rig.presented.clear()
    draws = rig.kit.clock_draws
    rig.run(6.0, max_step=1 / 60)
    assert rig.kit.clock_draws - draws == 6  # the clock still changes once a second
    regions = {rig.kit.clock_rect, rig.kit.ticker_rect}
    rects = [r for frame in rig.presented for r in (frame or [])]
    assert rects and set(rects) <= regions
    assert rig.kit.ticker_rect in rects and rig.kit.clock_rect in rects


def test_the_ticker_band_redraws_only_its_ink_rows_and_matches_a_full_redraw() -> None:
    from kiosk.player.shell import TickerBand

    pygame.init()
    strip = pygame.Surface((300, 40))
    strip.fill((0, 0, 120))
    strip.fill((255, 255, 255), (20, 12, 100, 16))  # "text" on rows 12–27
    rect = (0, 200, 320, 40)
    scrolled = pygame.Surface(SIZE)
    band = TickerBand.prepare(strip, 50.0, rect, scrolled)
    assert band.draw(scrolled, 0, force=True) == rect
    assert band.draw(scrolled, 0, force=False) is None  # nothing moved
    for off in (7, 90, 299, 3):
        assert band.draw(scrolled, off, force=False) == (0, 212, 320, 16)
    at_once = pygame.Surface(SIZE)
    TickerBand.prepare(strip, 50.0, rect, at_once).draw(at_once, 3, force=True)
    assert pygame.image.tobytes(scrolled, "RGB") == pygame.image.tobytes(at_once, "RGB")


def test_a_cut_switches_in_one_frame_with_no_blend(rig: Rig) -> None:
    rig.run(29.5, max_step=1 / 60)
    assert rig.showing() == ("b", 0)
    seen: list[tuple[int, int, int]] = []

    def record() -> None:
        if rig.presented and rig.presented[-1]:
            seen.append(rig.pixel((5, 150)))

    rig.frame_hook = record
    rig.run(1.0, max_step=1 / 60)
    assert rig.showing() == ("c", 0)
    old, new = colour("b#0"), colour("c#0")
    assert set(seen) == {old, new}
    switch = seen.index(new)
    assert seen[:switch] == [old] * switch and seen[switch:] == [new] * (len(seen) - switch)


def write_alerts(state: Path, *alerts: dict[str, Any]) -> None:
    write_json_atomic(state / "alerts.json", {"alerts": list(alerts), "updated": T0.isoformat()})


def test_an_alert_from_the_daemon_interrupts_at_once_and_rotation_resumes(rig: Rig) -> None:
    rig.run(13.0)
    assert rig.showing() == ("a", 1)
    expires = (T0 + timedelta(minutes=2)).isoformat()
    write_alerts(rig.state, {"id": "fire", "level": "red", "title": "火灾预警", "expires": expires})
    rig.run(1.5)
    assert rig.showing() == ("alert:fire", 0)
    assert rig.pixel() == colour("alert:fire#0")
    assert rig.status()["state"] == "alert"
    rig.run(60.0)
    assert rig.showing() == ("alert:fire", 0)
    rig.run(50.0)  # expired at T0+120 s
    assert rig.showing() == ("a", 1)
    assert rig.pixel() == colour("a#1")


def test_a_withdrawn_alert_leaves_the_screen_within_a_second(rig: Rig) -> None:
    write_alerts(rig.state, {"id": "w", "level": "orange", "title": "大风"})
    rig.run(2.0)
    assert rig.showing() == ("alert:w", 0)
    write_alerts(rig.state)
    rig.run(1.5)
    assert rig.showing()[0] == "a"


def test_a_broken_playlist_is_not_applied_and_is_reported_once(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="kiosk.player")
    rig.run(3.0)
    rig.touch_playlist("entries: [ {id: a, body: ")  # broken YAML
    rig.run(30.0)
    rig.touch_playlist("entries: [ {id: a, body: ")  # touched again, same error
    rig.run(30.0)
    assert rig.showing()[0] in {"a", "b", "c"}
    invalid = [r for r in caplog.records if r.getMessage().startswith("playlist.invalid")]
    assert len(invalid) == 1
    st = rig.status()
    assert st["last_reload_error"] and "playlist.yaml" in st["last_reload_error"]
    rig.touch_playlist("entries:\n  - {id: z, body: fixed}\n")
    rig.run(12.0)
    assert rig.showing() == ("z", 0)
    assert rig.status()["last_reload_error"] is None


def test_an_edited_playlist_is_applied_at_the_next_slide_boundary(rig: Rig) -> None:
    rig.run(2.0)
    rig.touch_playlist("entries:\n  - {id: a, body: one page now}\n  - {id: n, body: new}\n")
    rig.run(2.0)
    assert rig.showing() == ("a", 0)  # not in the middle of a page
    rig.run(7.0)
    assert rig.showing() == ("n", 0)  # the edited a has one page now


def test_a_sync_that_found_nothing_new_still_moves_the_content_updated_date(rig: Rig) -> None:
    """内容更新于 is the last successful sync: an unchanged nightly sync writes only
    state.json (no new generation), and the footer must follow it."""
    from dataclasses import replace

    from kiosk.player.loader import StoreSnapshot

    success = [T0 - timedelta(days=3)]
    rig.player.sources = replace(
        rig.sources, read_store=lambda d: StoreSnapshot(1, (), success[0], 1)
    )
    rig.player.command("reload")
    rig.run(2.0)
    assert rig.player.loaded is not None and rig.player.loaded.updated == date(2026, 11, 27)
    success[0] = T0
    write_json_atomic(rig.state / "state.json", {"last_success_at": T0.isoformat()})
    rig.run(12.0)
    assert rig.player.loaded.updated == date(2026, 11, 30)


def test_a_corrupt_image_is_skipped_with_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    caplog.set_level(logging.ERROR, logger="kiosk.player")
    playlist = """
entries:
  - {id: a, body: x}
  - {id: pic, kind: image, file: bad.png}
  - {id: c, body: y}
"""
    rig = Rig(tmp_path, playlist)
    shown = set()
    for _ in range(60):
        rig.run(2.0)
        shown.add(rig.showing()[0])
    assert shown == {"a", "c"}
    failed = [r for r in caplog.records if "entry=pic" in r.getMessage()]
    assert len(failed) == 1
    assert "pic" in rig.status()["entry_errors"]


def test_an_entry_whose_layout_fails_is_left_out_and_the_rest_plays(tmp_path: Path) -> None:
    rig = Rig(tmp_path, kit=FlatKit(SIZE, fail_layout={"b"}))
    seen = set()
    for _ in range(8):
        rig.run(10.0)
        seen.add(rig.showing()[0])
    assert seen == {"a", "c"}
    assert "b" in rig.status()["entry_errors"]


def test_with_nothing_scheduled_the_calm_default_slide_shows(rig: Rig) -> None:
    rig.sched.off.update({"a", "b", "c"})
    rig.run(11.0)
    assert rig.showing() == ("_default", 0)
    assert rig.pixel() == colour("default")
    assert rig.status()["state"] == "default"


def test_power_off_draws_black_and_idles_and_power_on_resumes_at_once(rig: Rig) -> None:
    rig.run(12.0)
    page = rig.showing()
    write_json_atomic(rig.state / "power.json", {"state": "off", "reason": "下班", "since": None})
    rig.run(2.0)
    assert rig.pixel() == (0, 0, 0) and rig.pixel((5, 5)) == (0, 0, 0)
    rig.presented.clear()
    rig.run(600.0)
    assert rig.presented == []  # nothing drawn while off
    assert rig.status()["state"] == "power_off"
    write_json_atomic(rig.state / "power.json", {"state": "on", "reason": "上班"})
    rig.run(1.1)
    assert rig.showing() == page and rig.pixel() == colour(f"{page[0]}#{page[1]}")


def test_stray_keys_do_nothing_and_quit_needs_a_deliberate_combination(rig: Rig) -> None:
    before = rig.showing()
    for name in ("escape", "q", "x", "f4", "return"):
        rig.player.key(name, set(), True)
        rig.player.key(name, set(), False)
    rig.player.key("q", {"alt"}, True)
    rig.player.key("q", {"alt"}, False)
    rig.run(0.5)
    assert not rig.player.quit_requested and rig.showing() == before
    rig.player.key("q", {"ctrl", "alt"}, True)
    assert rig.player.quit_requested


def test_holding_q_for_three_seconds_quits(rig: Rig) -> None:
    rig.player.key("q", set(), True)
    rig.run(2.5, max_step=0.1)
    assert not rig.player.quit_requested
    rig.run(0.6, max_step=0.1)
    assert rig.player.quit_requested


def test_staff_keys_step_pages_and_pause(rig: Rig) -> None:
    rig.player.key("right", set(), True)
    rig.run(0.1)
    assert rig.showing() == ("a", 1) and rig.pixel() == colour("a#1")
    rig.player.key("left", set(), True)
    rig.run(0.1)
    assert rig.showing() == ("a", 0)
    rig.player.key("space", set(), True)
    rig.run(60)
    assert rig.showing() == ("a", 0) and rig.status()["state"] == "paused"
    rig.player.key("space", set(), True)
    rig.run(10.5)
    assert rig.showing() == ("a", 1)


def test_status_json_tells_what_is_on_screen(rig: Rig) -> None:
    rig.run(12.0)
    st = rig.status()
    assert st["entry"] == "a" and st["page"] == 2 and st["pages"] == 2
    assert st["playlist"] == str(rig.path)
    assert st["frames"] > 0 and st["state"] == "playing"
    assert datetime.fromisoformat(st["heartbeat"]) >= T0 + timedelta(seconds=10)
    assert datetime.fromisoformat(st["since"]) == T0 + timedelta(seconds=10)


def test_proof_of_display_logs_each_showing(rig: Rig) -> None:
    rig.run(41.0)
    rig.player.close()
    lines = [json.loads(x) for x in (rig.state / "proof.jsonl").read_text().splitlines()]
    assert [(x["id"], x["pages"]) for x in lines] == [
        ("a", [1, 2]),
        ("b", [1]),
        ("c", [1]),
        ("a", [1]),
    ]
    assert lines[0]["start"] == T0.isoformat() and lines[0]["seconds"] == 20.0


def test_a_screenshot_request_is_answered_with_a_png(rig: Rig) -> None:
    rig.run(1.0)
    (rig.state / "screenshot.request").write_text("{}")
    rig.run(1.5)
    shot = rig.state / "screenshot.png"
    assert shot.exists() and not (rig.state / "screenshot.request").exists()
    img = pygame.image.load(str(shot))
    assert img.get_size() == SIZE
    c = img.get_at(CENTRE)
    assert (c.r, c.g, c.b) == colour("a#0")


def test_the_header_keeps_its_chrome_outside_the_content(rig: Rig) -> None:
    rig.run(1.0)
    assert rig.pixel((5, HEADER_H // 2)) == (128, 128, 128)


def test_a_corrupt_image_is_tried_again_after_five_minutes(tmp_path: Path) -> None:
    bad = tmp_path / "pic.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    playlist = """
entries:
  - {id: a, body: x}
  - {id: pic, kind: image, file: pic.png}
  - {id: c, body: y}
"""
    rig = Rig(tmp_path, playlist)
    t0 = rig.clock.monotonic()  # the first attempt fails at once (prerendered as next)
    rig.run(30.0)
    good = pygame.Surface((8, 8))
    good.fill((1, 2, 3))
    pygame.image.save(good, str(bad))  # repaired, but the player does not watch media files
    shown = set()
    while rig.clock.monotonic() - t0 < 290.0:
        rig.run(2.0)
        shown.add(rig.showing()[0])
    assert "pic" not in shown
    while rig.clock.monotonic() - t0 < 340.0:
        rig.run(2.0)
        shown.add(rig.showing()[0])
    assert "pic" in shown


def test_the_r_key_reloads_the_playlist_at_once(rig: Rig) -> None:
    rig.run(2.0)
    rig.touch_playlist("entries:\n  - {id: n, body: new}\n")
    rig.player.key("r", set(), True)
    rig.player.key("r", set(), False)
    rig.run(1.5)
    assert rig.showing() == ("n", 0)  # not waiting for a#0's ten seconds to end
    assert rig.pixel() == colour("n#0")


def test_a_broken_playlist_shows_in_kiosk_status_while_the_last_good_one_plays(rig: Rig) -> None:
    import io

    from kiosk.cli import Environment, main

    rig.run(3.0)
    rig.touch_playlist("entries:\n  - {id: a, body: [unclosed\n")
    rig.run(25.0)
    assert rig.showing() in {("a", 1), ("b", 0)}  # still the good playlist's rotation
    out = io.StringIO()
    main(["status", "--state-dir", str(rig.state)], Environment(stdout=out, stderr=io.StringIO()))
    line = next(ln for ln in out.getvalue().splitlines() if "[last_reload_error]" in ln)
    assert "playlist.yaml" in line and "加载错误" in line


def test_with_the_ticker_moving_pages_keys_and_state_files_are_still_noticed_on_time(
    tmp_path: Path,
) -> None:
    rig = Rig(tmp_path, TICKER_PLAYLIST)
    rig.run(9.9, max_step=1 / 60)
    assert rig.showing() == ("a", 0)
    rig.run(0.2, max_step=1 / 60)
    assert rig.showing() == ("a", 1)  # the page boundary at 10 s, to the frame
    rig.player.key("right", set(), True)
    rig.run(1 / 60, max_step=1 / 60)
    assert rig.showing() == ("b", 0)  # a key is acted on in the next frame
    write_json_atomic(rig.state / "power.json", {"state": "off", "reason": "下班"})
    rig.run(1.1, max_step=1 / 60)
    assert rig.pixel() == (0, 0, 0)  # state files within the poll second
