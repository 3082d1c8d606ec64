"""Property tests: random valid playlists and random ``now`` against the schedule engine.

The oracle for "the active set does not change before next_change" samples instants
between ``now`` and the answer, including every wall-clock boundary the playlist names
(range starts/ends and midnights) — the only places where a change can happen — and the
instant just before the answer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.model import (
    ALWAYS,
    Alert,
    Defaults,
    Entry,
    Notice,
    Playlist,
    Publicity,
    Schedule,
    TimeRange,
)
from kiosk.schedule import active, next_change, publicity_end, working_days_left
from kiosk.workcal import WorkCalendar, build_calendar, default_calendar, parse_overrides

SH = ZoneInfo("Asia/Shanghai")
ZONES: list[tzinfo] = [SH, SH, SH, UTC, ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")]

_OV, _ = parse_overrides(
    b"closures:\n  - {from: 2026-12-24, to: 2026-12-25}\n"
    b"workdays: [2026-12-19]\n"
    b"years:\n  2027:\n    holidays:\n      - {name: x, from: 2027-01-01, to: 2027-01-03}\n"
    b"      - {name: y, from: 2027-02-06, to: 2027-02-14}\n    workdays: [2027-02-20]\n",
    "props.yaml",
)
CALENDARS: list[WorkCalendar] = [default_calendar(), build_calendar(_OV)]

LO, HI = date(2025, 6, 1), date(2028, 6, 30)  # covered (2025–26) and uncovered (2027–28) years

times_of_day = st.one_of(
    st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
    st.builds(time, st.integers(0, 23), st.integers(0, 59), st.integers(0, 59)),
)
time_ranges = st.builds(TimeRange, times_of_day, times_of_day)
BASE = date(2026, 11, 29)  # "today" of the project; dates cluster around the random now


def near(anchor: date) -> st.SearchStrategy[date]:
    """Dates mostly within weeks of ``anchor`` (where changes are found), sometimes anywhere."""
    return st.one_of(
        st.integers(-20, 40).map(lambda n: anchor + timedelta(days=n)),
        st.dates(LO, HI),
    )


def publicities(anchor: date) -> st.SearchStrategy[Publicity]:
    return st.one_of(
        st.builds(Publicity, near(anchor), st.integers(1, 30)),
        st.builds(
            lambda s, n: Publicity(s, end=s + timedelta(days=n)), near(anchor), st.integers(0, 40)
        ),
    )


day_sets = st.one_of(
    st.sampled_from(["all", "workdays", "holidays"]),
    st.frozensets(st.integers(1, 7), min_size=1),
)


@st.composite
def schedules(draw: st.DrawFn, anchor: date) -> Schedule:
    if draw(st.integers(0, 5)) == 0:
        return ALWAYS
    date_from = draw(st.none() | near(anchor))
    date_to = draw(st.none() | near(anchor))
    if date_from and date_to and date_to < date_from:
        date_from, date_to = date_to, date_from
    return Schedule(
        date_from=date_from,
        date_to=date_to,
        days=draw(day_sets),
        times=tuple(draw(st.lists(time_ranges, max_size=3))),
        publicity=draw(st.none() | publicities(anchor)),
    )


@st.composite
def playlists(draw: st.DrawFn, anchor: datetime) -> Playlist:
    entries = []
    for i in range(draw(st.integers(0, 5))):
        sched = draw(schedules(anchor.date()))
        enabled = draw(st.integers(0, 6)) > 0
        if draw(st.integers(0, 4)) == 0:
            expires = draw(
                st.none()
                | st.integers(-3 * 86400, 10 * 86400).map(lambda s: anchor + timedelta(seconds=s))
            )
            content: Notice | Alert = Alert("red", "预警", expires=expires)
            kind = "alert"
        else:
            content = Notice(f"t{i}", "b")
            kind = "notice"
        entries.append(
            Entry(f"e{i}", kind, content=content, schedule=sched, enabled=enabled)  # type: ignore[arg-type]
        )
    return Playlist(tuple(entries), defaults=Defaults(schedule=draw(schedules(anchor.date()))))


nows = st.builds(
    lambda naive, tz: naive.replace(tzinfo=tz),
    st.datetimes(datetime(2025, 6, 1), datetime(2028, 6, 1)),
    st.sampled_from(ZONES),
)


def _ids(pl: Playlist, u: datetime, tz: tzinfo, cal: WorkCalendar) -> list[str]:
    return [e.id for e in active(pl, u.astimezone(tz), cal)]


def _boundary_instants(pl: Playlist, start: datetime, end: datetime, tz: tzinfo) -> list[datetime]:
    """UTC instants in (start, end) whose wall clock reads a boundary the playlist names."""
    walls = {time(0)}
    for s in [pl.defaults.schedule, *(e.schedule for e in pl.entries)]:
        for r in s.times:
            walls |= {r.start, r.end}
    out = []
    d = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    while d <= last:
        for w in walls:
            for fold in (0, 1):
                u = datetime.combine(d, w, tzinfo=tz).replace(fold=fold).astimezone(UTC)
                if start < u < end:
                    out.append(u)
        d += timedelta(days=1)
    for e in pl.entries:
        if isinstance(e.content, Alert) and e.content.expires is not None:
            u = e.content.expires.astimezone(UTC)
            if start < u < end:
                out.append(u)
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), now=nows, cal=st.sampled_from(CALENDARS))
def test_active_set_is_constant_until_next_change_and_differs_there(
    data: st.DataObject, now: datetime, cal: WorkCalendar
) -> None:
    pl = data.draw(playlists(now))
    fractions = data.draw(st.lists(st.floats(0, 1), max_size=4))
    tz = now.tzinfo
    assert tz is not None
    current = _ids(pl, now, tz, cal)
    nxt = next_change(pl, now, cal)
    now_u = now.astimezone(UTC)
    if nxt is None:
        end_u = now_u + timedelta(days=10)  # at least: no change over the next days
    else:
        nxt_u = nxt.astimezone(UTC)
        assert nxt_u > now_u, "next_change must be strictly after now"
        assert nxt.tzinfo is tz
        end_u = nxt_u
        assert _ids(pl, nxt_u, tz, cal) != current, "next_change must be a real change"
        just_before = nxt_u - timedelta(microseconds=1)
        if just_before > now_u:
            assert _ids(pl, just_before, tz, cal) == current
    checks = [now_u + (end_u - now_u) * f for f in fractions]
    window_end = min(end_u, now_u + timedelta(days=12))  # keep the boundary walk short
    checks += _boundary_instants(pl, now_u, window_end, tz)
    for u in checks:
        if now_u <= u < end_u:
            assert _ids(pl, u, tz, cal) == current, f"set changed at {u} before {nxt}"


@settings(max_examples=200, deadline=None)
@given(pub=publicities(BASE), cal=st.sampled_from(CALENDARS), today=near(BASE))
def test_publicity_end_and_days_left_agree_with_counting(
    pub: Publicity, cal: WorkCalendar, today: date
) -> None:
    end = publicity_end(pub, cal)
    if pub.working_days is not None:
        # exactly N working days from the first working day on/after start to end
        d = pub.start
        while not cal.is_workday(d):
            d += timedelta(days=1)
        count = sum(cal.is_workday(d + timedelta(days=i)) for i in range((end - d).days + 1))
        assert count == pub.working_days
        assert cal.is_workday(end)
        assert working_days_left(pub, pub.start, cal) == pub.working_days
    left = working_days_left(pub, today, cal)
    assert left >= 0
    if today > end:
        assert left == 0
    tomorrow = working_days_left(pub, today + timedelta(days=1), cal)
    assert tomorrow in (left, left - 1) or today < pub.start


minute_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 10, 30, 45]))


@st.composite
def minute_playlists(draw: st.DrawFn, anchor: datetime) -> Playlist:
    entries = []
    for i in range(draw(st.integers(1, 4))):
        sched = Schedule(
            date_from=draw(
                st.none() | st.integers(-2, 3).map(lambda n: anchor.date() + timedelta(n))
            ),
            date_to=draw(
                st.none() | st.integers(-1, 3).map(lambda n: anchor.date() + timedelta(n))
            ),
            days=draw(day_sets),
            times=tuple(
                draw(st.lists(st.builds(TimeRange, minute_times, minute_times), max_size=3))
            ),
        )
        entries.append(Entry(f"e{i}", "notice", content=Notice("t", "b"), schedule=sched))
    return Playlist(tuple(entries))


@settings(max_examples=40, deadline=None)
@given(
    data=st.data(),
    naive=st.datetimes(datetime(2026, 1, 1), datetime(2027, 3, 1)).map(
        lambda d: d.replace(second=0, microsecond=0)
    ),
    cal=st.sampled_from(CALENDARS),
)
def test_next_change_matches_a_minute_by_minute_scan(
    data: st.DataObject, naive: datetime, cal: WorkCalendar
) -> None:
    """Independent oracle: with whole-minute boundaries and no DST, the first minute at which
    ``active`` differs (scanning up to three days) is exactly ``next_change``."""
    now = naive.replace(tzinfo=SH)
    pl = data.draw(minute_playlists(now))
    current = _ids(pl, now, SH, cal)
    expected = None
    t = now
    for _ in range(3 * 24 * 60):
        t += timedelta(minutes=1)
        if _ids(pl, t, SH, cal) != current:
            expected = t
            break
    got = next_change(pl, now, cal)
    if expected is not None:
        assert got == expected
    else:
        assert got is None or got > now + timedelta(days=3)
