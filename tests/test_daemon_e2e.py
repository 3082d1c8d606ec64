"""The daemon end to end: real sync, real keys and signatures, the portal server on 127.0.0.1,
config from a YAML file — driven by a fake clock."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk import daemon as d
from kiosk import keys
from kiosk.clock import FakeClock
from kiosk.config import load_config
from kiosk.manifest import sign
from kiosk.portal_server import make_server
from kiosk.store import read_current
from tests.pubkit import T0, Publisher, simple_publication
from tests.test_alerts import alert, document


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[tuple[Publisher, str]]:
    pub = Publisher(tmp_path / "site")
    server = make_server(pub.root, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield pub, server.url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def publish_alerts(pub: Publisher, body: bytes) -> None:
    (pub.root / "alerts.json").write_bytes(body)
    (pub.root / "alerts.json.sig").write_bytes(sign(body, pub.key))


def setup_daemon(tmp_path: Path, pub: Publisher, url: str) -> tuple[d.Daemon, FakeClock]:
    (tmp_path / "portal.pub").write_bytes(keys.public_pem(pub.key.public_key()))
    state = tmp_path / "state"
    prom = tmp_path / "kiosk.prom"
    config_file = tmp_path / "kiosk.yaml"
    config_file.write_text(
        f"state_dir: {state}\n"
        f"metrics_file: {prom}\n"
        "portal:\n"
        f"  source: {url}\n"
        f"  public_key: {tmp_path / 'portal.pub'}\n"
        "power:\n"
        "  backend: blank\n"
    )
    config = load_config(str(config_file), {})
    clock = FakeClock(T0 + timedelta(hours=7))  # 09:00 on the day of the publication
    daemon = d.make_daemon(config, clock, {})
    daemon.timesync_flag = tmp_path / "synchronized"
    daemon.timesync_flag.touch()
    return daemon, clock


def test_first_start_catches_up_then_the_nightly_run_applies_a_new_publication(
    tmp_path: Path, portal: tuple[Publisher, str], caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from apscheduler.schedulers.background import BackgroundScheduler

    caplog.set_level(logging.INFO)
    pub, url = portal
    simple_publication(pub, 1)
    publish_alerts(pub, document(1))
    daemon, clock = setup_daemon(tmp_path, pub, url)
    sched = d.build_scheduler(daemon, BackgroundScheduler(timezone=clock.tz))
    sched.start(paused=True)
    try:
        d.startup(daemon, sched)
        catch_up = sched.get_job("sync-catchup")
        assert catch_up is not None  # never synced: catch up shortly after start
        catch_up.func(**catch_up.kwargs)
        view = read_current(daemon.state_dir)
        assert view is not None and view.version == 1
        assert not daemon.needs_catch_up()

        # the portal publishes version 2; the nightly run (02:30–03:00) picks it up
        simple_publication(pub, 2, salt="v2")
        fire: Any = sched.get_job("sync").trigger.get_next_fire_time(None, clock.now())
        clock.set_wall(fire)
        daemon.job_sync()
        view = read_current(daemon.state_dir)
        assert view is not None and view.version == 2
    finally:
        sched.shutdown(wait=False)
    assert "sync.ok reason=catch-up version=1 changed=True" in caplog.messages
    assert "sync.ok reason=nightly version=2 changed=True" in caplog.messages
    metrics = (tmp_path / "kiosk.prom").read_text()
    assert "kiosk_publication_version 2" in metrics
    assert "kiosk_sync_last_ok 1" in metrics


def test_a_signed_alert_from_the_portal_reaches_alerts_json_and_a_forged_one_does_not(
    tmp_path: Path, portal: tuple[Publisher, str]
) -> None:
    pub, url = portal
    simple_publication(pub, 1)
    daemon, clock = setup_daemon(tmp_path, pub, url)
    now = clock.now()
    publish_alerts(pub, document(1, alert("water", "orange", issued=now, hours=3)))
    daemon.job_alerts()
    shown = json.loads((daemon.state_dir / "alerts.json").read_text())["alerts"]
    assert [a["id"] for a in shown] == ["water"]

    forged = document(2, alert("fake", "red", issued=now, hours=3))
    (pub.root / "alerts.json").write_bytes(forged)  # signature no longer matches
    clock.advance(60)
    daemon.job_alerts()
    shown = json.loads((daemon.state_dir / "alerts.json").read_text())["alerts"]
    assert [a["id"] for a in shown] == ["water"]
    assert daemon.alert_feed.last_error is not None
    assert "alert.bad_signature" in daemon.alert_feed.last_error


def test_a_failed_nightly_sync_is_recorded_and_the_current_content_stays(
    tmp_path: Path, portal: tuple[Publisher, str]
) -> None:
    pub, url = portal
    simple_publication(pub, 1)
    daemon, clock = setup_daemon(tmp_path, pub, url)
    daemon.job_sync(reason="catch-up")
    (pub.root / "manifest.json.sig").write_bytes(b"AAAA\n")  # broken signature
    simple_publication(pub, 2)
    (pub.root / "manifest.json.sig").write_bytes(b"AAAA\n")
    clock.advance(86400)
    outcome = daemon.job_sync()
    assert outcome is not None and not outcome.ok
    assert "manifest.bad_signature" in outcome.message
    view = read_current(daemon.state_dir)
    assert view is not None and view.version == 1


def test_kiosk_daemon_once_runs_one_job_from_the_command_line(
    tmp_path: Path, portal: tuple[Publisher, str]
) -> None:
    import io
    from datetime import datetime

    from kiosk.cli import Environment, main
    from tests.pubkit import notice

    pub, url = portal
    # the command uses the real clock: a publication valid around now
    pub.publish(1, [notice("n1")], [], issued=datetime.now(T0.tzinfo) - timedelta(hours=1))
    (tmp_path / "portal.pub").write_bytes(keys.public_pem(pub.key.public_key()))
    config = tmp_path / "kiosk.yaml"
    state = tmp_path / "state"
    config.write_text(
        f"state_dir: {state}\nportal:\n  source: {url}\n  public_key: {tmp_path / 'portal.pub'}\n"
        "power:\n  backend: blank\n"
    )
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdout=out, stderr=err, environ={})
    assert main(["daemon", "--once", "power", "--config", str(config)], env) == 0
    assert json.loads((state / "power.json").read_text())["state"] in ("on", "off")
    assert main(["daemon", "--once", "sync", "--config", str(config)], env) == 0
    view = read_current(state)
    assert view is not None and view.version == 1
