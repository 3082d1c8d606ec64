"""Screen power: office hours, the Chinese working calendar, overrides, backends."""

from __future__ import annotations

import logging
import os
import stat
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.config import OfficeHours, PowerConfig
from kiosk.power import (
    CecBackend,
    CommandResult,
    Override,
    PowerController,
    WlrBackend,
    choose_backend,
    parse_until,
    power_state,
    read_json,
    run_command,
)
from kiosk.workcal import WorkCalendar, load_calendar

TZ = ZoneInfo("Asia/Shanghai")


def ChineseCalendar() -> WorkCalendar:
    """The working calendar power uses in production (chinese-calendar data, no overrides)."""
    calendar, problems = load_calendar(None)
    assert problems == []
    return calendar


CAL = ChineseCalendar()
CFG = PowerConfig()  # Mon–Fri 08:00–18:00, workdays only


def at(y: int, m: int, d: int, hh: int = 12, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def test_weekday_office_hours_are_on_and_the_evening_is_off() -> None:
    on, reason, change = power_state(at(2026, 11, 27, 9), CFG, CAL)  # a Friday
    assert (on, reason, change) == (True, "office-hours", at(2026, 11, 27, 18))
    on, reason, change = power_state(at(2026, 11, 27, 18), CFG, CAL)
    assert (on, reason) == (False, "after-hours")
    assert change == at(2026, 11, 30, 8)  # Monday morning, across the weekend


def test_the_start_is_inclusive_and_the_end_exclusive() -> None:
    assert power_state(at(2026, 11, 30, 8, 0), CFG, CAL).on
    assert not power_state(at(2026, 11, 30, 7, 59), CFG, CAL).on
    assert not power_state(at(2026, 11, 30, 18, 0), CFG, CAL).on


def test_national_day_holiday_keeps_the_screen_off_on_weekdays() -> None:
    # 2026 国庆: 10-01 .. 10-07 off (chinese-calendar data), back to work on Thursday 10-08
    for day in range(1, 8):
        decision = power_state(at(2026, 10, day, 10), CFG, CAL)
        assert not decision.on, day
    assert power_state(at(2026, 10, 1, 10), CFG, CAL).reason == "holiday"
    assert power_state(at(2026, 10, 1, 10), CFG, CAL).next_change == at(2026, 10, 8, 8)
    assert power_state(at(2026, 10, 8, 10), CFG, CAL).on


def test_the_evening_before_the_holiday_points_at_the_first_day_back() -> None:
    decision = power_state(at(2026, 9, 30, 19), CFG, CAL)
    assert not decision.on
    assert decision.next_change == at(2026, 10, 8, 8)


def test_tiaoxiu_saturday_is_a_working_day_with_monday_hours() -> None:
    saturday = date(2026, 10, 10)  # 国庆调休: Saturday 10-10 is a working day
    assert saturday.isoweekday() == 6 and CAL.is_workday(saturday)
    decision = power_state(at(2026, 10, 10, 9), CFG, CAL)
    assert decision == (True, "makeup-workday", at(2026, 10, 10, 18))
    # the Friday evening before points at Saturday morning, not Monday
    assert power_state(at(2026, 10, 9, 19), CFG, CAL).next_change == at(2026, 10, 10, 8)


def test_tiaoxiu_sunday_before_national_day_is_on() -> None:
    assert power_state(at(2026, 9, 20, 9), CFG, CAL).on  # Sunday 09-20 is a working day


def test_an_ordinary_saturday_is_a_rest_day() -> None:
    decision = power_state(at(2026, 11, 28, 10), CFG, CAL)
    assert (decision.on, decision.reason) == (False, "rest-day")


def test_without_workdays_only_the_weekday_table_alone_decides() -> None:
    cfg = PowerConfig(
        workdays_only=False,
        hours=(OfficeHours(6, time(9), time(12)), OfficeHours(3, time(8), time(17))),
    )
    assert power_state(at(2026, 10, 3, 10), cfg, CAL).on  # Saturday in the holiday, but table
    assert power_state(at(2026, 10, 7, 10), cfg, CAL).on  # a Wednesday
    assert not power_state(at(2026, 10, 8, 10), cfg, CAL).on  # Thursday: not in the table


def test_hours_that_wrap_midnight_belong_to_the_day_they_start() -> None:
    cfg = PowerConfig(workdays_only=False, hours=(OfficeHours(5, time(20), time(2)),))
    assert power_state(at(2026, 11, 28, 1, 30), cfg, CAL).on  # Saturday 01:30, Friday's hours
    assert not power_state(at(2026, 11, 28, 2, 0), cfg, CAL).on


def test_without_a_calendar_monday_to_friday_are_working_days() -> None:
    assert power_state(at(2026, 10, 1, 10), CFG, None).on
    assert not power_state(at(2026, 10, 10, 10), CFG, None).on


def test_a_calendar_that_cannot_answer_falls_back_to_monday_to_friday() -> None:
    class Broken:
        def is_workday(self, d: date) -> bool:
            raise NotImplementedError(f"no data for {d.year}")

    assert power_state(at(2027, 3, 3, 10), CFG, Broken()).on


def test_an_override_wins_until_it_ends_then_the_schedule_resumes() -> None:
    until = at(2026, 11, 28, 16)
    override = Override(on=True, until=until)  # Saturday open day
    decision = power_state(at(2026, 11, 28, 10), CFG, CAL, override)
    assert decision == (True, "override-on", until)
    after = power_state(until, CFG, CAL, override)
    assert (after.on, after.reason) == (False, "rest-day")


def test_an_override_that_agrees_with_the_schedule_at_its_end_reports_the_real_change() -> None:
    override = Override(on=False, until=at(2026, 11, 27, 19))  # off from 14:00, ends after hours
    decision = power_state(at(2026, 11, 27, 14), CFG, CAL, override)
    assert decision == (False, "override-off", at(2026, 11, 30, 8))


def test_an_override_without_end_has_no_next_change() -> None:
    assert power_state(at(2026, 11, 27, 14), CFG, CAL, Override(on=False)) == (
        False,
        "override-off",
        None,
    )


def test_no_office_hours_means_always_off_and_no_next_change() -> None:
    cfg = PowerConfig(hours=())
    assert power_state(at(2026, 11, 27, 10), cfg, CAL) == (False, "after-hours", None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18:30", at(2026, 11, 27, 18, 30)),
        ("09:00", at(2026, 11, 28, 9)),  # already past today → tomorrow
        ("2h", at(2026, 11, 27, 16)),
        ("2026-11-30 08:00", at(2026, 11, 30, 8)),
        ("2026-11-30T08:00:00+08:00", at(2026, 11, 30, 8)),
    ],
)
def test_until_accepts_times_dates_and_durations(text: str, expected: datetime) -> None:
    assert parse_until(text, at(2026, 11, 27, 14)) == expected


@pytest.mark.parametrize("text", ["soon", "2026-11-01 08:00", "25:00"])
def test_until_rejects_unclear_or_past_times_in_chinese(text: str) -> None:
    with pytest.raises(ValueError, match="时间"):
        parse_until(text, at(2026, 11, 27, 14))


# ----------------------------------------------------------------------------- backends


def fake_program(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / "bin" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_cec_backend_runs_cec_ctl_with_argument_lists(tmp_path: Path) -> None:
    calls: list[tuple[list[str], float]] = []

    def runner(argv: object, timeout: float) -> CommandResult:
        calls.append((list(argv), timeout))  # type: ignore[call-overload]
        return CommandResult(0, "", "")

    CecBackend("/dev/cec0", 7.0, runner).set_power(False)
    assert calls == [
        (["cec-ctl", "--device", "/dev/cec0", "--playback"], 7.0),
        (["cec-ctl", "--device", "/dev/cec0", "--to", "0", "--standby"], 7.0),
    ]


def test_wlr_backend_switches_every_listed_output() -> None:
    calls: list[list[str]] = []

    def runner(argv: object, timeout: float) -> CommandResult:
        calls.append(list(argv))  # type: ignore[call-overload]
        listing = 'HDMI-A-1 "Samsung"\n  Enabled: yes\nHDMI-A-2 "LG"\n  Enabled: yes\n'
        return CommandResult(0, listing if len(calls) == 1 else "", "")

    WlrBackend(5.0, runner).set_power(True)
    assert calls[1:] == [
        ["wlr-randr", "--output", "HDMI-A-1", "--on"],
        ["wlr-randr", "--output", "HDMI-A-2", "--on"],
    ]


def test_auto_backend_prefers_wayland_then_cec_then_blanking() -> None:
    have = {"wlr-randr": "/usr/bin/wlr-randr", "cec-ctl": "/usr/bin/cec-ctl"}
    wl = choose_backend(PowerConfig(), {"WAYLAND_DISPLAY": "wayland-0"}, which=have.get)
    assert wl is not None and wl.name == "wlr"
    cec = choose_backend(PowerConfig(), {}, which=have.get, exists=lambda p: True)
    assert cec is not None and cec.name == "cec"
    assert choose_backend(PowerConfig(), {}, which=have.get, exists=lambda p: False) is None
    assert choose_backend(PowerConfig(backend="blank"), {}, which=have.get) is None


def test_run_command_kills_a_hanging_program_and_its_children(tmp_path: Path) -> None:
    prog = fake_program(tmp_path, "hang", "sleep 30\necho never")
    from kiosk.power import CommandTimeout

    with pytest.raises(CommandTimeout):
        run_command([str(prog)], 0.3)


def _controller_with_fake_cec(tmp_path: Path, body: str) -> PowerController:
    prog = fake_program(tmp_path, "cec-ctl", body)
    state = tmp_path / "state"
    state.mkdir()
    return PowerController(state, CecBackend("/dev/cec0", 0.3, program=str(prog)))


@pytest.mark.parametrize("body", ["echo 'No such device' >&2\nexit 1", "sleep 30"])
def test_a_failing_or_hanging_cec_command_falls_back_to_blanking_logged_once(
    tmp_path: Path, body: str, caplog: pytest.LogCaptureFixture
) -> None:
    ctl = _controller_with_fake_cec(tmp_path, body)
    caplog.set_level(logging.INFO, "kiosk.power")
    off = power_state(at(2026, 11, 27, 19), CFG, CAL)
    ctl.apply(off, at(2026, 11, 27, 19))
    assert read_json(ctl.path) == {
        "state": "off",
        "reason": "after-hours",
        "since": "2026-11-27T19:00:00+08:00",
        "until": "2026-11-30T08:00:00+08:00",
    }
    assert ctl.backend_failing
    ctl.apply(off, at(2026, 11, 27, 19, 1))  # retried, but not logged again
    fails = [r for r in caplog.records if r.getMessage().startswith("power.backend_fail")]
    assert len(fails) == 1
    assert "blank" in fails[0].getMessage()


def test_cec_recovery_is_logged_and_the_state_is_driven_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log_file = tmp_path / "calls"
    flag = tmp_path / "broken"
    flag.touch()
    ctl = _controller_with_fake_cec(
        tmp_path, f'[ -e "{flag}" ] && exit 1\necho "$@" >> "{log_file}"'
    )
    caplog.set_level(logging.INFO, "kiosk.power")
    on = power_state(at(2026, 11, 27, 9), CFG, CAL)
    ctl.apply(on, at(2026, 11, 27, 9))
    os.unlink(flag)
    ctl.apply(on, at(2026, 11, 27, 9, 1))
    ctl.apply(on, at(2026, 11, 27, 9, 2))  # already on: no further commands
    assert log_file.read_text().splitlines() == [
        "--device /dev/cec0 --playback",
        "--device /dev/cec0 --to 0 --image-view-on",
    ]
    messages = [r.getMessage().split()[0] for r in caplog.records]
    assert messages == ["power.on", "power.backend_fail", "power.backend_ok"]


def test_power_json_keeps_since_while_the_state_holds(tmp_path: Path) -> None:
    ctl = PowerController(tmp_path, None)
    ctl.apply(power_state(at(2026, 11, 27, 9), CFG, CAL), at(2026, 11, 27, 9))
    ctl.apply(power_state(at(2026, 11, 27, 10), CFG, CAL), at(2026, 11, 27, 10))
    doc = read_json(ctl.path)
    assert doc is not None and doc["since"] == "2026-11-27T09:00:00+08:00"
    ctl.apply(power_state(at(2026, 11, 27, 18), CFG, CAL), at(2026, 11, 27, 18))
    doc = read_json(ctl.path)
    assert doc is not None
    assert (doc["state"], doc["since"]) == ("off", "2026-11-27T18:00:00+08:00")


def test_next_change_is_found_within_the_horizon_for_every_hour_of_a_year() -> None:
    start = at(2026, 1, 1, 0)
    for hours in range(0, 365 * 24, 23):
        now = start + timedelta(hours=hours)
        decision = power_state(now, CFG, CAL)
        assert decision.next_change is not None and decision.next_change > now
        assert power_state(decision.next_change, CFG, CAL).on != decision.on


# ----------------------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
_hours = st.lists(st.builds(OfficeHours, st.integers(1, 7), _times, _times), min_size=0, max_size=5)


@settings(max_examples=60, deadline=None)
@given(
    hours=_hours,
    workdays_only=st.booleans(),
    offset_min=st.integers(0, 366 * 24 * 60),
)
def test_the_state_holds_until_next_change_and_flips_there(
    hours: list[OfficeHours], workdays_only: bool, offset_min: int
) -> None:
    cfg = PowerConfig(hours=tuple(hours), workdays_only=workdays_only)
    now = at(2026, 1, 1, 0) + timedelta(minutes=offset_min)
    decision = power_state(now, cfg, CAL)
    if decision.next_change is None:
        # nothing changes within the horizon: spot-check a few later instants
        for h in (1, 25, 24 * 7):
            assert power_state(now + timedelta(hours=h), cfg, CAL).on == decision.on
        return
    change = decision.next_change
    assert change > now
    span = change - now
    for frac in (0.25, 0.5, 0.99):
        probe = now + span * frac
        assert power_state(probe, cfg, CAL).on == decision.on, probe
    assert power_state(change, cfg, CAL).on != decision.on


# cec-ctl echoes what the TV reports (OSD name, vendor strings): GBK from a Chinese TV, or junk.
NOT_UTF8 = r"printf 'OSD name: \263\244\272\347 \377\376\n'"


def _cec_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> PowerController:
    fake_program(tmp_path, "cec-ctl", body)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    device = tmp_path / "cec0"
    device.touch()
    backend = choose_backend(
        PowerConfig(backend="auto", cec_device=str(device), command_timeout=0.5), {}
    )
    assert isinstance(backend, CecBackend)
    state = tmp_path / "state"
    state.mkdir()
    return PowerController(state, backend)


def test_cec_output_that_is_not_utf8_does_not_break_a_working_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ctl = _cec_on_path(tmp_path, monkeypatch, NOT_UTF8)
    caplog.set_level(logging.INFO, "kiosk.power")
    ctl.apply(power_state(at(2026, 11, 27, 19), CFG, CAL), at(2026, 11, 27, 19))
    assert not ctl.backend_failing
    assert read_json(ctl.path)["state"] == "off"  # type: ignore[index]
    assert not any("backend_fail" in r.getMessage() for r in caplog.records)


def test_a_failing_cec_command_with_non_utf8_errors_falls_back_to_blanking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ctl = _cec_on_path(tmp_path, monkeypatch, NOT_UTF8 + " >&2\nexit 1")
    caplog.set_level(logging.INFO, "kiosk.power")
    ctl.apply(power_state(at(2026, 11, 27, 19), CFG, CAL), at(2026, 11, 27, 19))
    assert ctl.backend_failing
    assert read_json(ctl.path)["state"] == "off"  # type: ignore[index]  # the player blanks
    fail = [r.getMessage() for r in caplog.records if "backend_fail" in r.getMessage()]
    assert len(fail) == 1 and "exit 1" in fail[0] and "\ufffd" in fail[0]


def test_run_command_replaces_undecodable_bytes(tmp_path: Path) -> None:
    prog = fake_program(tmp_path, "junk", NOT_UTF8)
    result = run_command([str(prog)], 5)
    assert result.returncode == 0 and "OSD name:" in result.stdout and "\ufffd" in result.stdout
