"""Shared layout helpers: single-line fitting, text ops, badges, QR blocks, page markers,
and assembling a :class:`SlidePage` from a display list."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kiosk.displaylist import BoxOp, DisplayList, FontRole, ImageOp, Op, Rect, TextOp, text_ops
from kiosk.layout.context import LayoutContext
from kiosk.layout.textblock import balanced_lines, title_parts
from kiosk.model import Entry
from kiosk.qr import qr_source
from kiosk.text import page_seconds
from kiosk.themes import Color

ELLIPSIS = "…"


@dataclass(frozen=True)
class SlidePage:
    """One screen page of an entry, laid out.

    ``ops`` are in logical screen coordinates and cover only the content region (or the
    whole screen when ``fullscreen``; alerts). ``lines`` are the texts of the page's text
    operations in reading order, exactly as drawn. ``seconds`` is the display time.
    """

    entry_id: str
    kind: str
    page: int  # from 1
    pages: int
    seconds: float
    lines: tuple[str, ...]
    ops: DisplayList
    missing_glyphs: tuple[str, ...] = ()
    fonts: tuple[str, ...] = ()
    fullscreen: bool = False
    title: str = ""
    background: Color = (255, 255, 255)


def make_page(
    ctx: LayoutContext,
    *,
    entry_id: str,
    kind: str,
    page: int,
    pages: int,
    seconds: float,
    ops: Sequence[Op],
    fullscreen: bool = False,
    title: str = "",
    background: Color | None = None,
) -> SlidePage:
    texts = list(text_ops(ops))
    missing: dict[str, None] = {}
    fonts: dict[str, None] = {}
    by_font: dict[FontRole, list[str]] = {}
    for op in texts:
        by_font.setdefault(op.font, []).append(op.text)
    for role, parts in by_font.items():
        fonts[ctx.metrics.face_name(role)] = None
        for ch in ctx.metrics.missing("".join(parts), role):
            missing[ch] = None
    return SlidePage(
        entry_id=entry_id,
        kind=kind,
        page=page,
        pages=pages,
        seconds=round(seconds, 1),
        lines=tuple(op.text for op in texts),
        ops=tuple(ops),
        missing_glyphs=tuple(missing),
        fonts=tuple(sorted(fonts)),
        fullscreen=fullscreen,
        title=title,
        background=background or ctx.theme.background,
    )


def text_op(
    ctx: LayoutContext,
    text: str,
    x: float,
    y: float,
    size: int,
    color: Color,
    font: FontRole = "regular",
    role: str = "body",
) -> TextOp:
    width = ctx.metrics.measure(font, size)(text)
    return TextOp(text, float(x), float(y), size, color, font, role, width)


def fit_line(
    ctx: LayoutContext,
    text: str,
    font: FontRole,
    size: int,
    max_width: float,
    min_size: int | None = None,
) -> tuple[int, str]:
    """Largest size from ``size`` down to ``min_size`` at which ``text`` fits on one line;
    if it never fits, the text is shortened with an ellipsis at ``min_size``."""
    low = min_size if min_size is not None else size
    s = size
    while s > low and ctx.metrics.measure(font, s)(text) > max_width:
        s -= max(1, s // 24)
    s = max(s, low)
    measure = ctx.metrics.measure(font, s)
    if measure(text) <= max_width:
        return s, text
    cut = text
    while cut and measure(cut + ELLIPSIS) > max_width:
        cut = cut[:-1]
    return s, cut.rstrip() + ELLIPSIS


def centered_x(rect: Rect, width: float) -> float:
    return rect[0] + (rect[2] - width) / 2


def inset(rect: Rect, dx: int, dy: int | None = None) -> Rect:
    dy = dx if dy is None else dy
    x, y, w, h = rect
    return (x + dx, y + dy, max(0, w - 2 * dx), max(0, h - 2 * dy))


def badge(
    ctx: LayoutContext, text: str, x: float, y: float, size: int, *, fill: Color, color: Color
) -> tuple[list[Op], float, int]:
    """A rounded label: ops, its width and height, top-left at (x, y)."""
    pad_x = round(size * 0.45)
    pad_y = round(size * 0.22)
    w = ctx.metrics.measure("bold", size)(text)
    box_w = round(w + 2 * pad_x)
    box_h = size + 2 * pad_y
    ops: list[Op] = [
        BoxOp((round(x), round(y), box_w, box_h), fill, radius=round(size * 0.2)),
        TextOp(text, x + pad_x, y + pad_y, size, color, "bold", "badge", w),
    ]
    return ops, box_w, box_h


def page_marker_text(page: int, pages: int) -> str:
    return f"第 {page} / {pages} 页"


def page_marker(ctx: LayoutContext, page: int, pages: int, right: float, bottom: float) -> TextOp:
    """``第 n / N 页`` right-aligned at ``right``, bottom of its em box at ``bottom``."""
    size = ctx.sizes.small
    text = page_marker_text(page, pages)
    w = ctx.metrics.measure("regular", size)(text)
    return TextOp(text, right - w, bottom - size, size, ctx.theme.muted, "regular", "page", w)


def qr_block(ctx: LayoutContext, url: str, rect: Rect, caption: str = "扫码 查看全文") -> list[Op]:
    """A QR code on a white card with a caption underneath, centred in ``rect``.
    The code is dark on white in every theme (scanners need it).  A caption too wide for
    the card at a readable size goes on two lines (the code a little smaller) rather than
    being cut short, broken at its break hint (a space between Chinese characters, not
    drawn) if it has one."""
    sz = ctx.sizes
    cap_size = sz.small
    x, y, w, h = rect
    measure = ctx.metrics.measure("regular", cap_size)
    parts = title_parts(caption)
    caption = "".join(parts)
    captions = [caption]
    step = round(cap_size * 1.3)
    if measure(caption) > w and ctx.metrics.measure("regular", round(cap_size * 0.9))(caption) > w:
        two = parts if len(parts) == 2 else balanced_lines(caption, w, measure, 2)
        side2 = min(w, h - round(cap_size * 1.6) - step)
        if len(two) == 2 and all(measure(ln) <= w for ln in two) and side2 >= 4 * cap_size:
            captions = two
    side = max(0, min(w, h - round(cap_size * 1.6) - step * (len(captions) - 1)))
    if side < 4 * cap_size:
        return []
    card_x = x + (w - side) // 2
    ops: list[Op] = [
        BoxOp((card_x, y, side, side), (255, 255, 255), radius=round(side * 0.03)),
        ImageOp(inset((card_x, y, side, side), round(side * 0.04)), qr_source(url), "pixel"),
    ]
    if len(captions) == 1:
        cap_size, text = fit_line(ctx, caption, "regular", cap_size, w, round(cap_size * 0.75))
        captions = [text]
    measure = ctx.metrics.measure("regular", cap_size)
    for i, text in enumerate(captions):
        cap_w = measure(text)
        ops.append(
            TextOp(
                text,
                x + (w - cap_w) / 2,
                y + side + round(cap_size * 0.45) + i * step,
                cap_size,
                ctx.theme.muted,
                "regular",
                "caption",
                cap_w,
            )
        )
    return ops


def background(rect: Rect, color: Color) -> BoxOp:
    return BoxOp(rect, color)


def all_text(ops: Iterable[Op]) -> str:
    return "".join(op.text for op in text_ops(ops))


def seconds_for(ctx: LayoutContext, entry: Entry, chars: int) -> float:
    """An entry's fixed per-page duration, else the playlist default, else the reading time
    of ``chars`` characters at the configured speed (within the minimum and maximum)."""
    if entry.duration is not None:
        return float(entry.duration)
    d = ctx.defaults
    if d.duration is not None:
        return float(d.duration)
    return page_seconds(chars, d.reading_speed, d.min_seconds, d.max_seconds)
