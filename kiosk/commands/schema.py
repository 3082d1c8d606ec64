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
        help="playlist 播放列表格式（默认），或 config 设备配置文件格式 (which schema)",
    )
    parser.add_argument(
        "--output", "-o", metavar="FILE", help="写入文件，而不是输出到屏幕 (write to FILE)"
    )
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="改为输出 Markdown 格式的键名对照表（docs/*.md 里用的） "
        "(print the key reference as Markdown)",
    )
    parser.add_argument(
        "--update-doc",
        metavar="FILE",
        help="更新 Markdown 文件里标记之间的键名对照表 "
        "(rewrite the key reference in a Markdown FILE)",
    )


def run(args: argparse.Namespace, env: Any) -> int:
    from kiosk.atomic import write_atomic
    from kiosk.errors import KioskError
    from kiosk.schema import (
        REFERENCE_BEGIN,
        config_reference,
        config_schema,
        dumps,
        playlist_reference,
        playlist_schema,
        with_reference,
    )

    if args.update_doc:
        reference = playlist_reference() if args.kind == "playlist" else config_reference()
        try:
            with open(args.update_doc, encoding="utf-8") as fh:
                document = fh.read()
        except OSError as exc:
            raise KioskError(f"无法读取 {args.update_doc}：{exc.strerror} (cannot read)") from exc
        updated = with_reference(document, reference)
        if updated == document and REFERENCE_BEGIN not in document:
            raise KioskError(f"{args.update_doc} 里没有键名对照表的标记 (no reference markers)")
        write_atomic(args.update_doc, updated.encode("utf-8"))
        return 0
    if args.markdown:
        text = playlist_reference() if args.kind == "playlist" else config_reference()
    else:
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
