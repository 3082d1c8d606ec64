"""Player: CPU while idle / scrolling vs a re-render-everything baseline, transition frame
times, time to first frame, memory, and a soak with the fake clock.

CPU figures are process CPU time (user + system, all threads) over wall time, measured in a
fresh subprocess (``benchmarks/player_probe.py``) after two seconds of warm-up, at 1920×1080:
with SDL's dummy driver, and — where ``Xvfb`` is installed — in a real X11 window
(``SDL_FRAMEBUFFER_ACCELERATION=0``), keys suffixed ``_x11``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TITLE = "Player (kiosk play)"

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "playlists" / "demo.yaml"
WORKDAY = "2026-11-30T10:00:00+08:00"  # a Monday in office hours (the demo's schedule)

NOTES = """
Targets (issue 4): `idle_cpu_pct` ≤ 0.5, `ticker_cpu_pct` ≤ 3, `transition_p95_ms` ≤ 4,
`transition_max_ms` ≤ 16.7, `first_frame_s` ≤ 1.5, `pss_mib` ≤ 80, soak growth < 5 MiB and
0 descriptors. `cpu_ratio` = `baseline_cpu_pct` / `ticker_cpu_pct`: the baseline re-renders the
whole slide (frame, page text, clock, ticker) every frame at 60 fps, which is what a player
without a page cache and dirty regions does. Transition figures are the durations of the
frame loop's iterations that draw a page switch or a transition frame (fade and push at
1920×1080; the next page is pre-rendered in the worker thread, never in these frames).
`first_frame_s` is measured from process start (`python -m kiosk play --headless` with the demo
playlist) to the `player.first_frame` log line. `pss_mib` is the proportional set size of that
process after ten seconds of playing. The soak here is one simulated day at 480×270 with the
real layout and renderer (`make soak` runs seven days in the test suite). A Chromium kiosk is
compared where chromium is installed (`chromium_pss_mib`: a headless Chromium in kiosk mode
showing the demo's first notice as an HTML page with the same text, a clock ticking every
second and a CSS-animated ticker, after the same time; the PSS of its whole process tree;
`chromium_vs_player_pss` = that / `pss_mib`). Headless with software rendering is the
lightest Chromium can be; a real kiosk window adds a GPU process.
"""


def _env(driver: str, display: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SDL_VIDEODRIVER=driver,
        SDL_AUDIODRIVER="dummy",
        PYGAME_HIDE_SUPPORT_PROMPT="1",
        PYTHONPATH=str(ROOT),
    )
    if display is not None:
        env["DISPLAY"] = display
        env["SDL_FRAMEBUFFER_ACCELERATION"] = "0"
    return env


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """An Xvfb server on a display number it picks itself (``-displayfd``), so a benchmark
    never collides with another X server on a shared machine."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(write_fd,),
    )
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        number = pipe.readline().strip().decode("ascii")
    if not number:
        proc.kill()
        raise RuntimeError("Xvfb did not start")
    return proc, f":{number}"


def probe(mode: str, seconds: float, driver: str = "dummy", display: str | None = None) -> Any:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.player_probe",
            mode,
            "--seconds",
            str(seconds),
            "--driver",
            driver,
        ],
        cwd=ROOT,
        env=_env(driver, display),
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def first_frame_and_pss(play_seconds: float) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as d:
        t0 = time.monotonic()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kiosk",
                "play",
                "--headless",
                "--playlist",
                str(DEMO),
                "--state-dir",
                d,
                "--fake-clock",
                WORKDAY,
            ],
            cwd=ROOT,
            env=_env("dummy"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stderr is not None
        first = float("nan")
        for line in proc.stderr:
            if "player.first_frame" in line:
                first = time.monotonic() - t0
                break
        time.sleep(play_seconds)
        pss = 0.0
        with open(f"/proc/{proc.pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) / 1024
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
    return first, pss


SLIDE_HTML = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><style>
@font-face {{ font-family: NotoSC; src: local("Noto Sans CJK SC"); }}
html, body {{ margin: 0; width: 1920px; height: 1080px; overflow: hidden; cursor: none;
  font-family: "Noto Sans CJK SC", NotoSC, sans-serif; background: #f7f5ef; color: #1d1d1d; }}
header {{ height: 120px; background: #9e1b1b; color: #fff; display: flex;
  align-items: center; justify-content: space-between; padding: 0 60px; font-size: 48px; }}
main {{ padding: 40px 80px; }}
h1 {{ font-size: 72px; margin: 0 0 30px; text-align: center; }}
p {{ font-size: 48px; line-height: 1.6; margin: 0; }}
footer {{ position: absolute; bottom: 0; width: 100%; height: 90px; background: #9e1b1b;
  color: #fff; font-size: 44px; overflow: hidden; white-space: nowrap; }}
footer span {{ display: inline-block; padding-left: 100%; animation: run 30s linear infinite; }}
@keyframes run {{ to {{ transform: translateX(-100%); }} }}
</style></head><body>
<header><span>{office}</span><span id="clock"></span></header>
<main><h1>{title}</h1>{body}</main>
<footer><span>{ticker}</span></footer>
<script>
function tick() {{ document.getElementById("clock").textContent =
  new Date().toLocaleString("zh-CN", {{ dateStyle: "full", timeStyle: "medium" }}); }}
tick(); setInterval(tick, 1000);
</script></body></html>
"""


def _tree_pss_mib(root_pid: int) -> float:
    """Proportional set size of a process and all its descendants (shared pages counted
    once across the tree), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total_kib = 0
    todo = [root_pid]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
                total_kib += sum(int(ln.split()[1]) for ln in fh if ln.startswith("Pss:"))
        except OSError:
            continue
    return total_kib / 1024


def chromium_pss(chromium: str, play_seconds: float) -> float:
    """A Chromium kiosk (headless, software rendering) showing the demo's first notice page
    as HTML: the same title and body text, the header clock ticking every second and the
    ticker scrolling by CSS animation. The figure is the PSS of its whole process tree."""
    import html

    from kiosk.model import Notice
    from kiosk.playlist import load_playlist

    playlist, _ = load_playlist(DEMO.read_bytes(), str(DEMO), base_dir=str(DEMO.parent))
    assert playlist is not None

    notice = next(e.content for e in playlist.entries if isinstance(e.content, Notice))
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in notice.body.split("\n") if p.strip())
    page = SLIDE_HTML.format(
        office=html.escape(playlist.frame.office or ""),
        title=html.escape(notice.title),
        body=paras,
        ticker=html.escape(playlist.ticker.separator.join(playlist.ticker.items)),
    )
    with tempfile.TemporaryDirectory() as d:
        slide = Path(d) / "slide.html"
        slide.write_text(page, encoding="utf-8")
        proc = subprocess.Popen(
            [
                chromium,
                "--headless=new",
                "--kiosk",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1920,1080",
                f"--user-data-dir={d}/profile",
                slide.as_uri(),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(2.0 + play_seconds)
            return _tree_pss_mib(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def soak_real(days: float) -> dict[str, Any]:
    from benchmarks.soak_player import run_soak
    from kiosk.config import Config
    from kiosk.player.sources import real_sources

    def text(n: int) -> str:
        entries = []
        for i in range(8):
            body = "\n".join(
                [f"通知正文第{k}段：请广大群众按时办理相关业务。" for k in range(3 + i % 4 * 6)]
            )
            entries.append(
                f"  - id: n{i}\n    kind: notice\n    title: 第{i}号通知（第{n}版）\n"
                f"    transition: {'push' if i % 2 else 'fade'}\n    body: |\n"
                + "\n".join(f"      {line}" for line in body.splitlines())
            )
        joined = "\n".join(entries)
        return f'version: 1\nticker:\n  texts: ["欢迎 {n}"]\nentries:\n{joined}\n'

    import pygame

    pygame.display.init()
    with tempfile.TemporaryDirectory() as d:
        src = real_sources(Config(), (480, 270))
        res = run_soak(
            days=days,
            workdir=Path(d),
            playlist_text=text,
            sources=src,
            size=(480, 270),
            broken_text="version: 1\nentries: [ {id: x",
        )
    return res


def run(quick: bool) -> dict[str, Any]:
    secs = 4.0 if quick else 10.0
    fig: dict[str, Any] = {}
    idle = probe("idle", secs)
    ticker = probe("ticker", secs)
    base = probe("baseline", secs)
    fig["idle_cpu_pct"] = round(idle["cpu_pct"], 2)
    fig["ticker_cpu_pct"] = round(ticker["cpu_pct"], 2)
    fig["ticker_fps"] = round(ticker["fps"], 1)
    fig["baseline_cpu_pct"] = round(base["cpu_pct"], 1)
    fig["baseline_fps"] = round(base["fps"], 1)
    fig["cpu_ratio"] = round(base["cpu_pct"] / max(ticker["cpu_pct"], 0.01), 1)
    tr = probe("transitions", 12.0 if quick else 30.0)
    fig["transition_frames"] = tr.get("frame_count", 0)
    fig["transition_p95_ms"] = round(tr.get("p95_ms", float("nan")), 2)
    fig["transition_max_ms"] = round(tr.get("max_ms", float("nan")), 2)
    first, pss = first_frame_and_pss(4.0 if quick else 10.0)
    fig["first_frame_s"] = round(first, 2)
    fig["pss_mib"] = round(pss, 1)
    if shutil.which("Xvfb"):
        xvfb, display = start_xvfb()
        try:
            i = probe("idle", secs, "x11", display)
            t = probe("ticker", secs, "x11", display)
            b = probe("baseline", secs, "x11", display)
            trx = probe("transitions", 12.0 if quick else 30.0, "x11", display)
            fig["idle_cpu_pct_x11"] = round(i["cpu_pct"], 2)
            fig["ticker_cpu_pct_x11"] = round(t["cpu_pct"], 2)
            fig["baseline_cpu_pct_x11"] = round(b["cpu_pct"], 1)
            fig["cpu_ratio_x11"] = round(b["cpu_pct"] / max(t["cpu_pct"], 0.01), 1)
            fig["transition_p95_ms_x11"] = round(trx.get("p95_ms", float("nan")), 2)
            fig["transition_max_ms_x11"] = round(trx.get("max_ms", float("nan")), 2)
        finally:
            xvfb.terminate()
            xvfb.wait(10)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:
        fig["chromium_pss_mib"] = round(chromium_pss(chromium, 4.0 if quick else 10.0), 1)
        fig["chromium_vs_player_pss"] = round(fig["chromium_pss_mib"] / max(pss, 0.1), 1)
    soak = soak_real(0.25 if quick else 1.0)
    fig["soak_days"] = soak["soak_days"]
    fig["soak_page_changes"] = soak["soak_page_changes"]
    fig["soak_rss_growth_mib"] = soak["soak_rss_growth_mib"]
    fig["soak_fd_growth"] = soak["soak_fd_growth"]
    return fig
