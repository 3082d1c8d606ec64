"""``kiosk validate FILE...``: check playlists (or config files) and report every problem.

One line per problem, GCC style, so editors can jump to it::

    playlists/demo.yaml:12:9: 错误: 不认识的键“titel”；是不是“title”？ [key.unknown]

Exit status: 0 when every file is valid (warnings allowed), 1 when any file has an error,
2 on usage errors. ``--kind config`` checks device config files instead; with the default
``--kind auto`` a file whose top level has no ``entries`` but config keys (``display``,
``portal``, ``state_dir`` …) is checked as a config file.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from datetime import date
from typing import Any

from kiosk.diagnostics import Diagnostic, SourcePos, has_errors, warning
from kiosk.errors import UsageError

NAME = "validate"
HELP = "检查播放列表或配置文件，逐条列出问题 (validate playlists / config files)"
ORDER = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="要检查的播放列表或设备配置文件，可写多个 (playlist or config files)",
    )
    parser.add_argument(
        "--kind",
        choices=("auto", "playlist", "config"),
        default="auto",
        help="文件类型：auto 按内容自动判断（默认）、playlist 播放列表、config 设备配置 "
        "(what the files are)",
    )
    parser.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        help="按这一天判断“显示时间已结束”的警告（默认今天） "
        "(judge 'already ended' warnings as of this date)",
    )
    parser.add_argument(
        "--no-font-check",
        action="store_true",
        help="不检查字体能否显示每个字（默认检查，缺字只是警告） (skip the glyph check)",
    )
    parser.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="只列出问题，不显示每个文件的汇总行 (print only problems)",
    )


_CONFIG_KEYS = frozenset({"display", "portal", "power", "daemon", "state_dir", "timezone"})


def _looks_like_config(data: bytes) -> bool:
    from kiosk.yamlsrc import Map, parse_yaml

    root, _ = parse_yaml(data, "<probe>")
    if not isinstance(root, Map):
        return False
    keys = set(root.keys())
    return "entries" not in keys and "version" not in keys and bool(keys & _CONFIG_KEYS)


def _font_check(config: Any, diags_out: list[Diagnostic]) -> Callable[[str], list[str]] | None:
    """A glyph checker over the body and title fonts of the config, or None (with a
    warning) when the fonts cannot be opened."""
    from kiosk import fonts

    faces = [
        (config.display.fonts.regular, config.display.fonts.face_index),
        (config.display.fonts.title, config.display.fonts.title_face_index),
    ]
    usable = []
    for path, index in faces:
        try:
            fonts.open_face(path, index)
            usable.append((path, index))
        except Exception as exc:
            diags_out.append(
                warning(
                    SourcePos(config.source),
                    "font.unavailable",
                    f"无法打开字体 {path}（{exc}），跳过字形检查",
                    f"cannot open font {path} ({exc}); glyph check skipped",
                )
            )
    if not usable:
        return None

    def check(text: str) -> list[str]:
        missing: dict[str, None] = {}
        for path, index in usable:
            for ch in fonts.missing_glyphs(text, path, index):
                missing[ch] = None
        return list(missing)

    return check


def _calendar(config: Any, diags_out: list[Diagnostic]) -> Any:
    from kiosk import workcal

    calendar, diags = workcal.load_calendar(config.calendar_overrides)
    diags_out.extend(diags)
    return calendar


def run(args: argparse.Namespace, env: Any) -> int:
    from zoneinfo import ZoneInfo

    from kiosk.config import load_config, parse_config
    from kiosk.fields import parse_date_text
    from kiosk.playlist import read_playlist
    from kiosk.yamlsrc import read_source

    config = load_config(args.config, env.environ)
    tz = ZoneInfo(config.timezone)
    if args.today:
        today, _zh, en = parse_date_text(args.today)
        if today is None:
            raise UsageError(f"--today: {en}")
    else:
        today = env.clock(tz).now().date()
    assert isinstance(today, date)

    extra: list[Diagnostic] = []
    font_check = None if args.no_font_check else _font_check(config, extra)
    calendar = _calendar(config, extra)
    for d in extra:
        env.err(d.format(env.lang))

    bad = 0
    for path in args.files:
        kind = args.kind
        if kind == "auto":
            data, _ = read_source(path)
            kind = "config" if data is not None and _looks_like_config(data) else "playlist"
        if kind == "config":
            data, diags = read_source(path)
            if data is not None:
                _, diags = parse_config(data, path, file_exists=os.path.exists)
            summary_ok = "配置文件有效" if env.lang != "en" else "valid config"
        else:
            playlist, diags = read_playlist(
                path,
                font_check=font_check,
                calendar=calendar,
                today=today,
                tz=tz,
                check_media=True,
            )
            n = len(playlist.entries) if playlist is not None else 0
            summary_ok = f"有效，{n} 个条目" if env.lang != "en" else f"valid, {n} entries"
        for d in diags:
            env.out(d.format(env.lang))
        errors = sum(d.is_error for d in diags)
        warnings = len(diags) - errors
        if has_errors(diags):
            bad += 1
            if not args.quiet:
                env.out(
                    f"{path}: {errors} 个错误，{warnings} 个警告"
                    if env.lang != "en"
                    else f"{path}: {errors} error(s), {warnings} warning(s)"
                )
        elif not args.quiet:
            more = ""
            if warnings:
                more = f"，{warnings} 个警告" if env.lang != "en" else f", {warnings} warning(s)"
            env.out(f"{path}: {summary_ok}{more}")
    if bad and not args.quiet and len(args.files) > 1:
        env.out(f"{bad} 个文件有错误" if env.lang != "en" else f"{bad} file(s) with errors")
    return 1 if bad else 0
