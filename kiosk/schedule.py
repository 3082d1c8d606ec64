"""The schedule engine: which entries may show at an instant, and when that changes.

Everything here is pure: every function takes ``now`` (an aware datetime) and a
:class:`~kiosk.workcal.WorkCalendar`; nothing reads the clock or the disk.

Rules
-----
* Times of day and dates are read in the zone of ``now`` (the configured zone,
  Asia/Shanghai by default). A schedule admits ``now`` when all its conditions hold:
  date range, day set (``all``, ``workdays``/``holidays`` by the working calendar, or ISO
  weekdays), publicity period, and — when ``times`` is not empty — one of the time ranges.
* A time range ``start``–``end`` covers ``start`` inclusive to ``end`` exclusive. When
  ``end`` is not after ``start`` it wraps midnight and *belongs to the day it starts on*:
  ``22:00–02:00`` on workdays is active from Friday 22:00 to Saturday 02:00, but not from
  Sunday 22:00. Day conditions (date range, day set, publicity) are checked on that day.
* An entry without a schedule of its own (its schedule has no conditions) uses
  ``playlist.defaults.schedule``. Disabled entries are never active. An ``alert`` entry
  is active only before its ``expires`` instant.
* Publicity period (公示期): ``start`` plus N working days, end date inclusive. The N
  working days are counted from the first working day on or after ``start`` (a notice
  posted on a Saturday starts counting on Monday; a 5-day period then ends on Friday).
  The entry shows on every day from ``start`` to the end date inclusive.

:func:`next_change` looks ahead at most :data:`HORIZON_DAYS` days and returns ``None``
when the set of active entries does not change within that horizon (for example a
playlist of entries without schedules). Callers re-evaluate at the returned instant, or
at the latest after a day, so ``None`` never means "forever" in practice.

The code is correct for zones with daylight-saving time too (instants are compared in
UTC; skipped and repeated wall-clock times are handled), though China has none.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from kiosk.model import ALWAYS, Alert, Entry, Playlist, Publicity, Schedule
from kiosk.workcal import WorkCalendar, default_calendar

HORIZON_DAYS = 400
"""How far :func:`next_change` looks ahead."""

_DAY = timedelta(days=1)
_MIDNIGHT = time(0, 0)
_LAST_DAY = date.max - timedelta(days=3)
_FIRST_DAY = date.min + timedelta(days=3)


# ----------------------------------------------------------------------------- publicity


def publicity_end(publicity: Publicity, calendar: WorkCalendar | None = None) -> date:
    """The last day (inclusive) of a 公示期.

    With an explicit ``end`` that date. With ``working_days = N`` the N-th working day
    counting from the first working day on or after ``start`` (that day is day 1).
    ``N <= 0`` gives an empty period: the day before ``start``.
    """
    if publicity.end is not None:
        return publicity.end
    n = publicity.working_days or 0
    if n <= 0:
        return publicity.start - _DAY
    return (calendar or default_calendar()).nth_working_day(publicity.start, n)


def working_days_left(
    publicity: Publicity, today: date, calendar: WorkCalendar | None = None
) -> int:
    """Working days of the period from ``today`` (counted when it is a working day) to the
    end date inclusive; 0 once the period is over. Before the period starts, all of them.
    On the last day of the period the answer is 1 (if that day is a working day)."""
    cal = calendar or default_calendar()
    end = publicity_end(publicity, cal)
    d = max(today, publicity.start)
    if d > end:
        return 0
    count = 0
    while d <= end:
        if cal.is_workday(d):
            count += 1
        d += _DAY
    return count


# ----------------------------------------------------------------------------- evaluation


def effective_schedule(entry: Entry, playlist: Playlist) -> Schedule:
    """The entry's own schedule, or the playlist default when it has none."""
    s = entry.schedule
    if s is ALWAYS or s == ALWAYS:
        return playlist.defaults.schedule
    return s


def _expires(entry: Entry) -> datetime | None:
    c = entry.content
    if isinstance(c, Alert) and c.expires is not None:
        return c.expires
    return None


def _day_ok_fn(schedule: Schedule, calendar: WorkCalendar) -> Callable[[date], bool]:
    """The day-level predicate of ``schedule`` (date range, day set, publicity)."""
    date_from, date_to, days = schedule.date_from, schedule.date_to, schedule.days
    pub = schedule.publicity
    pub_start = pub.start if pub is not None else None
    pub_end = publicity_end(pub, calendar) if pub is not None else None
    is_workday = calendar.is_workday

    def ok(d: date) -> bool:
        if date_from is not None and d < date_from:
            return False
        if date_to is not None and d > date_to:
            return False
        if pub_start is not None and pub_end is not None and not (pub_start <= d <= pub_end):
            return False
        if days == "all":
            return True
        if days == "workdays":
            return is_workday(d)
        if days == "holidays":
            return not is_workday(d)
        return d.isoweekday() in days

    return ok


def _state_at(schedule: Schedule, ok: Callable[[date], bool], d: date, t: time) -> bool:
    """Whether ``schedule`` admits wall-clock date ``d`` and time ``t``."""
    if not schedule.times:
        return ok(d)
    for r in schedule.times:
        if r.start < r.end:
            if r.start <= t < r.end and ok(d):
                return True
        else:  # wraps midnight: [start, 24:00) on d, plus [00:00, end) belonging to d - 1
            if t >= r.start and ok(d):
                return True
            if t < r.end and d > _FIRST_DAY and ok(d - _DAY):
                return True
    return False


def _wall(now: datetime) -> tuple[date, time]:
    return now.date(), now.time()


def _require_aware(now: datetime) -> tzinfo:
    tz = now.tzinfo
    if tz is None or tz.utcoffset(now) is None:
        raise ValueError("now must be an aware datetime (in the configured time zone)")
    return tz


def is_active(schedule: Schedule, now: datetime, calendar: WorkCalendar | None = None) -> bool:
    """Whether ``schedule`` admits the instant ``now`` (read in ``now``'s zone)."""
    _require_aware(now)
    cal = calendar or default_calendar()
    d, t = _wall(now)
    return _state_at(schedule, _day_ok_fn(schedule, cal), d, t)


def entry_active(
    entry: Entry, playlist: Playlist, now: datetime, calendar: WorkCalendar | None = None
) -> bool:
    """Whether one entry of ``playlist`` may show at ``now``."""
    if not entry.enabled:
        return False
    exp = _expires(entry)
    if exp is not None and now >= exp:
        return False
    return is_active(effective_schedule(entry, playlist), now, calendar)


def active(playlist: Playlist, now: datetime, calendar: WorkCalendar | None = None) -> list[Entry]:
    """The enabled entries whose schedule admits ``now``, in playlist order."""
    _require_aware(now)
    cal = calendar or default_calendar()
    d, t = _wall(now)
    memo: dict[Schedule, bool] = {}
    out = []
    for e in playlist.entries:
        if not e.enabled:
            continue
        exp = _expires(e)
        if exp is not None and now >= exp:
            continue
        s = effective_schedule(e, playlist)
        state = memo.get(s)
        if state is None:
            state = memo[s] = _state_at(s, _day_ok_fn(s, cal), d, t)
        if state:
            out.append(e)
    return out


# ----------------------------------------------------------------------------- next change


@functools.lru_cache(maxsize=8192)
def _wall_instants(tz: tzinfo, d: date, t: time) -> tuple[datetime, ...]:
    """The UTC instants whose wall-clock reading in ``tz`` is exactly ``d t``: none in a
    skipped (spring-forward) hour, two in a repeated (fall-back) hour, else one."""
    out: list[datetime] = []
    for fold in (0, 1):
        local = datetime.combine(d, t, tzinfo=tz).replace(fold=fold)
        u = local.astimezone(UTC)
        back = u.astimezone(tz)
        if back.date() == d and back.time() == t and u not in out:
            out.append(u)
    out.sort()
    return tuple(out)


def _offset(tz: tzinfo, u: datetime) -> timedelta | None:
    return u.astimezone(tz).utcoffset()


@functools.lru_cache(maxsize=4096)
def _transitions(tz: tzinfo, d: date) -> tuple[datetime, ...]:
    """UTC instants (to the second) at which ``tz``'s offset changes during wall day ``d``
    (at most one per day is assumed, which holds for every real zone)."""
    lo = datetime.combine(d, _MIDNIGHT, tzinfo=tz).astimezone(UTC) - timedelta(hours=2)
    hi = lo + timedelta(hours=28)
    if _offset(tz, lo) == _offset(tz, hi):
        return ()
    before = _offset(tz, lo)
    a, b = 0, int((hi - lo).total_seconds())  # offset(lo+a) == before, offset(lo+b) != before
    while b - a > 1:
        m = (a + b) // 2
        if _offset(tz, lo + timedelta(seconds=m)) == before:
            a = m
        else:
            b = m
    return (lo + timedelta(seconds=b),)


def _boundaries(schedule: Schedule) -> tuple[time, ...]:
    ts = {_MIDNIGHT}
    for r in schedule.times:
        ts.add(r.start)
        ts.add(r.end)
    return tuple(sorted(ts))


def _day_candidates(tz: tzinfo, d: date, bounds: Sequence[time]) -> list[datetime]:
    out: list[datetime] = []
    for t in bounds:
        out.extend(_wall_instants(tz, d, t))
    out.extend(_transitions(tz, d))
    return out


def _find_day(
    ok: Callable[[date], bool],
    start: date,
    last: date,
    want: bool,
    edges: tuple[date, ...] | None,
) -> date | None:
    """The first day in [start, last] with ``ok(day) == want``, or None.

    ``edges`` (when not None) are the only days on which ``ok`` can change (it holds the
    same value from one edge to the next), so the search jumps from edge to edge."""
    d = start
    while d <= last:
        if ok(d) == want:
            return d
        if edges is not None:
            later = [e for e in edges if e > d]
            if not later:
                return None
            d = min(later)
            continue
        d += _DAY
    return None


def _edges(schedule: Schedule, calendar: WorkCalendar) -> tuple[date, ...] | None:
    """Days on which the day predicate of an ``all``-days schedule can change."""
    if schedule.days != "all":
        return None
    out = []
    if schedule.date_from is not None:
        out.append(schedule.date_from)
    if schedule.date_to is not None and schedule.date_to < _LAST_DAY:
        out.append(schedule.date_to + _DAY)
    if schedule.publicity is not None:
        out.append(schedule.publicity.start)
        end = publicity_end(schedule.publicity, calendar)
        if end < _LAST_DAY:
            out.append(end + _DAY)
    return tuple(out)


def _schedule_next_change(
    schedule: Schedule, now_u: datetime, tz: tzinfo, calendar: WorkCalendar
) -> datetime | None:
    """The first instant after ``now_u`` (UTC) at which ``schedule``'s state changes."""
    ok_raw = _day_ok_fn(schedule, calendar)
    edges = _edges(schedule, calendar)
    ok_memo: dict[date, bool] = {}

    def ok(d: date) -> bool:
        v = ok_memo.get(d)
        if v is None:
            v = ok_memo[d] = ok_raw(d)
        return v

    wall_now = now_u.astimezone(tz)
    cur = _state_at(schedule, ok, *_wall(wall_now))
    today = wall_now.date()
    last = min(today + timedelta(days=HORIZON_DAYS), _LAST_DAY)
    limit_u = now_u + timedelta(days=HORIZON_DAYS)
    bounds = _boundaries(schedule)

    def state(u: datetime) -> bool:
        w = u.astimezone(tz)
        return _state_at(schedule, ok, w.date(), w.time())

    # Days are generated in wall-date order; candidates are examined in UTC order. A
    # candidate is only examined once every day that could hold an earlier candidate has
    # been generated (wall dates run at most a day out of step with UTC order).
    pending: list[datetime] = []
    next_day = max(today - _DAY, _FIRST_DAY)
    while True:
        if not pending:
            if next_day > last:
                return None
            # Jump over stretches of days on which nothing can change.
            if not cur:
                # Nothing is active until a day whose predicate holds; a wrapped range's
                # tail belongs to the day before, so start looking one day earlier.
                probe = max(next_day - _DAY, _FIRST_DAY)
                nd = _find_day(ok, probe, last, True, edges)
                if nd is None:
                    return None
                next_day = max(next_day, nd)
            elif not schedule.times:
                nd = _find_day(ok, next_day, last, False, edges)
                if nd is None:
                    return None
                next_day = max(next_day, nd)
            pending.extend(_day_candidates(tz, next_day, bounds))
            next_day += _DAY
            pending = sorted(u for u in set(pending) if u > now_u)
            continue
        head = pending[0]
        horizon_day = head.astimezone(tz).date() + 2 * _DAY
        if next_day <= min(horizon_day, last):
            pending.extend(_day_candidates(tz, next_day, bounds))
            next_day += _DAY
            pending = sorted(u for u in set(pending) if u > now_u)
            continue
        pending.pop(0)
        if head > limit_u:
            return None
        if state(head) != cur:
            return head


def _entry_next_change(
    schedule: Schedule,
    expires: datetime | None,
    now_u: datetime,
    tz: tzinfo,
    calendar: WorkCalendar,
) -> datetime | None:
    if expires is not None:
        exp_u = expires.astimezone(UTC)
        if exp_u <= now_u:
            return None  # expired: inactive for good
    else:
        exp_u = None
    wall_now = now_u.astimezone(tz)
    cur = _state_at(schedule, _day_ok_fn(schedule, calendar), *_wall(wall_now))
    nxt = _schedule_next_change(schedule, now_u, tz, calendar)
    if exp_u is None:
        return nxt
    if cur:
        return exp_u if nxt is None or exp_u < nxt else nxt
    # Off now: it turns on at nxt unless it has expired by then.
    return nxt if nxt is not None and nxt < exp_u else None


def next_change(
    playlist: Playlist, now: datetime, calendar: WorkCalendar | None = None
) -> datetime | None:
    """The first instant strictly after ``now`` at which :func:`active` gives a different
    set, in ``now``'s zone; None when it does not change within :data:`HORIZON_DAYS`."""
    tz = _require_aware(now)
    cal = calendar or default_calendar()
    now_u = now.astimezone(UTC)
    best: datetime | None = None
    memo: dict[tuple[Schedule, datetime | None], datetime | None] = {}
    for e in playlist.entries:
        if not e.enabled:
            continue
        key = (effective_schedule(e, playlist), _expires(e))
        if key in memo:
            continue
        c = memo[key] = _entry_next_change(key[0], key[1], now_u, tz, cal)
        if c is not None and (best is None or c < best):
            best = c
    return best.astimezone(tz) if best is not None else None


def first_active(
    schedule: Schedule, now: datetime, calendar: WorkCalendar | None = None
) -> datetime | None:
    """``now`` when ``schedule`` admits it, else the first later instant it does (within
    :data:`HORIZON_DAYS`), else None. The validator uses this to flag windows that can
    never be active (an end date in the past, a publicity period already over, ...)."""
    tz = _require_aware(now)
    cal = calendar or default_calendar()
    if is_active(schedule, now, cal):
        return now
    nxt = _schedule_next_change(schedule, now.astimezone(UTC), tz, cal)
    return nxt.astimezone(tz) if nxt is not None else None


# ----------------------------------------------------------------------------- timeline


@dataclass(frozen=True)
class Span:
    """One stretch of time during which ``entry`` is active: [start, end)."""

    entry: Entry
    start: datetime
    end: datetime


def day_bounds(d: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The first instants of wall day ``d`` and of the next day, aware in ``tz``."""

    def first_instant(day: date) -> datetime:
        exact = _wall_instants(tz, day, _MIDNIGHT)
        if exact:
            return exact[0].astimezone(tz)
        # Midnight skipped by a transition: the day starts at the transition.
        trans = _transitions(tz, day)
        if trans:
            return trans[0].astimezone(tz)
        return datetime.combine(day, _MIDNIGHT, tzinfo=tz)

    return first_instant(d), first_instant(d + _DAY)


def timeline(
    playlist: Playlist,
    start: datetime,
    end: datetime,
    calendar: WorkCalendar | None = None,
    entries: Iterable[Entry] | None = None,
) -> list[Span]:
    """Every stretch within [start, end) during which an entry is active, ordered by
    start instant, then playlist order. Spans are clipped to [start, end)."""
    tz = _require_aware(start)
    cal = calendar or default_calendar()
    start_u, end_u = start.astimezone(UTC), end.astimezone(UTC)
    spans: list[tuple[datetime, int, Span]] = []
    chosen = playlist.entries if entries is None else tuple(entries)
    for index, e in enumerate(chosen):
        if not e.enabled:
            continue
        s, exp = effective_schedule(e, playlist), _expires(e)
        t = start_u
        on = entry_active(e, playlist, t.astimezone(tz), cal)
        while t < end_u:
            c = _entry_next_change(s, exp, t, tz, cal)
            stop = end_u if c is None or c > end_u else c
            if on:
                spans.append((t, index, Span(e, t.astimezone(tz), stop.astimezone(tz))))
            if c is None:
                break
            t, on = c, not on
    spans.sort(key=lambda x: (x[0], x[1]))
    return [s for _, _, s in spans]
