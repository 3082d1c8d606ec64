"""``kiosk render PLAYLIST --out DIR``: the staff's preview — every page as a PNG.

Writes one PNG per page of each entry active at ``--at`` (default: now; ``--all`` for
every enabled entry whatever its schedule), each a whole screen as the player shows it
(frame, clock at that time, ticker at its start), plus ``DIR/index.json``: a list with,
per PNG, ``file``, ``entry``, ``kind``, ``page``, ``pages``, ``seconds``, ``lines`` (the
laid-out text lines in reading order, exactly as drawn), ``missing_glyphs`` and ``fonts``.
Entries whose content is not in the store (or whose image/PDF cannot be read) are
reported on stderr and skipped; the rest is still written. With nothing to show, the
player's calm default page is written (``entry`` ``_default``, ``kind`` ``default``) and the
summary line says so. ``--contact-sheet`` also writes ``contact-sheet.png``, all pages at a
glance.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.commands.schedule import parse_at
from kiosk.diagnostics import InputError, has_errors
from kiosk.errors import KioskError, UsageError
from kiosk.model import Entry, Playlist
from kiosk.player.engine import DEFAULT_ID

NAME = "render"
HELP = "把播放列表的每一页渲染成 PNG 图片预览 (render slides to PNG files)"
ORDER = 20

log = logging.getLogger(__name__)

INDEX = "index.json"
DEFAULT_ENTRY = DEFAULT_ID
"""The ``entry`` of the calm default page in index.json (``kind`` ``default``), the id the
player reports in status.json for the same page."""
CONTACT_SHEET = "contact-sheet.png"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("playlist", metavar="PLAYLIST", help="播放列表文件 (playlist file, YAML)")
    parser.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="输出目录：每页一个 PNG 和 index.json (output directory)",
    )
    parser.add_argument(
        "--size",
        metavar="WxH",
        help="画面尺寸，如 1080x1920（竖屏）；默认取配置，否则 1920x1080 (screen size)",
    )
    parser.add_argument(
        "--rotate",
        type=int,
        choices=(0, 90, 180, 270),
        help="把画好的图片顺时针旋转，与转着安装的屏幕一致；默认取配置 (rotation, clockwise)",
    )
    parser.add_argument(
        "--at",
        metavar="ISO-TIME",
        help="按这个时间渲染，如 2026-11-24T10:30；默认现在 (render as of this time)",
    )
    parser.add_argument(
        "--theme",
        metavar="NAME",
        help="配色：civic 浅色或 contrast 深色高对比；默认取播放列表，再取配置 (theme)",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="渲染所有启用的条目，不管排期 (every enabled entry, whatever its schedule)",
    )
    parser.add_argument(
        "--contact-sheet",
        action="store_true",
        help=f"另外写一张全部页面的总览图 {CONTACT_SHEET} (contact sheet)",
    )
    parser.add_argument(
        "--state-dir",
        metavar="DIR",
        help="内容库所在的状态目录，用于 ref/select 条目；默认取配置 (content store)",
    )


# ----------------------------------------------------------------------------- pure helpers


def parse_size(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{2,5})\s*[xX×*]\s*(\d{2,5})\s*", text)
    if not m:
        raise UsageError(f"--size: 应写成 宽x高，如 1920x1080 (expected WxH): {text!r}")
    w, h = int(m.group(1)), int(m.group(2))
    if not (64 <= w <= 8192 and 64 <= h <= 8192):
        raise UsageError(f"--size: 尺寸超出范围 64–8192 (out of range): {text!r}")
    return w, h


def file_name(index: int, entry_id: str, page: int) -> str:
    """``03-annual-report-p2.png``; ids from the store (``entry/item``) made file-safe."""
    safe = re.sub(r"[^0-9A-Za-z._-]+", "_", entry_id).strip("_") or "entry"
    return f"{index:02d}-{safe[:60]}-p{page}.png"


# ----------------------------------------------------------------------------- command


def run(args: argparse.Namespace, env: Any) -> int:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from kiosk.config import load_config
    from kiosk.playlist import read_playlist
    from kiosk.resolve import resolve_entries
    from kiosk.schedule import active
    from kiosk.themes import get_theme
    from kiosk.workcal import load_calendar

    config = load_config(args.config, env.environ)
    tz = ZoneInfo(config.timezone)
    at = parse_at(args.at, tz) if args.at else env.clock(tz).now()
    size = parse_size(args.size) if args.size else (config.display.size or (1920, 1080))
    rotate = args.rotate if args.rotate is not None else config.display.rotation

    calendar, cal_diags = load_calendar(config.calendar_overrides)
    for d in cal_diags:
        env.err(d.format(env.lang))

    playlist, diags = read_playlist(args.playlist, calendar=calendar, today=at.date(), tz=tz)
    for d in diags:
        env.err(d.format(env.lang))
    if playlist is None or has_errors(diags):
        raise InputError([d for d in diags if d.is_error] or diags)

    theme_name = args.theme or playlist.frame.theme or config.display.theme
    try:
        theme = get_theme(theme_name)
    except KeyError as exc:
        raise UsageError(f"--theme: {exc.args[0]}") from None

    # Content store: resolve ref/select entries, freshness for the footer.
    from kiosk.store import read_current

    state_dir = args.state_dir or config.state_dir
    view = read_current(state_dir)
    items = view.items if view is not None else ()
    updated: date | None = None
    if view is not None and view.updated_at is not None:
        updated = view.updated_at.astimezone(tz).date()
    skipped: list[tuple[str, str]] = []
    resolved, rdiags = resolve_entries(playlist.entries, items, at)
    for d in rdiags:
        env.err(d.format(env.lang))
    for e in playlist.entries:
        if e.select is not None and not any(r.id.startswith(f"{e.id}/") for r in resolved):
            skipped.append(
                (e.id, "选择规则在内容库中没有匹配的当前内容 (selection matched nothing)")
            )
    playlist = replace(playlist, entries=tuple(resolved))
    if args.all:
        chosen = [e for e in playlist.entries if e.enabled and e.content is not None]
    else:
        chosen = [e for e in active(playlist, at, calendar) if e.content is not None]

    written = render_entries(
        chosen,
        playlist,
        out=args.out,
        size=size,
        rotate=rotate,
        theme=theme,
        at=at,
        updated=updated,
        calendar=calendar,
        fonts=config.display.fonts,
        contact_sheet=args.contact_sheet,
        skipped=skipped,
    )
    for entry_id, why in skipped:
        env.err(f"{args.playlist}: 警告: 跳过条目 {entry_id}：{why} [render.skipped]")
    env.out(
        summary(
            written,
            args.out,
            size,
            theme.name,
            at,
            chosen=len(chosen),
            every=args.all,
            lang=env.lang,
        )
    )
    return 0


def summary(
    written: list[dict[str, Any]],
    out: str,
    size: tuple[int, int],
    theme: str,
    at: datetime,
    *,
    chosen: int,
    every: bool,
    lang: str,
) -> str:
    """The last line of ``kiosk render``: how many entries and pages were written, or —
    when nothing was there to show (``chosen`` entries were picked, none could be laid
    out) — that only the default page was."""
    dims = f"{size[0]}x{size[1]}"
    pages = len(written)
    ids = {w["entry"] for w in written}
    if ids == {DEFAULT_ENTRY} and all(w["kind"] == "default" for w in written):
        when = f"{at:%Y-%m-%d %H:%M}"
        if lang == "en":
            if chosen:
                why = f"none of the {chosen} entries could be shown (see the warnings above)"
            else:
                why = "no enabled entries" if every else f"nothing to show at {when}"
            return f"{why}; wrote the default page ({pages} page) to {out}/ ({dims}, {theme})"
        if chosen:
            why = f"{chosen} 个条目都无法显示（见上面的警告）"
        else:
            why = "没有启用的条目" if every else f"此时（{when}）没有要播放的条目"
        return f"{why}，已写入默认页面 {pages} 页 → {out}/（{dims}，主题 {theme}）"
    if lang == "en":
        return f"wrote {pages} page(s) of {len(ids)} entries to {out}/ ({dims}, {theme})"
    return f"已写入 {len(ids)} 个条目共 {pages} 页 → {out}/（{dims}，主题 {theme}）"


def render_entries(
    chosen: list[Entry],
    playlist: Playlist,
    *,
    out: str,
    size: tuple[int, int],
    rotate: int,
    theme: Any,
    at: datetime,
    updated: date | None,
    calendar: Any,
    fonts: Any,
    contact_sheet: bool = False,
    skipped: list[tuple[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """Lay out and draw ``chosen`` into ``out``; returns the index records written."""
    import pygame

    from kiosk.draw import Renderer, rotate_surface
    from kiosk.images import FileProbe, ImageCache
    from kiosk.layout import (
        LayoutContext,
        LayoutError,
        SlidePage,
        clock_ops,
        default_slide,
        frame_ops,
        layout_entry,
        ticker_text,
    )
    from kiosk.layout.textblock import title_text
    from kiosk.measure import FontMetrics

    skipped = skipped if skipped is not None else []
    metrics = FontMetrics(fonts)
    renderer = Renderer(fonts, metrics=metrics, images=ImageCache())
    ctx = LayoutContext(
        size=size,
        theme=theme,
        metrics=metrics,
        fonts=fonts,
        defaults=playlist.defaults,
        frame=playlist.frame,
        ticker=playlist.ticker,
        base_dir=os.path.dirname(os.path.abspath(playlist.path)),
        calendar=calendar,
        now=at,
        media=FileProbe(),
    )
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as exc:
        raise KioskError(
            f"无法创建输出目录 (cannot create) {out}: {exc}", key="render.out"
        ) from exc
    _remove_previous(out)

    frame = frame_ops(ctx, at, updated) + clock_ops(ctx, at)
    tx, ty, tw, th = ctx.regions.ticker
    tick = ticker_text(ctx.ticker)
    strip = renderer.ticker_strip(tick, th, theme, ctx.sizes.ticker) if tick else None

    def draw(page: SlidePage) -> Any:
        if page.fullscreen:
            surf = renderer.render(size, page.background, page.ops)
        else:
            surf = renderer.render(size, theme.background, frame, page.ops)
            m = ctx.sizes.margin
            if strip is not None:  # as the player: no ticker items, no strip
                surf.blit(strip, (tx + m, ty), pygame.Rect(0, 0, max(0, tw - m), th))
        return rotate_surface(surf, rotate)

    records: list[dict[str, Any]] = []
    thumbs: list[tuple[Any, str]] = []
    pages_by_entry: list[tuple[str, list[SlidePage]]] = []
    for entry in chosen:
        try:
            pages_by_entry.append((entry.id, layout_entry(entry, ctx)))
        except LayoutError as exc:
            skipped.append((entry.id, str(exc)))
    if not pages_by_entry:
        pages_by_entry.append((DEFAULT_ENTRY, [default_slide(ctx)]))
    for n, (entry_id, pages) in enumerate(pages_by_entry, 1):
        for page in pages:
            name = file_name(n, entry_id, page.page)
            surf = draw(page)
            try:
                pygame.image.save(surf, os.path.join(out, name))
            except (pygame.error, OSError) as exc:
                raise KioskError(
                    f"无法写入 (cannot write) {name}: {exc}", key="render.out"
                ) from exc
            records.append(
                {
                    "file": name,
                    "entry": entry_id,
                    "kind": page.kind,
                    "page": page.page,
                    "pages": page.pages,
                    "seconds": page.seconds,
                    "lines": list(page.lines),
                    "missing_glyphs": list(page.missing_glyphs),
                    "fonts": list(page.fonts),
                    "title": title_text(page.title),
                }
            )
            if contact_sheet:
                label = "默认页" if entry_id == DEFAULT_ENTRY else entry_id
                thumbs.append((surf, f"{label} · {page.page}/{page.pages}"))
    if contact_sheet:
        sheet = _contact_sheet(renderer, thumbs, theme)
        pygame.image.save(sheet, os.path.join(out, CONTACT_SHEET))
    data = json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    tmp = os.path.join(out, INDEX + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(data)
    os.replace(tmp, os.path.join(out, INDEX))
    log.info("render.done pages=%d dir=%s", len(records), out)
    return records


def _remove_previous(out: str) -> None:
    """Delete the PNGs a previous run listed in its index (and its contact sheet), so the
    directory shows exactly this run; other files are left alone."""
    try:
        with open(os.path.join(out, INDEX), encoding="utf-8") as fh:
            old = json.load(fh)
    except (OSError, ValueError):
        return
    names = [r.get("file") for r in old if isinstance(r, dict)] if isinstance(old, list) else []
    for name in [*names, CONTACT_SHEET]:
        if isinstance(name, str) and re.fullmatch(r"[0-9A-Za-z._-]+\.png", name):
            with contextlib.suppress(OSError):
                os.remove(os.path.join(out, name))


def _contact_sheet(renderer: Any, thumbs: list[tuple[Any, str]], theme: Any) -> Any:
    """All pages as thumbnails in a grid, each labelled with its entry and page."""
    import pygame

    from kiosk.displaylist import TextOp

    cols = 4
    tw = 480
    label = 26
    pad = 16
    rows = max(1, -(-len(thumbs) // cols))
    th = max((round(s.get_height() * tw / s.get_width()) for s, _ in thumbs), default=270)
    width = cols * (tw + pad) + pad
    height = rows * (th + label + pad * 2) + pad
    sheet = pygame.Surface((width, height))
    sheet.fill((230, 230, 230))
    measure = renderer.metrics.measure("regular", label)
    for i, (surf, text) in enumerate(thumbs):
        r, c = divmod(i, cols)
        x = pad + c * (tw + pad)
        y = pad + r * (th + label + pad * 2)
        h = round(surf.get_height() * tw / surf.get_width())
        sheet.blit(pygame.transform.smoothscale(surf, (tw, h)), (x, y))
        text = fit_label(text, tw, measure)
        renderer.draw(
            sheet, [TextOp(text, x, y + th + pad // 2, label, (20, 20, 20), width=measure(text))]
        )
    return sheet


def fit_label(text: str, width: float, measure: Any) -> str:
    """``text`` cut short with an ellipsis in the middle of its entry id so it fits ``width``
    and keeps its page number (``… · 2/5``): long store ids ran into the next thumbnail."""
    if measure(text) <= width:
        return text
    head, sep, tail = text.rpartition(" · ")
    if not sep:
        head, tail = text, ""
    while head and measure(f"{head}…{sep}{tail}") > width:
        head = head[:-1]
    return f"{head}…{sep}{tail}"
