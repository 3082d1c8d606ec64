"""The player with the real playlist reader, schedule, layout and renderer: `kiosk play` on the
example playlists, a corrupt image, and the same picture in a real X window under Xvfb."""

from __future__ import annotations

import json
import logging
import os
import shutil
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pygame
import pytest

from kiosk.clock import FakeClock
from kiosk.config import Config
from kiosk.player.shell import Options, Player
from kiosk.player.sources import real_sources

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Shanghai")
MONDAY_10 = "2026-11-30T10:00:00+08:00"  # a working day, inside the examples' office hours


def play(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    e = dict(os.environ)
    e.update(PYGAME_HIDE_SUPPORT_PROMPT="1", SDL_AUDIODRIVER="dummy")
    e.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "play", *args],
        cwd=ROOT,
        env=e,
        capture_output=True,
        text=True,
        timeout=120,
    )


def content_differs(a: pygame.Surface, b: pygame.Surface, rect: tuple[int, int, int, int]) -> int:
    x, y, w, h = rect
    diff = 0
    for px in range(x, x + w, 7):
        for py in range(y, y + h, 7):
            if a.get_at((px, py)) != b.get_at((px, py)):
                diff += 1
    return diff


def test_play_headless_on_the_demo_playlist_exits_0_with_the_page_it_was_showing(
    tmp_path: Path,
) -> None:
    shot = tmp_path / "shot.png"
    state = tmp_path / "state"
    r = play(
        "--headless", "--playlist", "playlists/demo.yaml", "--state-dir", str(state),
        "--fake-clock", MONDAY_10, "--speed", "10", "--duration", "20",
        "--screenshot", str(shot),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "player.first_frame" in r.stderr and "Traceback" not in r.stderr
    pygame.init()
    img = pygame.image.load(str(shot))
    assert img.get_size() == (1920, 1080)
    status = json.loads((state / "status.json").read_text())
    assert status["state"] in ("playing", "alert") and status["entry"]
    # the screenshot is that page, drawn in full: render it again and compare
    cfg = Config()
    src = real_sources(cfg, (1920, 1080))
    playlist, _ = src.read_playlist(str(ROOT / "playlists" / "demo.yaml"))
    assert playlist is not None
    kit = src.make_kit(playlist)
    entry = next(e for e in playlist.entries if e.id == status["entry"])
    now = datetime.fromisoformat(status["heartbeat"])
    page = kit.layout(entry, now)[status["page"] - 1]
    again = pygame.Surface((1920, 1080))
    kit.render(page, again, now, None)
    rect = (0, 1080, 0, 0)
    rect = kit.content_rect if not getattr(page, "fullscreen", False) else (0, 0, 1920, 1080)
    assert content_differs(img, again, rect) == 0
    # and it is not an empty page: plenty of text pixels
    colours = {tuple(img.get_at((x, y)))[:3] for x in range(0, 1920, 5) for y in range(200, 900, 5)}
    assert len(colours) > 20
    proof = (state / "proof.jsonl").read_text().splitlines()
    assert proof and all(json.loads(line)["id"] for line in proof)


def test_the_player_process_loads_no_cryptography(tmp_path: Path) -> None:
    # Signatures are checked by the daemon; the player only reads the verified store. Loading
    # cryptography would cost start-up time and several MiB of memory on a Pi.
    code = (
        "import sys\n"
        "from kiosk.cli import main\n"
        f"rc = main(['play', '--headless', '--playlist', 'playlists/demo.yaml', '--state-dir', "
        f"{str(tmp_path)!r}, '--fake-clock', {MONDAY_10!r}, '--duration', '2'])\n"
        "print(rc, sorted(m for m in sys.modules if m.startswith('cryptography')))\n"
    )
    e = dict(os.environ, PYGAME_HIDE_SUPPORT_PROMPT="1", SDL_AUDIODRIVER="dummy")
    e["SDL_VIDEODRIVER"] = "dummy"
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=e, capture_output=True, text=True, timeout=120
    )
    assert r.stdout.strip() == "0 []", r.stderr


def test_play_without_a_workday_shows_the_calm_default_page(tmp_path: Path) -> None:
    shot = tmp_path / "sunday.png"
    r = play(
        "--headless", "--playlist", "playlists/notices.yaml", "--state-dir", str(tmp_path),
        "--fake-clock", "2026-11-29T21:00:00+08:00", "--duration", "1", "--screenshot", str(shot),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    status = json.loads((tmp_path / "status.json").read_text())
    assert status["state"] == "default"
    assert shot.exists()


def test_bad_flags_fail_in_one_line() -> None:
    r = play("--headless", "--size", "huge")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    r = play("--headless", "--speed", "5")
    assert r.returncode == 2 and "--fake-clock" in r.stderr
    r = play("--headless", "--fake-clock", MONDAY_10, "--speed", "0")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "--speed" in r.stderr
    for fps in ("-5", "0", "500", "x"):
        r = play("--headless", "--fps", fps)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "--fps" in r.stderr
    for start in ("9999-12-31T23:00", "nonsense"):
        r = play("--headless", "--fake-clock", start)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert "--fake-clock" in r.stderr


def test_a_state_directory_that_cannot_be_made_fails_in_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    r = play("--headless", "--duration", "1", "--state-dir", str(blocker / "state"))
    assert r.returncode == 1
    assert (
        r.stderr.strip().splitlines()[-1].startswith(f"kiosk: {blocker / 'state'}: 状态目录不可用")
    )
    assert "内部错误" not in r.stderr


def test_a_corrupt_image_entry_is_skipped_once_and_the_rest_plays(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    pl = tmp_path / "playlist.yaml"
    pl.write_text(
        "version: 1\n"
        "entries:\n"
        "  - {id: first, kind: notice, title: 第一条通知, body: 正文一, duration: 10}\n"
        "  - {id: picture, kind: image, file: broken.png, duration: 10}\n"
        "  - {id: last, kind: notice, title: 第二条通知, body: 正文二, duration: 10}\n",
        encoding="utf-8",
    )
    caplog.set_level(logging.ERROR, logger="kiosk.player")
    pygame.init()
    size = (640, 360)
    clock = FakeClock(datetime(2026, 11, 30, 10, 0, tzinfo=TZ))
    player = Player(
        clock=clock,
        canvas=pygame.Surface(size),
        sources=real_sources(Config(), size),
        playlist_path=str(pl),
        state_dir=str(tmp_path / "state"),
        options=Options(threaded=False),
    )
    player.start()
    shown = set()
    for _ in range(400):
        clock.advance(max(player.frame(), 1 / 30))
        cur = player.engine.current() if player.engine else None
        if cur:
            shown.add(cur[0].id)
    assert shown == {"first", "last"}
    assert len([r for r in caplog.records if "picture" in r.getMessage()]) == 1
    player.close()


def read_xwd(path: Path) -> pygame.Surface:
    """The picture in an XWD file — here the X server's own framebuffer, which ``Xvfb -fbdir``
    keeps as an XWD file (what the server shows, not what the client thinks it drew)."""
    data = path.read_bytes()
    fields = struct.unpack(">25I", data[:100])
    header_size, _version, _fmt, depth, width, height = fields[:6]
    byte_order, bits_per_pixel, bytes_per_line = fields[7], fields[11], fields[12]
    masks, ncolors = fields[14:17], fields[19]
    assert (depth, bits_per_pixel, byte_order) == (24, 32, 0), fields
    assert masks == (0xFF0000, 0x00FF00, 0x0000FF), masks
    start = header_size + 12 * ncolors
    rows = [data[start + y * bytes_per_line :][: width * 4] for y in range(height)]
    return pygame.image.frombytes(b"".join(rows), (width, height), "BGRA")


def pixels_apart(a: pygame.Surface, b: pygame.Surface, tolerance: int = 8) -> float:
    """Share of sampled pixels whose colours differ by more than ``tolerance`` in a channel."""
    w, h = a.get_size()
    far = total = 0
    for x in range(0, w, 3):
        for y in range(0, h, 3):
            ca, cb = a.get_at((x, y)), b.get_at((x, y))
            total += 1
            if max(abs(ca.r - cb.r), abs(ca.g - cb.g), abs(ca.b - cb.b)) > tolerance:
                far += 1
    return far / total


def wait_for(check: Callable[[], bool], seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb not installed")
def test_a_real_window_under_xvfb_shows_the_same_picture(tmp_path: Path) -> None:
    pl = tmp_path / "one.yaml"
    pl.write_text(
        "version: 1\nframe: {office: 红花尔基镇人民政府, phone: 0470-8942932}\n"
        "entries:\n  - id: only\n    kind: notice\n    title: 关于冬季供暖的通知\n"
        "    duration: 600\n    body: |\n      各单位：供暖期自11月1日起至次年4月30日止。\n",
        encoding="utf-8",
    )
    common = ["--playlist", str(pl), "--fake-clock", MONDAY_10]
    head = play("--headless", *common, "--duration", "2", "--state-dir", str(tmp_path / "a"),
                "--screenshot", str(tmp_path / "headless.png"))  # fmt: skip
    assert head.returncode == 0, head.stderr

    fbdir = tmp_path / "fb"
    fbdir.mkdir()
    read_fd, write_fd = os.pipe()  # Xvfb picks a free display number and writes it here
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1920x1080x24",
         "-nolisten", "tcp", "-fbdir", str(fbdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(write_fd,),
    )  # fmt: skip
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        display = ":" + pipe.readline().strip().decode("ascii")
    state = tmp_path / "b"
    env = dict(os.environ)
    env.update(
        PYGAME_HIDE_SUPPORT_PROMPT="1", SDL_AUDIODRIVER="dummy", SDL_VIDEODRIVER="x11",
        DISPLAY=display, SDL_VIDEO_WINDOW_POS="0,0", SDL_FRAMEBUFFER_ACCELERATION="0",
    )  # fmt: skip
    win: subprocess.Popen[str] | None = None
    try:
        assert wait_for((fbdir / "Xvfb_screen0").exists, 10)
        time.sleep(0.3)
        win = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "play", "--windowed", "--size", "1920x1080", *common,
             "--duration", "30", "--state-dir", str(state)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        # Once the player has drawn, ask it for its own screenshot; when that arrives, the
        # page is on screen, and the X server's framebuffer is read while the window is open.
        assert wait_for((state / "status.json").exists, 60)
        (state / "screenshot.request").write_text("{}")
        assert wait_for((state / "screenshot.png").exists, 30)
        time.sleep(0.5)
        on_server = read_xwd(fbdir / "Xvfb_screen0")
    finally:
        if win is not None:
            win.terminate()
            _out, err = win.communicate(timeout=30)
        xvfb.terminate()
        xvfb.wait(10)
    assert win.returncode == 0, err
    assert "driver=x11" in err
    pygame.init()
    headless = pygame.image.load(str(tmp_path / "headless.png"))
    own = pygame.image.load(str(state / "screenshot.png"))
    assert headless.get_size() == own.get_size() == on_server.get_size() == (1920, 1080)
    assert pixels_apart(headless, on_server) <= 0.001  # what the server shows
    assert pixels_apart(headless, own) <= 0.001  # what the player thinks it shows
    # and the comparison can fail: a blank screen is far from it
    blank = pygame.Surface((1920, 1080))
    assert pixels_apart(headless, blank) > 0.2
