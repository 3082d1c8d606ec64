"""Slide layout (pure): an entry, a screen size, a theme and font metrics in; pages of
display lists out.

Public API (used by the player and ``kiosk render``)::

    regions(size, theme) -> Regions
    layout_entry(entry, ctx) -> list[SlidePage]     # raises LayoutError for missing media
    frame_ops(ctx, now, updated) -> DisplayList      # header/footer, no clock, no ticker text
    clock_ops(ctx, now) -> DisplayList               # date + time over the clock region
    default_slide(ctx) -> SlidePage                  # calm page when nothing is active
    ticker_text(ticker) -> str                       # one loop of the ticker strip

Coordinates are logical screen pixels (before rotation). Page operations cover the
content region (``ctx.regions.content``), except alert pages (``fullscreen=True``), which
cover the whole screen and are shown without the frame.
"""

from __future__ import annotations

from kiosk.displaylist import FontRole, Op, TextOp
from kiosk.layout.alert import layout_alert
from kiosk.layout.common import SlidePage, background, fit_line, make_page
from kiosk.layout.context import LayoutContext
from kiosk.layout.frame import (
    Regions,
    clock_ops,
    format_date,
    format_time,
    frame_ops,
    regions,
    ticker_text,
)
from kiosk.layout.guide import layout_guide
from kiosk.layout.media import LayoutError, layout_image, layout_pdf
from kiosk.layout.notice import layout_notice, publicity_text
from kiosk.layout.report import layout_report
from kiosk.model import Alert, Entry, Guide, Image, Notice, Pdf, Report

__all__ = [
    "LayoutContext",
    "LayoutError",
    "Regions",
    "SlidePage",
    "clock_ops",
    "default_slide",
    "format_date",
    "format_time",
    "frame_ops",
    "layout_entry",
    "publicity_text",
    "regions",
    "ticker_text",
]


def layout_entry(entry: Entry, ctx: LayoutContext) -> list[SlidePage]:
    """All pages of one entry (its ``content`` must be resolved). Raises
    :class:`LayoutError` when its image/PDF cannot be read; an entry without content
    gives no pages."""
    c = entry.content
    if isinstance(c, Notice):
        return layout_notice(entry, c, ctx)
    if isinstance(c, Guide):
        return layout_guide(entry, c, ctx)
    if isinstance(c, Report):
        return layout_report(entry, c, ctx)
    if isinstance(c, Image):
        return layout_image(entry, c, ctx)
    if isinstance(c, Pdf):
        return layout_pdf(entry, c, ctx)
    if isinstance(c, Alert):
        return layout_alert(entry, c, ctx)
    return []


def default_slide(ctx: LayoutContext) -> SlidePage:
    """A calm page for when nothing is scheduled: the office, a greeting, the phone."""
    t = ctx.theme
    sz = ctx.sizes
    cx, cy, cw, ch = ctx.regions.content
    m = sz.margin
    lines: list[tuple[str, int, FontRole, tuple[int, int, int]]] = [
        (ctx.frame.office, sz.title, "title", t.text),
        ("政务公开　便民服务", sz.h1, "bold", t.accent),
        ("欢迎您前来办事", sz.body, "regular", t.muted),
    ]
    if ctx.frame.phone:
        lines.append((f"咨询电话：{ctx.frame.phone}", sz.body, "regular", t.muted))
    steps = [round(size * 1.9) for _, size, _, _ in lines]
    y = cy + (ch - sum(steps)) / 2
    ops: list[Op] = [background(ctx.regions.content, t.background)]
    for (text, size, font, color), step in zip(lines, steps, strict=True):
        fsize, text = fit_line(ctx, text, font, size, cw - 2 * m, sz.body)
        w = ctx.metrics.measure(font, fsize)(text)
        ops.append(
            TextOp(
                text, cx + (cw - w) / 2, y + (step - fsize) / 2, fsize, color, font, "welcome", w
            )
        )
        y += step
    return make_page(
        ctx,
        entry_id="",
        kind="default",
        page=1,
        pages=1,
        seconds=ctx.defaults.max_seconds,
        ops=ops,
        title=ctx.frame.office,
    )
