"""Schedule engine: cost of ``active`` and ``next_change`` at slide boundaries.

Baseline (same run): finding the next change the naive way, by calling ``active`` once
per minute until the set differs (what a player without ``next_change`` would poll).
"""

from __future__ import annotations

import random
import time as _time
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kiosk.model import Alert, Defaults, Entry, Notice, Playlist, Publicity, Schedule, TimeRange
from kiosk.schedule import active, next_change
from kiosk.workcal import default_calendar

TITLE = "Schedule engine: active() and next_change()"
NOTES = """
`schedule_active_us` / `schedule_next_change_us`: mean cost of one call for a 40-entry
playlist (office hours on workdays, lunch breaks, wrapped night ranges, date ranges,
publicity periods, weekday sets, alerts) at random instants in 2026. The player calls both
at every slide boundary (every 8 s or more), so anything under a few milliseconds is noise.
`schedule_next_change_speedup_vs_minute_scan`: the same answers found by calling `active`
once per simulated minute until the set differs (the polling baseline), divided by the cost
of `next_change`; instants where the next change is more than two days away are left out
of both sides so the baseline stays affordable.
`schedule_next_change_in_active_calls`: the cost of `next_change` in units of one `active`
call.
"""

SH = ZoneInfo("Asia/Shanghai")


def _tr(a: str, b: str) -> TimeRange:
    return TimeRange(time.fromisoformat(a), time.fromisoformat(b))


def sample_playlist() -> Playlist:
    office = Schedule(days="workdays", times=(_tr("08:00", "12:00"), _tr("14:30", "17:30")))
    entries = []
    for i in range(40):
        k = i % 8
        if k == 0:
            s = office
        elif k == 1:
            s = Schedule(days="workdays", times=(_tr("07:30", "18:30"),))
        elif k == 2:
            s = Schedule(times=(_tr("22:00", "06:00"),))
        elif k == 3:
            s = Schedule(date_from=date(2026, 3, 1 + i % 20), date_to=date(2026, 9, 1 + i % 20))
        elif k == 4:
            s = Schedule(publicity=Publicity(date(2026, 1 + i % 12, 1 + i % 25), 5 + i % 10))
        elif k == 5:
            s = Schedule(days=frozenset({1, 3, 5}), times=(_tr("09:00", "11:00"),))
        elif k == 6:
            s = Schedule(days="holidays")
        else:
            s = Schedule()
        content: Notice | Alert = Notice(f"公告{i}", "正文")
        kind = "notice"
        if i % 13 == 0:
            content = Alert("yellow", "预警", expires=datetime(2026, 6, 1 + i % 20, tzinfo=SH))
            kind = "alert"
        entries.append(Entry(f"e{i}", kind, content=content, schedule=s))  # type: ignore[arg-type]
    return Playlist(tuple(entries), defaults=Defaults(schedule=office))


def _instants(n: int, seed: int = 7) -> list[datetime]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=SH)
    return [start + timedelta(minutes=rng.randrange(365 * 24 * 60)) for _ in range(n)]


def _minute_scan(pl: Playlist, now: datetime, limit_minutes: int) -> datetime | None:
    cal = default_calendar()
    cur = [e.id for e in active(pl, now, cal)]
    t = now.replace(second=0, microsecond=0)
    for _ in range(limit_minutes):
        t += timedelta(minutes=1)
        if [e.id for e in active(pl, t, cal)] != cur:
            return t
    return None


def run(quick: bool) -> dict[str, float]:
    pl = sample_playlist()
    cal = default_calendar()
    instants = _instants(200 if quick else 1000)
    next_change(pl, instants[0], cal)  # warm caches (calendar, publicity ends)

    t0 = _time.perf_counter()
    for now in instants:
        active(pl, now, cal)
    active_s = (_time.perf_counter() - t0) / len(instants)

    t0 = _time.perf_counter()
    answers = [next_change(pl, now, cal) for now in instants]
    next_s = (_time.perf_counter() - t0) / len(instants)

    # Baseline on whole-minute instants whose next change is within two days.
    limit = 2 * 24 * 60
    chosen = [
        now.replace(second=0, microsecond=0)
        for now, nxt in zip(instants, answers, strict=True)
        if nxt is not None and nxt - now < timedelta(minutes=limit - 1)
    ][: 10 if quick else 40]
    t0 = _time.perf_counter()
    for now in chosen:
        next_change(pl, now, cal)
    fast = _time.perf_counter() - t0
    t0 = _time.perf_counter()
    for now in chosen:
        got = _minute_scan(pl, now, limit)
        assert got == next_change(pl, now, cal), (now, got)
    slow = _time.perf_counter() - t0

    return {
        "schedule_active_us": round(active_s * 1e6, 1),
        "schedule_next_change_us": round(next_s * 1e6, 1),
        "schedule_next_change_in_active_calls": round(next_s / active_s, 1),
        "schedule_next_change_speedup_vs_minute_scan": round(slow / fast, 1),
    }
