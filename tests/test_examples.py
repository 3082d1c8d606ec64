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
from kiosk.model import Notice, Playlist
from kiosk.playlist import read_playlist
from kiosk.schedule import active

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
        if s.publicity is not None:  # the one 公示 example ends by itself, by design
            assert isinstance(e.content, Notice) and e.content.category == "财政资金"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
@pytest.mark.parametrize(
    "when",
    [datetime(2026, 11, 30, 10), datetime(2026, 12, 4, 16, 30), datetime(2027, 3, 1, 9)],
    ids=str,
)
def test_every_example_entry_is_active_on_working_days_in_office_hours(
    path: Path, when: datetime
) -> None:
    pl = load(path)
    now = when.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    shown = {e.id for e in active(pl, now)}
    expected = {
        e.id for e in pl.entries if e.schedule.publicity is None or when.date() <= date(2026, 12, 8)
    }
    assert shown == expected


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
