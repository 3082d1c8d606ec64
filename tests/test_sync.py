"""Sync against a real HTTP portal on 127.0.0.1: the normal paths."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk import store
from kiosk.cli import main
from kiosk.fetch import FetchSettings
from kiosk.model import Image
from kiosk.sync import SyncResult, SyncSettings, run_sync
from tests.httpportal import Portal, start_portal, stop_portal
from tests.pubkit import T0, Publisher, image_item, notice, simple_publication
from tests.storekit import TestClock, assert_store_valid, highest_version


@dataclass
class Env:
    pub: Publisher
    portal: Portal
    state: Path
    clock: TestClock
    settings: SyncSettings

    def sync(self, source: str | None = None, **kw: object) -> SyncResult:
        settings = self.settings
        if kw:
            settings = replace(settings, **kw)  # type: ignore[arg-type]
        return run_sync(
            source or self.portal.url, self.state, self.pub.trusted, self.clock, settings
        )


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    pub = Publisher(tmp_path / "portal")
    portal = start_portal(pub.root)
    settings = SyncSettings(
        fetch=FetchSettings(connect_timeout=2, read_timeout=2, file_deadline=5, run_deadline=10),
        free_space=lambda _: 10**12,
    )
    yield Env(pub, portal, tmp_path / "state", TestClock(T0 + timedelta(hours=1)), settings)
    stop_portal(portal)


def test_first_sync_applies_the_publication_and_player_can_read_it(env: Env) -> None:
    simple_publication(env.pub, 1)
    result = env.sync()
    assert result.status == "updated" and result.version == 1, result.line()
    assert result.line() == "已更新 (updated) to version 1"
    assert assert_store_valid(env.state) == 1
    view = store.read_current(env.state)
    assert view is not None
    assert sorted(i.id for i in view.items) == ["img-0", "img-1", "img-2", "notice-1"]
    img = next(i for i in view.items if i.id == "img-0")
    assert isinstance(img.content, Image) and Path(img.content.file).is_file()
    assert highest_version(env.state) == 1


def test_second_sync_is_one_conditional_request(env: Env) -> None:
    simple_publication(env.pub, 1)
    env.sync()
    env.portal.log.clear()
    result = env.sync()
    assert result.status == "unchanged"
    assert result.line().startswith("无变化 (unchanged)")
    assert env.portal.requests() == ["/manifest.json"]
    assert env.portal.log[0][2].get("If-None-Match")


def test_a_new_version_fetches_only_new_objects_and_keeps_the_previous_generation(
    env: Env,
) -> None:
    item_a, a = image_item("img-a", b"A" * 1000)
    item_b, b = image_item("img-b", b"B" * 1000)
    env.pub.publish(1, [item_a, item_b], [a, b])
    env.sync()
    item_c, c = image_item("img-b", b"C" * 1000)
    env.pub.publish(2, [item_a, item_c], [a, c])
    env.portal.log.clear()
    result = env.sync()
    assert result.status == "updated" and result.version == 2
    objects = [p for p in env.portal.requests("/objects/")]
    assert objects == [f"/objects/{item_c.files[0].sha256}"]
    assert store.generations(env.state) == [1, 2]
    # a third version: generation 1 and the object only it used are removed
    env.pub.publish(3, [item_a], [a])
    env.sync()
    assert store.generations(env.state) == [2, 3]
    assert sorted(store.present_objects(env.state)) == sorted(
        {item_a.files[0].sha256, item_c.files[0].sha256}
    )


def test_items_not_marked_public_never_reach_the_store(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    env.pub.publish(1, [notice("n-1"), notice("n-2", disclosure="不予公开")])
    result = env.sync()
    assert result.status == "updated" and result.dropped == ("n-2",)
    view = store.read_current(env.state)
    assert view is not None and [i.id for i in view.items] == ["n-1"]
    assert "n-2" not in (Path(view.path) / "items.json").read_text("utf-8").split('"dropped"')[0]
    assert "sync.dropped_item item=n-2" in caplog.text


def test_files_of_items_not_marked_public_are_never_downloaded(env: Env) -> None:
    public, a = image_item("img-public", b"A" * 1000)
    secret, b = image_item("img-secret", b"S" * 1000)
    secret = replace(secret, disclosure="不予公开")
    env.pub.publish(1, [public, secret], [a, b])
    env.portal.log.clear()
    result = env.sync()
    assert result.status == "updated" and result.dropped == ("img-secret",)
    assert env.portal.requests("/objects/") == [f"/objects/{public.files[0].sha256}"]
    assert set(store.present_objects(env.state)) == {public.files[0].sha256}
    assert assert_store_valid(env.state) == 1
    assert env.sync().status == "unchanged"


def test_local_directory_source_is_verified_the_same_way(env: Env) -> None:
    simple_publication(env.pub, 4)
    result = env.sync(str(env.pub.root))
    assert result.status == "updated" and result.version == 4
    assert env.sync(str(env.pub.root)).status == "unchanged"


def test_state_json_records_attempts_successes_and_etag(env: Env) -> None:
    simple_publication(env.pub, 2)
    env.sync()
    data = json.loads((env.state / "state.json").read_text("utf-8"))
    assert data["highest_version"] == 2
    assert data["last_success"]["result"] == "updated"
    assert data["last_attempt"] == data["last_success"]
    assert data["etags"]["manifest"].startswith('"')
    assert data["last_trusted_time"] == T0.isoformat()


def test_cli_sync_once_prints_one_line_and_exits_zero(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    simple_publication(env.pub, 1)
    keyfile = env.pub.root.parent / "k.pub"
    from kiosk import keys

    keyfile.write_bytes(keys.public_pem(env.pub.key.public_key()))
    argv = [
        "sync",
        "--once",
        "--source",
        env.portal.url,
        "--state-dir",
        str(env.state),
        "--public-key",
        str(keyfile),
    ]
    assert main(argv) == 0
    assert capsys.readouterr().out.strip() == "已更新 (updated) to version 1"
    assert main(argv) == 0
    assert capsys.readouterr().out.strip().startswith("无变化 (unchanged)")


def test_cli_sync_failure_is_one_line_and_nonzero(
    env: Env, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from kiosk import keys

    keyfile = tmp_path / "other.pub"
    keyfile.write_bytes(keys.public_pem(keys.generate().public_key()))
    simple_publication(env.pub, 1)
    code = main(
        [
            "sync",
            "--once",
            "--source",
            env.portal.url,
            "--state-dir",
            str(env.state),
            "--public-key",
            str(keyfile),
        ]
    )
    assert code == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "manifest.bad_signature" in err[0]


def test_an_unusable_state_directory_is_a_failed_result_not_an_exception(
    env: Env, tmp_path: Path
) -> None:
    simple_publication(env.pub, 1)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the state directory should be")
    result = run_sync(env.portal.url, blocker / "state", env.pub.trusted, env.clock, env.settings)
    assert result.status == "failed" and result.key == "sync.state_dir"
    assert result.exit_code == 1 and str(blocker) in result.message


def test_cli_sync_failure_is_one_line_on_stderr_of_a_real_process(env: Env, tmp_path: Path) -> None:
    """Outside pytest no logging handler is installed beforehand: the failure must still
    be the one result line, not a log line repeating it."""
    import subprocess
    import sys

    from kiosk import keys

    keyfile = tmp_path / "other.pub"
    keyfile.write_bytes(keys.public_pem(keys.generate().public_key()))
    config = tmp_path / "kiosk.yaml"
    config.write_text("timezone: Asia/Shanghai\n", encoding="utf-8")
    simple_publication(env.pub, 1)
    args = ["--source", str(env.pub.root), "--state-dir", str(env.state)]
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk", "sync", "--once", *args, "--public-key", str(keyfile)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "KIOSK_CONFIG": str(config)},
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert proc.returncode == 3
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "manifest.bad_signature" in lines[0], proc.stderr


def test_sync_without_once_or_source_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync"]) == 2
    assert main(["sync", "--once", "--public-key", os.devnull]) in (1, 2)


def test_sync_from_config_is_what_the_daemon_runs(env: Env, tmp_path: Path) -> None:
    from kiosk import keys
    from kiosk.config import Config, PortalConfig
    from kiosk.sync import sync_from_config

    keyfile = tmp_path / "k.pub"
    keyfile.write_bytes(keys.public_pem(env.pub.key.public_key()))
    simple_publication(env.pub, 3)
    config = Config(
        state_dir=str(env.state),
        portal=PortalConfig(source=env.portal.url, public_key=str(keyfile)),
    )
    result = sync_from_config(config, env.clock)
    assert result.ok and result.changed and result.version == 3
    assert sync_from_config(Config(state_dir=str(env.state)), env.clock).key == (
        "sync.not_configured"
    )


def test_store_gc_keeps_current_and_previous_generation(env: Env) -> None:
    for v in (1, 2, 3):
        simple_publication(env.pub, v, salt="s")
        assert env.sync().status == "updated"
    # simulate a run killed after its switch: an extra old generation lingers
    (env.state / "generations" / "0").mkdir()
    assert store.gc(env.state) == (1, 0)
    assert store.generations(env.state) == [2, 3]
    assert_store_valid(env.state)


def test_state_json_has_flat_times_for_simple_readers(env: Env) -> None:
    simple_publication(env.pub, 1)
    env.sync()
    data = json.loads((env.state / "state.json").read_text("utf-8"))
    assert data["last_success_at"] == data["last_success"]["time"]
    assert data["last_result"] == "updated"
