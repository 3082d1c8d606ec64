"""Fault injection, after The Update Framework's tests: one broken thing per case against a
real HTTP portal on 127.0.0.1. After every failure the current generation is byte-for-byte
as before and the highest applied version has not moved.

Issue #5's faults and their cases (``test_`` left off):

- tampered manifest:
    tampered_manifest_is_rejected
- wrong key:
    manifest_signed_with_an_untrusted_key_is_rejected
- rollback:
    rollback_to_a_lower_version_is_rejected
- equivocation:
    same_version_with_different_bytes_is_rejected
- expired:
    expired_manifest_is_rejected
    not_modified_after_the_stored_manifest_expired_is_a_failure
- oversized manifest:
    oversized_manifest_is_refused_before_reading_it_all
- endless body:
    endless_manifest_without_length_is_cut_at_the_cap
    endless_object_body_is_cut_at_the_declared_length
- truncated body:
    truncated_object_body_fails (Content-Length)
    truncated_object_body_without_content_length_fails
- slow drip (total deadline):
    slow_drip_hits_the_per_file_deadline
    slow_drip_across_many_objects_hits_the_run_deadline
- 5xx with Retry-After:
    5xx_with_retry_after_beyond_the_limit_fails_without_waiting
- redirect to another host:
    redirect_to_another_host_is_refused
- https→http:
    test_sync_tls.py: https_redirect_to_http_is_refused
- hash mismatch:
    hash_mismatch_is_rejected_and_nothing_is_kept
- path traversal and odd names:
    path_traversal_in_ids_is_rejected
    object_hash_that_is_really_a_path_is_rejected
    playlist_hash_that_is_really_a_path_is_rejected
    odd_file_names_never_become_paths
- planted symlinks in the store:
    planted_symlinks_in_the_store_are_removed_not_followed
- decompression-bomb image at publish:
    decompression_bomb_at_publish_changes_neither_portal_nor_device
- non-public items:
    non_public_items_are_dropped_and_the_rest_applies
- corrupt state.json:
    corrupt_or_missing_state_never_lets_a_rollback_pass
- disk full or over budget:
    disk_full_is_detected_from_declared_sizes_before_downloading
    over_budget_publication_is_refused
    disk_filling_up_during_the_download_fails_and_gives_the_space_back
- interrupted download then resume:
    interrupted_download_resumes_with_range
    weak_etag_is_never_used_to_resume
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk import keys, store
from kiosk.fetch import FetchSettings
from kiosk.manifest import FileRef, ManifestItem, dump_manifest, sign
from kiosk.sync import SyncResult, SyncSettings, run_sync
from tests.httpportal import Handler, Portal, start_portal, stop_portal
from tests.pubkit import T0, Publisher, image_item, notice, sha
from tests.storekit import Snapshot, TestClock, assert_store_valid, highest_version, snapshot

BIG = bytes(range(256)) * 1024  # 256 KiB object


class Env:
    def __init__(self, tmp: Path) -> None:
        self.pub = Publisher(tmp / "portal")
        self.portal = start_portal(self.pub.root)
        self.state = tmp / "state"
        self.clock = TestClock(T0 + timedelta(hours=1))
        self.settings = SyncSettings(
            fetch=FetchSettings(
                connect_timeout=1,
                read_timeout=1,
                file_deadline=3,
                run_deadline=6,
                retry_after_max=30,
            ),
            free_space=lambda _: 10**12,
        )
        self.base_item, self.base_obj = image_item("img-base", b"base" * 100)
        self.pub.publish(1, [self.base_item, notice("n-1")], [self.base_obj])
        first = self.sync()
        assert first.status == "updated", first.line()
        self.before = snapshot(self.state)
        self.portal.log.clear()

    def sync(self, **fetch: object) -> SyncResult:
        settings = self.settings
        if fetch:
            settings = replace(settings, fetch=replace(settings.fetch, **fetch))  # type: ignore[arg-type]
        return run_sync(self.portal.url, self.state, self.pub.trusted, self.clock, settings)

    def publish_v2(self, data: bytes = BIG) -> FileRef:
        item, obj = image_item("img-new", data)
        self.pub.publish(2, [self.base_item, item, notice("n-1")], [self.base_obj, obj])
        return item.files[0]

    def assert_failed_and_untouched(self, result: SyncResult, key: str) -> None:
        assert result.status == "failed", result.line()
        assert result.key == key, result.line()
        assert result.exit_code != 0
        after = snapshot(self.state)
        assert after == self.before
        assert highest_version(self.state) == 1
        assert assert_store_valid(self.state) == 1
        data = json.loads((self.state / "state.json").read_text("utf-8"))
        assert data["last_attempt"]["result"] == "failed"
        assert data["last_attempt"]["key"] == key


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    e = Env(tmp_path)
    yield e
    stop_portal(e.portal)


def _script(portal: Portal, path: str, fn: object) -> None:
    portal.scripts[path] = fn  # type: ignore[assignment]


# ----------------------------------------------------------------------------- manifest


def test_tampered_manifest_is_rejected(env: Env) -> None:
    env.publish_v2()
    raw = (env.pub.root / "manifest.json").read_bytes()
    (env.pub.root / "manifest.json").write_bytes(raw.replace(b"n-1", b"n-9"))
    env.assert_failed_and_untouched(env.sync(), "manifest.bad_signature")


def test_manifest_signed_with_an_untrusted_key_is_rejected(env: Env) -> None:
    env.publish_v2()
    raw = (env.pub.root / "manifest.json").read_bytes()
    env.pub.write_manifest(raw, sign(raw, keys.generate()))
    env.assert_failed_and_untouched(env.sync(), "manifest.bad_signature")


def test_rollback_to_a_lower_version_is_rejected(env: Env) -> None:
    env.publish_v2()
    assert env.sync().version == 2
    env.before = snapshot(env.state)
    env.pub.publish(1, [notice("n-old")])
    result = env.sync()
    assert result.key == "sync.rollback" and snapshot(env.state) == env.before
    assert highest_version(env.state) == 2


def test_same_version_with_different_bytes_is_rejected(env: Env) -> None:
    env.pub.publish(1, [notice("n-1"), notice("n-sneaky")])
    env.assert_failed_and_untouched(env.sync(), "sync.equivocation")


def test_expired_manifest_is_rejected(env: Env) -> None:
    env.pub.publish(2, [notice("n-1")], expires=T0 + timedelta(minutes=30))
    env.assert_failed_and_untouched(env.sync(), "sync.expired")


def test_expiry_is_not_judged_while_the_clock_is_behind_the_last_trusted_time(env: Env) -> None:
    # a Pi without RTC boots in 1970 (well, earlier than the last signed issue time)
    env.clock.set_wall(T0 - timedelta(days=3))
    env.pub.publish(
        2, [notice("n-1")], issued=T0 + timedelta(minutes=1), expires=T0 + timedelta(minutes=30)
    )
    result = env.sync()
    assert result.status == "updated" and not result.clock_trusted


def test_oversized_manifest_is_refused_before_reading_it_all(env: Env) -> None:
    def huge(h: Handler) -> bool:
        h.reply(200, b"{" + b" " * 1000, length=50 * 1024 * 1024)
        return True

    _script(env.portal, "/manifest.json", huge)
    env.assert_failed_and_untouched(env.sync(), "manifest.too_large")


def test_endless_manifest_without_length_is_cut_at_the_cap(env: Env) -> None:
    def endless(h: Handler) -> bool:
        h.send_response(200)
        h.send_header("Connection", "close")
        h.end_headers()
        with contextlib.suppress(OSError):
            for _ in range(20_000):
                h.wfile.write(b" " * 4096)
        h.close_connection = True
        return True

    _script(env.portal, "/manifest.json", endless)
    env.assert_failed_and_untouched(env.sync(max_manifest_bytes=64 * 1024), "manifest.too_large")


def test_signed_but_malformed_manifest_is_rejected(env: Env) -> None:
    raw = json.dumps({"format": 1, "version": 2}).encode()
    env.pub.write_manifest(raw)
    env.assert_failed_and_untouched(env.sync(), "manifest.malformed")


def test_signed_item_the_player_cannot_show_rejects_the_publication(env: Env) -> None:
    bad = ManifestItem("n-2", "notice", "主动公开", {"title": ["not", "text"], "body": "x"})
    env.pub.publish(2, [bad])
    env.assert_failed_and_untouched(env.sync(), "manifest.malformed")


# ----------------------------------------------------------------------------- objects


def test_endless_object_body_is_cut_at_the_declared_length(env: Env) -> None:
    ref = env.publish_v2()

    def endless(h: Handler) -> bool:
        h.send_response(200)
        h.send_header("Connection", "close")
        h.end_headers()
        with contextlib.suppress(OSError):
            for _ in range(20_000):
                h.wfile.write(b"x" * 4096)
        h.close_connection = True
        return True

    _script(env.portal, f"/objects/{ref.sha256}", endless)
    env.assert_failed_and_untouched(env.sync(), "fetch.too_long")
    assert not (env.state / "objects" / ".partial" / f"{ref.sha256}.part").exists()


def test_content_length_longer_than_declared_is_refused(env: Env) -> None:
    ref = env.publish_v2()
    _script(
        env.portal,
        f"/objects/{ref.sha256}",
        lambda h: h.reply(200, b"y" * (ref.length + 10)) or True,
    )
    env.assert_failed_and_untouched(env.sync(), "fetch.too_long")


def test_truncated_object_body_fails(env: Env) -> None:
    ref = env.publish_v2()

    def truncated(h: Handler) -> bool:
        h.send_response(200)
        h.send_header("Content-Length", str(ref.length))
        h.send_header("ETag", '"strong-1"')
        h.end_headers()
        h.wfile.write(BIG[: ref.length // 2])
        h.wfile.flush()
        h.close_connection = True
        return True

    _script(env.portal, f"/objects/{ref.sha256}", truncated)
    env.assert_failed_and_untouched(env.sync(), "fetch.interrupted")


def test_slow_drip_hits_the_per_file_deadline(env: Env) -> None:
    ref = env.publish_v2()

    sent: list[int] = []

    def drip(h: Handler) -> bool:
        h.send_response(200)
        h.send_header("Content-Length", str(ref.length))
        h.end_headers()
        with contextlib.suppress(OSError):
            for i in range(200):
                h.wfile.write(BIG[i : i + 1])
                h.wfile.flush()
                sent.append(i)
                time.sleep(0.02)
        h.close_connection = True
        return True

    _script(env.portal, f"/objects/{ref.sha256}", drip)
    result = env.sync(file_deadline=0.4, read_timeout=1)
    env.assert_failed_and_untouched(result, "fetch.deadline")
    # the device hung up long before the four-second drip ended (each byte came well within
    # the read timeout, so only the per-file deadline can have cut it)
    assert len(sent) < 200


def test_hash_mismatch_is_rejected_and_nothing_is_kept(env: Env) -> None:
    ref = env.publish_v2()
    (env.pub.root / "objects" / ref.sha256).write_bytes(b"Z" * ref.length)
    env.assert_failed_and_untouched(env.sync(), "fetch.hash_mismatch")
    assert not (env.state / "objects" / ref.sha256).exists()


def test_missing_object_fails(env: Env) -> None:
    ref = env.publish_v2()
    (env.pub.root / "objects" / ref.sha256).unlink()
    env.assert_failed_and_untouched(env.sync(), "fetch.http_404")


def test_5xx_with_short_retry_after_is_retried(env: Env) -> None:
    ref = env.publish_v2()
    calls: list[int] = []

    def busy_once(h: Handler) -> bool:
        calls.append(1)
        if len(calls) == 1:
            h.reply(503, headers={"Retry-After": "2"})
            return True
        return False

    _script(env.portal, f"/objects/{ref.sha256}", busy_once)
    result = env.sync()
    assert result.status == "updated", result.line()
    assert len(calls) == 2 and env.clock.slept == pytest.approx(2)


def test_5xx_with_retry_after_beyond_the_limit_fails_without_waiting(env: Env) -> None:
    env.publish_v2()
    _script(
        env.portal,
        "/manifest.json",
        lambda h: h.reply(503, headers={"Retry-After": "86400"}) or True,
    )
    env.assert_failed_and_untouched(env.sync(), "fetch.http_503")
    assert env.clock.slept == 0


def test_persistent_5xx_gives_up_after_bounded_retries(env: Env) -> None:
    env.publish_v2()
    _script(env.portal, "/manifest.json", lambda h: h.reply(500) or True)
    env.assert_failed_and_untouched(
        env.sync(max_retries=2, file_deadline=10, run_deadline=20), "fetch.http_500"
    )
    assert len(env.portal.requests("/manifest.json")) == 3


def test_redirect_to_another_host_is_refused(env: Env) -> None:
    env.publish_v2()
    other = f"http://127.0.0.2:{env.portal.port}/manifest.json"
    _script(
        env.portal, "/manifest.json", lambda h: h.reply(302, headers={"Location": other}) or True
    )
    env.assert_failed_and_untouched(env.sync(), "fetch.redirect")


def test_same_host_redirect_is_followed_but_not_endlessly(env: Env) -> None:
    env.publish_v2()
    _script(
        env.portal,
        "/manifest.json",
        lambda h: h.reply(301, headers={"Location": "/loop/manifest.json"}) or True,
    )
    _script(
        env.portal,
        "/loop/manifest.json",
        lambda h: h.reply(302, headers={"Location": "/manifest.json"}) or True,
    )
    env.assert_failed_and_untouched(env.sync(), "fetch.redirect")
    env.portal.scripts.clear()
    _script(
        env.portal,
        "/manifest.json",
        lambda h: h.reply(302, headers={"Location": "/real/manifest.json"}) or True,
    )
    _script(env.portal, "/real/manifest.json", lambda h: h.serve_file("/manifest.json") or True)
    assert env.sync().status == "updated"


def test_compressed_response_is_refused(env: Env) -> None:
    ref = env.publish_v2()
    body = (env.pub.root / "objects" / ref.sha256).read_bytes()
    _script(
        env.portal,
        f"/objects/{ref.sha256}",
        lambda h: h.reply(200, body, headers={"Content-Encoding": "gzip"}) or True,
    )
    env.assert_failed_and_untouched(env.sync(), "fetch.encoding")


def test_interrupted_download_resumes_with_range(env: Env) -> None:
    ref = env.publish_v2()
    path = f"/objects/{ref.sha256}"
    etag = '"v2-object"'

    def cut(h: Handler) -> bool:
        h.send_response(200)
        h.send_header("Content-Length", str(ref.length))
        h.send_header("ETag", etag)
        h.end_headers()
        h.wfile.write(BIG[:100_000])
        h.wfile.flush()
        h.close_connection = True
        return True

    _script(env.portal, path, cut)
    env.assert_failed_and_untouched(env.sync(), "fetch.interrupted")
    part = env.state / "objects" / ".partial" / f"{ref.sha256}.part"
    assert part.stat().st_size == 100_000

    def ranged(h: Handler) -> bool:
        assert h.headers["Range"] == "bytes=100000-" and h.headers["If-Range"] == etag
        h.reply(
            206,
            BIG[100_000:],
            headers={"ETag": etag, "Content-Range": f"bytes 100000-{ref.length - 1}/{ref.length}"},
        )
        return True

    _script(env.portal, path, ranged)
    result = env.sync()
    assert result.status == "updated", result.line()
    assert result.bytes_downloaded < ref.length
    assert not part.exists()
    assert_store_valid(env.state)


def test_resume_with_a_changed_object_starts_over(env: Env) -> None:
    ref = env.publish_v2()
    partial = env.state / "objects" / ".partial"
    (partial / f"{ref.sha256}.part").write_bytes(b"garbage" * 100)
    (partial / f"{ref.sha256}.etag").write_text('"old"')
    result = env.sync()  # server ignores Range (If-Range mismatch) and sends 200
    assert result.status == "updated", result.line()
    assert_store_valid(env.state)


# ----------------------------------------------------------------------------- names, store


def test_path_traversal_in_ids_is_rejected(env: Env) -> None:
    raw = dump_manifest(env.pub.manifest(2, [notice("n-1")]))
    raw = raw.replace(b'"id": "n-1"', b'"id": "../../../tmp/evil"')
    env.pub.write_manifest(raw)
    env.assert_failed_and_untouched(env.sync(), "manifest.malformed")


def test_odd_file_names_never_become_paths(env: Env, tmp_path: Path) -> None:
    data = b"odd" * 100
    names = ["../../../outside.png", "/etc/passwd.png", "a/b\\c.png", "../x.png", "名字 带空格.png"]
    items = [
        ManifestItem(
            f"img-{i}",
            "image",
            "主动公开",
            {"file": n},
            (FileRef(n, sha(data), len(data), "image/png"),),
        )
        for i, n in enumerate(names)
    ]
    env.pub.publish(2, items, [data])
    result = env.sync()
    assert result.status == "updated", result.line()
    stored = sorted(p.name for p in (env.state / "objects").iterdir())
    assert sha(data) in stored
    assert all(n == ".partial" or len(n) == 64 for n in stored)
    assert not (tmp_path / "outside.png").exists()
    view = store.read_current(env.state)
    assert view is not None
    assert {i.files[names[int(i.id[4:])]] for i in view.items} == {
        str(env.state / "objects" / sha(data))
    }


def test_planted_symlinks_in_the_store_are_removed_not_followed(env: Env, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    victim_dir = tmp_path / "victim_dir"
    victim_dir.mkdir()
    (victim_dir / "f").write_text("keep")
    ref = env.publish_v2()
    objects = env.state / "objects"
    os.symlink(victim, objects / ref.sha256)  # pretend the new object is already there
    os.symlink(victim_dir, env.state / "generations" / "7")
    os.symlink(victim, objects / ".partial" / f"{ref.sha256}.part")
    gen = store.generation_dir(env.state, store.current_generation(env.state) or 0)
    os.symlink(victim, gen / "extra.json")
    result = env.sync()
    assert result.status == "updated", result.line()
    assert result.repaired
    assert victim.read_text() == "keep me" and (victim_dir / "f").read_text() == "keep"
    assert not (objects / ref.sha256).is_symlink()
    assert_store_valid(env.state)


def test_planted_current_link_pointing_outside_is_replaced(env: Env, tmp_path: Path) -> None:
    outside = tmp_path / "fake"
    outside.mkdir()
    (env.state / "current").unlink()
    os.symlink(outside, env.state / "current")
    assert store.read_current(env.state) is None  # the player does not follow it either
    env.publish_v2()
    assert env.sync().status == "updated"
    assert os.readlink(env.state / "current").startswith("generations/")


def test_planted_objects_directory_symlink_is_repaired(env: Env, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious").write_text("x")
    objects = env.state / "objects"
    import shutil

    shutil.rmtree(objects)
    os.symlink(elsewhere, objects)
    env.publish_v2()
    result = env.sync()
    assert result.status == "updated", result.line()
    assert (elsewhere / "precious").read_text() == "x"
    assert objects.is_dir() and not objects.is_symlink()
    assert_store_valid(env.state)


def test_a_corrupted_stored_object_is_not_carried_into_a_new_generation(env: Env) -> None:
    obj = env.state / "objects" / env.base_item.files[0].sha256
    os.chmod(obj, 0o644)
    obj.write_bytes(b"X" * obj.stat().st_size)
    env.publish_v2()
    result = env.sync()
    assert result.key == "store.corrupt_object"
    assert (env.state / "current").exists() and highest_version(env.state) == 1
    result = env.sync()  # fetched again
    assert result.status == "updated", result.line()
    assert_store_valid(env.state)


def test_non_public_items_are_dropped_and_the_rest_applies(env: Env) -> None:
    env.pub.publish(2, [notice("n-1"), notice("n-secret", disclosure="依申请公开")])
    result = env.sync()
    assert result.status == "updated" and result.dropped == ("n-secret",)
    view = store.read_current(env.state)
    assert view is not None and all(i.public for i in view.items)
    assert [i.id for i in view.items] == ["n-1"]


# ----------------------------------------------------------------------------- state, disk


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"{not json",
        b'{"format": 1, "highest_version": -5}',
        b'{"format": 1, "highest_version": 0}',
        None,
    ],
)
def test_corrupt_or_missing_state_never_lets_a_rollback_pass(
    env: Env, garbage: bytes | None
) -> None:
    env.publish_v2()
    assert env.sync().version == 2
    path = env.state / "state.json"
    if garbage is None:
        path.unlink()
    else:
        path.write_bytes(garbage)
    env.pub.publish(1, [notice("n-old")])
    result = env.sync()
    assert result.key == "sync.rollback", result.line()
    assert highest_version(env.state) == 2
    assert assert_store_valid(env.state) == 2


def test_corrupt_state_is_rebuilt_and_sync_carries_on(env: Env) -> None:
    (env.state / "state.json").write_bytes(b"\x00\xff garbage")
    env.publish_v2()
    assert env.sync().status == "updated"
    assert highest_version(env.state) == 2


def test_disk_full_is_detected_from_declared_sizes_before_downloading(env: Env) -> None:
    env.publish_v2()
    env.settings = replace(env.settings, free_space=lambda _: 100 * 1024)
    env.assert_failed_and_untouched(env.sync(), "sync.disk_full")
    assert env.portal.requests("/objects/") == []


def test_over_budget_publication_is_refused(env: Env) -> None:
    env.publish_v2()
    env.settings = replace(env.settings, disk_budget_bytes=200 * 1024)
    env.assert_failed_and_untouched(env.sync(), "sync.over_budget")
    assert env.portal.requests("/objects/") == []


def test_a_second_sync_while_one_runs_is_refused(env: Env) -> None:
    import fcntl

    fd = os.open(env.state / ".sync.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        env.publish_v2()
        result = env.sync()
        assert result.key == "sync.locked" and snapshot(env.state) == env.before
    finally:
        os.close(fd)


def test_local_source_does_not_follow_symlinks_out_of_it(env: Env, tmp_path: Path) -> None:
    stick = tmp_path / "usb"
    pub = Publisher(stick, env.pub.key)
    item, data = image_item("img-x", b"secret-ish" * 10)
    pub.publish(2, [item], [])
    outside = tmp_path / "outside.bin"
    outside.write_bytes(data)
    os.symlink(outside, stick / "objects" / item.files[0].sha256)
    result = run_sync(str(stick), env.state, env.pub.trusted, env.clock, env.settings)
    env.assert_failed_and_untouched(result, "fetch.not_found")


def test_before_snapshot_is_meaningful(env: Env) -> None:
    before: Snapshot = env.before
    assert before.current and before.files["manifest.json"] and before.objects
    assert before.highest_version == 1


# ----------------------------------------------------------------------------- more faults


def test_truncated_object_body_without_content_length_fails(env: Env) -> None:
    # the connection just closes early; only the declared length in the manifest tells
    ref = env.publish_v2()

    def cut_without_length(h: Handler) -> bool:
        h.send_response(200)
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(BIG[: ref.length // 3])
        h.wfile.flush()
        h.close_connection = True
        return True

    _script(env.portal, f"/objects/{ref.sha256}", cut_without_length)
    env.assert_failed_and_untouched(env.sync(), "fetch.truncated")
    assert not (env.state / "objects" / ref.sha256).exists()


def test_slow_drip_across_many_objects_hits_the_run_deadline(env: Env) -> None:
    # every object arrives within the per-file deadline; together they overrun the run
    blobs = [f"drip {i} ".encode() * 6 for i in range(8)]
    made = [image_item(f"img-d{i}", b) for i, b in enumerate(blobs)]
    env.pub.publish(2, [env.base_item, *(m[0] for m in made)], [env.base_obj, *blobs])

    def drip(h: Handler) -> bool:
        data = h.body_of(h.path) or b""
        h.send_response(200)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        with contextlib.suppress(OSError):
            for i in range(len(data)):
                h.wfile.write(data[i : i + 1])
                h.wfile.flush()
                time.sleep(0.3 / len(data))
        return True

    for item, _ in made:
        _script(env.portal, f"/objects/{item.files[0].sha256}", drip)
    result = env.sync(file_deadline=1.0, run_deadline=1.2)
    env.assert_failed_and_untouched(result, "fetch.deadline")
    assert "run" in result.message
    assert 2 <= len(env.portal.requests("/objects/")) < len(made)


@pytest.mark.parametrize(
    "bad_sha",
    [
        "../../../../../../etc/passwd",
        "../" + "a" * 61,
        "/" + "b" * 63,
        "C" * 64,  # upper case: a different file name on a case-sensitive disk
        "d" * 63 + "/",
        "e" * 63 + "\u00e9",
    ],
)
def test_object_hash_that_is_really_a_path_is_rejected(env: Env, bad_sha: str) -> None:
    m = env.pub.manifest(2, [notice("n-1")])
    doc = json.loads(dump_manifest(m))
    doc["items"].append(
        {
            "id": "img-evil",
            "kind": "image",
            "disclosure": "主动公开",
            "meta": {"file": "x.png"},
            "files": [{"name": "x.png", "sha256": bad_sha, "length": 3, "media_type": "image/png"}],
        }
    )
    env.pub.write_manifest(json.dumps(doc, ensure_ascii=False).encode("utf-8"))
    env.assert_failed_and_untouched(env.sync(), "manifest.malformed")
    assert env.portal.requests("/objects/") == []


def test_playlist_hash_that_is_really_a_path_is_rejected(env: Env) -> None:
    doc = json.loads(dump_manifest(env.pub.manifest(2, [notice("n-1")])))
    doc["playlist"] = {
        "name": "playlist.yaml",
        "sha256": "../state.json",
        "length": 10,
        "media_type": "application/yaml",
    }
    env.pub.write_manifest(json.dumps(doc, ensure_ascii=False).encode("utf-8"))
    env.assert_failed_and_untouched(env.sync(), "manifest.malformed")


def test_decompression_bomb_at_publish_changes_neither_portal_nor_device(
    env: Env, tmp_path: Path
) -> None:
    import io
    import struct
    import zlib

    from PIL import Image

    from kiosk.diagnostics import InputError
    from kiosk.publish import publish

    src = tmp_path / "src"
    (src / "items").mkdir(parents=True)
    (src / "files").mkdir()
    (src / "items" / "map.yaml").write_text(
        "id: map\nkind: image\ndisclosure: 主动公开\nfile: ../files/map.png\n", "utf-8"
    )
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 30)).save(buf, "PNG")
    (src / "files" / "map.png").write_bytes(buf.getvalue())
    publish(src, env.pub.root, env.pub.key, T0)
    assert env.sync().status == "updated"
    env.before = snapshot(env.state)
    portal_before = {p: p.read_bytes() for p in env.pub.root.rglob("*") if p.is_file()}

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    # 50,000 × 50,000 pixels declared in a file of a few dozen bytes
    ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
    (src / "files" / "map.png").write_bytes(bomb + chunk(b"IEND", b""))
    with pytest.raises(InputError) as exc:
        publish(src, env.pub.root, env.pub.key, T0 + timedelta(minutes=5))
    assert [d.key for d in exc.value.diagnostics] == ["media.too_many_pixels"]
    assert {p: p.read_bytes() for p in env.pub.root.rglob("*") if p.is_file()} == portal_before
    result = env.sync()
    assert result.status == "unchanged", result.line()
    assert snapshot(env.state) == env.before
    assert highest_version(env.state) == env.before.highest_version == 2


def test_disk_filling_up_during_the_download_fails_and_gives_the_space_back(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the free-space check passed; then something else filled the disk mid-run
    first, second = BIG, bytes(reversed(BIG))
    (a, _), (b, _) = image_item("img-a", first), image_item("img-b", second)
    env.pub.publish(2, [env.base_item, a, b], [env.base_obj, first, second])
    from kiosk import fetch as fetch_mod

    real_write = os.write
    room = {"left": len(BIG) + len(BIG) // 2}  # one object and a half fit

    def filling_write(fd: int, data: bytes | memoryview) -> int:
        if "/.partial/" in os.readlink(f"/proc/self/fd/{fd}"):
            if len(data) > room["left"]:
                raise OSError(28, "No space left on device")  # ENOSPC
            room["left"] -= len(data)
        return real_write(fd, data)

    monkeypatch.setattr(fetch_mod.os, "write", filling_write)
    result = env.sync()
    monkeypatch.undo()
    env.assert_failed_and_untouched(result, "sync.disk_full")
    assert result.exit_code == 1
    assert list((env.state / "objects" / ".partial").iterdir()) == []
    result = env.sync()  # space freed: the next run completes
    assert result.status == "updated", result.line()
    assert assert_store_valid(env.state) == 2


def test_weak_etag_is_never_used_to_resume(env: Env) -> None:
    ref = env.publish_v2()
    path = f"/objects/{ref.sha256}"

    def cut_weak(h: Handler) -> bool:
        h.send_response(200)
        h.send_header("Content-Length", str(ref.length))
        h.send_header("ETag", 'W/"weak-1"')
        h.end_headers()
        h.wfile.write(BIG[:100_000])
        h.wfile.flush()
        h.close_connection = True
        return True

    _script(env.portal, path, cut_weak)
    env.assert_failed_and_untouched(env.sync(), "fetch.interrupted")
    assert not (env.state / "objects" / ".partial" / f"{ref.sha256}.etag").exists()
    env.portal.scripts.clear()
    env.portal.log.clear()
    result = env.sync()
    assert result.status == "updated", result.line()
    (request,) = [hdrs for _, p, hdrs in env.portal.log if p == path]
    assert "Range" not in request and "If-Range" not in request
    assert result.bytes_downloaded >= ref.length
    assert_store_valid(env.state)


def test_not_modified_after_the_stored_manifest_expired_is_a_failure(env: Env) -> None:
    # the portal stopped re-signing: 304 must not report "unchanged" once the manifest
    # the screen shows has expired (by a trusted clock)
    env.clock.set_wall(T0 + timedelta(days=31))
    result = env.sync()
    assert env.portal.requests() == ["/manifest.json"]
    env.assert_failed_and_untouched(result, "sync.expired")
    assert result.exit_code == 3
    state = json.loads((env.state / "state.json").read_text("utf-8"))
    assert state["last_success"]["result"] == "updated"  # 内容更新于 does not move


def test_not_modified_is_unchanged_while_the_stored_manifest_is_valid(env: Env) -> None:
    env.clock.set_wall(T0 + timedelta(days=29))
    result = env.sync()
    assert result.status == "unchanged" and env.portal.requests() == ["/manifest.json"]


def test_not_modified_with_an_untrusted_clock_does_not_judge_expiry(env: Env) -> None:
    env.clock.set_wall(T0 - timedelta(days=400))  # no RTC, no NTP yet
    assert env.sync().status == "unchanged"
