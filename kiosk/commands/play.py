"""``kiosk play``: drive the lobby screen.

Fullscreen on the configured display (SDL picks KMS/DRM on Pi OS Lite), ``--windowed`` and
``--size WxH`` for staff PCs, ``--headless`` (dummy video driver) with ``--fake-clock``,
``--speed``, ``--duration`` and ``--screenshot`` for tests, benchmarks and soak runs.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.clock import Clock, SystemClock
from kiosk.errors import KioskError, UsageError
from kiosk.player.cli_support import add_state_dir, load_cfg

NAME = "play"
HELP = "在屏幕上轮播 (run the lobby screen player)"
ORDER = 40

HEADLESS_SIZE = (1920, 1080)
WINDOW_SIZE = (1280, 720)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_state_dir(parser)
    parser.add_argument(
        "--playlist",
        metavar="FILE",
        help="播放列表文件，默认取配置文件中的 playlist (playlist file)",
    )
    parser.add_argument(
        "--windowed", action="store_true", help="在窗口中播放，不全屏（办公电脑预览用） (windowed)"
    )
    parser.add_argument("--size", metavar="WxH", help="画面尺寸，如 1920x1080 (screen size)")
    parser.add_argument(
        "--rotation",
        type=int,
        choices=(0, 90, 180, 270),
        help="画面顺时针旋转角度，竖装屏用 90 或 270 (rotation)",
    )
    parser.add_argument(
        "--headless", action="store_true", help="不接屏幕运行（测试用），默认 1920x1080 (no screen)"
    )
    parser.add_argument(
        "--fake-clock",
        metavar="ISO-TIME",
        help="从这个时间开始模拟时钟，可配合 --speed (fake clock start)",
    )
    parser.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="模拟时钟的倍速，默认 1 (clock speed for --fake-clock)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        metavar="SECONDS",
        help="播放这么多秒后退出；用 --speed 时按模拟时间计 (stop after SECONDS)",
    )
    parser.add_argument(
        "--screenshot",
        metavar="FILE",
        help="退出时把最后一帧保存到这个 PNG 文件 (screenshot on exit)",
    )
    parser.add_argument(
        "--thumb-every",
        type=float,
        metavar="SECONDS",
        help="每隔这么多秒保存一张小截图 STATE_DIR/thumb.png，如 300 (periodic thumbnail)",
    )
    parser.add_argument(
        "--fps",
        type=_fps,
        metavar="N",
        help="画面有动画时的最高帧率，1 到 120 (frame rate cap)",
    )


def _fps(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"应为 1 到 120 的整数 (an integer 1–120): {text!r}"
        ) from None
    if not 1 <= value <= 120:
        raise argparse.ArgumentTypeError(f"应在 1 到 120 之间 (must be 1–120): {value}")
    return value


def _logging(verbose: bool) -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(
            level=logging.DEBUG if verbose else logging.INFO,
            format="%(levelname)s %(message)s",
            stream=sys.stderr,
        )


def _clock(args: argparse.Namespace, tz: str) -> Clock:
    zone = ZoneInfo(tz)
    if not args.speed > 0:
        raise UsageError(f"--speed 应为正数 (must be positive): {args.speed:g}")
    if args.fake_clock:
        from kiosk.commands.schedule import parse_at
        from kiosk.player.clocks import SpeedClock

        return SpeedClock(parse_at(args.fake_clock, zone, "--fake-clock"), args.speed)
    if args.speed != 1.0:
        raise UsageError("--speed 需要 --fake-clock (--speed needs --fake-clock)")
    return SystemClock(zone)


def _video_env(args: argparse.Namespace, driver: str | None, environ: dict[str, str]) -> str:
    """Set SDL's environment before pygame is imported; returns the driver asked for."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    if args.headless:
        os.environ["SDL_VIDEODRIVER"] = "dummy"
    elif driver:
        os.environ["SDL_VIDEODRIVER"] = driver
    chosen = os.environ.get("SDL_VIDEODRIVER", "")
    # Under X11/Wayland with Mesa, SDL would present through software OpenGL (≈15× the CPU);
    # on KMS/DRM the GLES path is the one that works, so leave SDL's default there.
    if chosen != "kmsdrm" and (chosen or environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("SDL_FRAMEBUFFER_ACCELERATION", "0")
    return chosen


def run(args: argparse.Namespace, env: Any) -> int:
    _logging(env.verbose)
    log = logging.getLogger("kiosk.player")
    cfg = load_cfg(args, env.environ)
    from kiosk.player.display import Presenter, logical_size, parse_size

    try:
        size_arg = parse_size(args.size) if args.size else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.duration is not None and args.duration <= 0:
        raise UsageError("--duration 应为正数 (must be positive)")
    rotation = args.rotation if args.rotation is not None else cfg.display.rotation
    playlist = args.playlist or cfg.playlist
    sdir = args.state_dir or cfg.state_dir
    from kiosk.cli import refuse_root_in_foreign_state_dir

    refuse_root_in_foreign_state_dir(sdir, env)
    if not Path(playlist).exists():
        log.error("playlist.missing path=%s", playlist)  # plays the calm default slide
    clock = _clock(args, cfg.timezone)
    try:  # status, proof log and screenshots live there: say so now, not as a traceback
        Path(sdir).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KioskError(
            f"{sdir}: 状态目录不可用 (state directory unusable): {exc.strerror or exc}；"
            "请检查配置 state_dir 和权限 (check state_dir and permissions)",
            key="play.state_dir",
        ) from None
    driver = _video_env(args, cfg.display.driver, dict(env.environ))

    import pygame

    try:
        pygame.display.init()
    except pygame.error as exc:
        raise KioskError(
            f"无法打开显示设备 (cannot open the display, driver {driver or 'auto'}): {exc}. "
            "运行 kiosk doctor 检查 (run kiosk doctor)",
            key="play.display",
        ) from None
    import pygame.freetype

    pygame.freetype.init()
    fullscreen = not (args.windowed or args.headless) and cfg.display.fullscreen
    if args.headless:
        physical = size_arg or HEADLESS_SIZE
        flags = 0
    elif fullscreen:
        physical = size_arg or cfg.display.size or (0, 0)
        flags = pygame.FULLSCREEN
    else:
        physical = size_arg or cfg.display.size or WINDOW_SIZE
        flags = 0
    if size_arg is not None and rotation in (90, 270):
        physical = (size_arg[1], size_arg[0])  # --size is the logical (upright) size
    screen = pygame.display.set_mode(physical, flags)
    pygame.display.set_caption("kiosk")
    pygame.mouse.set_visible(False)
    physical = screen.get_size()
    lsize = logical_size(physical, rotation)
    canvas = screen if rotation == 0 else pygame.Surface(lsize, 0, screen)
    actual_driver = pygame.display.get_driver()
    log.info(
        "player.start driver=%s size=%dx%d rotation=%d playlist=%s state_dir=%s",
        actual_driver,
        lsize[0],
        lsize[1],
        rotation,
        playlist,
        sdir,
    )

    from kiosk.player.shell import Options, Player, run_loop
    from kiosk.player.sources import real_sources
    from kiosk.sdnotify import Notifier, Watchdog, watchdog_interval

    notifier = Notifier(env.environ)
    options = Options(
        fps=args.fps or cfg.display.fps,
        thumb_every_s=args.thumb_every,
        driver=actual_driver,
    )
    player = Player(
        clock=clock,
        canvas=canvas,
        sources=real_sources(cfg, lsize),
        playlist_path=playlist,
        state_dir=sdir,
        present=Presenter(screen, canvas, rotation),
        options=options,
        notify=lambda msg: notifier.status(msg[7:]) if msg.startswith("STATUS=") else None,
    )
    reload_flag = [False]

    def on_hup(signum: int, frame: Any) -> None:
        reload_flag[0] = True

    signal.signal(signal.SIGHUP, on_hup)
    t_start = time.monotonic()
    player.start()
    notifier.send("READY=1")
    log.info("player.first_frame seconds=%.2f", time.monotonic() - t_start)
    watchdog = Watchdog(notifier, watchdog_interval(env.environ), time.monotonic)
    start_mono = clock.monotonic()

    def stop() -> bool:
        if reload_flag[0]:
            reload_flag[0] = False
            player.command("reload")
        return args.duration is not None and clock.monotonic() - start_mono >= args.duration

    def wait(seconds: float) -> None:
        if args.duration is not None:
            seconds = min(seconds, max(0.0, start_mono + args.duration - clock.monotonic()))
        clock.sleep(seconds)
        for ev in pygame.event.get():
            if ev.type == pygame.QUIT:
                log.info("player.quit reason=signal")
                player.quit_requested = True
            elif ev.type in (pygame.KEYDOWN, pygame.KEYUP):
                mods = set()
                if ev.mod & pygame.KMOD_CTRL:
                    mods.add("ctrl")
                if ev.mod & pygame.KMOD_ALT:
                    mods.add("alt")
                if ev.mod & pygame.KMOD_SHIFT:
                    mods.add("shift")
                if ev.mod & pygame.KMOD_META:
                    mods.add("meta")
                player.key(pygame.key.name(ev.key), mods, ev.type == pygame.KEYDOWN)

    try:
        run_loop(player, wait=wait, stop=stop, heartbeat=watchdog.beat)
    finally:
        notifier.send("STOPPING=1")
        if args.screenshot:
            player.settle()
        player.close()
        if args.screenshot:
            pygame.image.save(canvas, args.screenshot)
            log.info("player.screenshot path=%s", args.screenshot)
        notifier.close()
        pygame.display.quit()
    log.info("player.stop frames=%d", player.frames)
    return 0
