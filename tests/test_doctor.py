"""`kiosk doctor` on a developer machine / CI, with a temporary state directory."""

from __future__ import annotations

import io
import json
import re
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from kiosk.alerts import FORMAT
from kiosk.cli import Environment, main
from kiosk.clock import FakeClock
from kiosk.config import Config, DisplayConfig, FontConfig, PortalConfig, PowerConfig
from kiosk.doctor import (
    Check,
    Probe,
    check_alert_feed,
    check_cec,
    check_clock_sync,
    check_drm_permissions,
    check_font,
    check_holidays,
    check_last_sync,
    check_player,
    check_state_dir,
    check_store,
    check_timezone,
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


def test_a_portal_without_an_alert_feed_yet_is_a_warning_but_a_broken_one_fails(
    tmp_path: Path,
) -> None:
    from kiosk.config import PortalConfig
    from kiosk.doctor import check_alert_feed
    from tests.portal_fixture import serve

    root = tmp_path / "portal"
    root.mkdir()
    with serve(root) as portal:
        p = probe(tmp_path, portal=PortalConfig(source=portal.url))
        p.network = True
        missing = check_alert_feed(p, verify=lambda body, sig: None)
        assert missing.status == "warn" and "还没有紧急通知文件" in missing.zh
        portal.fail_with = 500
        assert check_alert_feed(p, verify=lambda body, sig: None).status == "fail"
    p = probe(tmp_path, portal=PortalConfig(source=str(root)))  # a USB stick without the file
    p.network = True
    assert check_alert_feed(p, verify=lambda body, sig: None).status == "warn"
    # a feed published without its signature can never be used: that is a failure
    (root / "alerts.json").write_text('{"format": 1}', encoding="utf-8")
    unsigned = check_alert_feed(p, verify=lambda body, sig: None)
    assert unsigned.status == "fail" and "alerts.json.sig" in unsigned.zh
    with serve(root) as portal:
        p = probe(tmp_path, portal=PortalConfig(source=portal.url))
        p.network = True
        assert check_alert_feed(p, verify=lambda body, sig: None).status == "fail"


def test_the_alert_feed_check_counts_alerts_that_will_not_reach_the_screen(tmp_path: Path) -> None:
    def alert(aid: str, **kw: str) -> dict[str, str]:
        expires = (NOW + timedelta(hours=3)).isoformat()
        return {"id": aid, "level": "blue", "title": "停水通知", "expires": expires, **kw}

    doc = {
        "format": FORMAT,
        "version": 4,
        "issued": NOW.isoformat(),
        "alerts": [
            alert("a", disclosure="主动公开"),
            alert("b"),
            alert("c", disclosure="不予公开"),
        ],
    }
    (tmp_path / "alerts.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    (tmp_path / "alerts.json.sig").write_bytes(b"sig")
    p = probe(tmp_path, portal=PortalConfig(alerts=str(tmp_path / "alerts.json")))
    p.network = True
    check = check_alert_feed(p, lambda raw, sig: None)
    assert check.status == "ok"
    assert check.zh.endswith("（版本 4，1 条，另有 2 条不是主动公开、不会上屏）"), check.zh


# ----------------------------------------------------------------------------- --lang en

HAN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
# data an English line may carry as it is: "quoted" text (font face names, error messages
# from elsewhere) and paths or URLs (a state directory or playlist may have a Chinese name)
DATA = re.compile(r'"[^"]*"|\S*/\S*')


def han_outside_data(text: str) -> list[str]:
    return HAN.findall(DATA.sub("", text))


def assert_english(checks: list[Check]) -> None:
    assert checks
    for c in checks:
        assert c.en.strip(), f"{c.key} has no English text: {c.zh}"
        line = c.line("en")
        assert line.endswith(c.en)
        assert han_outside_data(line) == [], line


def test_the_data_rule_keeps_quoted_names_and_paths_but_not_prose() -> None:
    assert han_outside_data('"思源黑体" (face 2 of /usr/share/字体/x.ttc)') == []
    assert han_outside_data("state directory writable: /srv/状态") == []
    assert han_outside_data("磁盘剩余 77 GB") != []
    assert han_outside_data("77 GB（free）") != []  # full-width brackets are not English


def test_every_check_on_a_development_machine_has_english_text(tmp_path: Path) -> None:
    from kiosk.daemon import load_work_calendar

    playlist = Path(__file__).resolve().parent.parent / "playlists" / "demo.yaml"
    checks = run_checks(probe(tmp_path, playlist=str(playlist)), load_work_calendar(Config()))
    assert len(checks) == 17
    assert_english(checks)


def test_display_font_clock_and_calendar_problems_are_told_in_english(tmp_path: Path) -> None:
    import getpass

    checks: list[Check] = []
    (tmp_path / "dev" / "dri").mkdir(parents=True)
    (tmp_path / "dev" / "dri" / "card1").touch()
    p = probe(tmp_path)
    p.environ = {"SDL_VIDEODRIVER": "x11"}
    p.service_user = getpass.getuser()  # a real user outside video/render/input
    checks += [check_video_driver(p), check_drm_permissions(p)]
    jp = check_font(probe(tmp_path, display=DisplayConfig(fonts=FontConfig(face_index=0))))
    assert jp[0].status == "fail" and '"Noto Sans CJK JP' in jp[0].en
    checks += jp
    missing = check_font(
        probe(tmp_path, display=DisplayConfig(fonts=FontConfig(regular="/无此目录/x.ttc")))
    )
    assert "fonts-noto-cjk" in missing[0].en
    checks += missing
    p.timedatectl = lambda: "no"
    checks.append(check_clock_sync(p))
    p.timedatectl, p.kernel_synced = (lambda: None), (lambda: False)
    later = (NOW + timedelta(days=2)).isoformat()
    (tmp_path / "state" / "state.json").write_text(f'{{"last_trusted_time": "{later}"}}')
    untrusted = check_clock_sync(p)
    assert "wait" in untrusted.en and (NOW + timedelta(days=2)).strftime("%Y-%m-%d") in untrusted.en
    checks.append(untrusted)
    checks.append(check_timezone(probe(tmp_path, timezone="Mars/Olympus_Mons")))
    zone = probe(tmp_path)
    zone.localtime = tmp_path / "localtime"
    zone.localtime.symlink_to("/usr/share/zoneinfo/Europe/Berlin")
    mismatch = check_timezone(zone)
    assert mismatch.status == "warn" and "Europe/Berlin" in mismatch.en
    checks.append(mismatch)
    for calendar in (None, Calendar(2004, 2025), Calendar(2004, 2026)):
        checks.append(check_holidays(p, calendar))
    nxt = checks[-1]
    assert "2027" in nxt.en and "2004–2026" in nxt.en
    assert [c.status for c in checks].count("fail") >= 4
    assert_english(checks)


def test_state_store_and_sync_problems_are_told_in_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kiosk.store

    checks: list[Check] = []
    p = probe(tmp_path, portal=PortalConfig(source="http://127.0.0.1:9/"))
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    for where in (blocker, blocker / "state", tmp_path / "尚未创建的状态目录"):
        p.config = Config(state_dir=str(where), portal=p.config.portal)
        checks += check_state_dir(p)
    p = probe(tmp_path, portal=PortalConfig(source="http://127.0.0.1:9/"))
    for free_mb in (10, 100):
        usage = SimpleNamespace(total=10**12, used=0, free=free_mb * 1024 * 1024)
        monkeypatch.setattr(shutil, "disk_usage", lambda path, u=usage: u)
        space = check_state_dir(p)[1]
        assert f"{free_mb} MB" in space.en
        checks.append(space)
    monkeypatch.undo()

    checks.append(check_store(p, None))  # nothing synchronised yet
    gen = tmp_path / "gen"
    gen.mkdir()
    view = SimpleNamespace(
        generation=7,
        version=12,
        path=str(gen),
        items=(SimpleNamespace(id="notice-1", files={"image": str(gen / ("0" * 64))}),),
    )
    monkeypatch.setattr(kiosk.store, "read_current", lambda state: view)
    damaged = check_store(p, None)
    assert damaged.status == "fail" and "generation 7" in damaged.en and "missing" in damaged.en
    checks.append(damaged)

    def bad_signature(body: bytes, sig: bytes) -> None:
        raise ValueError("签名无效 (bad signature)")

    checks.append(check_store(p, bad_signature))
    monkeypatch.undo()

    checks.append(check_last_sync(probe(tmp_path)))  # no portal configured
    checks.append(check_last_sync(p))  # never
    state = Path(p.config.state_dir)
    (state / "daemon.json").write_text(
        json.dumps(
            {
                "sync_failures": 3,
                "next_retry": (NOW + timedelta(minutes=15)).isoformat(),
                "last_sync_error": "sync.unreachable: 连接被拒绝",
            }
        )
    )
    for age in (timedelta(hours=8), timedelta(days=2), timedelta(days=9)):
        (state / "state.json").write_text(json.dumps({"last_success": (NOW - age).isoformat()}))
        checks.append(check_last_sync(p))
    stale = checks[-1]
    assert stale.status == "fail"
    assert "9 days ago" in stale.en and "3 failure(s)" in stale.en
    assert "retry at 11-29 10:15" in stale.en and '"sync.unreachable: 连接被拒绝"' in stale.en
    assert_english(checks)


def test_playlist_alerts_power_and_player_problems_are_told_in_english(tmp_path: Path) -> None:
    from kiosk.doctor import check_alert_feed, check_playlist
    from tests.portal_fixture import serve

    checks: list[Check] = []
    checks.append(check_playlist(probe(tmp_path)))  # missing file
    bad = tmp_path / "bad.yaml"
    bad.write_text("entries:\n  - nonsense: 1\n")
    broken = check_playlist(probe(tmp_path, playlist=str(bad)))
    assert broken.status == "fail" and "kiosk validate" in broken.en
    checks.append(broken)

    checks.append(check_alert_feed(probe(tmp_path), None))  # no address
    offline = probe(tmp_path, portal=PortalConfig(source="http://127.0.0.1:9/"))
    checks.append(check_alert_feed(offline, None))
    root = tmp_path / "portal"
    root.mkdir()
    with serve(root) as portal:
        p = probe(tmp_path, portal=PortalConfig(source=portal.url))
        p.network = True
        checks.append(check_alert_feed(p, verify=lambda body, sig: None))  # no feed yet
        portal.fail_with = 500
        checks.append(check_alert_feed(p, verify=lambda body, sig: None))
    assert [c.status for c in checks[-2:]] == ["warn", "fail"]

    checks.append(check_cec(probe(tmp_path)))  # no cec-ctl
    p = probe(tmp_path, power=PowerConfig(cec_device=str(tmp_path / "cec0")))
    p.which = lambda name: "/usr/bin/cec-ctl"
    checks.append(check_cec(p))  # no device
    checks.append(check_cec(probe(tmp_path, power=PowerConfig(backend="blank"))))

    p = probe(tmp_path)
    checks.append(check_player(p))  # no status yet
    status = Path(p.config.state_dir) / "status.json"
    for beat in (NOW - timedelta(seconds=5), NOW - timedelta(minutes=10)):
        status.write_text(json.dumps({"heartbeat": beat.isoformat()}))
        checks.append(check_player(p))
    assert "10 min" in checks[-1].en
    assert_english(checks)


def test_a_crashing_check_is_told_in_english_with_its_message_quoted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kiosk.doctor as doctor

    def boom(p: Probe) -> Check:
        raise RuntimeError("磁盘着火")

    monkeypatch.setattr(doctor, "check_cec", boom)
    cec = [c for c in run_checks(probe(tmp_path)) if c.key == "power.cec"]
    assert cec[0].en == 'the check itself failed: RuntimeError: "磁盘着火"'
    assert_english(cec)


def doctor_cli(tmp_path: Path, *argv: str) -> tuple[int, list[str]]:
    state = tmp_path / "state"
    state.mkdir(exist_ok=True)
    playlist = tmp_path / "p.yaml"
    playlist.write_text("entries: []\n")
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"state_dir: {state}\nplaylist: {playlist}\n")
    out, err = io.StringIO(), io.StringIO()
    code = main(
        [*argv, "doctor", "--offline", "--config", str(config)],
        Environment(stdout=out, stderr=err, environ={}),
    )
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue().splitlines()


def test_kiosk_lang_en_doctor_prints_english_lines_and_an_english_summary(
    tmp_path: Path,
) -> None:
    _, lines = doctor_cli(tmp_path, "--lang", "en")
    n = {s: sum(line.split()[0] == s for line in lines[:-1]) for s in ("ok", "warn", "fail")}
    assert lines[-1] == (
        f"{len(lines) - 1} checks: {n['ok']} ok, {n['warn']} warnings, {n['fail']} failed"
    )
    for line in lines:
        assert han_outside_data(line) == [], line
    _, zh = doctor_cli(tmp_path)
    assert zh[-1] == f"共 {len(lines) - 1} 项：{n['ok']} 正常，{n['warn']} 提醒，{n['fail']} 失败"


def test_doctor_json_keeps_its_keys_and_adds_the_english_text(tmp_path: Path) -> None:
    for lang in ("zh", "en"):
        _, lines = doctor_cli(tmp_path, "--lang", lang, "--json")
        for line in lines:
            doc = json.loads(line)
            assert list(doc) == ["key", "status", "text", "en"]
            assert HAN.search(doc["text"]), doc  # "text" stays Chinese whatever --lang says
            assert doc["en"] and han_outside_data(doc["en"]) == [], doc


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
