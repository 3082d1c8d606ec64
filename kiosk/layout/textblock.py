"""Running text for slides: styles from the theme, laid out by :mod:`kiosk.text`, turned
into text operations; titles auto-fitted."""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.displaylist import FontRole, Op, TextOp
from kiosk.layout.context import LayoutContext
from kiosk.text import Block, LaidLine, Measure, TextStyle, autofit, break_lines, layout_blocks
from kiosk.themes import Color

TITLE_LINE_HEIGHT = 1.3


def body_styles(ctx: LayoutContext, body: int | None = None) -> dict[str, TextStyle]:
    """Official-document styles: bold headings (一、 larger), body with a two-character
    first-line indent, spacing between paragraphs."""
    sz = ctx.sizes
    b = body or sz.body
    lh = sz.line_height
    h1 = max(b, round(b * sz.h1 / sz.body))
    h2 = max(b, round(b * sz.h2 / sz.body))
    para = round(b * 0.35, 2)
    return {
        "h1": TextStyle("h1", h1, 1.45, 0.0, True, round(b * 0.7, 2)),
        "h2": TextStyle("h2", h2, 1.45, 2.0, True, round(b * 0.45, 2)),
        "h3": TextStyle("h3", b, lh, 2.0, True, para),
        "body": TextStyle("body", b, lh, 2.0, False, para),
        "list": TextStyle("list", b, lh, 2.0, False, para),
    }


def font_of(style: TextStyle) -> FontRole:
    return "bold" if style.bold else "regular"


def lay_blocks(
    ctx: LayoutContext, blocks: Sequence[Block], width: float, body: int | None = None
) -> list[LaidLine]:
    styles = body_styles(ctx, body)
    return layout_blocks(
        blocks, width, styles, lambda st: ctx.metrics.measure(font_of(st), st.size)
    )


def line_ops(
    lines: Sequence[LaidLine],
    x0: float,
    y0: float,
    color: Color,
    heading_color: Color | None = None,
) -> list[TextOp]:
    """Text operations for laid-out lines whose ``y`` is relative to ``y0``; each line's
    em box is centred vertically in its line box."""
    out: list[TextOp] = []
    for ln in lines:
        st = ln.style
        c = heading_color if (heading_color is not None and ln.role.startswith("h")) else color
        y = y0 + ln.y + (ln.height - st.size) / 2
        out.append(TextOp(ln.text, x0 + ln.x, y, st.size, c, font_of(st), ln.role, ln.width))
    return out


def balanced_lines(text: str, width: float, measure: Measure, n: int) -> list[str]:
    """The lines of ``text`` broken into ``n`` lines of similar length: the narrowest column
    (found by bisection) that still needs only ``n`` lines. Titles then read as a block
    instead of one full line and a stub."""
    lo, hi = measure(text) / n * 0.9, width
    best = break_lines(text, width, measure)
    for _ in range(12):
        mid = (lo + hi) / 2
        trial = break_lines(text, mid, measure)
        if len(trial) <= n:
            best, hi = trial, mid
        else:
            lo = mid
    return best


def fitted_title(
    ctx: LayoutContext,
    text: str,
    x: float,
    y: float,
    width: float,
    *,
    max_size: int,
    min_size: int,
    max_lines: int = 2,
    color: Color,
    align: str = "center",
    font: FontRole = "title",
    role: str = "title",
    line_height: float = TITLE_LINE_HEIGHT,
    balance: bool = True,
) -> tuple[list[Op], float]:
    """An auto-fitted title (largest size in range that fits ``max_lines`` lines); returns
    the ops and the y just below the last line box."""
    height = max_size * line_height * max_lines
    size, lines = autofit(
        text,
        width,
        height,
        range(min_size, max_size + 1),
        lambda s: ctx.metrics.measure(font, s),
        line_height=line_height,
        max_lines=max_lines,
    )
    measure = ctx.metrics.measure(font, size)
    if len(lines) > max_lines:  # did not fit even at the smallest size: shorten the last line
        keep = lines[: max_lines - 1]
        rest = "".join(lines[max_lines - 1 :])
        while rest and measure(rest + "…") > width:
            rest = rest[:-1]
        lines = [*keep, rest + "…"]
    elif balance and len(lines) > 1:
        lines = balanced_lines(text, width, measure, len(lines))
    ops: list[Op] = []
    step = size * line_height
    for i, line in enumerate(lines):
        w = measure(line)
        lx = x + (width - w) / 2 if align == "center" else x
        ly = y + i * step + (step - size) / 2
        ops.append(TextOp(line, lx, ly, size, color, font, role, w))
    return ops, y + len(lines) * step
