"""Shared bits of the player's commands: config and state directory lookup."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from kiosk.config import Config


def load_cfg(args: argparse.Namespace, environ: Mapping[str, str]) -> Config:
    """The device config (``--config``, ``$KIOSK_CONFIG``, ``/etc/kiosk/kiosk.yaml``, defaults)."""
    from kiosk import config as config_mod

    loader = getattr(config_mod, "load_config", None)
    if loader is None:  # config parsing not available in this build: built-in defaults
        return Config()
    cfg: Config = loader(getattr(args, "config", None), environ)
    return cfg


def add_state_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state-dir",
        metavar="DIR",
        help="状态目录，默认取配置文件中的 state_dir (state directory)",
    )


def state_dir(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    given = getattr(args, "state_dir", None)
    if given:
        return str(given)
    return load_cfg(args, environ).state_dir
