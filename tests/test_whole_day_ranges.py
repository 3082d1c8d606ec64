"""``00:00-24:00`` means the whole day, in playlists and in the power hours of the config."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.config import parse_config
from kiosk.power import power_state

TZ = ZoneInfo("Asia/Shanghai")


def test_power_hours_00_00_to_24_00_are_accepted_and_keep_the_screen_on_all_day() -> None:
    cfg, diags = parse_config(
        "power:\n  workdays_only: false\n  hours:\n    mon-sun: 00:00-24:00\n", "k.yaml"
    )
    assert [d for d in diags if d.is_error] == []
    for hour in (0, 3, 12, 23):
        now = datetime(2026, 12, 6, hour, 59, tzinfo=TZ)  # a Sunday
        assert power_state(now, cfg.power, None).on


def test_a_range_that_starts_where_it_ends_is_still_refused() -> None:
    _, diags = parse_config("power:\n  hours:\n    mon: 08:00-08:00\n", "k.yaml")
    assert [d.key for d in diags if d.is_error] == ["schedule.never"]


def test_24_00_ends_a_range_at_midnight() -> None:
    cfg, diags = parse_config(
        "power:\n  workdays_only: false\n  hours:\n    mon-sun: 08:00-24:00\n", "k.yaml"
    )
    assert [d for d in diags if d.is_error] == []
    assert power_state(datetime(2026, 12, 6, 23, 59, tzinfo=TZ), cfg.power, None).on
    assert not power_state(datetime(2026, 12, 7, 0, 1, tzinfo=TZ), cfg.power, None).on
    assert not power_state(datetime(2026, 12, 6, 7, 59, tzinfo=TZ), cfg.power, None).on
