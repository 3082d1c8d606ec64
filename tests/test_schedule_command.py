"""``kiosk schedule PLAYLIST``: the day plan staff read, through the real CLI."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from textwrap import dedent
from zoneinfo import ZoneInfo

from kiosk.cli import Environment, main
from kiosk.clock import FakeClock

PLAYLIST = dedent(
    """\
    version: 1
    defaults:
      schedule: {days: workdays, times: 08:00-18:00}
    entries:
      - id: news
        kind: notice
        title: 工作动态
        body: 正文
      - id: night
        kind: notice
        title: 夜间提示
        body: 正文
        schedule: {days: all, times: 20:00-06:00}
    """
)


def run(*argv: str, now: datetime | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdout=out, stderr=err, environ={})
    if now is not None:
        env.clock = lambda tz: FakeClock(now, tz)
    code = main(list(argv), env)
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return code, out.getvalue(), err.getvalue()


def playlist(tmp_path: Path, text: str = PLAYLIST) -> str:
    f = tmp_path / "p.yaml"
    f.write_text(text, encoding="utf-8")
    return str(f)


def test_at_an_instant_it_says_what_plays_and_when_that_changes(tmp_path: Path) -> None:
    code, out, _ = run("schedule", playlist(tmp_path), "--at", "2026-12-02T10:00")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "2026年12月2日 星期三 10:00 正在播放 1 项：news"
    assert lines[1] == "下次变化：今天 18:00"
    assert "2026年12月2日 星期三（工作日）" in lines
    assert "  08:00–18:00  news  工作动态" in lines


def test_without_at_it_reads_the_injected_clock_in_the_configured_zone(tmp_path: Path) -> None:
    now = datetime(2026, 12, 2, 1, 0, tzinfo=ZoneInfo("UTC"))  # 09:00 in Shanghai
    code, out, _ = run("schedule", playlist(tmp_path), now=now)
    assert code == 0
    assert out.splitlines()[0].startswith("2026年12月2日 星期三 09:00 正在播放 1 项：news")


def test_a_statutory_holiday_shows_nothing_for_workday_entries(tmp_path: Path) -> None:
    code, out, _ = run("schedule", playlist(tmp_path), "--at", "2026-10-01T10:00")
    assert code == 0
    assert "2026年10月1日 星期四（法定节假日：国庆节）" in out
    assert "当天不播放：news" in out


def test_a_tiaoxiu_saturday_is_listed_as_a_working_day(tmp_path: Path) -> None:
    code, out, _ = run("schedule", playlist(tmp_path), "--at", "2026-10-10")
    assert code == 0
    assert "2026年10月10日 星期六（调休上班：国庆节）" in out
    assert "  08:00–18:00  news  工作动态" in out


def test_days_across_new_year_use_the_weekday_fallback_with_a_warning(tmp_path: Path) -> None:
    code, out, err = run("schedule", playlist(tmp_path), "--at", "2026-12-31T10:00", "--days", "3")
    assert code == 0
    days = [ln for ln in out.splitlines() if re.match(r"^\d{4}年\d+月\d+日 星期.（", ln)]
    assert days == [
        "2026年12月31日 星期四（工作日）",
        "2027年1月1日 星期五（工作日，按周一至周五推算）",
        "2027年1月2日 星期六（休息日，按周一至周五推算）",
    ]
    # the warning names the uncovered year once, with its stable key, on stderr
    assert len(re.findall(r"警告: .*2027年.*\[calendar\.uncovered_year\]", err)) == 1


def test_the_warning_comes_in_english_with_lang_en(tmp_path: Path) -> None:
    code, _, err = run(
        "schedule", playlist(tmp_path), "--at", "2027-01-04", "--lang", "en", "--days", "2"
    )
    assert code == 0
    assert re.search(r"warning: .*2027.*\[calendar\.uncovered_year\]", err)


def test_a_window_wrapping_midnight_at_new_year_spans_both_years(tmp_path: Path) -> None:
    code, out, _ = run("schedule", playlist(tmp_path), "--at", "2027-01-01T05:00")
    assert code == 0
    assert out.splitlines()[0] == "2027年1月1日 星期五 05:00 正在播放 1 项：night"
    assert out.splitlines()[1] == "下次变化：今天 06:00"


def test_an_invalid_playlist_is_one_line_per_problem_and_exit_1(tmp_path: Path) -> None:
    bad = playlist(tmp_path, PLAYLIST.replace("08:00-18:00", "08:00-25:00"))
    code, out, err = run("schedule", bad, "--at", "2026-12-02")
    assert code == 1
    assert out == ""
    assert re.fullmatch(r"\S+p\.yaml:3:37: 错误: .+ \[value\.bad_time\]\n", err)


def test_a_missing_playlist_is_reported_not_raised(tmp_path: Path) -> None:
    code, _, err = run("schedule", str(tmp_path / "none.yaml"), "--at", "2026-12-02")
    assert code == 1
    assert err.strip().endswith("none.yaml: 错误: 文件不存在 [file.not_found]")


def test_bad_at_and_days_are_usage_errors_in_one_line(tmp_path: Path) -> None:
    for extra in (["--at", "tomorrow"], ["--days", "0"], ["--days", "367"]):
        code, _, err = run("schedule", playlist(tmp_path), *extra)
        assert code == 2, extra
        assert len(err.strip().splitlines()) == 1, err


def test_the_shipped_demo_plays_on_a_working_morning() -> None:
    demo = Path(__file__).resolve().parent.parent / "playlists" / "demo.yaml"
    code, out, _ = run("schedule", str(demo), "--at", "2027-03-10T09:00")
    assert code == 0
    assert re.match(r"2027年3月10日 星期三 09:00 正在播放 \d+ 项：report-2018", out)


def test_a_time_far_outside_the_calendar_is_a_usage_error_not_a_crash(tmp_path: Path) -> None:
    for at in ("9999-12-31T23:00", "0001-01-01"):
        code, _, err = run("schedule", playlist(tmp_path), "--at", at)
        assert code == 2
        assert err.count("\n") == 1 and "超出范围" in err
