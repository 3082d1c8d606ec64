"""`kiosk doctor` on a developer machine / CI, with a temporary state directory."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.cli import Environment, main
from kiosk.clock import FakeClock
from kiosk.config import Config, DisplayConfig, FontConfig, PortalConfig, PowerConfig
from kiosk.doctor import (
    Check,
    Probe,
    check_cec,
    check_clock_sync,
    check_font,
    check_holidays,
    check_last_sync,
    check_player,
    check_state_dir,
    check_video_driver,
    run_checks,
    worst,
)

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 29, 10, 0, tzinfo=TZ)


def probe(tmp_path: Path, **config: object) -> Probe:
    state = tmp_path / "state"
    state.mkdir(exist_ok=True)
    config.setdefault("playlist", str(tmp_path / "missing.yaml"))
    cfg = Config(state_dir=str(state), **config)  # type: ignore[arg-type]
    return Probe(
        config=cfg,
        clock=FakeClock(NOW),
        dev_dir=tmp_path / "dev",
        timesync_flag=tmp_path / "synchronized",
        service_user="kiosk-no-such-user",
        which=lambda name: None,
        network=False,
        timedatectl=lambda: None,
        kernel_synced=lambda: None,
    )


class Calendar:
    def __init__(self, first: int, last: int) -> None:
        self.span = (first, last)

    def covers(self, year: int) -> bool:
        return self.span[0] <= year <= self.span[1]

    def covered_years(self) -> tuple[int, int]:
        return self.span

    def is_workday(self, d: date) -> bool:
        return d.isoweekday() <= 5


def test_every_line_has_a_status_a_stable_key_and_chinese_text(tmp_path: Path) -> None:
    checks = run_checks(probe(tmp_path), Calendar(2004, 2026))
    keys = [c.key for c in checks]
    for key in (
        "display.driver",
        "display.permissions",
        "font.regular",
        "text.harfbuzz",
        "clock.sync",
        "clock.timezone",
        "calendar.coverage",
        "state.writable",
        "state.space",
        "store.current",
        "sync.age",
        "playlist.valid",
        "alerts.feed",
        "power.cec",
    ):
        assert key in keys
    for c in checks:
        line = c.line()
        assert line.split()[0] in ("ok", "warn", "fail")
        assert line.split()[1] == c.key
        assert any("\u4e00" <= ch <= "\u9fff" for ch in c.zh), c


def test_no_drm_device_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    assert check_video_driver(probe(tmp_path)).status == "warn"
    (tmp_path / "dev" / "dri").mkdir(parents=True)
    (tmp_path / "dev" / "dri" / "card1").touch()
    assert check_video_driver(probe(tmp_path)).status == "ok"
    p = probe(tmp_path)
    p.environ = {"SDL_VIDEODRIVER": "x11"}
    assert check_video_driver(p).status == "warn"


def test_the_japanese_face_of_the_collection_is_a_failure(tmp_path: Path) -> None:
    good = {c.key: c.status for c in check_font(probe(tmp_path))}
    assert good == {"font.regular": "ok", "font.bold": "ok", "font.title": "ok"}
    fonts = FontConfig(face_index=0)  # face 0 of the .ttc is the Japanese design
    checks = check_font(probe(tmp_path, display=DisplayConfig(fonts=fonts)))
    regular = next(c for c in checks if c.key == "font.regular")
    assert regular.status == "fail" and "JP" in regular.zh
    missing = check_font(
        probe(tmp_path, display=DisplayConfig(fonts=FontConfig(regular="/nonexistent.ttc")))
    )
    assert missing[0].status == "fail" and "fonts-noto-cjk" in missing[0].zh


def test_holiday_data_missing_for_next_year_warns_and_for_this_year_fails(tmp_path: Path) -> None:
    p = probe(tmp_path)
    assert check_holidays(p, Calendar(2004, 2027)).status == "ok"
    nxt = check_holidays(p, Calendar(2004, 2026))
    assert nxt.status == "warn" and "2027" in nxt.zh
    assert check_holidays(p, Calendar(2004, 2025)).status == "fail"


def test_the_installed_holiday_data_is_judged_by_the_years_it_covers(tmp_path: Path) -> None:
    # chinese-calendar gains next year's table each winter: expect whatever it covers now
    from kiosk.workcal import default_calendar

    calendar = default_calendar()
    assert calendar.covers(NOW.year)
    check = check_holidays(probe(tmp_path), calendar)
    assert check.status == ("ok" if calendar.covers(NOW.year + 1) else "warn")
    assert f"{calendar.covered_years()[1]}" in check.zh


def test_state_dir_checks_writability_and_space(tmp_path: Path) -> None:
    checks = {c.key: c.status for c in check_state_dir(probe(tmp_path))}
    assert checks == {"state.writable": "ok", "state.space": "ok"}
    p = probe(tmp_path)
    p.config = Config(state_dir=str(tmp_path / "not-yet"))
    assert [c.status for c in check_state_dir(p)] == ["warn"]


def test_state_dir_that_is_a_file_or_lies_under_a_file_fails(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    p = probe(tmp_path)
    for where in (blocker, blocker / "state"):
        p.config = Config(state_dir=str(where))
        assert [c.status for c in check_state_dir(p)] == ["fail"], where


def test_last_sync_age_is_judged_against_the_clock(tmp_path: Path) -> None:
    p = probe(tmp_path, portal=PortalConfig(source="http://127.0.0.1:9/"))
    assert check_last_sync(p).status == "warn"  # never
    state = Path(p.config.state_dir) / "state.json"
    for age, status in (
        (timedelta(hours=8), "ok"),
        (timedelta(days=2), "warn"),
        (timedelta(days=9), "fail"),
    ):
        state.write_text(json.dumps({"last_success": (NOW - age).isoformat()}))
        assert check_last_sync(p).status == status, age


def test_last_sync_age_mentions_failed_retries_since(tmp_path: Path) -> None:
    p = probe(tmp_path, portal=PortalConfig(source="http://127.0.0.1:9/"))
    state = Path(p.config.state_dir)
    (state / "state.json").write_text(
        json.dumps({"last_success": (NOW - timedelta(hours=20)).isoformat()})
    )
    (state / "daemon.json").write_text(
        json.dumps(
            {
                "sync_failures": 2,
                "next_retry": (NOW + timedelta(minutes=15)).isoformat(),
                "last_sync_error": "sync.unreachable: 连接被拒绝",
            }
        )
    )
    check = check_last_sync(p)
    assert check.status == "ok"  # yesterday's content is still fresh enough
    assert "连续失败 2 次" in check.zh and "11-29 10:15 重试" in check.zh
    assert "sync.unreachable" in check.zh


def test_cec_missing_tool_warns_and_blank_backend_is_fine(tmp_path: Path) -> None:
    assert check_cec(probe(tmp_path)).status == "warn"
    assert check_cec(probe(tmp_path, power=PowerConfig(backend="blank"))).status == "ok"
    device = tmp_path / "cec0"
    device.touch()
    p = probe(tmp_path, power=PowerConfig(cec_device=str(device)))
    p.which = lambda name: "/usr/bin/cec-ctl"
    assert check_cec(p).status == "ok"


def test_a_stale_player_heartbeat_warns(tmp_path: Path) -> None:
    p = probe(tmp_path)
    status = Path(p.config.state_dir) / "status.json"
    status.write_text(json.dumps({"heartbeat": (NOW - timedelta(seconds=5)).isoformat()}))
    assert check_player(p).status == "ok"
    status.write_text(json.dumps({"heartbeat": (NOW - timedelta(minutes=10)).isoformat()}))
    assert check_player(p).status == "warn"


def test_a_crashing_check_becomes_one_warning_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kiosk.doctor as doctor

    def boom(p: Probe) -> Check:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(doctor, "check_cec", boom)
    checks = run_checks(probe(tmp_path))
    cec = [c for c in checks if c.key == "power.cec"]
    assert len(cec) == 1 and cec[0].status == "warn" and "disk on fire" in cec[0].zh


def test_worst_status_decides_the_exit_code() -> None:
    assert worst([Check("a", "ok", "好"), Check("b", "warn", "注意")]) == "warn"
    assert worst([Check("a", "fail", "坏"), Check("b", "warn", "注意")]) == "fail"


def test_kiosk_doctor_runs_here_and_exits_zero_unless_something_fails(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    playlist = tmp_path / "p.yaml"
    playlist.write_text("entries: []\n")
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"state_dir: {state}\nplaylist: {playlist}\n")
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["doctor", "--offline", "--config", str(config)],
        Environment(stdout=out, stderr=err, environ={}),
    )
    lines = out.getvalue().splitlines()
    assert lines[-1].startswith("共 ")
    statuses = [line.split()[0] for line in lines[:-1]]
    assert set(statuses) <= {"ok", "warn", "fail"}
    assert code == (1 if "fail" in statuses else 0)
    assert "Traceback" not in err.getvalue()


def test_clock_sync_asks_timesyncd_then_timedatectl_then_the_kernel(tmp_path: Path) -> None:
    p = probe(tmp_path)
    assert check_clock_sync(p).status == "warn"  # nothing can tell: not known to be right
    p.kernel_synced = lambda: True  # chrony or a container: the kernel knows
    assert check_clock_sync(p).status == "ok"
    p.timedatectl = lambda: "no"  # timedatectl answers and wins over the kernel
    no = check_clock_sync(p)
    assert no.status == "warn" and "NTPSynchronized=no" in no.zh
    p.timedatectl = lambda: "yes"
    assert check_clock_sync(p).status == "ok"
    p.timedatectl, p.kernel_synced = (lambda: None), (lambda: False)
    assert "adjtimex" in check_clock_sync(p).zh
    (tmp_path / "synchronized").touch()  # systemd-timesyncd's flag
    assert "timesyncd" in check_clock_sync(p).zh


def test_an_unsynchronised_clock_says_whether_the_daemon_still_decides(tmp_path: Path) -> None:
    p = probe(tmp_path)
    assert "照常进行" in check_clock_sync(p).zh  # no trusted time recorded after NOW
    later = (NOW + timedelta(days=2)).isoformat()
    (tmp_path / "state" / "state.json").write_text(f'{{"last_trusted_time": "{later}"}}')
    check = check_clock_sync(p)
    assert check.status == "warn" and "暂停过期判断和屏幕开关" in check.zh
    assert (NOW + timedelta(days=2)).strftime("%Y-%m-%d") in check.zh


def test_a_machine_without_pi_hardware_gets_warnings_not_failures(tmp_path: Path) -> None:
    # a developer laptop or a CI runner: no DRM device, no kiosk user, no cec-ctl, no NTP
    # flag — all worth a warning, none a failure; the exit status stays 0
    from kiosk.daemon import load_work_calendar

    playlist = Path(__file__).resolve().parent.parent / "playlists" / "demo.yaml"
    p = probe(tmp_path, playlist=str(playlist))
    checks = run_checks(p, load_work_calendar(Config()))
    status = {c.key: c.status for c in checks}
    for key in ("display.driver", "display.permissions", "power.cec", "clock.sync"):
        assert status[key] == "warn", key
    assert [c for c in checks if c.status == "fail"] == []
    assert status["playlist.valid"] == "ok" and status["font.regular"] == "ok"
    assert worst(checks) == "warn"


def test_a_playlist_whose_image_does_not_open_fails_the_playlist_check(tmp_path: Path) -> None:
    from kiosk.doctor import check_playlist

    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    playlist = tmp_path / "p.yaml"
    playlist.write_text(
        "version: 1\nentries:\n  - id: plan\n    kind: image\n    file: broken.png\n",
        encoding="utf-8",
    )
    check = check_playlist(probe(tmp_path, playlist=str(playlist)))
    assert check.status == "fail"
    assert "p.yaml:5:11" in check.zh and "[file.bad_image]" in check.zh
