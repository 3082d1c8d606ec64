"""``kiosk sync --once``: fetch, verify and apply the portal's current publication."""

from __future__ import annotations

import argparse
import logging

from kiosk.cli import Environment
from kiosk.config import Config
from kiosk.errors import UsageError

NAME = "sync"
HELP = "从门户同步已签名的内容 (sync signed content from the portal)"
ORDER = 40


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--once",
        action="store_true",
        help="立即同步一次后退出（夜间同步由后台服务安排） (run one sync and exit)",
    )
    parser.add_argument(
        "--source",
        metavar="URL|DIR",
        help="门户发布地址或目录（如 U 盘），默认取配置 (publication URL or directory)",
    )
    parser.add_argument(
        "--state-dir", metavar="DIR", help="内容存储目录，默认取配置 (content store directory)"
    )
    parser.add_argument(
        "--public-key",
        metavar="FILE",
        action="append",
        help="信任的签名公钥 KEYFILE.pub，可写多次 (trusted public key)",
    )
    parser.add_argument(
        "--ca-file", metavar="FILE", help="https 使用的指定 CA 证书文件 (pinned CA bundle)"
    )


class _NotSyncFailed(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("sync.failed ")


def _load_config(args: argparse.Namespace, env: Environment) -> Config:
    import kiosk.config as config_mod

    loader = getattr(config_mod, "load_config", None)
    if loader is None:  # config file parsing not available: built-in defaults
        return Config()
    cfg = loader(args.config, env.environ)
    assert isinstance(cfg, Config)
    return cfg


def run(args: argparse.Namespace, env: Environment) -> int:
    from dataclasses import replace

    from kiosk.sync import SyncSettings, run_sync

    if not args.once:
        raise UsageError("kiosk sync: 需要 --once（定时同步由 kiosk daemon 负责）(use --once)")
    cfg = _load_config(args, env)
    portal = cfg.portal
    source = args.source or portal.source
    if not source:
        raise UsageError(
            "kiosk sync: 未配置内容来源：用 --source 或配置 portal.source "
            "(no source: give --source or set portal.source)"
        )
    key_files = args.public_key or ([portal.public_key] if portal.public_key else [])
    if not key_files:
        raise UsageError(
            "kiosk sync: 未配置公钥：用 --public-key 或配置 portal.public_key "
            "(no public key: give --public-key or set portal.public_key)"
        )
    from kiosk import keys  # cryptography: loaded when needed, not by every kiosk command

    trusted = keys.load_trusted_keys(key_files)
    if args.ca_file:
        portal = replace(portal, ca_file=args.ca_file)
    settings = SyncSettings.from_config(portal)
    state_dir = args.state_dir or cfg.state_dir
    from kiosk.cli import refuse_root_in_foreign_state_dir

    refuse_root_in_foreign_state_dir(state_dir, env)
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO if env.verbose else logging.WARNING,
            format="%(levelname)s %(message)s",
            stream=env.stderr,
        )
        if not env.verbose:
            # the result line below says it once; the daemon's log keeps the event
            for handler in logging.getLogger().handlers:
                handler.addFilter(_NotSyncFailed())
    result = run_sync(source, state_dir, trusted, env.clock(cfg.timezone), settings)
    if result.ok:
        env.out(result.line())
    else:
        env.err(f"kiosk: {result.line()}")
    return result.exit_code
