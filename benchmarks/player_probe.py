"""Measurement subprocess for ``bench_player`` (``python -m benchmarks.player_probe MODE``).

Each run is a fresh process so that its CPU time (``getrusage``, all threads) over wall time
is the figure, with nothing else of the benchmark runner mixed in. Prints one JSON line.

Modes:
  idle        the real player on a static page with the clock, no ticker
  ticker      the same with the ticker scrolling (60 fps cap)
  baseline    a naive loop: re-render the whole slide (frame, page, clock, ticker) every
              frame at 60 fps — what a player without page cache or dirty regions does
  transitions the real player on short pages with fade and push: per-frame times of every
              frame that belongs to a page switch or transition
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BODY = (
    "一、主动公开政府信息情况\n"
    "2018年，红花尔基镇通过政府网站、公开栏、政务服务大厅电子屏等渠道主动公开政府信息179条，"
    "其中工作动态、计划总结、财政资金、人事任命等信息均按规定及时公开。\n"
    "二、依申请公开政府信息情况\n"
    "本年度未收到政府信息公开申请，无收费情况，无因政府信息公开申请行政复议、提起行政诉讼的情况。\n"
    "三、存在的主要问题及改进情况\n"
    "公开内容还不够全面，更新还不够及时。下一步将加强培训，规范公开流程，提高公开质量。"
)


def playlist_yaml(*, ticker: bool, pages: str = "static") -> str:
    lines = [
        "version: 1",
        "defaults:",
        "  transition: fade",
        "  transition_seconds: 0.8",
        "frame:",
        "  office: 红花尔基镇人民政府",
        "  phone: 0470-8942932",
    ]
    if ticker:
        lines += [
            "ticker:",
            "  speed: 100",
            "  texts:",
            "    - 红花尔基镇人民政府欢迎您！办事请到一楼办事窗口，咨询电话 0470-8942932",
            "    - 森林草原防火，人人有责。进入林区严禁携带火种",
        ]
    lines.append("entries:")
    if pages == "static":
        lines += [
            "  - id: report",
            "    kind: notice",
            "    title: 红花尔基镇2018年政府信息公开工作年度报告",
            "    duration: 3600",
            "    body: |",
            *[f"      {line}" for line in BODY.splitlines()],
        ]
    else:
        for i, tr in enumerate(["fade", "push", "fade", "push", "cut", "fade"]):
            lines += [
                f"  - id: n{i}",
                "    kind: notice",
                f"    title: 第{i + 1}号公告 关于做好冬季森林草原防火工作的通知",
                "    duration: 2",
                f"    transition: {tr}",
                "    body: |",
                *[f"      {line}" for line in BODY.splitlines()],
            ]
    return "\n".join(lines) + "\n"


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _setup(size: tuple[int, int], driver: str) -> tuple[Any, Any]:
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    os.environ["SDL_AUDIODRIVER"] = "dummy"
    os.environ["SDL_VIDEODRIVER"] = driver
    if driver == "x11":
        os.environ["SDL_FRAMEBUFFER_ACCELERATION"] = "0"
    import pygame
    import pygame.freetype

    pygame.display.init()
    pygame.freetype.init()
    screen = pygame.display.set_mode(size)
    return pygame, screen


def _player(tmp: Path, text: str, screen: Any, size: tuple[int, int]) -> Any:
    from kiosk.clock import SystemClock
    from kiosk.config import Config
    from kiosk.player.display import Presenter
    from kiosk.player.shell import Options, Player
    from kiosk.player.sources import real_sources

    pl = tmp / "playlist.yaml"
    pl.write_text(text, encoding="utf-8")
    cfg = Config()
    return Player(
        clock=SystemClock(cfg.timezone),
        canvas=screen,
        sources=real_sources(cfg, size),
        playlist_path=str(pl),
        state_dir=str(tmp / "state"),
        present=Presenter(screen, screen, 0),
        options=Options(threaded=True),
    )


def run_player(mode: str, seconds: float, size: tuple[int, int], driver: str) -> dict[str, Any]:
    from kiosk.player.shell import run_loop

    pygame, screen = _setup(size, driver)
    sys.setswitchinterval(0.002)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        text = playlist_yaml(
            ticker=mode != "idle", pages="short" if mode == "transitions" else "static"
        )
        player = _player(tmp, text, screen, size)
        player.start()
        frame_ms: list[float] = []
        if mode == "transitions":

            def timer(view: Any, t0: float) -> None:
                if view.prev_key is not None or view.key != timer.last:  # type: ignore[attr-defined]
                    frame_ms.append((time.perf_counter() - t0) * 1000)
                timer.last = view.key  # type: ignore[attr-defined]

            timer.last = None  # type: ignore[attr-defined]
            player.frame_timer = timer
        warm_until = time.monotonic() + 2.0
        run_loop(player, wait=player.clock.sleep, stop=lambda: time.monotonic() >= warm_until)
        frames0 = player.frames
        frame_ms.clear()
        cpu0, wall0 = _cpu(), time.monotonic()
        end = wall0 + seconds
        run_loop(player, wait=player.clock.sleep, stop=lambda: time.monotonic() >= end)
        cpu1, wall1 = _cpu(), time.monotonic()
        frames = player.frames - frames0
        player.close()
    out: dict[str, Any] = {
        "cpu_pct": 100 * (cpu1 - cpu0) / (wall1 - wall0),
        "fps": frames / (wall1 - wall0),
        "changes": player.changes,
    }
    if frame_ms:
        frame_ms.sort()
        out["frame_count"] = len(frame_ms)
        out["p95_ms"] = frame_ms[min(len(frame_ms) - 1, int(0.95 * len(frame_ms)))]
        out["max_ms"] = frame_ms[-1]
    pygame.display.quit()
    return out


def run_baseline(seconds: float, size: tuple[int, int], driver: str) -> dict[str, Any]:
    """Everything drawn from the display lists every frame, 60 frames per second."""
    from datetime import datetime

    from kiosk.config import Config
    from kiosk.player.sources import real_sources

    pygame, screen = _setup(size, driver)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        pl = tmp / "playlist.yaml"
        pl.write_text(playlist_yaml(ticker=True), encoding="utf-8")
        cfg = Config()
        src = real_sources(cfg, size)
        playlist, _ = src.read_playlist(str(pl))
        assert playlist is not None
        kit = src.make_kit(playlist)
        now = datetime.now().astimezone()
        page = kit.layout(playlist.entries[0], now)[0]
        x, y, _w, h = kit.ticker_rect
        text = "　　◆　　".join(playlist.ticker.items) + "　　◆　　"
        frames = 0
        period = 1 / 60
        t_start = time.monotonic()
        warm = t_start + 1.0
        cpu0 = wall0 = None
        end = warm + seconds
        nxt = time.monotonic()
        while True:
            t = time.monotonic()
            if cpu0 is None and t >= warm:
                cpu0, wall0, frames = _cpu(), t, 0
            if t >= end:
                break
            now = datetime.now().astimezone()
            kit.render(page, screen, now, None)
            kit.draw_clock(screen, now)
            strip = kit.renderer.ticker_strip(text, h, kit.theme)
            off = int((t - t_start) * 100) % strip.get_width()
            screen.set_clip(kit.ticker_rect)
            screen.blit(strip, (x - off, y))
            screen.blit(strip, (x - off + strip.get_width(), y))
            screen.set_clip(None)
            pygame.display.flip()
            pygame.event.pump()
            frames += 1
            nxt += period
            delay = nxt - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                nxt = time.monotonic()
        cpu1, wall1 = _cpu(), time.monotonic()
    assert cpu0 is not None and wall0 is not None
    pygame.display.quit()
    return {"cpu_pct": 100 * (cpu1 - cpu0) / (wall1 - wall0), "fps": frames / (wall1 - wall0)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("idle", "ticker", "baseline", "transitions"))
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--size", default="1920x1080")
    ap.add_argument("--driver", default="dummy")
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    if args.mode == "baseline":
        res = run_baseline(args.seconds, (w, h), args.driver)
    else:
        res = run_player(args.mode, args.seconds, (w, h), args.driver)
    print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
