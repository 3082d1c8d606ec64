"""Soak: the player runs for simulated days without growing memory or leaking descriptors.

The short runs are part of the normal suite; ``make soak`` (KIOSK_SOAK=full, ``-m slow``) runs
seven simulated days twice: with the test doubles (tens of thousands of page changes, a few
minutes) and with the real layout, fonts and renderer at 480×270 (about two minutes).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.soak_player import run_soak
from tests.player_doubles import sources
from tests.soakrec import record


def playlist(n: int) -> str:
    entries = "\n".join(
        f'  - {{id: e{i}, body: "{"第一页---第二页" if i % 3 == 0 else "一页"}"}}'
        for i in range(6 + n % 3)
    )
    return f'entries:\n{entries}\nticker: ["通知 {n}"]\n'


def test_a_simulated_afternoon_keeps_memory_and_descriptors_flat(tmp_path: Path) -> None:
    src, _, _ = sources((320, 180))
    r = run_soak(days=0.2, workdir=tmp_path, playlist_text=playlist, sources=src)
    assert r["soak_page_changes"] > 1000
    assert r["soak_fd_growth"] <= 0
    assert r["soak_rss_growth_mib"] < 5


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("KIOSK_SOAK") != "full", reason="make soak only")
def test_seven_simulated_days_keep_memory_and_descriptors_flat(tmp_path: Path) -> None:
    src, _, _ = sources((320, 180))
    r = run_soak(days=7, workdir=tmp_path, playlist_text=playlist, sources=src)
    print(r)
    assert r["soak_page_changes"] > 20000
    assert r["soak_edits"] >= 80
    assert r["soak_alert_shown"] == "off"
    assert r["soak_fd_growth"] == 0
    assert r["soak_rss_growth_mib"] < 5
    record("player_doubles", r)


def test_a_simulated_morning_with_the_real_layout_and_fonts_leaks_no_descriptors() -> None:
    # Real playlist reader, layout, fonts and renderer at 480×270: reloads lay pages out at
    # new sizes, which once opened a font file per size.
    from benchmarks.bench_player import soak_real

    r = soak_real(0.25)
    assert r["soak_page_changes"] > 200
    assert r["soak_fd_growth"] <= 0
    assert r["soak_rss_growth_mib"] < 5


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("KIOSK_SOAK") != "full", reason="make soak only")
def test_seven_simulated_days_with_the_real_layout_and_fonts_stay_flat() -> None:
    from benchmarks.bench_player import soak_real

    r = soak_real(7)
    print(r)
    assert r["soak_page_changes"] > 10000
    assert r["soak_edits"] >= 80
    assert r["soak_fd_growth"] == 0
    assert r["soak_rss_growth_mib"] < 5
    record("player_real", r)
