"""Device configuration: the typed model and its built-in defaults.

Lookup order (see :func:`config_path`): ``--config FILE``, ``$KIOSK_CONFIG``,
``/etc/kiosk/kiosk.yaml``, else the built-in defaults, which run the demo from the
repository. Parsing and validation of the YAML file live in :func:`parse_config`
(same diagnostics as playlists). Every key is documented in ``docs/config.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

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
