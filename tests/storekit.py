"""Snapshots of a content store, to prove a failed sync changed nothing."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk import store
from kiosk.clock import FakeClock


@dataclass(frozen=True)
class Snapshot:
    current: str | None
    files: dict[str, bytes]  # current generation's files
    objects: dict[str, bytes]  # objects the current generation refers to
    highest_version: int | None


def snapshot(state_dir: Path) -> Snapshot:
    cur = None
    files: dict[str, bytes] = {}
    objects: dict[str, bytes] = {}
    with contextlib.suppress(OSError):
        cur = os.readlink(state_dir / "current")
    n = store.current_generation(state_dir)
    if n is not None:
        gen = store.generation_dir(state_dir, n)
        for p in sorted(gen.iterdir()):
            files[p.name] = p.read_bytes()
        for sha in sorted(store.referenced_objects(state_dir, n)):
            objects[sha] = (state_dir / "objects" / sha).read_bytes()
    return Snapshot(cur, files, objects, highest_version(state_dir))


def highest_version(state_dir: Path) -> int | None:
    try:
        data = json.loads((state_dir / "state.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    v = data.get("highest_version")
    return v if isinstance(v, int) else None


def assert_store_valid(state_dir: Path) -> int:
    """The current generation is complete and every object it refers to matches its hash.
    Returns its manifest version."""
    view = store.read_current(state_dir)
    assert view is not None
    n = store.current_generation(state_dir)
    assert n is not None
    for sha in store.referenced_objects(state_dir, n):
        data = (state_dir / "objects" / sha).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha
    return view.version


class TestClock(FakeClock):
    """Fake wall time; real monotonic time (for deadlines against a real server) plus
    whatever ``sleep`` skipped, so waiting never really sleeps."""

    __test__ = False

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self.slept = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.slept

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.slept += seconds
            super().advance(seconds)
