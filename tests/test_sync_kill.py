"""Kill test: a sync process is SIGKILLed at random moments, its source alternating between
the portal server over HTTP on 127.0.0.1 and a local directory (a USB stick). After every
kill the current generation is complete and hash-valid and the version never goes down;
every 25 rounds the player's content loader (:func:`kiosk.player.loader.load_program` with
the real sources) loads what the kill left, and an undisturbed sync reaches the latest
version. 200 rounds here; ``make soak`` (KIOSK_SOAK=full) runs 2,000."""

from __future__ import annotations

import io
import os
import random
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from kiosk import store
from kiosk.config import Config
from kiosk.player.loader import Sources, load_program
from kiosk.player.sources import real_sources
from kiosk.portal_server import make_server
from kiosk.sync import SyncSettings, load_state, run_sync
from tests.pubkit import T0, Publisher, image_item, notice
from tests.soakrec import record
from tests.storekit import TestClock, assert_store_valid

CI_ROUNDS = 200
N_IMAGES = 6
PLAYLIST = """\
version: 1
entries:
  - id: pics
    kind: image
    select: {limit: 50}
  - id: news
    kind: notice
    select: {limit: 10}
"""


class Images:
    """Small real PNGs of noise (so they do not compress), one per (slot, salt)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.cache: dict[tuple[int, int], bytes] = {}

    def get(self, slot: int, salt: int) -> bytes:
        if (slot, salt) not in self.cache:
            w, h = self.rng.randint(40, 150), self.rng.randint(30, 110)
            img = Image.frombytes("RGB", (w, h), self.rng.randbytes(w * h * 3))
            buf = io.BytesIO()
            img.save(buf, "PNG", compress_level=1)
            self.cache[(slot, salt)] = buf.getvalue()
        return self.cache[(slot, salt)]


def _publish(pub: Publisher, version: int, rng: random.Random, images: Images) -> None:
    items, blobs = [], []
    for i in range(N_IMAGES):
        salt = version if rng.random() < 0.5 else 0  # about half the objects change
        item, blob = image_item(f"img-{i}", images.get(i, salt))
        items.append(item)
        blobs.append(blob)
    items.append(notice(f"n-{version % 3}"))
    pub.publish(version, items, blobs)


@contextmanager
def _portal_process(root: Path) -> Iterator[str]:
    """The portal server in a process of its own, forked before this process starts any
    thread, so the sync children forked later never inherit a server thread's locks."""
    server = make_server(root, "127.0.0.1", 0)
    url = server.url
    pid = os.fork()
    if pid == 0:  # child: serve until killed
        try:
            server.serve_forever(0.05)
        finally:
            os._exit(0)
    server.server_close()
    try:
        yield url
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _sync(source: str, state: Path, pub: Publisher) -> bool:
    return run_sync(source, state, pub.trusted, TestClock(T0), SyncSettings()).ok


def _sync_in_child(source: str, state: Path, pub: Publisher) -> int:
    pid = os.fork()
    if pid == 0:  # child: one sync, then exit without cleanup
        code = 1
        try:
            code = 0 if _sync(source, state, pub) else 1
        finally:
            os._exit(code)
    return pid


def _player_loads(sources: Sources, state: Path, playlist: Path, serial: int) -> None:
    """What the player does on a content change: read the store, resolve, lay out."""
    now = T0 + timedelta(days=1, hours=8)  # a Monday morning
    loaded = load_program(sources, str(playlist), str(state), now, serial)
    view = store.read_current(state)
    assert view is not None and loaded.generation == view.generation
    assert loaded.entry_errors == {}, loaded.entry_errors
    shown = {it.id for it in loaded.program.items}
    wanted = {f"pics/{i.id}" for i in view.items if i.kind == "image"}
    assert len(wanted) == N_IMAGES and wanted <= shown, (wanted, shown)


def _rounds(n: int, tmp_path: Path) -> dict[str, int]:
    rng = random.Random(20261129)
    images = Images(random.Random(7))
    pub = Publisher(tmp_path / "portal")
    state = tmp_path / "state"
    playlist = tmp_path / "playlist.yaml"
    playlist.write_text(PLAYLIST, encoding="utf-8")
    with _portal_process(pub.root) as url:
        sources = [str(pub.root), url]
        version = 1
        _publish(pub, version, rng, images)
        assert _sync(url, state, pub)
        # how long a whole sync takes from each source, to spread the kills over it
        # (a starting point, adjusted as the rounds go)
        spans: dict[str, float] = {}
        for source in sources * 2:
            version += 1
            _publish(pub, version, rng, images)
            t = time.monotonic()
            assert _sync(source, state, pub)
            took = max(time.monotonic() - t, 0.005) * 1.3
            spans[source] = min(spans.get(source, took), took)
        # the player's real content side, built once (fonts, metrics, slide kit)
        player = real_sources(Config(), (640, 360))
        _player_loads(player, state, playlist, 0)
        seen = assert_store_valid(state)
        killed = completed = 0
        for round_ in range(n):
            source = sources[round_ % 2]
            if rng.random() < 0.7:
                version += 1
                _publish(pub, version, rng, images)
            pid = _sync_in_child(source, state, pub)
            time.sleep(rng.uniform(0, spans[source]))
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            # keep the kills spread over the whole sync, however busy the machine is: a
            # span that let the sync finish shrinks, one that cut it grows a little, which
            # settles at about one finished sync in four
            if os.WIFSIGNALED(status):
                killed += 1
                spans[source] *= 1.03
            else:
                completed += 1
                spans[source] *= 0.9
            # the invariant, from the player's point of view
            now = assert_store_valid(state)
            assert now >= seen, f"round {round_}: version went down {seen} -> {now}"
            seen = now
            assert load_state(state, pub.trusted).highest_version >= now
            if round_ % 25 == 24:
                _player_loads(player, state, playlist, round_)
                # an undisturbed sync recovers and reaches the latest version
                assert _sync(sources[(round_ // 25) % 2], state, pub)
                assert assert_store_valid(state) == version
                assert len(store.generations(state)) <= 2
                _player_loads(player, state, playlist, round_ + 1)
    print(f"killed={killed} completed={completed} spans={spans}")
    assert killed > n // 2 and completed > 0, (killed, completed)
    return {"rounds": n, "killed": killed, "completed": completed, "final_version": version}


def test_sigkill_at_random_moments_never_breaks_the_store(tmp_path: Path) -> None:
    _rounds(CI_ROUNDS, tmp_path)


@pytest.mark.slow
def test_sigkill_soak(tmp_path: Path) -> None:
    value = os.environ.get("KIOSK_SOAK", "")
    if not value:
        pytest.skip("set KIOSK_SOAK=full (make soak) or a round count")
    record("sync_kill", _rounds(2000 if value == "full" else int(value), tmp_path))
