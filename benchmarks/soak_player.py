"""Soak driver for the player: days of simulated operation in one process with a fake clock.

Used by ``tests/test_player_soak.py`` (a short run in the normal suite, seven days under
``make soak``) and by ``benchmarks/bench_player.py``. It plays a playlist of several entries,
edits the playlist every two simulated hours (every fifth edit is broken), switches the
content generation, raises and withdraws a red alert, and powers the screen off every night
and on every morning — then reports how much resident memory and how many file descriptors
grew between the end of the first simulated day (warm) and the end of the run.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.atomic import write_json_atomic
from kiosk.clock import FakeClock
from kiosk.player.loader import Sources
from kiosk.player.shell import Options, Player

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 30, 7, 0, tzinfo=TZ)


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


def run_soak(
    *,
    days: float,
    workdir: Path,
    playlist_text: Callable[[int], str],
    sources: Sources,
    size: tuple[int, int] = (320, 180),
    broken_text: str = "entries: [ {id: broken",
    min_step: float = 0.5,
) -> dict[str, Any]:
    """``min_step``: the fake clock moves at least this far per frame (the ticker would
    otherwise ask for 60 frames per simulated second)."""
    import pygame

    pygame.init()
    workdir.mkdir(parents=True, exist_ok=True)
    state = workdir / "state"
    state.mkdir(exist_ok=True)
    playlist = workdir / "playlist.yaml"
    playlist.write_text(playlist_text(0), encoding="utf-8")
    clock = FakeClock(START)
    canvas = pygame.Surface(size)
    player = Player(
        clock=clock,
        canvas=canvas,
        sources=sources,
        playlist_path=str(playlist),
        state_dir=str(state),
        options=Options(threaded=False, max_idle_s=5.0, status_s=60.0),
    )
    player.start()
    t0 = clock.monotonic()
    end = t0 + days * 86400
    warm_at = t0 + min(86400.0, days * 86400 / 4)
    warm: tuple[float, int] | None = None
    edits = 0
    next_edit = t0 + 7200
    frames = 0
    alert_on = t0 + 2 * 86400 + 3 * 3600 if days >= 3 else t0 + days * 86400 / 2
    alert_off = alert_on + 900
    alert_state = "none"
    power_on = True
    while clock.monotonic() < end:
        mono = clock.monotonic()
        now = clock.now()
        if mono >= next_edit:
            edits += 1
            playlist.write_text(
                broken_text if edits % 5 == 0 else playlist_text(edits), encoding="utf-8"
            )
            next_edit += 7200
        if alert_state == "none" and mono >= alert_on:
            write_json_atomic(
                state / "alerts.json",
                {"alerts": [{"id": "soak", "level": "red", "title": "暴雪红色预警"}]},
            )
            alert_state = "on"
        elif alert_state == "on" and mono >= alert_off:
            write_json_atomic(state / "alerts.json", {"alerts": []})
            alert_state = "off"
        want_on = 8 <= now.hour < 18
        if want_on != power_on:
            power_on = want_on
            write_json_atomic(state / "power.json", {"state": "on" if want_on else "off"})
        sleep = player.frame()
        frames += 1
        if warm is None and mono >= warm_at:
            gc.collect()
            warm = (rss_mib(), fd_count())
        clock.advance(max(sleep, min_step))
    player.close()
    gc.collect()
    rss, fds = rss_mib(), fd_count()
    assert warm is not None
    return {
        "soak_days": days,
        "soak_frames": frames,
        "soak_edits": edits,
        "soak_page_changes": player.changes,
        "soak_proof_records": player.proof_records,
        "soak_rss_growth_mib": round(rss - warm[0], 2),
        "soak_fd_growth": fds - warm[1],
        "soak_alert_shown": alert_state,
    }
