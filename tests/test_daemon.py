"""The daemon's jobs driven by a fake clock and a portal on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk import daemon as d
from kiosk.alerts import AlertFeed, HttpFetcher
from kiosk.clock import FakeClock
from kiosk.config import Config, DaemonConfig, PowerConfig
from kiosk.power import CecBackend, PowerController, read_json
from tests.portal_fixture import serve
from tests.test_alerts import Signer, alert, document
from tests.test_power import ChineseCalendar, fake_program

TZ = ZoneInfo("Asia/Shanghai")


class FakeSync:
    def __init__(self, clock: FakeClock, ok: bool = True) -> None:
        self.clock = clock
        self.ok = ok
        self.calls: list[datetime] = []
        self.ran = threading.Event()

    def __call__(self) -> d.SyncOutcome:
        self.calls.append(self.clock.now())
        self.ran.set()
        if not self.ok:
            return d.SyncOutcome(False, message="portal unreachable")
        return d.SyncOutcome(True, version=len(self.calls), changed=True)


def make(
    tmp_path: Path,
    start: datetime,
    *,
    synced: bool = True,
    fetcher: Any = None,
    verify: Any = None,
    backend: Any = None,
    config: Config | None = None,
) -> tuple[d.Daemon, FakeClock, FakeSync]:
    clock = FakeClock(start)
    state = tmp_path / "state"
    state.mkdir(exist_ok=True)
    flag = tmp_path / "synchronized"
    if synced:
        flag.touch()
    sync = FakeSync(clock)
    cfg = config or Config(state_dir=str(state))
    daemon = d.Daemon(
        config=cfg,
        clock=clock,
        state_dir=state,
        sync_runner=sync,
        alert_feed=AlertFeed(state, fetcher, verify),
        power=PowerController(state, backend),
        calendar=ChineseCalendar(),
        timesync_flag=flag,
    )
    return daemon, clock, sync


@pytest.fixture
def paused_scheduler() -> Iterator[Any]:
    from apscheduler.schedulers.background import BackgroundScheduler

    sched = BackgroundScheduler(timezone=TZ)
    yield sched
    if sched.running:
        sched.shutdown(wait=False)


# ----------------------------------------------------------------------------- sync


def test_the_nightly_sync_fires_in_the_small_hours_within_the_jitter_window(
    tmp_path: Path, paused_scheduler: Any
) -> None:
    daemon, clock, _ = make(tmp_path, datetime(2026, 11, 27, 14, 0, tzinfo=TZ))
    sched = d.build_scheduler(daemon, paused_scheduler, seed=1)
    job = sched.get_job("sync")
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 3600)
    fires = set()
    for day in range(20):
        now = clock.now() + timedelta(days=day)
        fire = job.trigger.get_next_fire_time(None, now)
        assert fire.tzinfo is not None and fire.utcoffset() == timedelta(hours=8)
        assert fire.date() == now.date() + timedelta(days=1)
        assert time(2, 30) <= fire.time() <= time(3, 0)
        fires.add(fire.time())
    assert len(fires) > 1  # jitter spreads a fleet over the window


def test_the_alert_poll_has_no_jitter_so_a_new_alert_shows_within_one_interval(
    tmp_path: Path, paused_scheduler: Any
) -> None:
    daemon, clock, _ = make(tmp_path, datetime(2026, 11, 27, 14, 0, tzinfo=TZ))
    sched = d.build_scheduler(daemon, paused_scheduler, seed=1)
    trigger = sched.get_job("alerts").trigger
    assert trigger.interval == timedelta(seconds=daemon.config.daemon.alert_poll_s)
    assert trigger.jitter is None
    fire = clock.now()
    for _ in range(50):
        after = trigger.get_next_fire_time(fire, fire)
        assert after - fire == trigger.interval  # every gap exactly one interval
        fire = after


def test_the_nightly_run_syncs_and_records_success(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "kiosk.daemon")
    daemon, clock, sync = make(tmp_path, datetime(2026, 11, 28, 2, 41, tzinfo=TZ))
    outcome = daemon.job_sync()
    assert outcome is not None and outcome.ok
    assert sync.calls == [clock.now()]
    assert d.last_sync_success(daemon.state_dir) == clock.now()
    assert "sync.ok reason=nightly version=1 changed=True" in caplog.messages
    assert not daemon.needs_catch_up()


def test_a_failed_sync_is_logged_and_keeps_the_last_success(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "kiosk.daemon")
    daemon, clock, sync = make(tmp_path, datetime(2026, 11, 28, 2, 41, tzinfo=TZ))
    daemon.job_sync()
    clock.advance(86400)
    sync.ok = False
    daemon.job_sync()
    assert d.last_sync_success(daemon.state_dir) == clock.now() - timedelta(days=1)
    assert read_json(daemon.state_dir / d.DAEMON_STATE)["last_sync_result"] == "fail"  # type: ignore[index]
    assert any(m.startswith("sync.fail reason=nightly") for m in caplog.messages)


def test_catch_up_after_downtime_schedules_one_sync_shortly_after_start(
    tmp_path: Path, paused_scheduler: Any
) -> None:
    daemon, clock, sync = make(tmp_path, datetime(2026, 11, 30, 9, 15, tzinfo=TZ))
    # last success three days ago (the board was switched off over the weekend)
    (daemon.state_dir / "state.json").write_text(
        json.dumps({"last_success": {"time": "2026-11-27T02:44:00+08:00", "result": "updated"}})
    )
    sched = d.build_scheduler(daemon, paused_scheduler)
    sched.start(paused=True)
    d.startup(daemon, sched)
    job = sched.get_job("sync-catchup")
    assert job is not None
    assert job.next_run_time == clock.now() + timedelta(seconds=d.CATCHUP_DELAY_S)
    assert job.kwargs == {"reason": "catch-up"}
    job.func(**job.kwargs)
    assert sync.calls == [clock.now()]
    assert not daemon.needs_catch_up()


@pytest.mark.parametrize(
    ("last_success", "overdue"),
    [
        (None, True),
        ("2026-11-30T02:50:00+08:00", False),  # last night, late in the jitter window
        ("2026-11-29T02:31:00+08:00", False),  # yesterday's run; tonight's not yet due
        ("2026-11-28T02:31:00+08:00", True),  # missed last night
    ],
)
def test_catch_up_only_when_a_nightly_run_was_missed(
    tmp_path: Path, last_success: str | None, overdue: bool
) -> None:
    daemon, _, _ = make(tmp_path, datetime(2026, 11, 30, 2, 0, tzinfo=TZ))
    if last_success:
        success = {"time": last_success, "result": "unchanged", "version": 3}
        (daemon.state_dir / "state.json").write_text(json.dumps({"last_success": success}))
    if last_success == "2026-11-30T02:50:00+08:00":
        daemon.clock.set_wall(datetime(2026, 11, 30, 9, 0, tzinfo=TZ))  # type: ignore[attr-defined]
    assert daemon.needs_catch_up() is overdue


def _run_scheduler_with_late_sync(daemon: d.Daemon, late: timedelta) -> FakeSync:
    from apscheduler.schedulers.background import BackgroundScheduler

    sync = daemon.sync_runner
    assert isinstance(sync, FakeSync)
    sched = d.build_scheduler(daemon, BackgroundScheduler(timezone=TZ))
    for job_id in ("alerts", "power", "housekeeping"):
        sched.remove_job(job_id)
    sched.start(paused=True)
    # the nightly run came due `late` ago (board suspended, process stalled)
    sched.modify_job("sync", next_run_time=datetime.now(TZ) - late)
    sched.resume()
    try:
        sync.ran.wait(10)
    finally:
        sched.shutdown(wait=True)
    return sync


def test_a_misfire_within_the_grace_time_still_runs_once(tmp_path: Path) -> None:
    daemon, _, _ = make(tmp_path, datetime.now(TZ))
    sync = _run_scheduler_with_late_sync(daemon, timedelta(minutes=40))
    assert len(sync.calls) == 1


def test_a_misfire_beyond_the_grace_time_is_caught_up_when_a_run_was_missed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "kiosk.daemon")
    monkeypatch.setattr(d, "MISSED_CATCHUP_DELAY_S", 0)
    daemon, _, _ = make(tmp_path, datetime.now(TZ))
    sync = _run_scheduler_with_late_sync(daemon, timedelta(hours=3))
    assert len(sync.calls) == 1
    assert any(m.startswith("sync.missed") for m in caplog.messages)
    assert "sync.ok reason=catch-up version=1 changed=True" in caplog.messages


def test_no_sync_while_the_clock_is_untrusted(tmp_path: Path) -> None:
    # booted without RTC: the clock reads 1970-ish / earlier than the last trusted time
    daemon, _, sync = make(tmp_path, datetime(2026, 11, 30, 9, 0, tzinfo=TZ), synced=False)
    (daemon.state_dir / d.DAEMON_STATE).write_text(
        json.dumps({"last_trusted": "2026-12-01T09:00:00+08:00"})
    )
    assert daemon.job_sync() is None
    assert sync.calls == []


# ----------------------------------------------------------------------------- clock


def test_clock_trust_rules() -> None:
    now = datetime(2026, 11, 30, 9, 0, tzinfo=TZ)
    assert d.clock_trusted(now, synced=True, last_trusted=now + timedelta(days=9))
    assert d.clock_trusted(now, synced=False, last_trusted=now - timedelta(hours=1))
    assert not d.clock_trusted(now, synced=False, last_trusted=now + timedelta(hours=1))
    assert not d.clock_trusted(datetime(1970, 1, 1, tzinfo=TZ), synced=False, last_trusted=None)


def test_the_kernel_clock_state_counts_when_timesyncd_leaves_no_flag(tmp_path: Path) -> None:
    # chrony instead of systemd-timesyncd: no flag file, but adjtimex says synchronised
    daemon, _, _ = make(tmp_path, datetime(2026, 11, 30, 9, 0, tzinfo=TZ), synced=False)
    (daemon.state_dir / d.DAEMON_STATE).write_text(
        json.dumps({"last_trusted": "2026-12-01T09:00:00+08:00"})
    )
    daemon.kernel_synced = lambda: None  # cannot tell (seccomp): the flag rule alone
    assert not daemon.is_trusted()
    daemon.kernel_synced = lambda: False
    assert not daemon.is_trusted()
    daemon.kernel_synced = lambda: True
    assert daemon.is_trusted()


def test_the_last_trusted_time_is_saved_only_from_a_synchronised_clock(tmp_path: Path) -> None:
    daemon, clock, _ = make(tmp_path, datetime(2026, 11, 30, 9, 0, tzinfo=TZ))
    daemon.is_trusted()
    saved = read_json(daemon.state_dir / d.DAEMON_STATE)
    assert saved == {"last_trusted": "2026-11-30T09:00:00+08:00"}
    (tmp_path / "synchronized").unlink()
    clock.advance(3600)
    daemon.is_trusted()
    assert read_json(daemon.state_dir / d.DAEMON_STATE) == saved


def test_a_clock_jump_reschedules_every_job_and_decides_again(
    tmp_path: Path, paused_scheduler: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    daemon, clock, _ = make(tmp_path, datetime(2026, 11, 30, 7, 0, tzinfo=TZ))
    sched = d.build_scheduler(daemon, paused_scheduler)
    sched.start(paused=True)
    d.startup(daemon, sched)
    assert read_json(daemon.state_dir / "power.json")["state"] == "off"  # type: ignore[index]
    sched.modify_job("alerts", next_run_time=datetime(2030, 1, 1, tzinfo=TZ))
    clock.advance(30)
    d.on_watch(daemon, sched)  # no jump: nothing happens
    assert sched.get_job("alerts").next_run_time.year == 2030
    clock.jump_wall(timedelta(hours=2))  # NTP steps the clock to 09:00
    clock.advance(30)
    d.on_watch(daemon, sched)
    assert sched.get_job("alerts").next_run_time.year < 2030
    assert any(m.startswith("clock.jump by=7200s") for m in caplog.messages)
    assert read_json(daemon.state_dir / "power.json")["state"] == "on"  # type: ignore[index]


# ----------------------------------------------------------------------------- alerts


def test_an_alert_appears_within_a_minute_and_disappears_at_expiry(
    tmp_path: Path, paused_scheduler: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    signer = Signer()
    site = tmp_path / "site"
    site.mkdir()
    signer.publish(site, document(1))
    t0 = datetime(2026, 11, 27, 9, 0, tzinfo=TZ)
    with serve(site) as portal:
        daemon, clock, _ = make(
            tmp_path, t0, fetcher=HttpFetcher(portal.url + "/alerts.json"), verify=signer.verify
        )
        sched = d.build_scheduler(daemon, paused_scheduler)
        poll = sched.get_job("alerts").trigger
        assert poll.interval <= timedelta(minutes=1)
        daemon.job_alerts()
        assert json.loads((daemon.state_dir / "alerts.json").read_text())["alerts"] == []
        # the portal publishes an alert valid for 30 minutes; the next poll shows it
        signer.publish(site, document(2, alert("wind", "orange", issued=t0, hours=0.5)))
        clock.advance(poll.interval.total_seconds())
        daemon.job_alerts()
        shown = json.loads((daemon.state_dir / "alerts.json").read_text())["alerts"]
        assert [(a["id"], a["level"]) for a in shown] == [("wind", "orange")]
        # polls at every interval: conditional GETs answered 304, alert stays until expiry
        while clock.now() < t0 + timedelta(minutes=30):
            assert json.loads((daemon.state_dir / "alerts.json").read_text())["alerts"]
            clock.advance(poll.interval.total_seconds())
            daemon.job_alerts()
        assert json.loads((daemon.state_dir / "alerts.json").read_text())["alerts"] == []
        statuses = [s for _, _, s in portal.requests]
        assert statuses.count(304) >= 25
    events = [m.split()[0] for m in caplog.messages if m.startswith("alert.")]
    assert events == ["alert.feed", "alert.feed", "alert.new", "alert.expired"]


def test_a_feed_of_only_non_public_alerts_puts_nothing_on_screen_and_is_no_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    signer = Signer()
    site = tmp_path / "site"
    site.mkdir()
    t0 = datetime(2026, 11, 27, 9, 0, tzinfo=TZ)
    signer.publish(site, document(1, alert("public", "blue", issued=t0)))
    with serve(site) as portal:
        daemon, clock, _ = make(
            tmp_path, t0, fetcher=HttpFetcher(portal.url + "/alerts.json"), verify=signer.verify
        )
        daemon.job_alerts()
        shown = json.loads((daemon.state_dir / "alerts.json").read_text())["alerts"]
        assert [a["id"] for a in shown] == ["public"]
        # the next version has only alerts that are not 主动公开 (one unmarked, one 不予公开)
        signer.publish(
            site,
            document(
                2,
                alert("unmarked", "red", issued=t0, disclosure=None),
                alert("internal", "orange", issued=t0, disclosure="不予公开"),
            ),
        )
        for _ in range(3):
            clock.advance(60)
            daemon.job_alerts()
    assert json.loads((daemon.state_dir / "alerts.json").read_text())["alerts"] == []
    assert daemon.alert_feed.last_error is None
    assert daemon.alert_feed.doc is not None and daemon.alert_feed.doc.version == 2
    events = [m.split()[0] for m in caplog.messages if m.startswith("alert.")]
    assert events == [
        "alert.feed",
        "alert.new",
        "alert.not_public",
        "alert.not_public",
        "alert.feed",
        "alert.withdrawn",
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_an_unreachable_feed_is_logged_once_and_alerts_still_expire(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    signer = Signer()
    site = tmp_path / "site"
    site.mkdir()
    t0 = datetime(2026, 11, 27, 9, 0, tzinfo=TZ)
    signer.publish(site, document(1, alert("a", hours=0.1, issued=t0)))
    with serve(site) as portal:
        daemon, clock, _ = make(
            tmp_path, t0, fetcher=HttpFetcher(portal.url + "/alerts.json"), verify=signer.verify
        )
        daemon.job_alerts()
        portal.fail_with = 503
        for _ in range(10):
            clock.advance(60)
            daemon.job_alerts()
    assert json.loads((daemon.state_dir / "alerts.json").read_text())["alerts"] == []
    assert sum(m.startswith("alert.http_error") for m in caplog.messages) == 1


# ----------------------------------------------------------------------------- power


def power_timeline(
    daemon: d.Daemon, clock: FakeClock, until: datetime, step_s: int = 1800
) -> list[tuple[str, str]]:
    """Run the power job every ``step_s`` of the way; return (local time, state) per change."""
    seen: list[tuple[str, str]] = []
    while clock.now() < until:
        daemon.job_power()
        state = read_json(daemon.state_dir / "power.json")["state"]  # type: ignore[index]
        if not seen or seen[-1][1] != state:
            seen.append((clock.now().strftime("%m-%d %a %H:%M"), state))
        clock.advance(step_s)
    return seen


def test_power_follows_national_day_and_the_tiaoxiu_saturday(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "kiosk.power")
    start = datetime(2026, 9, 30, 7, 0, tzinfo=TZ)
    # trusted by the release floor; no timesync flag so no last-trusted writes on the way
    daemon, clock, _ = make(tmp_path, start, synced=False)
    timeline = power_timeline(daemon, clock, datetime(2026, 10, 12, 9, 0, tzinfo=TZ))
    assert timeline == [
        ("09-30 Wed 07:00", "off"),
        ("09-30 Wed 08:00", "on"),
        ("09-30 Wed 18:00", "off"),  # 国庆 10-01..10-07 (incl. the weekend) stays off
        ("10-08 Thu 08:00", "on"),
        ("10-08 Thu 18:00", "off"),
        ("10-09 Fri 08:00", "on"),
        ("10-09 Fri 18:00", "off"),
        ("10-10 Sat 08:00", "on"),  # 调休: Saturday 10-10 is a working day
        ("10-10 Sat 18:00", "off"),
        ("10-12 Mon 08:00", "on"),
    ]
    offs = [m for m in caplog.messages if m.startswith("power.off")]
    assert "power.off reason=after-hours until=2026-10-08T08:00:00+08:00" in offs
    doc = read_json(daemon.state_dir / "power.json")
    assert doc == {
        "state": "on",
        "reason": "office-hours",
        "since": "2026-10-12T08:00:00+08:00",
        "until": "2026-10-12T18:00:00+08:00",
    }


def test_a_holiday_morning_reports_holiday_as_the_reason(tmp_path: Path) -> None:
    daemon, _, _ = make(tmp_path, datetime(2026, 10, 5, 9, 0, tzinfo=TZ))
    daemon.job_power()
    doc = read_json(daemon.state_dir / "power.json")
    assert doc is not None and (doc["state"], doc["reason"]) == ("off", "holiday")


def test_no_power_decision_while_the_clock_is_untrusted(tmp_path: Path) -> None:
    daemon, clock, _ = make(tmp_path, datetime(2025, 6, 1, 3, 0, tzinfo=TZ), synced=False)
    assert daemon.job_power() is None
    assert not (daemon.state_dir / "power.json").exists()
    clock.set_wall(datetime(2026, 11, 30, 9, 0, tzinfo=TZ))  # NTP arrives
    (tmp_path / "synchronized").touch()
    assert daemon.job_power() is not None
    assert read_json(daemon.state_dir / "power.json")["state"] == "on"  # type: ignore[index]


def test_an_expired_override_is_removed_and_the_schedule_resumes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from kiosk.power import Override, write_override

    caplog.set_level(logging.INFO)
    t0 = datetime(2026, 11, 28, 9, 0, tzinfo=TZ)  # Saturday open day
    daemon, clock, _ = make(tmp_path, t0)
    write_override(daemon.state_dir, Override(on=True, until=t0 + timedelta(hours=3), set_at=t0))
    timeline = power_timeline(daemon, clock, t0 + timedelta(hours=4))
    assert timeline == [("11-28 Sat 09:00", "on"), ("11-28 Sat 12:00", "off")]
    assert not (daemon.state_dir / "power-override.json").exists()
    assert "power.override_end state=on" in caplog.messages


@pytest.mark.parametrize(
    "cec_ctl",
    ["sleep 30", "echo 'CEC adapter is not configured' >&2; exit 1"],
    ids=["hanging", "failing"],
)
def test_a_failing_cec_command_through_the_daemon_falls_back_to_blanking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, cec_ctl: str
) -> None:
    caplog.set_level(logging.INFO)
    fake_program(tmp_path, "cec-ctl", cec_ctl)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    device = tmp_path / "cec0"
    device.touch()
    state = tmp_path / "state"
    cfg = Config(
        state_dir=str(state),
        power=PowerConfig(backend="auto", cec_device=str(device), command_timeout=0.2),
    )
    real = d.make_daemon(cfg, FakeClock(datetime(2026, 11, 27, 19, 0, tzinfo=TZ)), {})
    assert isinstance(real.power.backend, CecBackend)
    real.timesync_flag = tmp_path / "synchronized"
    real.timesync_flag.touch()
    real.job_power()
    real.clock.advance(60)  # type: ignore[attr-defined]
    real.job_power()
    assert read_json(state / "power.json")["state"] == "off"  # type: ignore[index]
    assert sum(m.startswith("power.backend_fail backend=cec") for m in caplog.messages) == 1


# ----------------------------------------------------------------------------- housekeeping


def test_housekeeping_archives_each_rotated_proof_log_once_and_expires_old_archives(
    tmp_path: Path,
) -> None:
    import gzip

    from kiosk.player.engine import ProofRecord
    from kiosk.player.proof import ProofLog, proof_files

    daemon, clock, _ = make(tmp_path, datetime(2026, 11, 27, 4, 10, tzinfo=TZ))
    plog = ProofLog(daemon.state_dir, max_bytes=600, keep=2)  # tiny: rotates every few lines
    t = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    written: list[str] = []

    def show(n: int) -> None:
        nonlocal t
        for _ in range(n):
            rec = ProofRecord(
                f"notice-{len(written)}",
                "关于2018年政府信息公开年度报告的公告",
                "notice",
                t,
                t + timedelta(seconds=40),
                (1,),
                1,
            )
            plog.append(rec)
            written.append(rec.entry_id)
            t += timedelta(seconds=40)

    show(6)
    daemon.job_housekeeping()
    archive = daemon.state_dir / "proof"
    first = sorted(p.name for p in archive.iterdir())
    assert first and all(n.startswith("proof-20261120-") and n.endswith(".jsonl.gz") for n in first)
    daemon.job_housekeeping()  # nothing new: nothing copied twice
    assert sorted(p.name for p in archive.iterdir()) == first
    for _ in range(3):  # the player renumbers and drops its oldest files between runs
        show(4)
        clock.advance(86400)
        daemon.job_housekeeping()
    archived: list[str] = []
    for path in sorted(archive.iterdir()):
        archived += [
            json.loads(line)["id"] for line in gzip.decompress(path.read_bytes()).splitlines()
        ]
    live = [
        json.loads(line)["id"]
        for p in proof_files(daemon.state_dir)
        for line in p.read_text().splitlines()
    ]
    # as long as housekeeping runs more often than the player's log wraps around, every
    # record is still in the player's log or in the archive
    assert set(archived) | set(live) == set(written)
    assert set(written) - set(live)  # the player's own log has already lost some
    assert len(archived) == len(set(archived))  # no record archived twice
    clock.advance(401 * 86400)
    for p in proof_files(daemon.state_dir):
        p.unlink()
    daemon.job_housekeeping()
    assert list(archive.iterdir()) == []


def test_housekeeping_sweeps_what_a_killed_sync_left_in_the_store_and_keeps_the_rest(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from kiosk.sync import SyncSettings, run_sync
    from tests.pubkit import T0, Publisher, simple_publication
    from tests.storekit import TestClock, assert_store_valid, snapshot

    daemon, _, _ = make(tmp_path, datetime(2026, 11, 27, 4, 10, tzinfo=TZ))
    pub = Publisher(tmp_path / "portal")
    settings = SyncSettings(free_space=lambda _: 10**12)
    for version in (1, 2, 3):
        simple_publication(pub, version, salt="v")
        sync_clock = TestClock(T0 + timedelta(hours=version))
        result = run_sync(str(pub.root), daemon.state_dir, pub.trusted, sync_clock, settings)
        assert result.status == "updated", result.line()
    state = daemon.state_dir
    (state / "generations" / "1").mkdir()  # an old generation a killed run did not remove
    stray = state / "objects" / ("0" * 64)
    stray.write_bytes(b"downloaded by a run that was killed before it switched")
    kept = snapshot(state)
    caplog.set_level(logging.INFO)
    daemon.job_housekeeping()
    assert not stray.exists() and not (state / "generations" / "1").exists()
    assert assert_store_valid(state) == 3
    assert sorted(p.name for p in (state / "generations").iterdir()) == ["2", "3"]
    assert snapshot(state) == kept  # current generation byte-for-byte as before
    assert any(m.startswith("store.gc generations=1 objects=1") for m in caplog.messages)


def test_housekeeping_removes_no_object_when_it_cannot_read_what_the_current_one_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import errno

    from kiosk import store
    from kiosk.sync import SyncSettings, run_sync
    from tests.pubkit import T0, Publisher, simple_publication
    from tests.storekit import TestClock, snapshot

    daemon, _, _ = make(tmp_path, datetime(2026, 11, 27, 4, 10, tzinfo=TZ))
    pub = Publisher(tmp_path / "portal")
    simple_publication(pub, 1, salt="v")
    sync_clock = TestClock(T0 + timedelta(hours=1))
    settings = SyncSettings(free_space=lambda _: 10**12)
    assert run_sync(str(pub.root), daemon.state_dir, pub.trusted, sync_clock, settings).ok
    kept = snapshot(daemon.state_dir)
    real_read = store.read_file_nofollow

    def flaky(path: Path, limit: int) -> bytes:  # one read error on the SD card
        if Path(path).name == store.ITEMS_NAME:
            raise OSError(errno.EIO, "Input/output error")
        return real_read(path, limit)

    monkeypatch.setattr(store, "read_file_nofollow", flaky)
    caplog.set_level(logging.WARNING)
    daemon.job_housekeeping()
    monkeypatch.undo()
    assert snapshot(daemon.state_dir) == kept  # every object the screen uses is still there
    assert any(m.startswith("store.gc_skipped") for m in caplog.messages)


def test_scheduler_jobs_are_configured_for_real_life(tmp_path: Path, paused_scheduler: Any) -> None:
    cfg = Config(daemon=DaemonConfig(misfire_grace_s=7200, alert_poll_s=60))
    daemon, _, _ = make(
        tmp_path,
        datetime(2026, 11, 27, 9, 0, tzinfo=TZ),
        config=replace(cfg, state_dir=str(tmp_path / "state")),
    )
    sched = d.build_scheduler(daemon, paused_scheduler)
    jobs = {j.id: j for j in sched.get_jobs()}
    assert set(jobs) == {"sync", "alerts", "power", "housekeeping"}
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time >= 60
    assert jobs["sync"].misfire_grace_time == 7200
    power_fire = jobs["power"].trigger.get_next_fire_time(
        None, datetime(2026, 11, 27, 7, 59, 30, tzinfo=TZ)
    )
    assert power_fire == datetime(2026, 11, 27, 8, 0, tzinfo=TZ)
    hk = jobs["housekeeping"].trigger.get_next_fire_time(
        None, datetime(2026, 11, 27, 9, 0, tzinfo=TZ)
    )
    assert hk.date() == date(2026, 11, 28) and hk.hour == 4


def test_the_daemon_refreshes_the_metrics_file_after_each_job(tmp_path: Path) -> None:
    prom = tmp_path / "textfile" / "kiosk.prom"
    cfg = Config(
        state_dir=str(tmp_path / "state"),
        metrics_file=str(prom),
        power=PowerConfig(backend="blank"),
    )
    daemon = d.make_daemon(cfg, FakeClock(datetime(2026, 11, 27, 9, 0, tzinfo=TZ)), {})
    daemon.timesync_flag = tmp_path / "synchronized"
    daemon.timesync_flag.touch()
    daemon.job_power()
    text = prom.read_text()
    assert "kiosk_screen_power_on 1" in text
    assert "kiosk_clock_trusted 1" in text


class RecordingNotifier:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: str) -> bool:
        self.sent.append(message)
        return True

    def status(self, text: str) -> None:
        self.sent.append(f"STATUS={text}")


def test_run_forever_reports_ready_after_the_first_decisions_and_stops_cleanly(
    tmp_path: Path,
) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    daemon, _, _ = make(tmp_path, datetime(2026, 11, 27, 9, 0, tzinfo=TZ))
    (daemon.state_dir / "state.json").write_text(
        json.dumps({"last_success": {"time": "2026-11-27T02:44:00+08:00", "result": "updated"}})
    )
    stop = threading.Event()
    stop.set()
    notifier = RecordingNotifier()
    sched = d.build_scheduler(daemon, BackgroundScheduler(timezone=TZ))
    d.run_forever(daemon, sched, stop, notifier)
    assert notifier.sent == ["READY=1", "STATUS=屏幕开，上次同步 11-27 02:44", "STOPPING=1"]
    assert read_json(daemon.state_dir / "power.json")["state"] == "on"  # type: ignore[index]
    assert not sched.running


def test_the_status_line_counts_failed_syncs_since_the_last_success(tmp_path: Path) -> None:
    daemon, clock, sync = make(tmp_path, datetime(2026, 11, 27, 2, 40, tzinfo=TZ))
    daemon.job_sync()
    sync.ok = False
    clock.advance(86400)
    daemon.job_sync()
    daemon.job_sync()
    assert d.status_line(daemon) == "上次同步 11-27 02:40，此后失败 2 次"


def test_the_watchdog_is_fed_only_while_the_power_job_keeps_running(tmp_path: Path) -> None:
    daemon, clock, _ = make(tmp_path, datetime(2026, 11, 27, 9, 0, tzinfo=TZ))
    assert d.alive(daemon)  # not started yet
    daemon.job_power()
    clock.advance(120)
    assert d.alive(daemon)
    clock.advance(d.LIVENESS_S)  # the scheduler stopped calling the power job
    assert not d.alive(daemon)
    daemon.job_power()
    assert d.alive(daemon)


# ----------------------------------------------------------------------------- retry after failure


def test_retry_delay_doubles_from_ten_minutes_and_is_capped_at_four_hours() -> None:
    minutes = [d.retry_delay(n) / timedelta(minutes=1) for n in range(1, 9)]
    assert minutes == [10, 20, 40, 80, 160, 240, 240, 240]
    assert d.retry_delay(10_000) == timedelta(hours=4)
    with pytest.raises(ValueError):
        d.retry_delay(0)


def test_a_failed_sync_is_retried_with_backoff_until_it_succeeds(
    tmp_path: Path, paused_scheduler: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "kiosk.daemon")
    daemon, clock, sync = make(tmp_path, datetime(2026, 11, 28, 2, 41, tzinfo=TZ))
    sched = d.build_scheduler(daemon, paused_scheduler)
    sched.start(paused=True)
    sync.ok = False
    daemon.job_sync()  # the nightly run fails: the portal is down
    waits = []
    for _ in range(7):
        d.on_watch(daemon, sched)  # the next clock-watch tick arms the retry
        job = sched.get_job("sync-retry")
        assert job is not None and job.kwargs == {"reason": "retry"}
        waits.append((job.next_run_time - clock.now()) / timedelta(minutes=1))
        clock.advance((job.next_run_time - clock.now()).total_seconds())
        job.func(**job.kwargs)
    assert waits == [10, 20, 40, 80, 160, 240, 240]
    assert len(sync.calls) == 8
    own = read_json(daemon.state_dir / d.DAEMON_STATE)
    assert own is not None and own["sync_failures"] == 8
    sync.ok = True  # the portal is back
    d.on_watch(daemon, sched)
    job = sched.get_job("sync-retry")
    clock.advance((job.next_run_time - clock.now()).total_seconds())
    job.func(**job.kwargs)
    assert sync.calls[-1] == clock.now()
    d.on_watch(daemon, sched)
    assert sched.get_job("sync-retry") is None  # no more retries after a success
    own = read_json(daemon.state_dir / d.DAEMON_STATE)
    assert own is not None and "sync_failures" not in own and "next_retry" not in own
    assert "sync.ok reason=retry version=9 changed=True" in caplog.messages


def test_a_failed_catch_up_is_retried_too(tmp_path: Path, paused_scheduler: Any) -> None:
    daemon, clock, sync = make(tmp_path, datetime(2026, 11, 30, 9, 15, tzinfo=TZ))
    sched = d.build_scheduler(daemon, paused_scheduler)
    sched.start(paused=True)
    sync.ok = False
    d.startup(daemon, sched)  # never synced: a catch-up is due
    job = sched.get_job("sync-catchup")
    job.func(**job.kwargs)
    d.on_watch(daemon, sched)
    assert sched.get_job("sync-retry").next_run_time == clock.now() + timedelta(minutes=10)


def test_a_pending_retry_survives_a_restart_of_the_daemon(
    tmp_path: Path, paused_scheduler: Any
) -> None:
    daemon, clock, sync = make(tmp_path, datetime(2026, 11, 28, 2, 41, tzinfo=TZ))
    sync.ok = False
    daemon.job_sync()
    daemon.job_sync()  # second failure: next try in 20 minutes
    clock.advance(300)
    # the board restarts: a new daemon process on the same state directory
    again, _, _ = make(tmp_path, clock.now())
    again.sync_runner = sync
    (again.state_dir / "state.json").write_text(
        json.dumps({"last_success": {"time": "2026-11-27T02:44:00+08:00", "result": "updated"}})
    )
    sched = d.build_scheduler(again, paused_scheduler)
    sched.start(paused=True)
    d.startup(again, sched)
    assert sched.get_job("sync-catchup") is None
    job = sched.get_job("sync-retry")
    assert job is not None
    assert job.next_run_time == datetime(2026, 11, 28, 3, 1, tzinfo=TZ)  # 02:41 + 20 min


# ----------------------------------------------------------------------------- clock jumps


def test_a_backward_clock_jump_moves_a_pending_retry_by_the_same_amount(
    tmp_path: Path, paused_scheduler: Any
) -> None:
    daemon, clock, sync = make(tmp_path, datetime(2026, 11, 28, 2, 41, tzinfo=TZ))
    sched = d.build_scheduler(daemon, paused_scheduler)
    sched.start(paused=True)
    d.startup(daemon, sched)
    sync.ok = False
    daemon.job_sync()
    d.on_watch(daemon, sched)
    due = sched.get_job("sync-retry").next_run_time
    assert due == clock.now() + timedelta(minutes=10)
    clock.advance(60)
    clock.jump_wall(timedelta(hours=-3))  # NTP corrects a clock that ran three hours ahead
    clock.advance(30)
    d.on_watch(daemon, sched)
    # still nine and a half minutes away in elapsed time, not three hours and ten minutes
    assert sched.get_job("sync-retry").next_run_time == due - timedelta(hours=3)
    assert sched.get_job("sync-retry").next_run_time - clock.now() == timedelta(seconds=510)


def test_no_power_or_expiry_decision_while_the_clock_reads_earlier_than_the_last_trusted_time(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # the board lost power on Friday evening and boots without NTP: the clock reads the
    # time fake-hwclock saved long before, earlier than the last trusted time
    daemon, clock, _ = make(tmp_path, datetime(2026, 11, 27, 9, 0, tzinfo=TZ), synced=False)
    state = daemon.state_dir
    (state / d.DAEMON_STATE).write_text(json.dumps({"last_trusted": "2026-11-27T19:30:00+08:00"}))
    (state / "power.json").write_text(json.dumps({"state": "off", "reason": "after-hours"}))
    alerts_before = {"alerts": [{"id": "wind", "expires": "2026-11-27T12:00:00+08:00"}]}
    (state / "alerts.json").write_text(json.dumps(alerts_before))
    assert daemon.job_power() is None
    daemon.job_alerts()
    assert read_json(state / "power.json") == {"state": "off", "reason": "after-hours"}
    assert read_json(state / "alerts.json") == alerts_before
    assert any(m.startswith("clock.untrusted") for m in caplog.messages)
    # NTP steps the clock to Monday morning: trusted again, decisions resume at once
    from apscheduler.schedulers.background import BackgroundScheduler

    sched = d.build_scheduler(daemon, BackgroundScheduler(timezone=TZ))
    sched.start(paused=True)
    try:
        d.on_watch(daemon, sched)
        clock.jump_wall(timedelta(days=3))
        (tmp_path / "synchronized").touch()
        clock.advance(30)
        d.on_watch(daemon, sched)
    finally:
        sched.shutdown(wait=False)
    assert read_json(state / "power.json")["state"] == "on"  # type: ignore[index]
    assert any(m.startswith("clock.trusted") for m in caplog.messages)


# ----------------------------------------------------------------------------- calendar coverage


def test_missing_holiday_data_for_this_or_next_year_is_logged_once_per_year(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from kiosk.workcal import WorkCalendar, YearTable

    caplog.set_level(logging.INFO, "kiosk.daemon")
    daemon, clock, _ = make(tmp_path, datetime(2026, 12, 30, 9, 0, tzinfo=TZ))
    daemon.calendar = WorkCalendar({2026: YearTable(2026, {}, {}, "test")})
    for _ in range(3):
        daemon.job_power()
        clock.advance(86400)  # into 2027, then 2028 becomes "next year"
    events = [m.split(":")[0] for m in caplog.messages if m.startswith("calendar.")]
    assert events == ["calendar.uncovered_year year=2027", "calendar.uncovered_year year=2028"]
    # power still runs, on the Monday–Friday fallback: Friday 2027-01-01 (really 元旦, but
    # the data does not say so) counts as a working day — hence the warning
    doc = read_json(daemon.state_dir / "power.json")
    assert doc is not None and (doc["state"], doc["reason"]) == ("on", "office-hours")


def test_a_covered_calendar_logs_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from kiosk.workcal import WorkCalendar, YearTable

    caplog.set_level(logging.INFO, "kiosk.daemon")
    daemon, _, _ = make(tmp_path, datetime(2026, 12, 30, 9, 0, tzinfo=TZ))
    daemon.calendar = WorkCalendar({y: YearTable(y, {}, {}, "test") for y in (2026, 2027)})
    daemon.job_power()
    assert not any(m.startswith("calendar.") for m in caplog.messages)


# ----------------------------------------------------------------------------- one daemon only


def test_a_second_daemon_on_the_same_state_directory_exits_with_one_clear_line(
    tmp_path: Path,
) -> None:
    import io
    import os

    from kiosk.cli import Environment, main

    state = tmp_path / "state"
    state.mkdir()
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"state_dir: {state}\npower:\n  backend: blank\n")
    first = d.acquire_instance_lock(state)  # a running daemon
    try:
        out, err = io.StringIO(), io.StringIO()
        code = main(
            ["daemon", "--once", "power", "--config", str(config)],
            Environment(stdout=out, stderr=err, environ={}),
        )
        assert code == 1
        lines = err.getvalue().splitlines()
        assert len(lines) == 1 and f"pid {os.getpid()}" in lines[0]
        assert "另一个 kiosk daemon 已在运行" in lines[0] and "Traceback" not in err.getvalue()
        assert not (state / "power.json").exists()
    finally:
        os.close(first)
    code = main(
        ["daemon", "--once", "power", "--config", str(config)],
        Environment(stdout=io.StringIO(), stderr=io.StringIO(), environ={}),
    )
    assert code == 0 and (state / "power.json").exists()


def test_the_instance_lock_is_released_when_its_holder_dies(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from kiosk.daemon import "
            "acquire_instance_lock as a; a(Path(sys.argv[1])); print('held', flush=True); "
            "time.sleep(60)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(d.AlreadyRunning) as info:
            d.acquire_instance_lock(tmp_path)
        assert info.value.pid == holder.pid
    finally:
        holder.kill()
        holder.wait()
    os.close(d.acquire_instance_lock(tmp_path))  # no stale lock after a crash


def test_daemon_json_is_replaced_atomically_under_concurrent_updates(tmp_path: Path) -> None:
    daemon, _, _ = make(tmp_path, datetime(2026, 11, 28, 2, 41, tzinfo=TZ))

    def writer(key: str) -> None:
        for i in range(200):
            daemon._save_own(**{key: i})

    threads = [threading.Thread(target=writer, args=(f"k{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    own = read_json(daemon.state_dir / d.DAEMON_STATE)
    assert own is not None and {own[f"k{n}"] for n in range(4)} == {199}
    assert [p.name for p in daemon.state_dir.iterdir() if p.name.startswith(".")] == []
