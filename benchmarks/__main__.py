"""Run every benchmark module and record the figures."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import platform
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _machine() -> str:
    import os

    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks")
    ap.add_argument("only", nargs="*", help="module names (e.g. bench_layout); default all")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (CI smoke run)")
    ap.add_argument("--no-write", action="store_true", help="print only")
    ap.add_argument(
        "--from-soak",
        metavar="DIR",
        help="record the figures `make soak` left in DIR (one JSON file per soak) instead of "
        "running benchmarks",
    )
    args = ap.parse_args(argv)
    if args.from_soak:
        return record_soak(Path(args.from_soak))

    names = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    if args.only:
        names = [n for n in names if n in args.only]
    latest_path = HERE / "latest.json"
    latest: dict[str, Any] = json.loads(latest_path.read_text()) if latest_path.exists() else {}
    sections: dict[str, Any] = latest.setdefault("sections", {})
    for name in names:
        mod = importlib.import_module(f"benchmarks.{name}")
        t0 = time.perf_counter()
        print(f"== {name}: {mod.TITLE}", flush=True)
        figures = mod.run(quick=args.quick)
        for k, v in figures.items():
            print(f"   {k} = {v}")
        sections[name] = {
            "title": mod.TITLE,
            "figures": figures,
            "notes": getattr(mod, "NOTES", ""),
            "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": _machine(),
            "seconds": round(time.perf_counter() - t0, 1),
        }
        latest.update(figures)
    if args.no_write:
        return 0
    latest_path.write_text(json.dumps(latest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    (ROOT / "docs" / "performance.md").write_text(render_markdown(sections))
    return 0


SOAK_TITLE = "Soak: seven simulated days (make soak)"
SOAK_NOTES = """\
`make soak` runs the slow tests with `KIOSK_SOAK=full` and records what they measured.
`player_doubles_*`: the real frame loop, scheduler, transitions, ticker, alerts, power
off/on and reloads (an edited playlist every couple of hours) with test doubles for the
pages, seven days on the fake clock. `player_real_*`: the same with the real playlist
reader, layout, fonts and renderer at 480×270. Growth is the difference between the
first and last simulated day (RSS in MiB, open descriptors). `sync_kill_*`: the sync run
in a subprocess and SIGKILLed at random moments, alternating HTTP and a directory source;
after every round the store is complete and hash-valid and the version never goes down,
and every 25 rounds the player's loader reads it. Targets (issue 4): RSS growth < 5 MiB,
descriptor growth 0."""


def record_soak(folder: Path) -> int:
    files = sorted(folder.glob("*.json"))
    if not files:
        print(f"no soak figures in {folder} (run make soak)", file=sys.stderr)
        return 1
    figures: dict[str, Any] = {}
    for path in files:
        for key, value in json.loads(path.read_text()).items():
            figures[key if key.startswith(path.stem) else f"{path.stem}_{key}"] = value
    latest_path = HERE / "latest.json"
    latest: dict[str, Any] = json.loads(latest_path.read_text()) if latest_path.exists() else {}
    earlier = latest.get("sections", {}).get("soak", {}).get("figures", {})
    figures = {**earlier, **figures}  # a partial run keeps the other soaks' last figures
    latest.setdefault("sections", {})["soak"] = {
        "title": SOAK_TITLE,
        "figures": figures,
        "notes": SOAK_NOTES,
        "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": _machine(),
        "seconds": None,
        "command": "make soak",
    }
    latest_path.write_text(json.dumps(latest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    (ROOT / "docs" / "performance.md").write_text(render_markdown(latest["sections"]))
    for key, value in figures.items():
        print(f"   {key} = {value}")
    return 0


def render_markdown(sections: dict[str, Any]) -> str:
    out = [
        "# Performance",
        "",
        "Produced by `make bench` (`python -m benchmarks`), which also writes",
        "`benchmarks/latest.json`. Each figure that is a speed is reported against a baseline",
        "measured in the same run; the tests never assert on timings.",
        "",
    ]
    for name, sec in sorted(sections.items()):
        out += [
            f"## {sec['title']}",
            "",
            f"{_command(name, sec)} — {sec['measured']}, {sec['machine']}",
            "",
            "| key | value |",
            "|---|---|",
        ]
        out += [f"| `{k}` | {v} |" for k, v in sec["figures"].items()]
        if sec.get("notes"):
            out += ["", sec["notes"].strip()]
        out.append("")
    return "\n".join(out)


def _command(name: str, sec: dict[str, Any]) -> str:
    if sec.get("command"):
        return f"`{sec['command']}`"
    return f"`make bench` → `python -m benchmarks {name}`"


if __name__ == "__main__":
    sys.exit(main())
