from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from kiosk.model import (
    Alert,
    Entry,
    Guide,
    Notice,
    Playlist,
    Report,
    Schedule,
    Selection,
    TimeRange,
)
from kiosk.schedule_report import day_header, entry_title, render_day, render_schedule
from kiosk.workcal import default_calendar

SH = ZoneInfo("Asia/Shanghai")
CAL = default_calendar()


def tr(a: str, b: str) -> TimeRange:
    return TimeRange(time.fromisoformat(a), time.fromisoformat(b))


OFFICE = Schedule(days="workdays", times=(tr("08:00", "12:00"), tr("14:30", "17:30")))
REPORT = Entry(
    "report-2018", "report", content=Report("2018年政府信息公开工作年度报告"), schedule=OFFICE
)


def test_day_header_names_the_date_weekday_and_kind_of_day() -> None:
    assert day_header(date(2026, 11, 30), CAL) == "2026年11月30日 星期一（工作日）"
    assert day_header(date(2026, 10, 1), CAL) == "2026年10月1日 星期四（法定节假日：国庆节）"
    assert day_header(date(2026, 10, 10), CAL) == "2026年10月10日 星期六（调休上班：国庆节）"
    assert day_header(date(2027, 1, 2), CAL).endswith("（休息日，按周一至周五推算）")


def test_day_plan_lists_time_ranges_in_order_with_id_and_title() -> None:
    night = Entry(
        "night",
        "notice",
        content=Notice("夜间公告", "x"),
        schedule=Schedule(times=(tr("22:00", "02:00"),)),
    )
    lines = render_day(Playlist((night, REPORT)), date(2026, 11, 30), SH, CAL)
    assert lines == [
        "2026年11月30日 星期一（工作日）",
        "  00:00–02:00  night  夜间公告",
        "  08:00–12:00  report-2018  2018年政府信息公开工作年度报告",
        "  14:30–17:30  report-2018  2018年政府信息公开工作年度报告",
        "  22:00–24:00  night  夜间公告",
    ]


def test_day_plan_says_what_does_not_show_on_a_rest_day() -> None:
    guide = Entry("guide", "guide", content=Guide("政府信息依申请公开"))
    lines = render_day(Playlist((REPORT, guide)), date(2026, 10, 1), SH, CAL)
    assert lines[1].startswith("  全天") and "guide" in lines[1]
    assert lines[-1] == "  当天不播放：report-2018"


def test_empty_day_says_the_default_page_shows() -> None:
    lines = render_day(Playlist((REPORT,)), date(2026, 11, 29), SH, CAL)
    assert "默认页面" in lines[1]


def test_report_at_an_instant_tells_what_plays_and_the_next_change() -> None:
    now = datetime(2026, 11, 30, 9, 5, tzinfo=SH)
    lines = render_schedule(Playlist((REPORT,)), now.date(), 1, SH, CAL, now=now)
    assert lines[0] == "2026年11月30日 星期一 09:05 正在播放 1 项：report-2018"
    assert lines[1] == "下次变化：今天 12:00"


def test_report_lists_disabled_entries_once_at_the_end() -> None:
    off = Entry("old", "notice", content=Notice("旧公告", "x"), enabled=False)
    lines = render_schedule(Playlist((REPORT, off)), date(2026, 11, 30), 2, SH, CAL)
    assert lines[-1] == "已停用（enabled: false）：old"
    assert sum("old" in line for line in lines) == 1


def test_entry_titles_describe_every_kind_of_entry() -> None:
    alert = Entry("a", "alert", content=Alert("orange", "寒潮橙色预警"))
    assert entry_title(alert) == "【橙色预警】寒潮橙色预警"
    sel = Entry("s", "notice", select=Selection("notice", "人事任命", 3))
    assert entry_title(sel) == "（自动选取内容库中“人事任命”类公告公示，最新的至多 3 条）"
    assert entry_title(Entry("r", "notice", ref="n-2018-07")) == "（内容库中的 n-2018-07）"
