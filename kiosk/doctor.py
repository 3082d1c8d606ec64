"""``kiosk doctor``: answers "why is the screen not right?" without reading code.

One line per check: ``ok`` / ``warn`` / ``fail``, a stable English key, and a sentence in
Chinese (English with ``--lang en``). Nothing here changes the system (the state-directory
check writes and removes one temporary file). Every check is isolated: an unexpected error in
one becomes a ``warn`` line naming the error, never a traceback. Exit status 0 unless a check
failed.

The checks take a :class:`Probe` — the config, clock, environment and the paths of the
system files they look at — so tests run them against a temporary state directory.
"""

from __future__ import annotations

import contextlib
import glob
import grp
import hashlib
import os
import pwd
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.clock import Clock
from kiosk.config import Config

Status = Literal["ok", "warn", "fail"]
RANK: dict[str, int] = {"ok": 0, "warn": 1, "fail": 2}


@dataclass(frozen=True)
class Check:
    key: str
    status: Status
    zh: str
    en: str = ""

    def line(self, lang: str = "zh") -> str:
        text = self.en if lang == "en" and self.en else self.zh
        return f"{self.status:<4} {self.key:<22} {text}"


@dataclass
class Probe:
    config: Config
    clock: Clock
    environ: Mapping[str, str] = field(default_factory=dict)
    dev_dir: Path = Path("/dev")
    timesync_flag: Path = Path("/run/systemd/timesync/synchronized")
    localtime: Path = Path("/etc/localtime")
    service_user: str = "kiosk"
    which: Callable[[str], str | None] = shutil.which
    network: bool = True  # False: skip the alert-feed request
    # "yes"/"no" from `timedatectl show -p NTPSynchronized --value`, None when unavailable
    timedatectl: Callable[[], str | None] = field(default=lambda: _timedatectl_synced())
    # adjtimex(2): True/False, None when it cannot be asked
    kernel_synced: Callable[[], bool | None] = field(default=lambda: _kernel_synced())

    @property
    def state_dir(self) -> Path:
        return Path(self.config.state_dir)


def _ok(key: str, zh: str, en: str) -> Check:
    return Check(key, "ok", zh, en)


def _warn(key: str, zh: str, en: str) -> Check:
    return Check(key, "warn", zh, en)


def _fail(key: str, zh: str, en: str) -> Check:
    return Check(key, "fail", zh, en)


def _age(delta: timedelta, en: bool = False) -> str:
    secs = int(delta.total_seconds())
    if secs < 3600:
        return f"{max(secs // 60, 0)}{' min' if en else ' 分钟'}"
    if secs < 2 * 86400:
        return f"{secs // 3600}{' h' if en else ' 小时'}"
    return f"{secs // 86400}{' days' if en else ' 天'}"


def _q(data: object) -> str:
    """Data quoted inside an English line (an error message, a name): it may be Chinese."""
    return f'"{data}"'


# ----------------------------------------------------------------------------- display


def check_video_driver(p: Probe) -> Check:
    driver = p.environ.get("SDL_VIDEODRIVER") or p.config.display.driver
    cards = sorted(glob.glob(str(p.dev_dir / "dri" / "card*")))
    if not cards:
        return _warn(
            "display.driver",
            f"未找到显示设备 {p.dev_dir}/dri/card*（开发机、容器或 CI 上属正常；"
            f"树莓派上请检查 config.txt 中 dtoverlay=vc4-kms-v3d）；SDL 驱动: {driver or '自动'}",
            f"no display device {p.dev_dir}/dri/card* (normal on a development machine, "
            "container or CI; on a Raspberry Pi check dtoverlay=vc4-kms-v3d in config.txt); "
            f"SDL driver: {driver or 'auto'}",
        )
    if driver not in (None, "", "kmsdrm"):
        return _warn(
            "display.driver",
            f"找到 {len(cards)} 个显示设备，但 SDL 驱动设为 {driver}（树莓派无桌面时应为 kmsdrm）",
            f"{len(cards)} display device(s) found, but the SDL driver is set to {driver} "
            "(a Raspberry Pi without a desktop needs kmsdrm)",
        )
    names = ", ".join(os.path.basename(c) for c in cards)
    return _ok(
        "display.driver",
        f"显示设备 {names}，SDL 驱动 {driver or '自动(kmsdrm)'}",
        f"display device {names}, SDL driver {driver or 'auto (kmsdrm)'}",
    )


def _user_groups(user: str) -> set[str] | None:
    try:
        pw = pwd.getpwnam(user)
    except KeyError:
        return None
    names = {g.gr_name for g in grp.getgrall() if user in g.gr_mem}
    with contextlib.suppress(KeyError):
        names.add(grp.getgrgid(pw.pw_gid).gr_name)
    return names


def check_drm_permissions(p: Probe) -> Check:
    nodes = sorted(glob.glob(str(p.dev_dir / "dri" / "*")))
    groups = _user_groups(p.service_user)
    if groups is None:
        return _warn(
            "display.permissions",
            f"系统中没有 {p.service_user} 用户（尚未运行 scripts/install-pi.sh？开发机上属正常）",
            f"no {p.service_user} user on this system (scripts/install-pi.sh not run yet? "
            "normal on a development machine)",
        )
    missing = sorted({"video", "render", "input"} - groups)
    if missing:
        return _fail(
            "display.permissions",
            f"{p.service_user} 用户不在 {', '.join(missing)} 组：播放程序无法使用显示/键盘设备"
            f"（sudo systemd-sysusers 或 usermod -aG {','.join(missing)} {p.service_user}）",
            f"user {p.service_user} is not in group(s) {', '.join(missing)}: the player cannot "
            "use the display/keyboard devices (sudo systemd-sysusers or "
            f"usermod -aG {','.join(missing)} {p.service_user})",
        )
    bad = []
    for node in nodes:
        st = os.stat(node)
        with contextlib.suppress(KeyError):
            if grp.getgrgid(st.st_gid).gr_name in groups and st.st_mode & 0o060 == 0o060:
                continue
        if st.st_mode & 0o006 != 0o006:
            bad.append(os.path.basename(node))
    if bad:
        return _fail(
            "display.permissions",
            f"{p.service_user} 用户无权读写 {', '.join(bad)}",
            f"user {p.service_user} cannot read and write {', '.join(bad)}",
        )
    return _ok(
        "display.permissions",
        f"{p.service_user} 用户在 video/render/input 组"
        + (f"，可读写 {len(nodes)} 个 DRM 设备" if nodes else ""),
        f"user {p.service_user} is in groups video/render/input"
        + (f" and can read and write {len(nodes)} DRM device(s)" if nodes else ""),
    )


# ----------------------------------------------------------------------------- fonts


def check_font(p: Probe) -> list[Check]:
    from kiosk.fonts import FontError, face_name

    out: list[Check] = []
    fonts = p.config.display.fonts
    for role, path, index in (
        ("regular", fonts.regular, fonts.face_index),
        ("bold", fonts.bold, fonts.face_index),
        ("title", fonts.title, fonts.title_face_index),
    ):
        key = f"font.{role}"
        if not os.path.isfile(path):
            out.append(
                _fail(
                    key,
                    f"字体文件不存在: {path}（sudo apt install fonts-noto-cjk）",
                    f"font file not found: {path} (sudo apt install fonts-noto-cjk)",
                )
            )
            continue
        try:
            name = face_name(path, index)
        except FontError as exc:
            out.append(_fail(key, str(exc), f"cannot read face {index} of {path}: {_q(exc)}"))
            continue
        if " SC " not in f" {name} ":
            out.append(
                _fail(
                    key,
                    f"{path} 第 {index} 号字面是“{name}”，不是简体中文（SC）字面：字形会不对",
                    f"face {index} of {path} is {_q(name)}, not the Simplified Chinese (SC) "
                    "face: the glyphs will be wrong",
                )
            )
        else:
            out.append(
                _ok(
                    key,
                    f"{name}（{os.path.basename(path)} 第 {index} 号字面）",
                    f"{_q(name)} (face {index} of {os.path.basename(path)})",
                )
            )
    return out


def check_harfbuzz(p: Probe) -> Check:
    """Report what text shaping is available: SDL_ttf (with or without HarfBuzz) and
    FreeType (pygame.freetype, no shaping)."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame
    import pygame.font
    import pygame.freetype

    ttf = ".".join(str(v) for v in pygame.font.get_sdl_ttf_version())
    ft = ".".join(str(v) for v in pygame.freetype.get_version())
    pygame.font.init()
    shaping = False
    with contextlib.suppress(Exception):
        font = pygame.font.Font(p.config.display.fonts.regular, 16)
        font.set_script("Hani")
        shaping = True
    detail = f"pygame-ce {pygame.version.ver}，SDL_ttf {ttf}，FreeType {ft}"
    detail_en = f"pygame-ce {pygame.version.ver}, SDL_ttf {ttf}, FreeType {ft}"
    if shaping:
        return _ok(
            "text.harfbuzz",
            f"SDL_ttf 带 HarfBuzz 排版；{detail}（freetype 模块不做排版）",
            f"SDL_ttf shapes text with HarfBuzz; {detail_en} (the freetype module does not shape)",
        )
    return _warn(
        "text.harfbuzz",
        f"SDL_ttf 未编译 HarfBuzz：不影响中文（按字排版），但组合字符可能显示不全；{detail}",
        "SDL_ttf is built without HarfBuzz: Chinese is unaffected (set character by character), "
        f"but combining characters may not show fully; {detail_en}",
    )


# ----------------------------------------------------------------------------- clock, calendar


def _timedatectl_synced() -> str | None:
    from kiosk.power import CommandTimeout, run_command

    tool = shutil.which("timedatectl")
    if tool is None:
        return None
    try:
        result = run_command([tool, "show", "-p", "NTPSynchronized", "--value"], 5.0)
    except (OSError, CommandTimeout):
        return None
    answer = result.stdout.strip()
    return answer if result.returncode == 0 and answer in ("yes", "no") else None


def _kernel_synced() -> bool | None:
    from kiosk.clock import kernel_clock_synchronised

    return kernel_clock_synchronised()


def check_clock_sync(p: Probe) -> Check:
    """Synchronised by NTP: systemd-timesyncd's flag file, else ``timedatectl`` (needs
    systemd as init), else the kernel's own view (``adjtimex``: containers, chrony)."""
    if p.timesync_flag.exists():
        return _ok(
            "clock.sync",
            "系统时间已通过网络校准 (systemd-timesyncd)",
            "system time synchronised over the network (systemd-timesyncd)",
        )
    answer = p.timedatectl()
    if answer == "yes":
        return _ok(
            "clock.sync",
            "系统时间已通过网络校准 (timedatectl: NTPSynchronized=yes)",
            "system time synchronised over the network (timedatectl: NTPSynchronized=yes)",
        )
    kernel = p.kernel_synced() if answer is None else None
    if kernel:
        return _ok(
            "clock.sync",
            "系统时间已校准（内核时钟已同步，adjtimex）",
            "system time synchronised (the kernel clock is synchronised, adjtimex)",
        )
    if answer == "no":
        how = how_en = "timedatectl: NTPSynchronized=no"
    elif kernel is False:
        how, how_en = "内核时钟未同步，adjtimex", "kernel clock not synchronised, adjtimex"
    else:
        how, how_en = "无法查询同步状态", "the synchronisation state cannot be queried"
    # what the daemon does about it (kiosk.daemon.clock_trusted): it goes on while the clock
    # reads no earlier than the last time it was known good
    from kiosk.daemon import clock_trusted, last_trusted_time

    last = last_trusted_time(p.state_dir)
    now = p.clock.now()
    if clock_trusted(now, False, last):
        effect = "时间不早于上次确认的可信时间，过期判断和屏幕开关照常进行"
        effect_en = (
            "reads no earlier than the last trusted time: expiry and screen power go on as usual"
        )
    else:
        when = f" {last.astimezone(now.tzinfo):%Y-%m-%d %H:%M}" if last else ""
        effect = f"时间早于上次确认的可信时间{when}，暂停过期判断和屏幕开关"
        effect_en = (
            f"reads earlier than the last trusted time{when}: expiry and screen power "
            "decisions wait"
        )
    return _warn(
        "clock.sync",
        f"系统时间尚未通过网络校准（{how}）：{effect}（树莓派没有时钟电池；检查网络，"
        "timedatectl timesync-status）",
        f"system time not yet synchronised over the network ({how_en}): it {effect_en} "
        "(a Raspberry Pi has no clock battery; check the network, timedatectl timesync-status)",
    )


def check_timezone(p: Probe) -> Check:
    name = p.config.timezone
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return _fail(
            "clock.timezone",
            f"配置的时区 {name} 不存在",
            f"the configured time zone {name} does not exist",
        )
    now = p.clock.now().astimezone(zone)
    system = None
    with contextlib.suppress(OSError):
        target = os.readlink(p.localtime)
        if "zoneinfo/" in target:
            system = target.split("zoneinfo/", 1)[1]
    text = f"时区 {name}，现在 {now:%Y-%m-%d %H:%M}"
    text_en = f"time zone {name}, now {now:%Y-%m-%d %H:%M}"
    if system and system != name:
        return _warn(
            "clock.timezone",
            f"{text}；系统时区是 {system}（屏幕按配置的时区显示；"
            f"建议 sudo timedatectl set-timezone {name}）",
            f"{text_en}; the system time zone is {system} (the screen follows the configured "
            f"zone; suggested: sudo timedatectl set-timezone {name})",
        )
    return _ok("clock.timezone", text, text_en)


def check_holidays(p: Probe, calendar: Any) -> Check:
    year = p.clock.now().year
    if calendar is None or not hasattr(calendar, "covers"):
        return _warn(
            "calendar.coverage",
            "工作日历模块不可用：按周一至周五开关屏幕",
            "the work calendar is not available: the screen follows Monday to Friday",
        )
    missing = [y for y in (year, year + 1) if not calendar.covers(y)]
    covered = getattr(calendar, "covered_years", None)
    span = span_en = ""
    if callable(covered):
        first, last = covered()
        span = f"（节假日数据覆盖 {first}–{last} 年）"
        span_en = f" (holiday data covers {first}–{last})"
    if year in missing:
        return _fail(
            "calendar.coverage",
            f"没有 {year} 年的法定节假日数据{span}：节假日和调休按周一至周五处理"
            "（升级 chinese-calendar 或在 calendar_overrides 中补充）",
            f"no public holiday data for {year}{span_en}: holidays and swapped working days "
            "are treated as Monday to Friday (upgrade chinese-calendar or add them to "
            "calendar_overrides)",
        )
    if missing:
        return _warn(
            "calendar.coverage",
            f"还没有 {year + 1} 年的法定节假日数据{span}：国务院通常在 11–12 月公布，"
            "届时请升级 chinese-calendar 或在 calendar_overrides 中补充",
            f"no public holiday data for {year + 1} yet{span_en}: the State Council usually "
            "publishes it in November–December; then upgrade chinese-calendar or add it to "
            "calendar_overrides",
        )
    return _ok(
        "calendar.coverage",
        f"{year}、{year + 1} 年节假日数据齐全{span}",
        f"holiday data complete for {year} and {year + 1}{span_en}",
    )


# ----------------------------------------------------------------------------- state and store


def check_state_dir(p: Probe) -> list[Check]:
    d = p.state_dir
    if d.exists() and not d.is_dir():
        return [
            _fail(
                "state.writable",
                f"状态目录 {d} 是一个文件，不是目录；请删除或改配置 state_dir",
                f"state directory {d} is a file, not a directory; remove it or change state_dir "
                "in the config",
            )
        ]
    if not d.is_dir():
        # the nearest thing on the path that exists: a file there means no directory can be made
        parent = next((a for a in d.parents if a.exists()), Path("/"))
        if parent.is_dir() and os.access(parent, os.W_OK | os.X_OK):
            return [
                _warn(
                    "state.writable",
                    f"状态目录 {d} 还不存在，首次运行时创建",
                    f"state directory {d} does not exist yet; it is created on the first run",
                )
            ]
        return [
            _fail(
                "state.writable",
                f"状态目录 {d} 不存在且无法创建（systemd 的 StateDirectory=kiosk 会创建它）",
                f"state directory {d} does not exist and cannot be created "
                "(systemd's StateDirectory=kiosk creates it)",
            )
        ]
    probe = d / f".doctor.{os.getpid()}"
    try:
        probe.write_bytes(b"ok")
        probe.unlink()
        writable = _ok("state.writable", f"状态目录可写: {d}", f"state directory writable: {d}")
    except OSError as exc:
        writable = _fail(
            "state.writable",
            f"状态目录不可写: {d}（{exc.strerror}）",
            f"state directory not writable: {d} ({exc.strerror})",
        )
    usage = shutil.disk_usage(d)
    free_mb = usage.free // (1024 * 1024)
    budget = p.config.portal.disk_budget_mb
    if free_mb < 50:
        space = _fail(
            "state.space",
            f"磁盘剩余仅 {free_mb} MB：无法更新内容",
            f"only {free_mb} MB free on disk: content cannot be updated",
        )
    elif free_mb < max(200, budget // 4):
        space = _warn(
            "state.space", f"磁盘剩余 {free_mb} MB，偏少", f"{free_mb} MB free on disk, running low"
        )
    else:
        space = _ok(
            "state.space",
            f"磁盘剩余 {free_mb / 1024:.1f} GB",
            f"{free_mb / 1024:.1f} GB free on disk",
        )
    return [writable, space]


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_store(p: Probe, verify: Callable[[bytes, bytes], None] | None) -> Check:
    import importlib

    try:
        store = importlib.import_module("kiosk.store")
    except ImportError:
        return _warn(
            "store.current", "内容存储模块不可用", "the content store module is not available"
        )
    view = store.read_current(p.state_dir)
    if view is None:
        return _warn(
            "store.current",
            "还没有已同步的内容（首次同步前屏幕只播放本地节目单；kiosk sync 立即同步）",
            "no synchronised content yet (until the first sync the screen plays only the local "
            "playlist; kiosk sync synchronises now)",
        )
    gen_dir = Path(view.path)
    if verify is not None:
        try:
            verify(
                (gen_dir / "manifest.json").read_bytes(),
                (gen_dir / "manifest.json.sig").read_bytes(),
            )
        except Exception as exc:
            return _fail(
                "store.current",
                f"第 {view.generation} 代清单签名校验失败: {exc}",
                f"generation {view.generation}: manifest signature check failed: {_q(exc)}",
            )
    bad: list[str] = []
    bad_en: list[str] = []
    count = 0
    for item in view.items:
        for path in item.files.values():
            count += 1
            name = os.path.basename(path)
            try:
                if _sha256(path) != name:
                    bad.append(f"{item.id}:{name[:12]}")
                    bad_en.append(f"{item.id}:{name[:12]}")
            except OSError:
                bad.append(f"{item.id}:缺失")
                bad_en.append(f"{item.id}:missing")
    if bad:
        return _fail(
            "store.current",
            f"第 {view.generation} 代内容有 {len(bad)} 个文件损坏或缺失: {', '.join(bad[:3])}"
            "（kiosk sync 会重新下载）",
            f"generation {view.generation}: {len(bad)} file(s) damaged or missing: "
            f"{', '.join(bad_en[:3])} (kiosk sync downloads them again)",
        )
    signed = "签名有效，" if verify is not None else ""
    signed_en = "signature valid, " if verify is not None else ""
    return _ok(
        "store.current",
        f"第 {view.generation} 代（发布版本 {view.version}）：{signed}{len(view.items)} 条内容、"
        f"{count} 个文件校验一致",
        f"generation {view.generation} (release {view.version}): {signed_en}"
        f"{len(view.items)} item(s), {count} file(s) match their checksums",
    )


def check_last_sync(p: Probe) -> Check:
    from kiosk.clock import parse_instant
    from kiosk.daemon import DAEMON_STATE, last_sync_success
    from kiosk.power import read_json

    if not p.config.portal.source:
        return _warn(
            "sync.age",
            "未配置门户网站地址 (portal.source)：不会自动更新内容",
            "no portal address configured (portal.source): content is not updated automatically",
        )
    last = last_sync_success(p.state_dir)
    if last is None:
        return _warn(
            "sync.age",
            "从未同步成功（kiosk sync 立即同步，查看错误）",
            "never synchronised successfully (kiosk sync synchronises now and shows the error)",
        )
    now = p.clock.now()
    age = now - last
    when = f"{last.astimezone(now.tzinfo):%Y-%m-%d %H:%M}"
    text = f"上次同步成功于 {when}（{_age(age)}前）"
    en = f"last successful sync {when} ({_age(age, en=True)} ago)"
    own = read_json(p.state_dir / DAEMON_STATE) or {}
    failures = own.get("sync_failures")
    if isinstance(failures, int) and failures > 0:
        retry = parse_instant(own.get("next_retry"))
        text += f"；此后连续失败 {failures} 次"
        en += f"; {failures} failure(s) in a row since"
        if retry is not None:
            text += f"，{retry.astimezone(now.tzinfo):%m-%d %H:%M} 重试"
            en += f", retry at {retry.astimezone(now.tzinfo):%m-%d %H:%M}"
        error = own.get("last_sync_error")
        if isinstance(error, str) and error:
            text += f"（{error[:80]}）"
            en += f" ({_q(error[:80])})"
    if age > timedelta(days=7):
        return _fail(
            "sync.age",
            text + "：内容已过期太久，请检查网络和门户网站",
            en + ": content is far out of date; check the network and the portal",
        )
    if age > timedelta(hours=36):
        return _warn("sync.age", text + "：错过了夜间同步", en + ": the nightly sync was missed")
    return _ok("sync.age", text, en)


def check_playlist(p: Probe) -> Check:
    import importlib

    path = p.config.playlist
    if not os.path.isfile(path):
        return _fail(
            "playlist.valid", f"节目单文件不存在: {path}", f"playlist file not found: {path}"
        )
    try:
        mod = importlib.import_module("kiosk.playlist")
    except ImportError:
        return _warn(
            "playlist.valid", "节目单校验模块不可用", "the playlist checker is not available"
        )
    playlist, diags = mod.read_playlist(path, check_media=True)
    errors = [d for d in diags if d.is_error]
    if playlist is None or errors:
        first = errors[0].format("zh") if errors else path
        first_en = errors[0].format("en") if errors else path
        return _fail(
            "playlist.valid",
            f"节目单有 {len(errors)} 处错误，首个: {first}（kiosk validate {path} 查看全部）",
            f"playlist has {len(errors)} error(s), the first: {first_en} "
            f"(kiosk validate {path} shows them all)",
        )
    warns = len(diags) - len(errors)
    entries = len(getattr(playlist, "entries", ()))
    return _ok(
        "playlist.valid",
        f"节目单有效: {path}，{entries} 个条目" + (f"，{warns} 条提示" if warns else ""),
        f"playlist valid: {path}, {entries} entries" + (f", {warns} note(s)" if warns else ""),
    )


def check_alert_feed(p: Probe, verify: Callable[[bytes, bytes], None] | None) -> Check:
    from kiosk.alerts import AlertFeedError, HttpFetcher, feed_url, parse_alerts

    url = feed_url(p.config.portal.source, p.config.portal.alerts)
    if url is None:
        return _warn(
            "alerts.feed",
            "未配置紧急通知地址（portal.source / portal.alerts）",
            "no alert feed address configured (portal.source / portal.alerts)",
        )
    if not p.network:
        return _warn("alerts.feed", f"跳过网络检查: {url}", f"network check skipped: {url}")
    try:
        result = HttpFetcher(
            url, connect_timeout=5, read_timeout=10, deadline=15, ca_file=p.config.portal.ca_file
        ).fetch(None, None)
        if verify is None:
            return _warn(
                "alerts.feed",
                f"可以访问 {url}，但未配置公钥，无法校验签名",
                f"{url} is reachable, but no public key is configured to check the signature",
            )
        verify(result.body, result.signature)
        doc = parse_alerts(result.body)
    except AlertFeedError as exc:
        if exc.missing:  # a portal that has not published an alert feed yet: nothing to show
            return _warn(
                "alerts.feed",
                f"门户上还没有紧急通知文件（{exc}）；发布紧急通知后即可使用 (no alert feed yet)",
                f"the portal has no alert feed yet ({_q(exc)}); it works once an alert is "
                "published",
            )
        return _fail(
            "alerts.feed",
            f"紧急通知源不可用: {exc} [{exc.key}]",
            f"alert feed unavailable: {_q(exc)} [{exc.key}]",
        )
    except Exception as exc:
        return _fail(
            "alerts.feed",
            f"紧急通知签名或格式无效: {exc}",
            f"alert feed signature or format invalid: {_q(exc)}",
        )
    dropped = f"，另有 {len(doc.dropped)} 条不是主动公开、不会上屏" if doc.dropped else ""
    dropped_en = (
        f'; {len(doc.dropped)} more not marked "主动公开" will not be shown' if doc.dropped else ""
    )
    return _ok(
        "alerts.feed",
        f"紧急通知源可用: {url}（版本 {doc.version}，{len(doc.alerts)} 条{dropped}）",
        f"alert feed available: {url} (version {doc.version}, {len(doc.alerts)} alert(s)"
        f"{dropped_en})",
    )


def check_cec(p: Probe) -> Check:
    device = p.config.power.cec_device
    tool = p.which("cec-ctl")
    has_device = Path(device).exists()
    if p.config.power.backend == "blank":
        return _ok(
            "power.cec",
            "配置为只用黑屏关屏 (power.backend: blank)",
            "configured to switch off by blanking only (power.backend: blank)",
        )
    if tool and has_device:
        return _ok(
            "power.cec",
            f"HDMI-CEC 可用: {device}（电视需开启 CEC：三星 Anynet+、LG SimpLink 等）",
            f"HDMI-CEC available: {device} (CEC must be on in the TV: Samsung Anynet+, "
            "LG SimpLink etc.)",
        )
    if not tool:
        return _warn(
            "power.cec",
            "未安装 cec-ctl（sudo apt install v4l-utils）：关屏时只显示黑屏，电视不会待机",
            "cec-ctl is not installed (sudo apt install v4l-utils): switching off only blanks "
            "the screen, the TV does not go to standby",
        )
    return _warn(
        "power.cec",
        f"没有 CEC 设备 {device}：关屏时只显示黑屏（开发机上属正常）",
        f"no CEC device {device}: switching off only blanks the screen (normal on a "
        "development machine)",
    )


def check_player(p: Probe) -> Check:
    from kiosk.power import read_json

    status = read_json(p.state_dir / "status.json")
    if status is None:
        return _warn(
            "player.status",
            "播放程序还没有写出状态（未运行？systemctl status kiosk-player）",
            "the player has not written its status yet (not running? "
            "systemctl status kiosk-player)",
        )
    beat = None
    for key in ("heartbeat", "updated", "written_at"):
        with contextlib.suppress(TypeError, ValueError):
            beat = datetime.fromisoformat(status[key])
            break
    if beat is None or beat.tzinfo is None:
        return _ok("player.status", "播放程序状态文件存在", "the player's status file exists")
    age = p.clock.now() - beat
    if age > timedelta(minutes=2):
        return _warn(
            "player.status",
            f"播放程序 {_age(age)}没有更新状态（卡住或已停止？）",
            f"the player has not updated its status for {_age(age, en=True)} (stuck or stopped?)",
        )
    return _ok(
        "player.status",
        f"播放程序运行中（{int(age.total_seconds())} 秒前更新）",
        f"the player is running (updated {int(age.total_seconds())} s ago)",
    )


# ----------------------------------------------------------------------------- run


def run_checks(p: Probe, calendar: Any = None, verify: Any = None) -> list[Check]:
    """All checks in a fixed order; an unexpected exception in one is reported as ``warn``."""
    steps: list[tuple[str, Callable[[], Check | Iterable[Check]]]] = [
        ("display.driver", lambda: check_video_driver(p)),
        ("display.permissions", lambda: check_drm_permissions(p)),
        ("font", lambda: check_font(p)),
        ("text.harfbuzz", lambda: check_harfbuzz(p)),
        ("clock.sync", lambda: check_clock_sync(p)),
        ("clock.timezone", lambda: check_timezone(p)),
        ("calendar.coverage", lambda: check_holidays(p, calendar)),
        ("state", lambda: check_state_dir(p)),
        ("store.current", lambda: check_store(p, verify)),
        ("sync.age", lambda: check_last_sync(p)),
        ("playlist.valid", lambda: check_playlist(p)),
        ("alerts.feed", lambda: check_alert_feed(p, verify)),
        ("power.cec", lambda: check_cec(p)),
        ("player.status", lambda: check_player(p)),
    ]
    out: list[Check] = []
    for key, step in steps:
        try:
            result = step()
        except Exception as exc:
            out.append(
                _warn(
                    key,
                    f"检查时出错: {type(exc).__name__}: {exc}",
                    f"the check itself failed: {type(exc).__name__}: {_q(exc)}",
                )
            )
            continue
        out.extend([result] if isinstance(result, Check) else result)
    return out


def worst(checks: Iterable[Check]) -> Status:
    status: Status = "ok"
    for c in checks:
        if RANK[c.status] > RANK[status]:
            status = c.status
    return status


def summary(total: int, ok: int, warn: int, fail: int, lang: str = "zh") -> str:
    """The last line of ``kiosk doctor``: how many checks ended each way."""
    if lang == "en":
        return f"{total} checks: {ok} ok, {warn} warnings, {fail} failed"
    return f"共 {total} 项：{ok} 正常，{warn} 提醒，{fail} 失败"
