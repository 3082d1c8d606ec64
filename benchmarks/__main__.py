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
    args = ap.parse_args(argv)

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
            f"`make bench` → `python -m benchmarks {name}` — {sec['measured']}, {sec['machine']}",
            "",
            "| key | value |",
            "|---|---|",
        ]
        out += [f"| `{k}` | {v} |" for k, v in sec["figures"].items()]
        if sec.get("notes"):
            out += ["", sec["notes"].strip()]
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
