from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

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
from kiosk.schedule import (
    HORIZON_DAYS,
    active,
    day_bounds,
    first_active,
    is_active,
    next_change,
    publicity_end,
    timeline,
    working_days_left,
)
from kiosk.workcal import build_calendar, default_calendar, parse_overrides

SH = ZoneInfo("Asia/Shanghai")
CAL = default_calendar()


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, tz: ZoneInfo = SH) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=tz)


def tr(a: str, b: str) -> TimeRange:
    return TimeRange(time.fromisoformat(a), time.fromisoformat(b))


def entry(id: str, schedule: Schedule = ALWAYS, **kw: object) -> Entry:
    return Entry(id, "notice", content=Notice(f"标题{id}", "正文"), schedule=schedule, **kw)  # type: ignore[arg-type]


def ids(pl: Playlist, now: datetime) -> list[str]:
    return [e.id for e in active(pl, now, CAL)]


OFFICE = Schedule(days="workdays", times=(tr("08:00", "12:00"), tr("14:30", "17:30")))


# ----------------------------------------------------------------------------- midnight wrap


def test_time_range_wrapping_midnight_belongs_to_the_day_it_starts_on() -> None:
    night = Schedule(days=frozenset({5}), times=(tr("22:00", "02:00"),))  # Fridays
    assert not is_active(night, at(2026, 12, 4, 21, 59), CAL)  # Friday
    assert is_active(night, at(2026, 12, 4, 22, 0), CAL)
    assert is_active(night, at(2026, 12, 5, 1, 59), CAL)  # Saturday early: Friday's range
    assert not is_active(night, at(2026, 12, 5, 2, 0), CAL)  # end is exclusive
    assert not is_active(night, at(2026, 12, 5, 22, 30), CAL)  # Saturday evening
    assert not is_active(night, at(2026, 12, 4, 1, 0), CAL)  # Friday early: Thursday's range


def test_wrapped_range_tail_follows_the_start_days_date_range() -> None:
    s = Schedule(date_to=date(2026, 12, 31), times=(tr("23:00", "01:00"),))
    assert is_active(s, at(2027, 1, 1, 0, 30), CAL)  # tail of Dec 31, inside the range
    assert not is_active(s, at(2027, 1, 1, 23, 30), CAL)
    s2 = Schedule(date_from=date(2027, 1, 1), times=(tr("23:00", "01:00"),))
    assert not is_active(s2, at(2027, 1, 1, 0, 30), CAL)  # tail of Dec 31: not admitted


def test_range_ending_at_midnight_runs_to_the_end_of_the_day() -> None:
    s = Schedule(times=(tr("20:00", "00:00"),))
    assert is_active(s, at(2026, 12, 1, 23, 59), CAL)
    assert not is_active(s, at(2026, 12, 2, 0, 0), CAL)
    pl = Playlist((entry("a", s),))
    assert next_change(pl, at(2026, 12, 1, 21), CAL) == at(2026, 12, 2)


def test_next_change_across_midnight_wrap() -> None:
    pl = Playlist((entry("n", Schedule(days="workdays", times=(tr("22:00", "02:00"),))),))
    # Friday 2026-12-04 22:00 → Saturday 02:00, then Monday 22:00 (no Saturday start)
    now = at(2026, 12, 4, 12)
    changes = []
    for _ in range(3):
        nxt = next_change(pl, now, CAL)
        assert nxt is not None
        changes.append(nxt)
        now = nxt
    assert changes == [at(2026, 12, 4, 22), at(2026, 12, 5, 2), at(2026, 12, 7, 22)]


# ----------------------------------------------------------------------------- calendar days


def test_workdays_schedule_is_active_on_a_tiaoxiu_saturday() -> None:
    sat = date(2026, 10, 10)  # make-up working day after 国庆节
    assert sat.isoweekday() == 6
    assert is_active(OFFICE, at(2026, 10, 10, 9), CAL)
    assert not is_active(Schedule(days=frozenset({1, 2, 3, 4, 5})), at(2026, 10, 10, 9), CAL)
    assert not is_active(Schedule(days="holidays"), at(2026, 10, 10, 9), CAL)


def test_workdays_schedule_is_active_on_the_sunday_before_national_day() -> None:
    assert is_active(OFFICE, at(2026, 9, 20, 10), CAL)  # Sunday, 调休上班


def test_statutory_holiday_on_a_weekday_is_not_a_workday() -> None:
    assert date(2026, 10, 1).isoweekday() == 4
    assert not is_active(OFFICE, at(2026, 10, 1, 9), CAL)
    assert is_active(Schedule(days="holidays"), at(2026, 10, 1, 9), CAL)


def test_next_change_skips_the_whole_national_day_holiday() -> None:
    pl = Playlist((entry("a", OFFICE),))
    # Wednesday 2026-09-30 after office hours → next is Thursday 10-08 08:00
    assert next_change(pl, at(2026, 9, 30, 18), CAL) == at(2026, 10, 8, 8)


def test_next_change_skips_spring_festival_and_honours_its_makeup_saturdays() -> None:
    pl = Playlist((entry("a", OFFICE),))
    # Friday 2026-02-13 evening → Saturday 02-14 is a make-up working day
    assert next_change(pl, at(2026, 2, 13, 18), CAL) == at(2026, 2, 14, 8)
    # Saturday 02-14 evening → holiday 02-15..02-23 → Tuesday 02-24
    assert next_change(pl, at(2026, 2, 14, 18), CAL) == at(2026, 2, 24, 8)


def test_weekday_sets_use_iso_numbers() -> None:
    s = Schedule(days=frozenset({6, 7}))
    assert is_active(s, at(2026, 11, 28, 10), CAL)  # Saturday
    assert not is_active(s, at(2026, 11, 30, 10), CAL)


def test_date_range_is_inclusive_at_both_ends() -> None:
    s = Schedule(date_from=date(2026, 12, 1), date_to=date(2026, 12, 3))
    assert not is_active(s, at(2026, 11, 30, 23, 59), CAL)
    assert is_active(s, at(2026, 12, 1, 0, 0), CAL)
    assert is_active(s, at(2026, 12, 3, 23, 59), CAL)
    assert not is_active(s, at(2026, 12, 4, 0, 0), CAL)
    pl = Playlist((entry("a", s),))
    assert next_change(pl, at(2026, 11, 1), CAL) == at(2026, 12, 1)
    assert next_change(pl, at(2026, 12, 1), CAL) == at(2026, 12, 4)
    assert next_change(pl, at(2026, 12, 4), CAL) is None


# ----------------------------------------------------------------------------- year boundaries


def test_year_boundary_into_an_uncovered_year_uses_the_weekday_fallback() -> None:
    # the first year the holiday data does not cover (2027 while chinese-calendar stops at
    # 2026): its 1 January is 元旦 in reality, but unknown, so Mon–Fri decides
    year = CAL.covered_years()[1] + 1
    first_weekday = next(
        date(year, 1, n) for n in range(1, 8) if date(year, 1, n).isoweekday() <= 5
    )
    pl = Playlist((entry("a", OFFICE),))
    evening = at(year - 1, 12, 31, 18)  # after office hours on the last covered day
    assert next_change(pl, evening, CAL) == at(year, 1, first_weekday.day, 8)
    assert [w.key for w in CAL.warnings_for([year - 1, year])] == ["calendar.uncovered_year"]


def test_year_boundary_into_a_year_added_by_the_override_file() -> None:
    text = (
        "years:\n  2027:\n    holidays:\n      - {name: 元旦, from: 2027-01-01, to: 2027-01-03}\n"
    )
    ov, diags = parse_overrides(text.encode(), "cal.yaml")
    assert diags == []
    cal = build_calendar(ov)
    pl = Playlist((entry("a", OFFICE),))
    assert next_change(pl, at(2026, 12, 31, 18), cal) == at(2027, 1, 4, 8)
    assert cal.warnings_for([2027]) == []


def test_wrapped_range_on_new_years_eve_spills_into_the_new_year() -> None:
    s = Schedule(days="workdays", times=(tr("20:00", "06:00"),))
    pl = Playlist((entry("a", s),))
    assert ids(pl, at(2027, 1, 1, 5, 59)) == ["a"]  # Dec 31 2026 was a working day
    assert next_change(pl, at(2027, 1, 1, 5), CAL) == at(2027, 1, 1, 6)


def test_window_wrapping_midnight_from_dec_31_runs_into_jan_1_and_stops() -> None:
    # shown only on New Year's Eve, 22:00 to 02:00 the next morning (the next year)
    s = Schedule(
        date_from=date(2026, 12, 31), date_to=date(2026, 12, 31), times=(tr("22:00", "02:00"),)
    )
    pl = Playlist((entry("a", s),))
    assert ids(pl, at(2026, 12, 31, 21, 59)) == []
    assert ids(pl, at(2026, 12, 31, 22)) == ["a"]
    assert ids(pl, at(2027, 1, 1, 0)) == ["a"]
    assert ids(pl, at(2027, 1, 1, 1, 59)) == ["a"]
    assert ids(pl, at(2027, 1, 1, 2)) == []
    assert ids(pl, at(2027, 1, 1, 22)) == []  # Jan 1 is outside the date range
    assert next_change(pl, at(2026, 12, 31, 12), CAL) == at(2026, 12, 31, 22)
    assert next_change(pl, at(2026, 12, 31, 23), CAL) == at(2027, 1, 1, 2)
    assert next_change(pl, at(2027, 1, 1, 2), CAL) is None


def test_active_set_is_steady_across_the_stroke_of_midnight_at_new_year() -> None:
    s = Schedule(days="all", times=(tr("20:00", "06:00"),))
    pl = Playlist((entry("a", s), entry("b", OFFICE)))
    before, after = at(2026, 12, 31, 23, 59), at(2027, 1, 1, 0, 0)
    assert ids(pl, before) == ids(pl, after) == ["a"]
    assert next_change(pl, before, CAL) == at(2027, 1, 1, 6)


def test_uncovered_year_falls_back_to_monday_to_friday_with_a_warning() -> None:
    pl = Playlist((entry("a", OFFICE),))
    assert ids(pl, at(2027, 1, 8, 9)) == ["a"]  # Friday
    assert ids(pl, at(2027, 1, 9, 9)) == []  # Saturday
    assert ids(pl, at(2027, 1, 10, 9)) == []  # Sunday
    assert next_change(pl, at(2027, 1, 8, 18), CAL) == at(2027, 1, 11, 8)  # Monday
    (warning,) = CAL.warnings_for([2027])
    assert (warning.key, warning.is_error) == ("calendar.uncovered_year", False)
    assert "2027" in warning.format("zh") and "周一至周五" in warning.format("zh")
    assert CAL.warnings_for([2026]) == []


def test_uncovered_year_far_ahead_still_answers_without_error() -> None:
    pl = Playlist((entry("a", OFFICE),))
    assert ids(pl, at(2031, 3, 3, 9)) == ["a"]  # a Monday
    assert next_change(pl, at(2031, 3, 3, 9), CAL) == at(2031, 3, 3, 12)


# ----------------------------------------------------------------------------- overrides


def test_local_closure_switches_off_workday_entries_for_that_day() -> None:
    ov, _ = parse_overrides(b"closures:\n  - {date: 2026-12-02, reason: ting dian}\n", "c.yaml")
    cal = build_calendar(ov)
    pl = Playlist((entry("a", OFFICE),))
    assert [e.id for e in active(pl, at(2026, 12, 2, 9), cal)] == []
    assert next_change(pl, at(2026, 12, 1, 18), cal) == at(2026, 12, 3, 8)


def test_local_extra_workday_switches_on_workday_entries_on_a_saturday() -> None:
    ov, _ = parse_overrides(b"workdays: [2026-12-19]\n", "c.yaml")
    cal = build_calendar(ov)
    pl = Playlist((entry("a", OFFICE),))
    assert [e.id for e in active(pl, at(2026, 12, 19, 9), cal)] == ["a"]


# ----------------------------------------------------------------------------- entries


def test_active_keeps_playlist_order_and_skips_disabled_entries() -> None:
    pl = Playlist(
        (
            entry("c"),
            entry("a", OFFICE),
            entry("off", enabled=False),
            entry("b"),
        )
    )
    assert ids(pl, at(2026, 11, 30, 9)) == ["c", "a", "b"]
    assert ids(pl, at(2026, 11, 30, 13)) == ["c", "b"]


def test_entry_without_its_own_schedule_uses_the_playlist_default() -> None:
    pl = Playlist(
        (entry("plain"), entry("own", Schedule(days=frozenset({7})))),
        defaults=Defaults(schedule=OFFICE),
    )
    assert ids(pl, at(2026, 11, 29, 9)) == ["own"]  # Sunday
    assert ids(pl, at(2026, 11, 30, 9)) == ["plain"]  # Monday
    assert ids(pl, at(2026, 11, 30, 13)) == []


def test_alert_is_inactive_from_its_expiry_and_next_change_reports_it() -> None:
    expires = at(2026, 11, 30, 10, 30)
    alert = Entry("snow", "alert", content=Alert("yellow", "暴雪黄色预警", expires=expires))
    pl = Playlist((alert, entry("a")))
    assert ids(pl, at(2026, 11, 30, 10, 29)) == ["snow", "a"]
    assert next_change(pl, at(2026, 11, 30, 9), CAL) == expires
    assert ids(pl, expires) == ["a"]
    assert next_change(pl, expires, CAL) is None


def test_alert_expiring_while_outside_its_schedule_is_no_change() -> None:
    expires = at(2026, 11, 30, 13)  # during the lunch break
    alert = Entry(
        "w", "alert", content=Alert("blue", "大风蓝色预警", expires=expires), schedule=OFFICE
    )
    pl = Playlist((alert,))
    assert next_change(pl, at(2026, 11, 30, 9), CAL) == at(2026, 11, 30, 12)
    assert next_change(pl, at(2026, 11, 30, 12), CAL) is None


def test_next_change_is_none_when_nothing_ever_changes() -> None:
    assert next_change(Playlist((entry("a"), entry("b"))), at(2026, 11, 30, 9), CAL) is None
    assert next_change(Playlist(()), at(2026, 11, 30, 9), CAL) is None
    past = Schedule(date_to=date(2020, 1, 1))
    assert next_change(Playlist((entry("a", past),)), at(2026, 11, 30, 9), CAL) is None


def test_next_change_returns_only_real_changes_of_the_active_set() -> None:
    s = Schedule(times=(tr("08:00", "12:00"), tr("12:00", "18:00")))
    pl = Playlist((entry("a", s),))
    assert next_change(pl, at(2026, 11, 30, 9), CAL) == at(2026, 11, 30, 18)
    # Two entries whose ranges hand over at 12:00 do change the set at 12:00.
    pl2 = Playlist((entry("a", Schedule(times=(tr("08:00", "12:00"),))), entry("b", s)))
    assert next_change(pl2, at(2026, 11, 30, 9), CAL) == at(2026, 11, 30, 12)


def test_next_change_is_strictly_after_now_at_a_boundary() -> None:
    pl = Playlist((entry("a", OFFICE),))
    assert next_change(pl, at(2026, 11, 30, 8), CAL) == at(2026, 11, 30, 12)


def test_next_change_looks_no_further_than_the_horizon() -> None:
    far = date(2026, 11, 30) + timedelta(days=HORIZON_DAYS + 5)
    pl = Playlist((entry("a", Schedule(date_from=far)),))
    assert next_change(pl, at(2026, 11, 30, 9), CAL) is None
    near = date(2026, 11, 30) + timedelta(days=HORIZON_DAYS - 5)
    pl = Playlist((entry("a", Schedule(date_from=near)),))
    assert next_change(pl, at(2026, 11, 30, 9), CAL) == datetime.combine(near, time(0), SH)


def test_times_are_read_in_the_zone_of_now() -> None:
    pl = Playlist((entry("a", OFFICE),))
    utc_now = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    assert ids(pl, utc_now) == []  # 01:00 UTC is before the office opens in UTC
    assert ids(pl, utc_now.astimezone(SH)) == ["a"]
    nxt = next_change(pl, utc_now.astimezone(SH), CAL)
    assert nxt == at(2026, 11, 30, 12) and nxt.tzinfo is SH


def test_naive_now_is_refused() -> None:
    try:
        active(Playlist(()), datetime(2026, 11, 30, 9))
    except ValueError as exc:
        assert "aware" in str(exc)
    else:
        raise AssertionError("naive now accepted")


# ----------------------------------------------------------------------------- publicity


def test_publicity_end_counts_working_days_across_a_weekend() -> None:
    # Wednesday 2026-12-02 + 5 working days: Wed Thu Fri Mon Tue
    assert publicity_end(Publicity(date(2026, 12, 2), 5), CAL) == date(2026, 12, 8)


def test_publicity_end_skips_statutory_holidays() -> None:
    # Monday 2026-09-28, 5 days: 28 29 30, 10-01..07 off, 10-08 10-09
    assert publicity_end(Publicity(date(2026, 9, 28), 5), CAL) == date(2026, 10, 9)


def test_publicity_counts_a_makeup_saturday_as_a_working_day() -> None:
    # Friday 2026-10-09, 2 days: Fri 10-09 and the make-up Saturday 10-10
    assert publicity_end(Publicity(date(2026, 10, 9), 2), CAL) == date(2026, 10, 10)


def test_publicity_starting_on_a_rest_day_counts_from_the_next_working_day() -> None:
    # Saturday 2026-12-05 → counting starts Monday 12-07; 5 days end Friday 12-11
    assert publicity_end(Publicity(date(2026, 12, 5), 5), CAL) == date(2026, 12, 11)
    # starting on 国庆节: counting starts 10-08 (Thu); 3 days: Thu, Fri, make-up Sat 10-10
    assert publicity_end(Publicity(date(2026, 10, 3), 3), CAL) == date(2026, 10, 10)


def test_publicity_of_one_working_day_ends_on_its_first_working_day() -> None:
    assert publicity_end(Publicity(date(2026, 11, 30), 1), CAL) == date(2026, 11, 30)


def test_publicity_with_an_explicit_end_date_uses_it() -> None:
    pub = Publicity(date(2026, 12, 1), end=date(2026, 12, 10))
    assert publicity_end(pub, CAL) == date(2026, 12, 10)
    assert working_days_left(pub, date(2026, 12, 7), CAL) == 4  # Mon..Thu


def test_publicity_across_the_year_boundary_into_an_uncovered_year() -> None:
    # Tue 2026-12-29, 5 days: 29 30 31, then fallback Fri 2027-01-01 and Mon 01-04
    assert publicity_end(Publicity(date(2026, 12, 29), 5), CAL) == date(2027, 1, 4)


def test_working_days_left_counts_today_and_stops_at_zero() -> None:
    pub = Publicity(date(2026, 12, 2), 5)  # Wed 12-02 .. Tue 12-08
    assert working_days_left(pub, date(2026, 11, 20), CAL) == 5  # before the start
    assert working_days_left(pub, date(2026, 12, 2), CAL) == 5
    assert working_days_left(pub, date(2026, 12, 5), CAL) == 2  # Saturday: Mon, Tue left
    assert working_days_left(pub, date(2026, 12, 8), CAL) == 1  # the last day
    assert working_days_left(pub, date(2026, 12, 9), CAL) == 0


def test_publicity_window_shows_from_start_through_the_end_date_inclusive() -> None:
    s = Schedule(publicity=Publicity(date(2026, 12, 5), 5))  # Sat 12-05 .. Fri 12-11
    pl = Playlist((entry("p", s),))
    assert ids(pl, at(2026, 12, 4, 23, 59)) == []
    assert ids(pl, at(2026, 12, 5, 0, 0)) == ["p"]
    assert ids(pl, at(2026, 12, 11, 23, 59)) == ["p"]
    assert next_change(pl, at(2026, 12, 6), CAL) == at(2026, 12, 12)
    assert next_change(pl, at(2026, 12, 12), CAL) is None


# ----------------------------------------------------------------------------- other zones


def test_next_change_handles_a_skipped_hour_in_a_dst_zone() -> None:
    ny = ZoneInfo("America/New_York")  # 2026-03-08 02:00 EST → 03:00 EDT
    s = Schedule(times=(tr("02:30", "04:00"),))
    pl = Playlist((entry("a", s),))
    nxt = next_change(pl, datetime(2026, 3, 8, 1, 0, tzinfo=ny), CAL)
    assert nxt is not None
    assert nxt.astimezone(UTC) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT
    assert ids(pl, nxt) == ["a"]


def test_next_change_handles_a_repeated_hour_in_a_dst_zone() -> None:
    ny = ZoneInfo("America/New_York")  # 2026-11-01 02:00 EDT → 01:00 EST
    s = Schedule(times=(tr("01:30", "03:00"),))
    pl = Playlist((entry("a", s),))
    first = next_change(pl, datetime(2026, 11, 1, 0, 0, tzinfo=ny), CAL)
    assert first is not None and first.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    # at 02:00 EDT the wall clock falls back to 01:00: outside the range until 01:30 EST
    second = next_change(pl, first, CAL)
    assert second is not None and second.astimezone(UTC) == datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    third = next_change(pl, second, CAL)
    assert third is not None and third.astimezone(UTC) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)


# ----------------------------------------------------------------------------- timeline


def test_timeline_lists_each_stretch_of_a_day_in_order() -> None:
    pl = Playlist(
        (
            entry("night", Schedule(times=(tr("22:00", "02:00"),))),
            entry("office", OFFICE),
        )
    )
    start, end = day_bounds(date(2026, 11, 30), SH)
    spans = [
        (s.entry.id, s.start.strftime("%H:%M"), s.end.strftime("%H:%M"))
        for s in timeline(pl, start, end, CAL)
    ]
    assert spans == [
        ("night", "00:00", "02:00"),
        ("office", "08:00", "12:00"),
        ("office", "14:30", "17:30"),
        ("night", "22:00", "00:00"),
    ]
    assert end == at(2026, 12, 1)


def test_first_active_finds_the_first_admitted_instant_or_none_for_dead_windows() -> None:
    now = at(2026, 11, 29, 12)  # Sunday noon
    assert first_active(OFFICE, now, CAL) == at(2026, 11, 30, 8)
    assert first_active(Schedule(), now, CAL) == now
    assert first_active(Schedule(date_to=date(2026, 11, 1)), now, CAL) is None
    ended = Schedule(publicity=Publicity(date(2026, 11, 2), 5))  # ended 11-06
    assert first_active(ended, now, CAL) is None
