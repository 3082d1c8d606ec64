"""Fleet metrics in the Prometheus text exposition format (version 0.0.4).

The daemon writes them atomically to ``metrics_file`` for node_exporter's textfile collector
(``--collector.textfile.directory``); ``kiosk daemon --metrics-port N`` also serves them on
``http://127.0.0.1:N/metrics`` (localhost only).

Pure: :func:`render` (samples → text) and :func:`collect` (state files already read → samples).
Shell: :func:`gather` reads the state directory; :func:`write_textfile`; :func:`serve`.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from kiosk.atomic import write_atomic
from kiosk.clock import parse_instant

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True)
class Metric:
    name: str
    help: str
    type: str  # gauge / counter
    samples: tuple[tuple[Mapping[str, str], float], ...] = field(default_factory=tuple)


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _escape_help(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n")


def _value(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(float(v))


def render(metrics: Iterable[Metric]) -> str:
    """The exposition text: HELP and TYPE once per family, then its samples."""
    lines: list[str] = []
    for m in metrics:
        if not m.samples:
            continue
        lines.append(f"# HELP {m.name} {_escape_help(m.help)}")
        lines.append(f"# TYPE {m.name} {m.type}")
        for labels, value in m.samples:
            if labels:
                inner = ",".join(f'{k}="{_escape_label(v)}"' for k, v in sorted(labels.items()))
                lines.append(f"{m.name}{{{inner}}} {_value(value)}")
            else:
                lines.append(f"{m.name} {_value(value)}")
    return "".join(line + "\n" for line in lines)


def _ts(value: object) -> float | None:
    """Seconds since the epoch from an ISO instant, or from the sync's outcome object
    ``{"time": ISO, "result": ...}`` in ``state.json``."""
    if isinstance(value, Mapping):
        value = value.get("time")
    dt = parse_instant(value)
    return dt.timestamp() if dt is not None else None


def _num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@dataclass(frozen=True)
class Inputs:
    """Everything the metrics are computed from (already read from disk)."""

    daemon: Mapping[str, Any] = field(default_factory=dict)  # daemon.json
    state: Mapping[str, Any] = field(default_factory=dict)  # state.json (sync)
    status: Mapping[str, Any] = field(default_factory=dict)  # status.json (player)
    power: Mapping[str, Any] = field(default_factory=dict)  # power.json
    alerts: Mapping[str, Any] = field(default_factory=dict)  # alerts.json
    content_bytes: int | None = None
    generation: int | None = None
    version: int | None = None
    holiday_years: tuple[int, int] | None = None
    this_year: int | None = None
    clock_trusted: bool | None = None


def collect(inp: Inputs) -> list[Metric]:
    def one(name: str, help: str, value: float | None, typ: str = "gauge") -> Metric:
        return Metric(name, help, typ, () if value is None else (({}, value),))

    attempts = [
        t
        for t in (_ts(inp.daemon.get("last_sync_attempt")), _ts(inp.state.get("last_attempt")))
        if t is not None
    ]
    successes = [
        t
        for t in (_ts(inp.daemon.get("last_sync_success")), _ts(inp.state.get("last_success")))
        if t is not None
    ]
    last_attempt = max(attempts, default=None)
    result = inp.daemon.get("last_sync_result")
    version = inp.version if inp.version is not None else _num(inp.state.get("highest_version"))
    entry = inp.status.get("entry")
    fps = _num(inp.status.get("fps"))
    frames = _num(inp.status.get("frames"))
    power = inp.power.get("state")
    alerts = inp.alerts.get("alerts")
    out = [
        one(
            "kiosk_sync_last_attempt_timestamp_seconds",
            "Start of the last sync attempt.",
            last_attempt,
        ),
        one(
            "kiosk_sync_last_success_timestamp_seconds",
            "Start of the last successful sync.",
            max(successes) if successes else None,
        ),
        one(
            "kiosk_sync_last_ok",
            "1 if the last sync attempt succeeded, else 0.",
            None if result is None else float(result == "ok"),
        ),
        one(
            "kiosk_sync_consecutive_failures",
            "Failed sync attempts since the last success (retries back off up to 4 h).",
            _num(inp.daemon.get("sync_failures") or 0) if result is not None else None,
        ),
        one(
            "kiosk_publication_version",
            "Version of the portal publication on screen.",
            None if version is None else float(version),
        ),
        one(
            "kiosk_store_generation",
            "Content store generation in use.",
            None if inp.generation is None else float(inp.generation),
        ),
        one(
            "kiosk_content_bytes",
            "Bytes of content objects in the store.",
            None if inp.content_bytes is None else float(inp.content_bytes),
        ),
        Metric(
            "kiosk_current_entry_info",
            "The playlist entry on screen (label entry).",
            "gauge",
            (({"entry": str(entry)}, 1.0),) if isinstance(entry, str) and entry else (),
        ),
        one("kiosk_player_frames_per_second", "Frames per second the player reports.", fps),
        one(
            "kiosk_player_frames_total", "Frames drawn since the player started.", frames, "counter"
        ),
        one(
            "kiosk_screen_power_on",
            "1 if the screen is scheduled on, 0 if off/blank.",
            None if power not in ("on", "off") else float(power == "on"),
        ),
        one(
            "kiosk_alerts_active",
            "Urgent alerts currently shown.",
            float(len(alerts)) if isinstance(alerts, list) else None,
        ),
        one(
            "kiosk_clock_trusted",
            "1 if the wall clock is trusted for expiry and power.",
            None if inp.clock_trusted is None else float(inp.clock_trusted),
        ),
    ]
    if inp.holiday_years is not None:
        first, last = inp.holiday_years
        out.append(
            one("kiosk_holiday_data_last_year", "Last year the holiday data covers.", float(last))
        )
        if inp.this_year is not None:
            out.append(
                one(
                    "kiosk_holiday_data_covers_next_year",
                    "1 if statutory holiday data covers next year, else 0.",
                    float(first <= inp.this_year + 1 <= last),
                )
            )
    return out


# ----------------------------------------------------------------------------- shell


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def content_bytes(state_dir: Path) -> int | None:
    objects = state_dir / "objects"
    if not objects.is_dir():
        return None
    total = 0
    with os.scandir(objects) as it:
        for entry in it:
            if entry.is_file(follow_symlinks=False):
                total += entry.stat(follow_symlinks=False).st_size
    return total


def gather(
    state_dir: Path,
    now: datetime,
    *,
    holiday_years: tuple[int, int] | None = None,
    clock_trusted: bool | None = None,
) -> Inputs:
    generation = version = None
    try:
        import importlib

        view = importlib.import_module("kiosk.store").read_current(state_dir)
    except Exception:
        view = None
    if view is not None:
        generation, version = view.generation, view.version
    return Inputs(
        daemon=_read(state_dir / "daemon.json"),
        state=_read(state_dir / "state.json"),
        status=_read(state_dir / "status.json"),
        power=_read(state_dir / "power.json"),
        alerts=_read(state_dir / "alerts.json"),
        content_bytes=content_bytes(state_dir),
        generation=generation,
        version=version,
        holiday_years=holiday_years,
        this_year=now.year,
        clock_trusted=clock_trusted,
    )


def write_textfile(path: str | os.PathLike[str], text: str) -> None:
    """node_exporter reads ``*.prom`` files; the atomic rename keeps it from seeing half."""
    write_atomic(path, text.encode("utf-8"), mode=0o644)


def serve(port: int, produce: Callable[[], str]) -> ThreadingHTTPServer:
    """Serve ``/metrics`` on 127.0.0.1 only, in a daemon thread. Returns the server."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path.split("?")[0] != "/metrics":
                self.send_error(404)
                return
            body = produce().encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPE)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
