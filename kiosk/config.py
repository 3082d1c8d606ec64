"""Device configuration: the typed model and its built-in defaults.

Lookup order (see :func:`config_path`): ``--config FILE``, ``$KIOSK_CONFIG``,
``/etc/kiosk/kiosk.yaml``, else the built-in defaults, which run the demo from the
repository. Parsing and validation of the YAML file live in :func:`parse_config`
(same diagnostics as playlists). Every key is documented in ``docs/config.md``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from dataclasses import fields as dc_fields
from datetime import time
from pathlib import Path
from typing import Any

from kiosk.diagnostics import Diagnostic, InputError, has_errors
from kiosk.fields import (
    BOOL,
    INVALID,
    NAME,
    THEME,
    Ctx,
    Field,
    Table,
    Type,
    _norm,
    choice,
    expect_scalar,
    integer,
    number,
    obj,
    parse_table,
    parse_time_text,
)
from kiosk.yamlsrc import Map, Node, Scalar, Seq, parse_yaml, read_source

SYSTEM_CONFIG = Path("/etc/kiosk/kiosk.yaml")
REPO_ROOT = Path(__file__).resolve().parent.parent

NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
SC_FACE_INDEX = 2  # Simplified Chinese face in Debian's fonts-noto-cjk .ttc files


@dataclass(frozen=True)
class FontConfig:
    regular: str = str(NOTO_DIR / "NotoSansCJK-Regular.ttc")
    bold: str = str(NOTO_DIR / "NotoSansCJK-Bold.ttc")
    face_index: int = SC_FACE_INDEX
    title: str = str(NOTO_DIR / "NotoSerifCJK-Bold.ttc")  # 标题: song-style face
    title_face_index: int = SC_FACE_INDEX


@dataclass(frozen=True)
class DisplayConfig:
    size: tuple[int, int] | None = None  # None = the screen's native size
    rotation: int = 0  # 0 / 90 / 180 / 270, applied in the app (KMS ignores firmware rotation)
    theme: str = "civic"  # civic (light) / contrast (dark, high contrast)
    driver: str | None = None  # SDL video driver; None = SDL's choice (kmsdrm on Pi OS Lite)
    fullscreen: bool = True
    fps: int = 60
    fonts: FontConfig = field(default_factory=FontConfig)


@dataclass(frozen=True)
class PortalConfig:
    source: str | None = None  # https://... URL or a local directory (USB stick)
    public_key: str | None = None  # path to the Ed25519 public key (KEYFILE.pub)
    ca_file: str | None = None  # optional pinned CA bundle
    alerts: str | None = None  # URL/dir of the signed alerts document; None = <source>/alerts.json
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    file_deadline: float = 600.0  # total seconds for one object
    run_deadline: float = 3600.0  # total seconds for one sync run
    max_manifest_bytes: int = 4 * 1024 * 1024
    disk_budget_mb: int = 2048


@dataclass(frozen=True)
class OfficeHours:
    """Screen-on hours for one ISO weekday (1 = Monday)."""

    weekday: int
    start: time
    end: time


def _default_hours() -> tuple[OfficeHours, ...]:
    return tuple(OfficeHours(d, time(8, 0), time(18, 0)) for d in range(1, 6))


@dataclass(frozen=True)
class PowerConfig:
    backend: str = "auto"  # auto / cec / wlr / blank
    hours: tuple[OfficeHours, ...] = field(default_factory=_default_hours)
    workdays_only: bool = True  # statutory holidays off, 调休 make-up days on
    cec_device: str = "/dev/cec0"
    command_timeout: float = 10.0


@dataclass(frozen=True)
class DaemonConfig:
    sync_time: time = time(2, 30)  # nightly sync, configured zone
    sync_jitter_s: int = 1800
    alert_poll_s: int = 60
    misfire_grace_s: int = 3600


@dataclass(frozen=True)
class Config:
    playlist: str = str(REPO_ROOT / "playlists" / "demo.yaml")
    state_dir: str = str(REPO_ROOT / "var" / "state")
    timezone: str = "Asia/Shanghai"
    calendar_overrides: str | None = None  # YAML file of local closures / extra workdays
    display: DisplayConfig = field(default_factory=DisplayConfig)
    portal: PortalConfig = field(default_factory=PortalConfig)
    power: PowerConfig = field(default_factory=PowerConfig)
    daemon: DaemonConfig = field(default_factory=DaemonConfig)
    metrics_file: str | None = None  # Prometheus textfile collector output
    source: str = "<built-in defaults>"


def config_path(cli_value: str | None, environ: Mapping[str, str]) -> Path | None:
    """Which config file to read; ``None`` means the built-in defaults. Pure: the caller
    passes whether the system file exists via ``environ``-independent lookup in the shell."""
    if cli_value:
        return Path(cli_value)
    env = environ.get("KIOSK_CONFIG")
    if env:
        return Path(env)
    return SYSTEM_CONFIG


# ============================================================================ parsing
# Table-driven: each section is a Table whose keys are the dataclass's field names. To add
# a setting, add the dataclass field above and one Field line in its table below (a test
# checks that the two agree), then document it in docs/config.md.

log = logging.getLogger(__name__)


_URL_SCHEMES = ("https", "http", "file")


def _check_url(value: str, s: Scalar, ctx: Ctx) -> bool:
    """A source URL: http(s):// with a host, or file://. Reports and returns False if not."""
    import difflib
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme not in _URL_SCHEMES:
        close = difflib.get_close_matches(scheme, _URL_SCHEMES, n=1, cutoff=0.5)
        hint_zh = f"；是不是“{close[0]}://”？" if close else ""
        hint_en = f"; did you mean '{close[0]}://'?" if close else ""
        ctx.error(
            s.pos,
            "config.bad_url",
            f"网址“{value}”的协议“{parts.scheme}”不支持（可用：https://、http://、file://）"
            f"{hint_zh}",
            f"unsupported scheme '{parts.scheme}' in '{value}' (use https://, http:// "
            f"or file://){hint_en}",
        )
        return False
    if scheme != "file" and not parts.hostname:
        ctx.error(
            s.pos,
            "config.bad_url",
            f"网址“{value}”缺少服务器地址；应写成 https://门户地址/路径/",
            f"'{value}' has no host; write https://host/path/",
        )
        return False
    return True


def _path_type(
    zh: str = "文件路径",
    en: str = "a file path",
    *,
    must_exist: bool = False,
    url: bool = False,
) -> Type:
    """A path; relative paths are taken relative to the config file's directory.

    ``url``: a URL is allowed too (its scheme is checked). ``must_exist``: when the caller
    injected ``file_exists`` (``kiosk validate`` does), a path that does not exist is a
    warning — the file may be installed later, but staff should hear of it."""
    import re

    url_like = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:/")

    def convert(node: Node, ctx: Ctx) -> Any:
        s = expect_scalar(node, ctx, zh, en)
        if s is None:
            return INVALID
        value = os.path.expanduser(s.text.strip())
        if "://" in value or url_like.match(value):
            if not url:
                ctx.error(
                    s.pos,
                    "config.not_a_path",
                    f"这里要写本机上的文件路径，不是网址：“{value}”",
                    f"a local file path is needed here, not a URL: '{value}'",
                )
                return INVALID
            return value if _check_url(value, s, ctx) else INVALID
        if ctx.base_dir and not os.path.isabs(value):
            value = os.path.normpath(os.path.join(ctx.base_dir, value))
        if must_exist and ctx.file_exists is not None and not ctx.file_exists(value):
            ctx.warn(
                s.pos,
                "config.file_missing",
                f"找不到“{value}”；请检查路径是否写对（设备运行时要用到它）",
                f"'{value}' does not exist; check the path (the device needs it when it runs)",
            )
        return value

    return Type(zh, en, convert, lambda: {"type": "string"})


PATH = _path_type()
#: a file the program reads, so it should be there
EXISTING = _path_type(must_exist=True)
SOURCE = _path_type(
    "网址 (https://…) 或目录（U 盘）",
    "a URL (https://...) or a directory",
    must_exist=True,
    url=True,
)


def _tz_convert(node: Node, ctx: Ctx) -> Any:
    s = expect_scalar(node, ctx, "时区名称", "a time zone name")
    if s is None:
        return INVALID
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = s.text.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        ctx.error(
            s.pos,
            "config.bad_timezone",
            f"不认识的时区“{name}”；中国大陆请写 Asia/Shanghai",
            f"unknown time zone '{name}'; for mainland China write Asia/Shanghai",
        )
        return INVALID
    return name


TIMEZONE = Type("时区（如 Asia/Shanghai）", "a time zone", _tz_convert, lambda: {"type": "string"})

_SIZE_RE = r"(\d{2,5})\s*[x×X*,]\s*(\d{2,5})"


def _size_convert(node: Node, ctx: Ctx) -> Any:
    import re

    if isinstance(node, Seq) and len(node.items) == 2:
        parts = [p.text if isinstance(p, Scalar) else "" for p in node.items]
        text = f"{parts[0]}x{parts[1]}"
    elif isinstance(node, Scalar):
        text = node.text
    else:
        text = ""
    t = _norm(text).lower()
    if t in ("auto", "native", "自动"):
        return None
    m = re.fullmatch(_SIZE_RE, t)
    if not m or not (100 <= int(m.group(1)) <= 16384 and 100 <= int(m.group(2)) <= 16384):
        ctx.error(
            node.pos,
            "config.bad_size",
            f"屏幕尺寸“{text}”不对；请写成 1920x1080，或 auto（使用屏幕原生分辨率）",
            f"screen size '{text}' is not valid; write 1920x1080 or auto",
        )
        return INVALID
    return (int(m.group(1)), int(m.group(2)))


SIZE = Type(
    "屏幕尺寸（如 1920x1080，或 auto）",
    "screen size (1920x1080 or auto)",
    _size_convert,
    lambda: {
        "anyOf": [
            {"type": "string", "pattern": r"^(auto|native|自动|\d+\s*[x×X*,]\s*\d+)$"},
            {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
        ]
    },
)


def _time_convert(node: Node, ctx: Ctx) -> Any:
    s = expect_scalar(node, ctx, "时间", "a time")
    if s is None:
        return INVALID
    t, zh, en = parse_time_text(s.text)
    if t is None:
        ctx.error(s.pos, "value.bad_time", zh, en)
        return INVALID
    return t


TIME_OF_DAY = Type(
    "时间（24 小时制，如 02:30）",
    "a time of day like 02:30",
    _time_convert,
    lambda: {"type": "string", "pattern": r"^\d{1,2}[:：]\d{2}$"},
)


def _hours_convert(node: Node, ctx: Ctx) -> Any:
    """``{mon-fri: 08:00-18:00, sat: 09:00-12:00}`` → OfficeHours per weekday."""
    from kiosk.playlist import _days_scalar, _time_range_text

    if not isinstance(node, Map):
        ctx.error(
            node.pos,
            "value.wrong_type",
            "hours 应写成“星期: 时间段”，如 mon-fri: 08:00-18:00",
            "hours are written 'days: range', e.g. mon-fri: 08:00-18:00",
        )
        return INVALID
    out: dict[int, OfficeHours] = {}
    ok = True
    for k, v in node:
        days = _days_scalar(k, ctx)
        if days is INVALID:
            ok = False
            continue
        if isinstance(days, str):
            ctx.error(
                k.pos,
                "config.bad_hours_days",
                "这里要写星期（如 mon-fri、周六），工作日/节假日由 workdays_only 决定",
                "give weekdays here (mon-fri, sat); holidays are governed by workdays_only",
            )
            ok = False
            continue
        if not isinstance(v, Scalar):
            ctx.error(v.pos, "value.wrong_type", "时间段应写成 08:00-18:00", "expected 08:00-18:00")
            ok = False
            continue
        rng = _time_range_text(v, ctx)
        if rng is None:
            ok = False
            continue
        for d in sorted(days):
            if d in out:
                ctx.error(
                    k.pos,
                    "config.hours_overlap",
                    f"星期{'一二三四五六日'[d - 1]}写了两次",
                    f"weekday {d} is given twice",
                )
                ok = False
            out[d] = OfficeHours(d, rng.start, rng.end)
    return tuple(out[d] for d in sorted(out)) if ok else INVALID


HOURS = Type(
    "开屏时间（星期: 时间段）",
    "screen-on hours (days: range)",
    _hours_convert,
    lambda: {
        "type": "object",
        "additionalProperties": {
            "type": "string",
            "pattern": r"^\d{1,2}[:：]\d{2}\s*(-|–|—|~|～|至|到)\s*\d{1,2}[:：]\d{2}$",
        },
    },
)


def _build(cls: type) -> Callable[[dict[str, Any], Map, Ctx], Any]:
    def build(values: dict[str, Any], node: Map, ctx: Ctx) -> Any:
        return cls(**values)

    return build


FONTS_TABLE = Table(
    "fonts",
    (
        Field("regular", EXISTING, "正文字体文件", "body font file"),
        Field("bold", EXISTING, "粗体字体文件", "bold font file"),
        Field(
            "face_index",
            integer(0, 31),
            "正文/粗体字体在 .ttc 中的序号（思源/Noto 简体中文为 2）",
            "face index in the .ttc (2 = Simplified Chinese in Noto CJK)",
        ),
        Field("title", EXISTING, "标题字体文件（宋体/衬线风格）", "title font file"),
        Field("title_face_index", integer(0, 31), "标题字体的序号", "title face index"),
    ),
    "字体",
    "fonts",
)

DISPLAY_TABLE = Table(
    "display",
    (
        Field("size", SIZE, "屏幕尺寸；auto 为屏幕原生分辨率", "screen size; auto = native"),
        Field(
            "rotation",
            choice(("0", "90", "180", "270")),
            "画面旋转角度（竖屏用 90 或 270）",
            "rotation in degrees",
        ),
        Field(
            "theme",
            THEME,
            "配色主题：civic（浅色）或 contrast（深色高对比）",
            "colour theme: civic or contrast",
        ),
        Field(
            "driver",
            NAME,
            "SDL 显示驱动（树莓派无桌面时为 kmsdrm；不写则自动）",
            "SDL video driver (kmsdrm on Pi OS Lite; default automatic)",
        ),
        Field("fullscreen", BOOL, "是否全屏", "fullscreen"),
        Field("fps", integer(1, 120), "最高帧率", "maximum frame rate"),
        Field("fonts", obj(FONTS_TABLE, _build(FontConfig)), FONTS_TABLE.zh, FONTS_TABLE.en),
    ),
    "显示设置",
    "display settings",
)

PORTAL_TABLE = Table(
    "portal",
    (
        Field("source", SOURCE, "门户发布地址（https://…）或 U 盘目录", "portal URL or directory"),
        Field("public_key", EXISTING, "验证签名用的公钥文件 (.pub)", "Ed25519 public key file"),
        Field("ca_file", EXISTING, "指定的 CA 证书文件（可选）", "pinned CA bundle (optional)"),
        Field(
            "alerts",
            SOURCE,
            "紧急通知文档地址（默认 <source>/alerts.json）",
            "alerts document URL (default <source>/alerts.json)",
        ),
        Field(
            "connect_timeout",
            number(positive=True, hi=600),
            "连接超时（秒）",
            "connect timeout (s)",
        ),
        Field("read_timeout", number(positive=True, hi=3600), "读取超时（秒）", "read timeout (s)"),
        Field(
            "file_deadline",
            number(positive=True),
            "单个文件下载总时限（秒）",
            "total seconds per file",
        ),
        Field(
            "run_deadline",
            number(positive=True),
            "一次同步总时限（秒）",
            "total seconds per sync run",
        ),
        Field(
            "max_manifest_bytes",
            integer(1024),
            "清单文件大小上限（字节）",
            "manifest size cap (bytes)",
        ),
        Field("disk_budget_mb", integer(16), "内容库磁盘空间上限 (MB)", "store disk budget (MB)"),
    ),
    "门户同步",
    "portal sync",
)

POWER_TABLE = Table(
    "power",
    (
        Field(
            "backend",
            choice(("auto", "cec", "wlr", "blank")),
            "关屏方式：auto 自动、cec（HDMI-CEC）、wlr（Wayland 桌面）、blank（只显示黑屏）",
            "screen power backend",
        ),
        Field("hours", HOURS, "开屏时间，如 mon-fri: 08:00-18:00", "screen-on hours"),
        Field(
            "workdays_only",
            BOOL,
            "只在工作日开屏（法定节假日关屏，调休上班日开屏）",
            "on only on working days (Chinese calendar)",
        ),
        Field("cec_device", PATH, "CEC 设备", "CEC device"),
        Field(
            "command_timeout",
            number(positive=True, hi=120),
            "外部命令超时（秒）",
            "external command timeout (s)",
        ),
    ),
    "屏幕电源",
    "screen power",
)

DAEMON_TABLE = Table(
    "daemon",
    (
        Field("sync_time", TIME_OF_DAY, "每晚同步时间", "nightly sync time"),
        Field("sync_jitter_s", integer(0, 86400), "同步时间随机推迟最多几秒", "sync jitter (s)"),
        Field(
            "alert_poll_s", integer(5, 86400), "紧急通知检查间隔（秒）", "alert poll interval (s)"
        ),
        Field(
            "misfire_grace_s",
            integer(1, 86400 * 7),
            "错过的任务在多少秒内补做",
            "misfire grace time (s)",
        ),
    ),
    "后台服务",
    "daemon",
)

CONFIG_TABLE = Table(
    "config",
    (
        Field("playlist", EXISTING, "播放列表文件", "playlist file"),
        Field(
            "state_dir",
            PATH,
            "状态和内容库目录（如 /var/lib/kiosk）",
            "state and content store directory",
        ),
        Field("timezone", TIMEZONE, "时区（默认 Asia/Shanghai）", "time zone"),
        Field(
            "calendar_overrides",
            EXISTING,
            "本地节假日调整文件（临时闭馆、加班日）",
            "local calendar overrides file",
        ),
        Field("display", obj(DISPLAY_TABLE), DISPLAY_TABLE.zh, DISPLAY_TABLE.en),
        Field("portal", obj(PORTAL_TABLE), PORTAL_TABLE.zh, PORTAL_TABLE.en),
        Field("power", obj(POWER_TABLE), POWER_TABLE.zh, POWER_TABLE.en),
        Field("daemon", obj(DAEMON_TABLE), DAEMON_TABLE.zh, DAEMON_TABLE.en),
        Field(
            "metrics_file", PATH, "Prometheus 指标文件（可选）", "Prometheus textfile (optional)"
        ),
    ),
    "政务公开屏设备配置",
    "kiosk device configuration",
)

SECTIONS: dict[str, tuple[Table, type]] = {
    "config": (CONFIG_TABLE, Config),
    "display": (DISPLAY_TABLE, DisplayConfig),
    "fonts": (FONTS_TABLE, FontConfig),
    "portal": (PORTAL_TABLE, PortalConfig),
    "power": (POWER_TABLE, PowerConfig),
    "daemon": (DAEMON_TABLE, DaemonConfig),
}
"""Each config table and the dataclass it fills (checked against each other in tests)."""

_INTERNAL_FIELDS = {"config": frozenset({"source"})}  # set by the loader, not by the file


def _fill(cls: type, values: dict[str, Any]) -> Any:
    if cls is DisplayConfig and "rotation" in values:
        values = {**values, "rotation": int(values["rotation"])}
    return cls(**values)


def parse_config(
    data: bytes | str, path: str, *, file_exists: Callable[[str], bool] | None = None
) -> tuple[Config, list[Diagnostic]]:
    """Parse a config file. Pure. On errors the returned Config is the built-in default
    (check the diagnostics with :func:`kiosk.diagnostics.has_errors`). ``file_exists``
    (injected; ``kiosk validate`` passes ``os.path.exists``) turns on warnings for
    configured files and directories that are not there."""
    ctx = Ctx(path, file_exists=file_exists, base_dir=os.path.dirname(path) or ".")
    root, diags = parse_yaml(data, path)
    ctx.diags.extend(diags)
    if root is None:
        return Config(), ctx.diags
    values = parse_table(
        root, CONFIG_TABLE, ctx, where_zh="配置文件的最外层", where_en="the top level"
    )
    if values is None or has_errors(ctx.diags):
        return Config(), ctx.diags
    sub: dict[str, Any] = {}
    for name in ("display", "portal", "power", "daemon"):
        if name in values:
            section = dict(values[name])
            sub[name] = _fill(SECTIONS[name][1], section)
    top = {k: v for k, v in values.items() if k not in sub}
    config = Config(**top, **sub, source=path)
    return config, ctx.diags


def load_config(cli_value: str | None, environ: Mapping[str, str]) -> Config:
    """The shell: pick the file (``--config``, ``$KIOSK_CONFIG``, ``/etc/kiosk/kiosk.yaml``
    if it exists, else built-in defaults), read and parse it. Raises
    :class:`~kiosk.diagnostics.InputError` on errors; warnings are logged."""
    chosen = config_path(cli_value, environ)
    if chosen is None or (
        chosen == SYSTEM_CONFIG
        and not cli_value
        and not environ.get("KIOSK_CONFIG")
        and not chosen.exists()
    ):
        return Config()
    data, diags = read_source(str(chosen))
    if data is None:
        raise InputError(diags)
    config, diags = parse_config(data, str(chosen))
    if has_errors(diags):
        raise InputError([d for d in diags])
    for d in diags:
        log.warning("config.warning %s", d.format("en"))
    return config


def check_tables() -> list[str]:
    """Differences between the config tables and the dataclasses (for tests)."""
    problems = []
    for name, (table, cls) in SECTIONS.items():
        want = {f.name for f in dc_fields(cls)} - _INTERNAL_FIELDS.get(name, frozenset())
        have = set(table.names())
        for k in sorted(want - have):
            problems.append(f"{name}.{k}: in {cls.__name__} but not in the table")
        for k in sorted(have - want):
            problems.append(f"{name}.{k}: in the table but not in {cls.__name__}")
    return problems
