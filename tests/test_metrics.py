"""Prometheus text exposition for node_exporter's textfile collector."""

from __future__ import annotations

import json
import re
import urllib.request
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.metrics import Inputs, Metric, collect, gather, render, serve, write_textfile

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 29, 10, 0, tzinfo=TZ)

# One sample line of the text format: name, optional labels, value.
SAMPLE = re.compile(
    r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? '
    r"(-?[0-9.e+]+|NaN|[+-]Inf)$"
)


def parse(text: str) -> dict[str, float]:
    values: dict[str, float] = {}
    types: dict[str, str] = {}
    assert text == "" or text.endswith("\n")
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split()
            assert name not in types, f"TYPE twice for {name}"
            types[name] = typ
        elif line.startswith("# HELP "):
            continue
        else:
            assert SAMPLE.match(line), line
            key, value = line.rsplit(" ", 1)
            assert key.split("{")[0] in types, f"sample before its TYPE: {line}"
            values[key] = float(value)
    return values


def full_inputs() -> Inputs:
    return Inputs(
        daemon={
            "last_sync_attempt": "2026-11-29T02:41:00+08:00",
            "last_sync_success": "2026-11-29T02:41:00+08:00",
            "last_sync_result": "ok",
        },
        state={"last_success": {"time": "2026-11-28T02:35:00+08:00", "result": "updated"}},
        status={"entry": 'notice/2018"年报', "fps": 59.5, "frames": 123456},
        power={"state": "off"},
        alerts={"alerts": [{"id": "a"}]},
        content_bytes=52_428_800,
        generation=7,
        version=42,
        holiday_years=(2004, 2026),
        this_year=2026,
        clock_trusted=True,
    )


def test_all_issue_metrics_are_exported_with_correct_values() -> None:
    values = parse(render(collect(full_inputs())))
    success = datetime(2026, 11, 29, 2, 41, tzinfo=TZ).timestamp()
    assert values["kiosk_sync_last_success_timestamp_seconds"] == success
    assert values["kiosk_sync_last_ok"] == 1
    assert values["kiosk_publication_version"] == 42
    assert values['kiosk_current_entry_info{entry="notice/2018\\"年报"}'] == 1
    assert values["kiosk_screen_power_on"] == 0
    assert values["kiosk_player_frames_per_second"] == 59.5
    assert values["kiosk_content_bytes"] == 52_428_800
    assert values["kiosk_holiday_data_last_year"] == 2026
    assert values["kiosk_holiday_data_covers_next_year"] == 0
    assert values["kiosk_alerts_active"] == 1
    assert values["kiosk_sync_consecutive_failures"] == 0


def test_consecutive_sync_failures_come_from_the_daemon_state() -> None:
    inputs = replace(full_inputs(), daemon={"last_sync_result": "fail", "sync_failures": 3})
    assert parse(render(collect(inputs)))["kiosk_sync_consecutive_failures"] == 3
    assert "kiosk_sync_consecutive_failures" not in render(collect(Inputs()))  # never tried


def test_unknown_values_are_left_out_rather_than_reported_as_zero() -> None:
    text = render(collect(Inputs()))
    assert "kiosk_sync_last_ok" not in text
    assert "kiosk_screen_power_on" not in text
    parse(text)


def test_render_escapes_help_and_label_values() -> None:
    text = render([Metric("m", "a\\b\nc", "gauge", (({"l": 'x"y\\z\n'}, 1.5),))])
    assert text == '# HELP m a\\\\b\\nc\n# TYPE m gauge\nm{l="x\\"y\\\\z\\n"} 1.5\n'


def test_gather_reads_the_state_directory_and_writes_atomically(tmp_path: Path) -> None:
    (tmp_path / "power.json").write_text(json.dumps({"state": "on"}))
    (tmp_path / "objects").mkdir()
    (tmp_path / "objects" / ("a" * 64)).write_bytes(b"x" * 1000)
    out = tmp_path / "textfile" / "kiosk.prom"
    write_textfile(out, render(collect(gather(tmp_path, NOW))))
    values = parse(out.read_text())
    assert values["kiosk_screen_power_on"] == 1
    assert values["kiosk_content_bytes"] == 1000
    assert [p.name for p in out.parent.iterdir()] == ["kiosk.prom"]  # no temp file left


def test_the_http_endpoint_listens_on_localhost_only() -> None:
    server = serve(0, lambda: "# TYPE up gauge\nup 1\n")
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
            assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
            assert resp.read() == b"# TYPE up gauge\nup 1\n"
    finally:
        server.shutdown()
        server.server_close()
