"""The playlist loader: a valid file becomes the model; values are read as typed."""

from __future__ import annotations

from datetime import date, datetime, time
from textwrap import dedent
from zoneinfo import ZoneInfo

from kiosk import DISCLOSURE_PUBLIC
from kiosk.model import Alert, Guide, Notice, Publicity, Report, TimeRange
from kiosk.playlist import load_playlist, parse_content

GOOD = dedent(
    """\
    version: 1
    name: 大厅屏
    defaults:
      duration: auto
      transition: push
      schedule:
        days: workdays
        times: 08:00-18:00
    frame:
      office: 红花尔基镇人民政府
      phone: 0470-8942932
    ticker:
      speed: 90
      texts:
        - 欢迎来到红花尔基镇人民政府
    entries:
      - id: n1
        kind: notice
        title: 关于召开会议的通知
        body: |
          一、会议时间
          正文。
        date: 2026-11-30
        category: 工作动态
        duration: 1m30s
        publicity: {start: 2026-12-01, working_days: 5}
      - id: g1
        kind: guide
        service: 政府信息依申请公开
        steps: [提交申请, 受理, 答复]
        enabled: no
        schedule:
          days: 周一至周五
          times: [08:30-12:00, "14:30-17:30"]
      - id: r1
        kind: report
        title: 2018年政府信息公开工作年度报告
        year: 2018
        figures:
          - {label: 主动公开政府信息, value: 179, unit: 条}
      - id: a1
        kind: alert
        level: 橙色
        title: 大风橙色预警
        expires: 2026-12-01 18:00
        schedule: {days: all, times: all}
      - id: sel
        kind: notice
        select: {category: 人事任命, limit: 3}
    """
)


def load(text: str, **kw: object) -> tuple[object, list[str]]:
    pl, diags = load_playlist(text.encode(), "t.yaml", **kw)  # type: ignore[arg-type]
    return pl, [d.format("en") for d in diags]


def test_a_valid_playlist_loads_without_diagnostics() -> None:
    pl, diags = load_playlist(GOOD.encode(), "t.yaml")
    assert diags == []
    assert pl is not None
    assert [e.id for e in pl.entries] == ["n1", "g1", "r1", "a1", "sel"]
    assert pl.frame.phone == "0470-8942932"
    assert pl.ticker.items == ("欢迎来到红花尔基镇人民政府",)
    assert pl.ticker.speed == 90


def test_times_are_read_as_typed_not_as_base_60_integers() -> None:
    pl, _ = load_playlist(GOOD.encode(), "t.yaml")
    assert pl is not None
    assert pl.defaults.schedule.times == (TimeRange(time(8), time(18)),)
    g1 = pl.entries[1]
    assert g1.schedule.times == (
        TimeRange(time(8, 30), time(12)),
        TimeRange(time(14, 30), time(17, 30)),
    )


def test_entry_schedule_keys_override_the_defaults_key_by_key() -> None:
    pl, _ = load_playlist(GOOD.encode(), "t.yaml")
    assert pl is not None
    n1, g1, _, a1, _ = pl.entries
    assert n1.schedule.days == "workdays"  # from defaults
    assert g1.schedule.days == frozenset({1, 2, 3, 4, 5})  # 周一至周五
    assert a1.schedule.days == "all" and a1.schedule.times == ()


def test_yes_no_words_are_booleans_only_where_a_boolean_is_expected() -> None:
    pl, _ = load_playlist(GOOD.encode(), "t.yaml")
    assert pl is not None
    assert pl.entries[1].enabled is False
    report = pl.entries[2].content
    assert isinstance(report, Report)
    assert report.figures[0].value == "179"


def test_durations_and_publicity_and_alert_expiry_are_typed() -> None:
    pl, _ = load_playlist(GOOD.encode(), "t.yaml")
    assert pl is not None
    n1 = pl.entries[0]
    assert n1.duration == 90.0
    assert pl.entries[2].duration is None  # auto from defaults
    assert isinstance(n1.content, Notice)
    assert n1.content.date == date(2026, 11, 30)
    # a notice's publicity period also limits its schedule
    assert n1.schedule.publicity == Publicity(date(2026, 12, 1), working_days=5)
    alert = pl.entries[3].content
    assert isinstance(alert, Alert)
    assert alert.level == "orange"
    assert alert.expires == datetime(2026, 12, 1, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_select_entries_carry_a_rule_and_no_content() -> None:
    pl, _ = load_playlist(GOOD.encode(), "t.yaml")
    assert pl is not None
    sel = pl.entries[4]
    assert sel.content is None and sel.select is not None
    assert (sel.select.kind, sel.select.category, sel.select.limit) == ("notice", "人事任命", 3)
    assert sel.disclosure == DISCLOSURE_PUBLIC


def test_full_width_digits_and_colons_from_a_chinese_ime_are_accepted() -> None:
    text = GOOD.replace("times: 08:00-18:00", "times: ０８：００－１８：００")
    pl, diags = load(text)
    assert diags == []
    assert pl is not None


def test_utf8_bom_is_accepted() -> None:
    pl, diags = load_playlist(b"\xef\xbb\xbf" + GOOD.encode(), "t.yaml")
    assert diags == [] and pl is not None


def test_midnight_wrapping_window_and_24_00_end_are_accepted() -> None:
    text = GOOD.replace("times: 08:00-18:00", "times: [22:00-06:00, 18:00-24:00]")
    pl, diags = load(text)
    assert diags == []
    assert pl is not None
    wrap, late = pl.defaults.schedule.times
    assert wrap.wraps and late.end == time(0, 0)


def test_parse_content_reads_plain_manifest_metadata_with_the_same_keys() -> None:
    meta = {
        "service": "政府信息依申请公开",
        "steps": ["提交申请", "受理", "答复"],
        "phone": "0470-8942932",
        "id": "g-1",
    }
    content, diags = parse_content("guide", meta, skip=("id",))
    assert diags == []
    assert isinstance(content, Guide)
    assert content.steps == ("提交申请", "受理", "答复")


def test_parse_content_reports_bad_manifest_metadata_without_raising() -> None:
    content, diags = parse_content("notice", {"title": "x", "date": "2026-13-01"})
    assert content is None
    keys = {d.key for d in diags}
    assert {"value.bad_date", "key.missing"} <= keys


def test_warnings_alone_keep_the_playlist() -> None:
    pl, diags = load_playlist(
        GOOD.encode(), "t.yaml", font_check=lambda t: [c for c in t if c == "召"]
    )
    assert pl is not None
    assert [d.key for d in diags] == ["font.missing_glyphs"]
    assert diags[0].pos.line == 19  # the title line, where 召 first appears


def test_an_injected_media_check_reports_at_the_file_value_and_only_for_existing_files() -> None:
    text = dedent(
        """\
        version: 1
        entries:
          - id: a
            kind: image
            file: a.png
          - id: b
            kind: pdf
            file: gone.pdf
          - id: c
            kind: pdf
            file: c.pdf
        """
    )
    asked: list[tuple[str, str]] = []

    def media_check(path: str, name: str) -> tuple[str, str, str] | None:
        asked.append((path, name))
        if name == "a.png":
            return ("file.bad_image", f"坏图片：{name}", f"bad image: {name}")
        return None

    pl, diags = load_playlist(
        text,
        "p.yaml",
        base_dir="/media",
        file_exists=lambda p: not p.endswith("gone.pdf"),
        media_check=media_check,
    )
    assert pl is None
    assert [(d.pos.line, d.pos.col, d.key) for d in diags] == [
        (5, 11, "file.bad_image"),
        (8, 11, "file.missing"),
    ]
    assert asked == [("/media/a.png", "a.png"), ("/media/c.pdf", "c.pdf")]
