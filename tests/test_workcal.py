from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from kiosk.workcal import (
    Overrides,
    WorkCalendar,
    YearTable,
    build_calendar,
    default_calendar,
    load_calendar,
    package_tables,
    parse_overrides,
)

ROOT = Path(__file__).resolve().parent.parent
GCC_LINE = re.compile(r"^[^:]+:\d+:\d+: (错误|警告): .+ \[(calendar|yaml)\.[a-z0-9_]+\]$")


def parse(text: str | bytes, path: str = "cal.yaml") -> tuple[Overrides, list[str]]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    ov, diags = parse_overrides(data, path)
    return ov, [d.format() for d in diags]


# ----------------------------------------------------------------------------- packaged data


def test_national_day_2026_is_a_statutory_holiday_named_in_chinese() -> None:
    cal = default_calendar()
    for day in range(1, 8):
        d = date(2026, 10, day)
        assert cal.is_holiday(d)
        assert not cal.is_workday(d)
        assert cal.holiday_name(d) == "国庆节"
    assert cal.day(date(2026, 10, 1)).label_zh() == "法定节假日：国庆节"


def test_spring_festival_2026_holiday_falls_on_weekdays() -> None:
    cal = default_calendar()
    assert date(2026, 2, 16).weekday() == 0  # a Monday
    assert cal.is_holiday(date(2026, 2, 16))
    assert cal.holiday_name(date(2026, 2, 16)) == "春节"


@pytest.mark.parametrize(
    ("day", "holiday"),
    [
        (date(2026, 1, 4), "元旦"),  # Sunday
        (date(2026, 2, 14), "春节"),  # Saturday
        (date(2026, 2, 28), "春节"),  # Saturday
        (date(2026, 5, 9), "劳动节"),  # Saturday
        (date(2026, 9, 20), "国庆节"),  # Sunday
        (date(2026, 10, 10), "国庆节"),  # Saturday
    ],
)
def test_tiaoxiu_weekend_days_of_2026_are_working_days(day: date, holiday: str) -> None:
    cal = default_calendar()
    assert day.weekday() >= 5
    info = cal.day(day)
    assert info.workday and info.kind == "makeup" and info.name == holiday
    assert cal.holiday_name(day) is None
    assert info.label_zh() == f"调休上班：{holiday}"


def test_ordinary_weekend_is_rest_and_ordinary_weekday_is_work() -> None:
    cal = default_calendar()
    assert cal.is_holiday(date(2026, 11, 28))  # Saturday
    assert cal.is_holiday(date(2026, 11, 29))  # Sunday
    assert cal.is_workday(date(2026, 11, 30))  # Monday
    assert cal.day(date(2026, 11, 30)).label_zh() == "工作日"
    assert cal.holiday_name(date(2026, 11, 29)) is None


def test_packaged_data_covers_every_year_from_2004_through_at_least_2026() -> None:
    # chinese-calendar adds next year's table each winter once the State Council publishes
    # it: the end of the data moves, so only its start and a lower bound are fixed here
    cal = default_calendar()
    first, last = cal.covered_years()
    assert first == 2004 and last >= 2026
    assert all(cal.covers(y) for y in range(first, last + 1))
    assert not cal.covers(first - 1) and not cal.covers(last + 1)
    assert set(package_tables()) == set(range(first, last + 1))


def _first_uncovered_year() -> int:
    return default_calendar().covered_years()[1] + 1


def test_uncovered_year_falls_back_to_monday_to_friday() -> None:
    cal = default_calendar()
    year = _first_uncovered_year()
    new_year = date(year, 1, 1)  # really 元旦, but unknown: the fallback goes by weekday
    assert cal.is_workday(new_year) == (new_year.isoweekday() <= 5)
    saturday = next(date(year, 1, n) for n in range(1, 8) if date(year, 1, n).isoweekday() == 6)
    assert cal.is_holiday(saturday)
    info = cal.day(new_year)
    assert not info.covered
    assert "按周一至周五推算" in info.label_zh()
    assert cal.is_workday(date(1999, 10, 1))  # before the data: fallback too


def test_warnings_for_names_each_uncovered_year_once_with_a_stable_key() -> None:
    cal = default_calendar()
    year = _first_uncovered_year()
    warnings = cal.warnings_for([year - 1, year, year, year + 1])
    assert [w.key for w in warnings] == ["calendar.uncovered_year"] * 2
    assert f"{year}年" in warnings[0].zh and f"{year + 1}年" in warnings[1].zh
    assert not warnings[0].is_error
    assert cal.warnings_for([year - 2, year - 1]) == []


def test_calendar_is_pure_given_its_tables() -> None:
    table = YearTable(2030, {date(2030, 5, 1): "劳动节"}, {date(2030, 5, 4): "劳动节"}, "test")
    cal = WorkCalendar({2030: table})
    assert cal.is_holiday(date(2030, 5, 1))
    assert cal.is_workday(date(2030, 5, 4))  # a Saturday
    assert cal.covered_years() == (2030, 2030)
    assert WorkCalendar().covered_years() == (0, -1)


# ----------------------------------------------------------------------------- overrides


def test_override_closure_turns_a_working_day_into_a_rest_day() -> None:
    ov, diags = parse("closures:\n  - date: 2026-12-24\n    reason: 停电检修\n")
    assert diags == []
    cal = build_calendar(ov)
    assert cal.is_holiday(date(2026, 12, 24))
    assert cal.holiday_name(date(2026, 12, 24)) == "停电检修"
    assert cal.day(date(2026, 12, 24)).label_zh() == "临时闭馆：停电检修"
    assert cal.is_workday(date(2026, 12, 23))


def test_override_closure_range_covers_every_day_inclusive() -> None:
    ov, diags = parse("closures:\n  - from: 2026-12-28\n    to: 2026年12月30日\n")
    assert diags == []
    cal = build_calendar(ov)
    assert [cal.is_workday(date(2026, 12, d)) for d in range(27, 32)] == [
        False,  # Sunday
        False,
        False,
        False,
        True,
    ]


def test_override_extra_workday_opens_a_saturday() -> None:
    ov, diags = parse("workdays:\n  - 2026-12-19\n")
    assert diags == []
    cal = build_calendar(ov)
    assert cal.is_workday(date(2026, 12, 19))
    assert cal.day(date(2026, 12, 19)).kind == "extra_workday"


def test_override_year_table_makes_2027_covered_with_its_holidays_and_makeup_days() -> None:
    text = (
        "years:\n"
        "  2027:\n"
        "    holidays:\n"
        "      - {name: 元旦, from: 2027-01-01, to: 2027-01-03}\n"
        "    workdays:\n"
        "      - {name: 春节, date: 2027-02-20}\n"
    )
    ov, diags = parse(text)
    assert diags == []
    cal = build_calendar(ov)
    assert cal.covers(2027)
    assert cal.covered_years() == (2004, max(2027, default_calendar().covered_years()[1]))
    assert cal.warnings_for([2027]) == []
    assert cal.is_holiday(date(2027, 1, 1)) and cal.holiday_name(date(2027, 1, 1)) == "元旦"
    assert cal.is_workday(date(2027, 2, 20))  # Saturday, make-up day
    assert cal.is_workday(date(2027, 1, 4))  # Monday, weekday rule
    assert cal.is_holiday(date(2027, 1, 9))  # Saturday, weekday rule


def test_override_year_table_replaces_packaged_data_for_that_year() -> None:
    ov, diags = parse("years:\n  2026:\n    holidays:\n      - {name: 元旦, date: 2026-01-01}\n")
    assert diags == []
    cal = build_calendar(ov)
    assert cal.is_holiday(date(2026, 1, 1))
    assert cal.is_workday(date(2026, 10, 8))  # Thursday; the packaged 国庆节 no longer applies
    assert cal.is_holiday(date(2026, 10, 10))  # a Saturday, no make-up day in this table


def test_year_table_with_an_error_is_dropped_whole_and_said_so() -> None:
    # a year no packaged data will reach, so "not covered" can only come from the drop
    text = "years:\n  2090:\n    holidays:\n      - {name: 元旦, date: 2091-01-01}\n"
    ov, diags = parse(text)
    assert 2090 not in ov.years
    assert any("calendar.wrong_year" in d for d in diags)
    assert any("calendar.year_ignored" in d for d in diags)
    assert not build_calendar(ov).covers(2090)


def test_override_of_the_shipped_example_parses_cleanly() -> None:
    path = ROOT / "docs" / "calendar-overrides.example.yaml"
    cal, diags = load_calendar(str(path))
    assert diags == []
    assert cal.is_holiday(date(2026, 12, 24))
    assert cal.is_workday(date(2026, 12, 19))


def test_empty_override_file_means_no_overrides(tmp_path: Path) -> None:
    f = tmp_path / "cal.yaml"
    f.write_text("# nothing yet\n", encoding="utf-8")
    cal, diags = load_calendar(str(f))
    assert diags == []
    assert cal.covered_years() == default_calendar().covered_years()


def test_no_override_path_gives_the_packaged_calendar() -> None:
    cal, diags = load_calendar(None)
    assert diags == [] and cal is default_calendar()


def test_missing_override_file_is_one_error_and_the_packaged_data_still_works(
    tmp_path: Path,
) -> None:
    cal, diags = load_calendar(str(tmp_path / "nope.yaml"))
    assert [d.key for d in diags] == ["calendar.overrides_missing"]
    assert cal.is_holiday(date(2026, 10, 1))


@pytest.mark.parametrize(
    ("text", "key", "line", "col"),
    [
        ("closures:\n\t- 2026-12-24\n", "yaml.tab", 2, 1),
        ("closures: [2026-12-24\n", "yaml.syntax", 2, 1),
        ("closures: []\nclosures: []\n", "yaml.duplicate_key", 2, 1),
        ("closure:\n  - 2026-12-24\n", "calendar.unknown_key", 1, 1),
        ("closures:\n  - 2026-13-01\n", "calendar.bad_date", 2, 5),
        ("closures:\n  - {from: 2026-12-24, to: 2026-12-20}\n", "calendar.bad_range", 2, 28),
        ("closures:\n  - {reason: 停电}\n", "calendar.missing_date", 2, 5),
        ("closures:\n  - {date: 2026-12-24, resaon: 停电}\n", "calendar.unknown_key", 2, 24),
        ("closures: 2026-12-24\n", "calendar.type", 1, 11),
        ("years:\n  next:\n    holidays: []\n", "calendar.bad_year", 2, 3),
        ("version: 2\n", "calendar.version", 1, 10),
        ("closures: [2026-12-24]\nworkdays: [2026-12-24]\n", "calendar.conflict", 0, 0),
    ],
)
def test_bad_override_input_gives_a_gcc_style_line(
    text: str, key: str, line: int, col: int
) -> None:
    _, diags = parse(text)
    hits = [d for d in diags if f"[{key}]" in d]
    assert hits, diags
    where = f"cal.yaml:{line}:{col}: " if line else "cal.yaml: "
    assert hits[0].startswith(where), hits[0]
    assert "错误" in hits[0]
    assert GCC_LINE.match(hits[0]) or line == 0


def test_unknown_key_suggests_the_closest_known_key() -> None:
    _, diags = parse("closure:\n  - 2026-12-24\n")
    assert "closures" in diags[0]


def test_tab_indentation_is_explained_in_plain_words() -> None:
    _, diags = parse("closures:\n\t- 2026-12-24\n")
    assert "Tab" in diags[0]


def test_gbk_override_file_is_reported_as_not_utf8() -> None:
    _, diags = parse("closures:\n  - {date: 2026-12-24, reason: 停电}\n".encode("gbk"))
    assert len(diags) == 1 and "[yaml.not_utf8]" in diags[0] and "GBK" in diags[0]
    assert GCC_LINE.match(diags[0])


def test_utf8_bom_is_accepted() -> None:
    ov, diags = parse("\ufeffclosures: [2026-12-24]\n")
    assert diags == [] and date(2026, 12, 24) in ov.closures


def test_binary_junk_and_oversized_files_are_refused_before_parsing() -> None:
    _, diags = parse(b"closures: \x00\x01\x02")
    assert [d.split("[")[-1] for d in diags] == ["yaml.nul]"]
    _, diags = parse(b"#" * (300 * 1024))
    assert [d.split("[")[-1] for d in diags] == ["calendar.too_large]"]


def test_alias_bomb_does_not_blow_up() -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for i in range(1, 12):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        bomb += f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
    ov, diags = parse(bomb)
    assert [d.split("[")[-1] for d in diags] == ["yaml.too_many_nodes]"]
    assert ov.closures == {} and ov.years == {}


def test_valid_parts_still_apply_when_one_item_is_bad() -> None:
    ov, diags = parse("closures:\n  - 2026-12-24\n  - 2026-02-30\n")
    assert len(diags) == 1
    assert date(2026, 12, 24) in ov.closures


def test_makeup_day_on_a_weekday_is_a_warning() -> None:
    text = "years:\n  2027:\n    holidays: [2027-01-01]\n    workdays: [2027-01-05]\n"
    ov, diags = parse(text)
    assert 2027 in ov.years
    assert any("警告" in d and "calendar.makeup_on_weekday" in d for d in diags)
