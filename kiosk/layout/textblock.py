"""Running text for slides: styles from the theme, laid out by :mod:`kiosk.text`, turned
into text operations; titles auto-fitted."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import combinations, pairwise

from kiosk.displaylist import FontRole, Op, TextOp
from kiosk.layout.context import LayoutContext
from kiosk.text import Block, LaidLine, Measure, TextStyle, autofit, break_lines, layout_blocks
from kiosk.text.linebreak import CLOSING, OPENING
from kiosk.themes import Color

TITLE_LINE_HEIGHT = 1.3

#: Each extra line a fitted title takes must buy this much size: a title on fewer lines
#: wins unless more lines make it larger by more than the factor (one line at 80 % of the
#: two-line size reads better than two lines, and keeps words together).
FEWER_LINES = 0.8
#: How much a break the writer marked (a space between Chinese characters) or a break
#: after punctuation is preferred to a break between any two characters, which may split
#: a word (草|原): a natural two-line split wins unless the other is over 1.2× larger.
NATURAL_BREAK = 1.2

_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
# A space between two Chinese characters (or CJK punctuation): a break hint, not a space.
_HINT = re.compile(f"(?<=[{_CJK}]) +(?=[{_CJK}])")
# Punctuation after which a title reads well broken (the mark stays on the first line).
_AFTER_PUNCT = frozenset("，、：；！？·）》」』】〕”")
# Marks whose glyph fills only the left half of the em in Simplified Chinese fonts.
_BLANK_RIGHT = frozenset("，。、：；！？）》」』】〕”’")


def centred_x(x: float, width: float, line: str, w: float, size: int) -> float:
    """Left edge of ``line`` (advance ``w``) centred in ``[x, x + width]``.  A line ending
    in a stop or closing mark (，。：）…) has a blank right half-em in the SC design, so the
    ink is centred rather than the advance (never past the right edge)."""
    blank = size * 0.5 if line and line[-1] in _BLANK_RIGHT else 0.0
    return min(x + (width - w + blank) / 2, x + width - w) if w <= width else x


def title_parts(text: str) -> list[str]:
    """A title cut at its break hints: ``冬春季森林草原 防火期提示`` → two parts.  Chinese is
    written without spaces, so a space between two Chinese characters marks where the
    writer wants the title broken if it must be; it is not drawn."""
    return [p for p in _HINT.split(text.strip()) if p]


def title_text(text: str) -> str:
    """The title as drawn on one line (break hints removed)."""
    return "".join(title_parts(text))


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
    enough: int | None = None,
) -> tuple[list[Op], float]:
    """An auto-fitted title; returns the ops and the y just below the last line box.

    The size is the largest in range that fits ``max_lines`` lines, but fewer lines win
    unless more lines make the title larger than :data:`FEWER_LINES` allows; where it
    breaks, the lines are balanced, preferring the writer's break hints (spaces between
    Chinese characters) and breaks after punctuation to a break between any two
    characters (see :func:`choose_title_lines`)."""
    size, lines = choose_title_lines(
        text,
        width,
        max_size * line_height * max_lines,
        range(min_size, max_size + 1),
        lambda s: ctx.metrics.measure(font, s),
        line_height=line_height,
        max_lines=max_lines,
        balance=balance,
        enough=enough,
    )
    measure = ctx.metrics.measure(font, size)
    if len(lines) > max_lines:  # did not fit even at the smallest size: shorten the last line
        keep = lines[: max_lines - 1]
        rest = "".join(lines[max_lines - 1 :])
        while rest and measure(rest + "…") > width:
            rest = rest[:-1]
        lines = [*keep, rest + "…"]
    ops: list[Op] = []
    step = size * line_height
    for i, line in enumerate(lines):
        w = measure(line)
        lx = centred_x(x, width, line, w, size) if align == "center" else x
        ly = y + i * step + (step - size) / 2
        ops.append(TextOp(line, lx, ly, size, color, font, role, w))
    return ops, y + len(lines) * step


def _largest_size(
    lines: Sequence[str],
    width: float,
    height: float,
    sizes: Sequence[int],
    measure_at: Callable[[int], Measure],
    line_height: float,
) -> int | None:
    """The largest of ``sizes`` (ascending) at which these fixed lines fit the box."""
    if len(lines) * sizes[0] * line_height > height + 1e-6:
        return None
    lo, hi, best = 0, len(sizes) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        size = sizes[mid]
        m = measure_at(size)
        if len(lines) * size * line_height <= height + 1e-6 and all(
            m(ln) <= width + 1e-6 for ln in lines
        ):
            best, lo = size, mid + 1
        else:
            hi = mid - 1
    return best


def choose_title_lines(
    text: str,
    width: float,
    height: float,
    sizes: range | Sequence[int],
    measure_at: Callable[[int], Measure],
    *,
    line_height: float = TITLE_LINE_HEIGHT,
    max_lines: int = 2,
    balance: bool = True,
    enough: int | None = None,
) -> tuple[int, list[str]]:
    """Size and lines for a short title in a ``width`` × ``height`` box — pure.

    Candidates: for each line count up to ``max_lines``, the largest size at which the
    title fits (broken anywhere the line-breaking rules allow, lines balanced), and the
    largest size for each split at natural breaks (break hints, else after punctuation).
    Each is scored ``size × FEWER_LINES^(lines-1)``, natural splits × ``NATURAL_BREAK``,
    with sizes above ``enough`` (large enough to read from afar) counting as ``enough``;
    the best score wins, then the larger size.  When nothing fits, the smallest size and
    its (too many) lines."""
    ordered = sorted(set(sizes))
    parts = title_parts(text)
    plain = "".join(parts)
    best: tuple[float, int, list[str]] | None = None

    def consider(factor: float, size: int, lines: list[str]) -> None:
        nonlocal best
        score = (size if enough is None else min(size, enough)) * factor
        if best is None or (score, size) > (best[0] + 1e-9, best[1]):
            best = (score, size, lines)

    for n in range(1, max_lines + 1):
        size, lines = autofit(
            plain, width, height, ordered, measure_at, line_height=line_height, max_lines=n
        )
        if len(lines) > n or len(lines) * size * line_height > height + 1e-6:
            continue
        if balance and len(lines) > 1:
            lines = balanced_lines(plain, width, measure_at(size), len(lines))
        consider(FEWER_LINES ** (len(lines) - 1), size, lines)
    # Natural splits: at the hints if the writer gave any, else after punctuation.
    if len(parts) > 1:
        cuts, joined = [], ""
        for p in parts[:-1]:
            joined += p
            cuts.append(len(joined))
    else:
        cuts = [i + 1 for i, ch in enumerate(plain[:-1]) if ch in _AFTER_PUNCT]
    cuts = [c for c in cuts if plain[c] not in CLOSING and plain[c - 1] not in OPENING][:12]
    for k in range(1, min(max_lines, len(cuts) + 1)):
        for chosen in combinations(cuts, k):
            bounds = [0, *chosen, len(plain)]
            lines = [plain[a:b] for a, b in pairwise(bounds)]
            size_or_none = _largest_size(lines, width, height, ordered, measure_at, line_height)
            if size_or_none is not None:
                consider(FEWER_LINES**k * NATURAL_BREAK, size_or_none, lines)
    if best is not None:
        return best[1], best[2]
    smallest = ordered[0]
    return smallest, break_lines(plain, width, measure_at(smallest))
