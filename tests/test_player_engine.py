"""The player's decision core, driven step by step with explicit times (no clock, no display)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.player.engine import DEFAULT_ID, Engine, Item, PageShown, Program, ProofRecord, View

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=TZ)


def item(id: str, pages: int = 1, seconds: float = 10.0, order: int = 0, **kw: object) -> Item:
    return Item(
        id=id,
        key=f"1:{id}",
        title=f"标题 {id}",
        kind=str(kw.pop("kind", "notice")),
        pages=(seconds,) * pages,
        order=order,
        **kw,  # type: ignore[arg-type]
    )


DEFAULT = Item(id=DEFAULT_ID, key="1:_default", title="", kind="default", pages=(30.0,))


def program(*items: Item, serial: int = 1, **kw: object) -> Program:
    return Program(serial=serial, items=tuple(items), default=DEFAULT, **kw)  # type: ignore[arg-type]


class Sim:
    """Drives an engine like the player loop does, with every page always ready."""

    def __init__(self, prog: Program, ready: set[tuple[str, int]] | None = None) -> None:
        self.now = T0
        self.mono = 0.0
        self.engine = Engine(prog, self.now, self.mono)
        self.blocked: set[tuple[str, int]] = set() if ready is None else ready
        self.view: View = self.step()

    def ready(self, key: tuple[str, int]) -> bool:
        return key not in self.blocked

    def step(self) -> View:
        self.view = self.engine.update(self.now, self.mono, self.ready)
        return self.view

    def advance(self, seconds: float, frame: float = 0.125) -> View:
        end = self.mono + seconds
        while self.mono < end - 1e-9:
            dt = min(frame, end - self.mono)
            self.mono += dt
            self.now += timedelta(seconds=dt)
            self.step()
        return self.view

    def showing(self) -> tuple[str, int]:
        cur = self.engine.current()
        assert cur is not None
        return (cur[0].id, cur[1])


def test_rotation_follows_playlist_order_page_by_page_and_wraps() -> None:
    sim = Sim(program(item("a", 2, order=0), item("b", 1, order=1), item("c", 3, order=2)))
    seen = [sim.showing()]
    for _ in range(7):
        sim.advance(10.0)
        seen.append(sim.showing())
    assert seen == [("a", 0), ("a", 1), ("b", 0), ("c", 0), ("c", 1), ("c", 2), ("a", 0), ("a", 1)]


def test_each_page_stays_for_its_own_seconds() -> None:
    sim = Sim(program(item("a", 1, seconds=5, order=0), item("b", 1, seconds=20, order=1)))
    sim.advance(4.75)
    assert sim.showing() == ("a", 0)
    sim.advance(0.5)
    assert sim.showing() == ("b", 0)
    sim.advance(19.5)
    assert sim.showing() == ("b", 0)
    sim.advance(0.5)
    assert sim.showing() == ("a", 0)


def test_a_fade_runs_for_its_transition_seconds_with_rising_progress() -> None:
    sim = Sim(program(item("a", order=0), item("b", order=1)))
    sim.advance(10.0, frame=0.0625)
    v = sim.view
    assert v.key == ("1:b", 0) and v.prev_key == ("1:a", 0) and v.transition == "fade"
    p1 = v.progress
    sim.advance(0.3, frame=0.0625)
    assert sim.view.prev_key is not None and sim.view.progress > p1
    sim.advance(0.6, frame=0.0625)
    assert sim.view.prev_key is None and sim.view.progress == 1.0


def test_the_outgoing_page_stays_until_the_next_one_is_rendered() -> None:
    sim = Sim(program(item("a", order=0), item("b", order=1)), ready={("1:b", 0)})
    sim.advance(12.0)
    assert sim.showing() == ("a", 0)
    assert sim.engine.wake_in(sim.now, sim.mono) == 0.02
    sim.blocked.clear()
    sim.advance(0.1)
    assert sim.showing() == ("b", 0)


def test_wanted_names_the_current_and_the_next_page_for_prerendering() -> None:
    sim = Sim(program(item("a", 2, order=0), item("b", order=1)))
    assert sim.engine.wanted(sim.now, sim.mono) == [("1:a", 0), ("1:a", 1)]
    sim.advance(10.0)
    assert sim.engine.wanted(sim.now, sim.mono) == [("1:a", 1), ("1:b", 0)]


def red(id: str = "r", expires: datetime | None = None, order: int = 0) -> Item:
    return item(id, 1, seconds=15, kind="alert", level="red", expires=expires, order=order)


def test_a_red_alert_interrupts_at_once_holds_and_rotation_resumes_where_it_stopped() -> None:
    sim = Sim(program(item("a", 3, order=0), item("b", order=1)))
    sim.advance(13.0)
    assert sim.showing() == ("a", 1)
    sim.engine.set_alerts([red(expires=sim.now + timedelta(minutes=2))])
    sim.advance(0.1)
    assert sim.showing() == ("r", 0)
    assert sim.view.transition == "cut"
    sim.advance(100.0)
    assert sim.showing() == ("r", 0)  # holds the screen through many boundaries
    sim.advance(21.0)  # expired
    assert sim.showing() == ("a", 1)  # the interrupted page again, in full
    sim.advance(8.0)
    assert sim.showing() == ("a", 1)
    sim.advance(2.0)
    assert sim.showing() == ("a", 2)


def test_a_withdrawn_alert_ends_at_once() -> None:
    sim = Sim(program(item("a", order=0), item("b", order=1)))
    sim.engine.set_alerts([red()])
    sim.advance(0.1)
    assert sim.showing() == ("r", 0)
    sim.advance(50)
    sim.engine.set_alerts([])
    sim.advance(0.1)
    assert sim.showing() == ("a", 0)


def test_blue_alerts_alternate_with_rotation_pages() -> None:
    sim = Sim(program(item("a", order=0), item("b", order=1), item("c", order=2)))
    blue = item("w", 1, seconds=10, kind="alert", level="blue")
    sim.advance(5)
    sim.engine.set_alerts([blue])
    sim.advance(0.1)
    seen = [sim.showing()]
    for _ in range(5):
        sim.advance(10.0)
        seen.append(sim.showing())
    assert seen == [("w", 0), ("a", 0), ("w", 0), ("b", 0), ("w", 0), ("c", 0)]


def test_red_outranks_blue_and_playlist_alerts_follow_their_schedule() -> None:
    r = red("r", order=5)
    active: set[str] = {"a", "r"}

    def act(_now: datetime) -> Collection[str]:
        return active

    sim = Sim(program(item("a", order=0), alerts=(r,), active=act))
    assert sim.showing() == ("r", 0)
    sim.engine.set_alerts([item("w", kind="alert", level="blue")])
    sim.advance(30)
    assert sim.showing() == ("r", 0)
    active.discard("r")
    sim.engine._refresh_schedule(sim.now)
    sim.advance(0.1)
    assert sim.showing() in {("w", 0), ("a", 0)}


def test_a_broken_page_is_skipped_and_retried_later() -> None:
    sim = Sim(program(item("a", order=0), item("b", order=1), item("c", order=2)))
    sim.engine.mark_failed("b", sim.mono)
    sim.advance(10.0)
    assert sim.showing() == ("c", 0)
    sim.advance(10.0)
    assert sim.showing() == ("a", 0)
    sim.advance(300.0)
    shown = {e.item.id for e in sim.engine.drain_events() if isinstance(e, PageShown)}
    assert "b" in shown


def test_nothing_active_shows_the_default_slide_and_switches_when_something_starts() -> None:
    active: set[str] = set()
    change = T0 + timedelta(minutes=1)
    prog = program(
        item("a", order=0),
        active=lambda now: active,
        next_change=lambda now: change if now < change else None,
    )
    sim = Sim(prog)
    assert sim.showing() == (DEFAULT_ID, 0)
    assert sim.engine.wake_in(sim.now, sim.mono) == 30.0
    active.add("a")
    sim.advance(60.0)
    assert sim.showing() == ("a", 0)


def test_an_entry_leaving_its_schedule_ends_at_next_change() -> None:
    active = {"a", "b"}
    change = T0 + timedelta(seconds=3)
    prog = program(
        item("a", seconds=30, order=0),
        item("b", order=1),
        active=lambda now: set(active) if now < change else {"b"},
        next_change=lambda now: change if now < change else None,
    )
    sim = Sim(prog)
    assert sim.showing() == ("a", 0)
    sim.advance(3.1)
    assert sim.showing() == ("b", 0)


def test_a_reload_is_applied_at_the_next_page_boundary() -> None:
    sim = Sim(program(item("a", order=0), item("b", order=1)))
    sim.advance(2)
    new = Program(
        serial=2,
        items=(Item("x", "2:x", "X", "notice", (10.0,), order=0),),
        default=DEFAULT,
    )
    sim.engine.offer_program(new)
    sim.advance(1)
    assert sim.showing() == ("a", 0)
    assert ("2:x", 0) in sim.engine.wanted(sim.now, sim.mono)
    sim.advance(7.1)
    assert sim.showing() == ("x", 0)


def test_power_off_shows_black_and_power_on_resumes_the_same_page() -> None:
    sim = Sim(program(item("a", 2, order=0), item("b", order=1)))
    sim.advance(12)
    sim.engine.set_power(False, sim.now, sim.mono)
    assert sim.advance(1000).black
    assert sim.engine.wake_in(sim.now, sim.mono) is None
    sim.engine.set_power(True, sim.now, sim.mono)
    v = sim.step()
    assert not v.black and sim.showing() == ("a", 1)


def test_pause_freezes_the_page_and_ends_by_itself() -> None:
    sim = Sim(program(item("a", order=0), item("b", order=1)))
    sim.advance(5)
    sim.engine.command("pause", sim.now, sim.mono)
    sim.advance(100)
    assert sim.showing() == ("a", 0) and sim.view.paused
    sim.engine.command("resume", sim.now, sim.mono)
    sim.advance(4.9)
    assert sim.showing() == ("a", 0)
    sim.advance(0.2)
    assert sim.showing() == ("b", 0)
    sim.engine.command("pause", sim.now, sim.mono)
    sim.advance(700)
    assert not sim.view.paused


def test_next_and_previous_keys_step_through_pages() -> None:
    sim = Sim(program(item("a", 2, order=0), item("b", order=1)))
    sim.engine.command("next", sim.now, sim.mono)
    assert sim.showing() == ("a", 1)
    sim.engine.command("next", sim.now, sim.mono)
    assert sim.showing() == ("b", 0)
    sim.engine.command("previous", sim.now, sim.mono)
    assert sim.showing() == ("a", 1)
    sim.engine.command("previous", sim.now, sim.mono)
    sim.engine.command("previous", sim.now, sim.mono)
    assert sim.showing() == ("b", 0)


def test_proof_records_cover_each_showing_with_the_pages_shown() -> None:
    sim = Sim(program(item("a", 2, order=0), item("b", order=1)))
    sim.advance(30.5)
    records = [e for e in sim.engine.drain_events() if isinstance(e, ProofRecord)]
    assert [(r.entry_id, r.pages_shown, r.page_count) for r in records] == [
        ("a", (1, 2), 2),
        ("b", (1,), 1),
    ]
    assert records[0].end == records[1].start
    assert (records[0].end - records[0].start).total_seconds() == 20
