"""The shipped example playlists are valid, drawable and active in office hours from now on."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.cli import Environment, main
from kiosk.config import Config
from kiosk.fonts import missing_glyphs
from kiosk.model import Alert, Notice, Playlist
from kiosk.playlist import read_playlist
from kiosk.schedule import active
from kiosk.workcal import load_calendar

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "playlists").glob("*.yaml"))
FONTS = Config().display.fonts


def font_check(text: str) -> list[str]:
    return sorted(
        set(missing_glyphs(text, FONTS.regular, FONTS.face_index))
        | set(missing_glyphs(text, FONTS.title, FONTS.title_face_index))
    )


def load(path: Path) -> Playlist:
    pl, diags = read_playlist(path, font_check=font_check)
    assert [d.format("en") for d in diags] == []
    assert pl is not None
    return pl


def test_kiosk_validate_accepts_all_examples() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", *map(str, EXAMPLES)], Environment(stdout=out, stderr=err, environ={}))
    assert code == 0, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_is_valid_and_every_character_is_drawable(path: Path) -> None:
    load(path)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_entries_show_in_office_hours_on_working_days_without_an_end(path: Path) -> None:
    for e in load(path).entries:
        s = e.schedule
        assert e.enabled
        assert s.date_to is None, e.id
        assert s.days in ("workdays", "all") or {1, 2, 3, 4, 5} <= set(s.days), e.id
        assert not s.times or any(
            r.start <= time(10) < r.end or (r.wraps and (time(10) >= r.start or time(10) < r.end))
            for r in s.times
        ), e.id
        # a 公示期 ends by itself: no example has one, so a new user sees every entry play
        assert s.publicity is None, e.id
        assert not (isinstance(e.content, Notice) and e.content.publicity is not None), e.id


# A fixed "today" and working days spread from it to the end of May 2027 (not the real
# clock): 2027 is past the packaged holiday data, so those dates are plain weekdays away
# from the Spring Festival and Qingming/May Day holidays of any plausible 2027 table.
TODAY = date(2026, 12, 2)
WORKING_DATES = [
    date(2026, 12, 2),
    date(2026, 12, 16),
    date(2027, 1, 13),
    date(2027, 3, 10),
    date(2027, 4, 14),
    date(2027, 5, 19),
    date(2027, 5, 31),
]
OFFICE_TIMES = [time(8, 30), time(10), time(16, 30)]


def test_the_dates_checked_are_working_days_spread_to_the_end_of_may() -> None:
    cal, _ = load_calendar(None)
    assert all(cal.is_workday(d) for d in WORKING_DATES)
    assert WORKING_DATES[0] == TODAY and WORKING_DATES[-1] == date(2027, 5, 31)
    assert len({(d.year, d.month) for d in WORKING_DATES}) >= 5


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_entry_shows_on_working_days_from_today_to_the_end_of_may(
    path: Path,
) -> None:
    pl, diags = read_playlist(path, font_check=font_check, today=TODAY)
    assert [d.format("en") for d in diags] == []  # nothing has ended as of TODAY either
    assert pl is not None
    tz = ZoneInfo("Asia/Shanghai")
    for e in pl.entries:
        shown_on = [
            d
            for d in WORKING_DATES
            if all(e in active(pl, datetime.combine(d, t, tzinfo=tz)) for t in OFFICE_TIMES)
        ]
        assert len(shown_on) >= 5, (e.id, shown_on)
        assert shown_on[-1] == date(2027, 5, 31), e.id


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_entries_rest_at_night_and_on_a_sunday(path: Path) -> None:
    pl = load(path)
    tz = ZoneInfo("Asia/Shanghai")
    assert active(pl, datetime(2026, 12, 2, 22, tzinfo=tz)) == []
    sunday = [e.id for e in active(pl, datetime(2026, 12, 6, 10, tzinfo=tz))]
    assert all(e.kind == "alert" for e in pl.entries if e.id in sunday)


def test_example_alerts_expire_after_the_dates_checked() -> None:
    for path in EXAMPLES:
        for e in load(path).entries:
            if isinstance(e.content, Alert) and e.content.expires is not None:
                assert e.content.expires.date() >= date(2027, 6, 15), (path.name, e.id)


def test_demo_has_every_kind_and_the_four_notice_categories() -> None:
    demo = load(ROOT / "playlists" / "demo.yaml")
    assert {e.kind for e in demo.entries} == {"notice", "guide", "report", "image", "pdf", "alert"}
    categories = {e.content.category for e in demo.entries if isinstance(e.content, Notice)}
    assert {"工作动态", "人事任命", "财政资金", "计划总结"} <= categories
    assert any(e.select is not None for e in demo.entries)
    assert len(demo.ticker.items) >= 3


def test_long_notices_are_long_enough_to_need_several_pages() -> None:
    notices = load(ROOT / "playlists" / "notices.yaml")
    long = [
        e for e in notices.entries if isinstance(e.content, Notice) and len(e.content.body) > 1000
    ]
    assert len(long) >= 3
    for e in long:
        assert isinstance(e.content, Notice)
        lines = e.content.body.splitlines()
        assert any(ln.startswith("一、") for ln in lines)
        assert any(ln.startswith("（一）") for ln in lines)
