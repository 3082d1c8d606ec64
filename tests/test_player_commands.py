"""`kiosk status`, `kiosk proof`, `kiosk screenshot`, and the pure helpers behind them."""

from __future__ import annotations

import io
import json
import threading
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pygame
import pytest

from kiosk.atomic import write_json_atomic
from kiosk.cli import Environment, main
from kiosk.player.display import logical_size, map_rect, parse_size
from kiosk.player.engine import ProofRecord
from kiosk.player.keys import KeyMap
from kiosk.player.motion import (
    date_text,
    ticker_offset,
    ticker_step_in,
    transition_frame,
    until_next_second,
)
from kiosk.player.proof import ProofLog, proof_files, read_records
from kiosk.player.statefiles import StateFileError, parse_alerts, parse_power
from kiosk.player.status import display_width, format_status

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=TZ)


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), Environment(stdout=out, stderr=err, environ={}))
    return code, out.getvalue(), err.getvalue()


def rec(id: str, start: datetime, seconds: float, pages: tuple[int, ...] = (1,)) -> ProofRecord:
    return ProofRecord(
        id, f"标题{id}", "notice", start, start + timedelta(seconds=seconds), pages, 2
    )


# ---------------------------------------------------------------- status


def test_status_prints_chinese_labels_and_json(tmp_path: Path) -> None:
    doc = {
        "state": "playing",
        "entry": "n1",
        "title": "2018年政府信息公开年报",
        "page": 2,
        "pages": 3,
        "heartbeat": datetime.now().astimezone().isoformat(),
        "last_reload_error": None,
        "frames": 12,
        "fps": 1.0,
    }
    write_json_atomic(tmp_path / "status.json", doc)
    code, out, _ = run_cli("status", "--state-dir", str(tmp_path))
    assert code == 0
    assert "当前内容" in out and "2018年政府信息公开年报" in out and "2/3" in out
    assert "[last_reload_error]" in out and "正在轮播" in out
    code, out, _ = run_cli("status", "--state-dir", str(tmp_path), "--json")
    assert code == 0 and json.loads(out)["entry"] == "n1"


def test_status_without_a_player_says_so_in_one_line(tmp_path: Path) -> None:
    code, out, err = run_cli("status", "--state-dir", str(tmp_path))
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1
    assert "status.json" in err


def test_a_stale_heartbeat_is_flagged() -> None:
    now = datetime(2026, 11, 30, 10, 0, tzinfo=TZ)
    lines = format_status({"heartbeat": (now - timedelta(minutes=5)).isoformat()}, now)
    assert any("[status.stale]" in line for line in lines)


# ---------------------------------------------------------------- proof


def test_the_proof_log_rotates_by_size_and_reads_back_in_order(tmp_path: Path) -> None:
    log = ProofLog(tmp_path, max_bytes=600, keep=3)
    for i in range(30):
        log.append(rec(f"e{i}", T0 + timedelta(minutes=i), 60))
    files = proof_files(tmp_path)
    assert [f.name for f in files] == [
        "proof.jsonl.3",
        "proof.jsonl.2",
        "proof.jsonl.1",
        "proof.jsonl",
    ]
    assert all(f.stat().st_size <= 600 for f in files)
    ids = [r.id for r in read_records(tmp_path)]
    assert ids == sorted(ids, key=lambda s: int(s[1:]))  # oldest first, nothing out of order
    assert ids[-1] == "e29" and len(ids) < 30  # the oldest were dropped


def test_proof_command_filters_by_day_and_writes_csv(tmp_path: Path) -> None:
    log = ProofLog(tmp_path)
    log.append(rec("a", T0, 40, (1, 2)))
    log.append(rec("b", T0 + timedelta(days=1), 20))
    (tmp_path / "proof.jsonl").open("a").write('{"id": "cut-off by power lo')  # damaged tail
    code, out, _ = run_cli(
        "proof", "--state-dir", str(tmp_path), "--from", "2026-11-30", "--to", "2026-11-30"
    )
    assert code == 0
    assert "标题a" in out and "标题b" not in out and "0:00:40" in out and "1,2/2" in out
    code, out, _ = run_cli(
        "proof", "--state-dir", str(tmp_path), "--from", "2026-11-30", "--to", "2026-12-01", "--csv"
    )
    assert out.startswith("\ufeff")  # so that Excel on a Chinese PC does not read it as GBK
    rows = out.removeprefix("\ufeff").strip().splitlines()
    assert rows[0] == "id,title,kind,start,end,seconds,pages,page_count"
    assert [r.split(",")[0] for r in rows[1:]] == ["a", "b"]
    _, plain, _ = run_cli(
        "proof", "--state-dir", str(tmp_path), "--from", "2026-11-30", "--to", "2026-12-01",
        "--csv", "--no-bom",
    )  # fmt: skip
    assert plain == out.removeprefix("\ufeff")
    code, out, _ = run_cli(
        "proof",
        "--state-dir",
        str(tmp_path),
        "--from",
        "2026-11-30",
        "--to",
        "2026-12-01",
        "--summary",
    )
    assert code == 0 and "a\t1\t0:00:40" in out


def test_proof_rejects_a_bad_date_in_one_line(tmp_path: Path) -> None:
    code, _, err = run_cli("proof", "--state-dir", str(tmp_path), "--from", "30.11.2026")
    assert code == 2 and "YYYY-MM-DD" in err


# ---------------------------------------------------------------- screenshot


def test_screenshot_command_gets_the_picture_from_the_player(tmp_path: Path) -> None:
    req = tmp_path / "screenshot.request"
    out = tmp_path / "out.png"
    pygame.init()
    surf = pygame.Surface((64, 48))
    surf.fill((10, 20, 30))

    def player() -> None:  # what the frame loop does when it sees the request
        for _ in range(200):
            if req.exists():
                pygame.image.save(surf, str(tmp_path / "screenshot.png"))
                req.unlink()
                return
            threading.Event().wait(0.01)

    t = threading.Thread(target=player)
    t.start()
    code, _, _ = run_cli("screenshot", "--state-dir", str(tmp_path), str(out))
    t.join()
    assert code == 0 and out.exists()
    assert pygame.image.load(str(out)).get_at((1, 1))[:3] == (10, 20, 30)


def test_screenshot_to_a_path_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    req = tmp_path / "screenshot.request"
    pygame.init()

    def player() -> None:
        for _ in range(200):
            if req.exists():
                pygame.image.save(pygame.Surface((8, 8)), str(tmp_path / "screenshot.png"))
                req.unlink()
                return
            threading.Event().wait(0.01)

    t = threading.Thread(target=player)
    t.start()
    out = tmp_path / "no-such-dir" / "x.png"
    code, _, err = run_cli("screenshot", "--state-dir", str(tmp_path), str(out))
    t.join()
    assert code == 1
    assert err.count("\n") == 1 and str(out) in err and "内部错误" not in err


def test_screenshot_without_a_player_times_out_in_one_line(tmp_path: Path) -> None:
    code, _, err = run_cli(
        "screenshot", "--state-dir", str(tmp_path), str(tmp_path / "x.png"), "--timeout", "0"
    )
    assert code == 1 and "kiosk play" in err
    assert not (tmp_path / "screenshot.request").exists()


# ---------------------------------------------------------------- pure helpers


def test_transitions_are_functions_of_progress() -> None:
    assert transition_frame("cut", 0.1, 100)[1].alpha == 255
    out, inc = transition_frame("fade", 0.0, 100)
    assert out.alpha == 255 and inc.alpha == 0
    assert transition_frame("fade", 0.5, 100)[1].alpha == 128
    out, inc = transition_frame("push", 0.5, 100)
    assert out.dx == -50 and inc.dx == 50
    assert transition_frame("push", 1.0, 100)[1].dx == 0


def test_ticker_offset_depends_on_elapsed_time_only() -> None:
    assert ticker_offset(2.0, 90.0, 1000) == 180
    assert ticker_offset(12.0, 90.0, 1000) == 80  # wraps around the strip
    assert ticker_step_in(0.0, 100.0) == pytest.approx(0.01)


def test_the_clock_ticks_on_whole_seconds_and_dates_read_the_official_way() -> None:
    assert until_next_second(T0.replace(microsecond=250_000)) == 0.75
    assert date_text(datetime(2026, 11, 29, tzinfo=TZ)) == "2026年11月29日 星期日"


def test_rotated_rectangles_land_where_the_rotated_picture_puts_them() -> None:
    pygame.init()
    logical = (40, 30)
    canvas = pygame.Surface(logical)
    canvas.fill((0, 0, 0))
    rect = (5, 3, 10, 6)
    canvas.fill((255, 255, 255), rect)
    for rotation in (0, 90, 180, 270):
        turned = pygame.transform.rotate(canvas, -rotation)
        x, y, w, h = map_rect(rect, logical, rotation)
        assert turned.get_size() == logical_size(logical, rotation)
        assert turned.get_at((x, y))[:3] == (255, 255, 255)
        assert turned.get_at((x + w - 1, y + h - 1))[:3] == (255, 255, 255)
        whites = [
            (px, py)
            for px in range(turned.get_width())
            for py in range(turned.get_height())
            if turned.get_at((px, py))[:3] == (255, 255, 255)
        ]
        assert min(whites) == (x, y) and max(whites) == (x + w - 1, y + h - 1)


def test_size_flags_parse_and_reject_nonsense() -> None:
    assert parse_size("1920x1080") == (1920, 1080)
    with pytest.raises(ValueError):
        parse_size("big")


def test_power_and_alert_files_parse_or_fail_clearly() -> None:
    assert not parse_power(b'{"state": "off", "reason": "night"}').on
    with pytest.raises(StateFileError):
        parse_power(b'{"state": "dim"}')
    doc = {"alerts": [{"id": "x", "level": "red", "title": "暴雪", "expires": "2026-12-01T08:00"}]}
    (e,) = parse_alerts(json.dumps(doc).encode(), TZ)
    assert e.id == "alert:x" and e.content is not None
    with pytest.raises(StateFileError):
        parse_alerts(b'{"alerts": [{"id": "x", "level": "pink", "title": "t"}]}', TZ)


def test_only_the_bound_keys_do_anything() -> None:
    km = KeyMap()
    assert km.press("right", set(), 0.0) == "next"
    assert km.press("escape", set(), 0.0) is None
    assert km.press("r", {"ctrl"}, 0.0) is None
    assert km.press("q", set(), 0.0) is None
    assert km.release("q", 1.0) is None
    assert km.press("q", set(), 2.0) is None
    assert km.release("q", 5.5) == "quit"


def test_status_indents_the_further_lines_of_a_multi_line_error_under_the_value() -> None:
    doc = {
        "state": "playing",
        "last_reload_error": "playlist.yaml:3:5: 错误: 缺少 id\n  - {body: x}\n    ^",
        "entry_errors": {"pic": "MediaError: 图片已损坏", "n2": "ValueError: 版面\n第二行"},
        "frames": 1,
    }
    lines = format_status(doc)
    start = next(i for i, ln in enumerate(lines) if "[last_reload_error]" in ln)
    first = lines[start]
    column = display_width(first[: first.index("playlist.yaml")])  # terminal columns
    assert first.endswith("[last_reload_error]")
    assert lines[start + 1] == " " * column + "  - {body: x}"
    assert lines[start + 2] == " " * column + "    ^"
    errs = next(i for i, ln in enumerate(lines) if "[entry_errors]" in ln)
    assert "pic: MediaError: 图片已损坏" in lines[errs]
    assert lines[errs + 1] == " " * column + "n2: ValueError: 版面"
    assert lines[errs + 2] == " " * column + "第二行"
    assert lines[errs + 3].startswith("帧计数")


def test_alert_times_from_the_daemon_are_shown_in_the_configured_zone() -> None:
    from kiosk.layout.alert import alert_footer
    from kiosk.model import Alert

    doc = {
        "alerts": [{"id": "x", "level": "red", "title": "暴雪", "expires": "2027-06-15T16:00:00Z"}]
    }
    (e,) = parse_alerts(json.dumps(doc).encode(), TZ)
    assert isinstance(e.content, Alert)
    assert e.content.expires == datetime(2027, 6, 16, 0, 0, tzinfo=TZ)
    assert "有效至6月15日" in alert_footer(e.content, "镇政府")  # the end of that day, locally


def test_status_gives_the_screen_power_reason_in_chinese_with_its_key() -> None:
    def power_line(reason: str) -> str:
        doc = {"power": {"on": reason != "after-hours", "reason": reason}}
        return next(ln for ln in format_status(doc) if ln.endswith("[power]"))

    assert "关（非办公时间） after-hours" in power_line("after-hours")
    assert "开（未收到后台服务的开关指令，保持开屏） default" in power_line("default")
    assert "开（night-shift）" in power_line("night-shift")  # an unknown key as it is


def test_proof_and_status_titles_leave_out_the_writers_break_hints() -> None:
    from kiosk.player.loader import title_of
    from kiosk.playlist import load_playlist

    text = (
        "version: 1\nentries:\n"
        "  - {id: a, kind: alert, level: blue, title: 冬春季森林草原 防火期提示,"
        " expires: 2030-06-15}\n"
        "  - {id: n, kind: notice, title: 关于 PM2.5 监测的 公告, body: 正文}\n"
    )
    pl, diags = load_playlist(text.encode(), "p.yaml")
    assert pl is not None, [d.format() for d in diags]
    assert [title_of(e) for e in pl.entries] == [
        "冬春季森林草原防火期提示",
        "关于 PM2.5 监测的公告",
    ]


def test_a_playlist_alert_is_logged_and_recorded_without_the_break_hint(tmp_path: Path) -> None:
    from kiosk.config import Config
    from kiosk.player.loader import load_program
    from kiosk.player.sources import real_sources

    playlist = tmp_path / "p.yaml"
    playlist.write_text(
        "version: 1\nentries:\n"
        "  - {id: a, kind: alert, level: blue, title: 冬春季森林草原 防火期提示,"
        " body: 严禁野外用火, expires: 2030-06-15}\n",
        encoding="utf-8",
    )
    now = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    loaded = load_program(real_sources(Config(), (640, 360)), str(playlist), str(tmp_path), now, 1)
    assert [a.title for a in loaded.program.alerts] == ["冬春季森林草原防火期提示"]
