"""``kiosk schema``: print the JSON Schema of the playlist format (or of the config file).

Editors use it for completion and inline errors: in VS Code with the YAML extension, put
``# yaml-language-server: $schema=../docs/playlist.schema.json`` on the first line of a
playlist (the shipped examples do), or map the schema in the settings. See
``docs/playlist.md``.
"""

from __future__ import annotations

import argparse
from typing import Any

NAME = "schema"
HELP = "输出播放列表格式的 JSON Schema，供编辑器补全和检查 (print the JSON Schema)"
ORDER = 11


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kind",
        choices=("playlist", "config"),
        default="playlist",
        help="schema of playlists (default) or of the device config file",
    )
    parser.add_argument(
        "--output", "-o", metavar="FILE", help="write to FILE instead of standard output"
    )


def run(args: argparse.Namespace, env: Any) -> int:
    from kiosk.atomic import write_atomic
    from kiosk.errors import KioskError
    from kiosk.schema import config_schema, dumps, playlist_schema

    text = dumps(playlist_schema() if args.kind == "playlist" else config_schema())
    if args.output:
        try:
            write_atomic(args.output, text.encode("utf-8"))
        except OSError as exc:
            raise KioskError(
                f"无法写入 {args.output}：{exc.strerror} (cannot write)", key="schema.write"
            ) from exc
        return 0
    env.stdout.write(text)
    return 0
