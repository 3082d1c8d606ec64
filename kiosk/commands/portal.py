"""``kiosk portal serve DIR``: serve a portal directory over HTTP (demo, tests, LAN trials)."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys

from kiosk.atomic import write_atomic
from kiosk.cli import Environment
from kiosk.errors import KioskError

NAME = "portal"
HELP = "门户静态服务（演示/测试用）: portal serve DIR (static server with ETag and Range)"
ORDER = 61


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="portal_command", metavar="SUBCOMMAND", required=True)
    serve = sub.add_parser(
        "serve",
        help="提供门户发布目录的静态服务 (serve a portal directory)",
        description="Serve DIR (the output of `kiosk publish`) with strong ETags, Range and "
        "HEAD. For production use nginx; see docs/portal-protocol.md.",
    )
    serve.add_argument(
        "dir", metavar="DIR", help="门户发布目录（kiosk publish --out） (portal directory)"
    )
    serve.add_argument("--host", default=None, help="监听地址，默认 127.0.0.1 (bind address)")
    serve.add_argument(
        "--port", type=int, default=None, help="端口，默认 8470；0 表示任选空闲端口 (port)"
    )
    serve.add_argument(
        "--port-file",
        metavar="FILE",
        help="开始监听后把端口号写入 FILE（供 --port 0 的脚本使用） (port file)",
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace, env: Environment) -> int:
    from kiosk.portal_server import DEFAULT_HOST, DEFAULT_PORT, PortalServer, serve

    host = args.host or DEFAULT_HOST
    port = DEFAULT_PORT if args.port is None else args.port
    if not 0 <= port <= 65535:
        raise KioskError(f"端口无效: {port} (invalid port)", key="portal.bad_port")
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    if not _is_loopback(host):
        env.err(
            f"kiosk: 警告: 在 {host} 上对外服务；本服务器用于演示和测试，正式环境请用 nginx "
            "(warning: serving beyond this machine; use nginx in production)"
        )

    def ready(server: PortalServer) -> None:
        if args.port_file:
            write_atomic(args.port_file, f"{server.server_address[1]}\n".encode())
        if env.lang == "en":
            env.out(f"serving {server.root} at {server.url} (Ctrl-C stops)")
        else:
            env.out(f"门户服务已启动：{server.url} （目录 {server.root}；Ctrl-C 停止）")
        env.stdout.flush()

    try:
        serve(args.dir, host, port, ready=ready)
    except FileNotFoundError:
        msg = f"目录不存在: {args.dir} (no such directory)"
        raise KioskError(msg, key="portal.no_dir") from None
    except NotADirectoryError:
        msg = f"不是目录: {args.dir} (not a directory)"
        raise KioskError(msg, key="portal.no_dir") from None
    except OSError as exc:
        raise KioskError(
            f"无法在 {host}:{port} 上监听: {exc.strerror or exc} (cannot listen)",
            key="portal.bind_failed",
        ) from None
    return 0
