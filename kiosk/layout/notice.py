"""``notice`` (公告/公示): title, meta line with category badge, 文号, issuer and date, a red
rule, the body paginated, the 公示期 bar and a QR code to the full text."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import date
from typing import Any

from kiosk.displaylist import BoxOp, Op, Rect, TextOp, translate
from kiosk.layout.common import (
    SlidePage,
    background,
    badge,
    fit_line,
    make_page,
    page_marker,
    qr_block,
    seconds_for,
)
from kiosk.layout.context import LayoutContext
from kiosk.layout.textblock import fitted_title, lay_blocks, line_ops
from kiosk.model import Entry, Notice, Publicity
from kiosk.text import LaidLine, TextPage, paginate, parse_blocks

SEP = "　"
QR_CAPTION = "扫码查看全文"


def format_cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def publicity_text(pub: Publicity, today: date | None, calendar: object = None) -> str:
    """``公示期：11月20日至11月27日 · 剩余3个工作日`` (or 尚未开始 / 已结束)."""
    # kiosk.schedule (owner: schedule) implements the working-day arithmetic.
    schedule: Any = importlib.import_module("kiosk.schedule")
    end: date = schedule.publicity_end(pub, calendar)
    span = f"公示期：{pub.start.month}月{pub.start.day}日至{end.month}月{end.day}日"
    if pub.start.year != end.year:
        span = (
            f"公示期：{pub.start.year}年{pub.start.month}月{pub.start.day}日"
            f"至{end.year}年{end.month}月{end.day}日"
        )
    if today is None:
        return span
    if today < pub.start:
        return f"{span} · 尚未开始"
    if today > end:
        return f"{span} · 已结束"
    left = int(schedule.working_days_left(pub, today, calendar))
    if left <= 0:
        return f"{span} · 今日为最后一天"
    return f"{span} · 剩余{left}个工作日"


def meta_parts(n: Notice) -> list[str]:
    return [p for p in (n.doc_number, n.issuer, format_cn_date(n.date) if n.date else None) if p]


def meta_text(n: Notice) -> str:
    return SEP.join(meta_parts(n))


def header_ops(ctx: LayoutContext, n: Notice, inner: Rect) -> tuple[list[Op], float]:
    """First-page head: title, meta rows (category badge, 文号, issuer, date — wrapped into
    centred rows when they do not fit one) and the red rule; returns the y below."""
    t = ctx.theme
    sz = ctx.sizes
    x, y, w, _ = inner
    ops: list[Op] = []
    title_ops, bottom = fitted_title(
        ctx, n.title, x, y, w, max_size=sz.title, min_size=sz.body, color=t.text
    )
    ops += title_ops
    measure = ctx.metrics.measure("regular", sz.meta)
    gap = sz.meta * 1.0
    # Items of the meta row: (kind, text, width).
    items: list[tuple[str, str, float]] = []
    bh = sz.badge + 2 * round(sz.badge * 0.22)
    if n.category:
        _, bw, bh = badge(ctx, n.category, 0, 0, sz.badge, fill=t.accent, color=t.on_accent)
        items.append(("badge", n.category, bw))
    for part in meta_parts(n):
        _, part = fit_line(ctx, part, "regular", sz.meta, w)
        items.append(("meta", part, measure(part)))
    rows: list[list[tuple[str, str, float]]] = []
    for item in items:
        if rows and sum(i[2] for i in rows[-1]) + gap * len(rows[-1]) + item[2] <= w:
            rows[-1].append(item)
        else:
            rows.append([item])
    row_h = round(max(sz.meta * 1.45, bh * 1.15))
    row_top = bottom + sz.gap * 0.3
    for row in rows:
        total = sum(i[2] for i in row) + gap * (len(row) - 1)
        rx = x + (w - total) / 2
        for kind, text, iw in row:
            if kind == "badge":
                b_ops, _, _ = badge(
                    ctx,
                    text,
                    rx,
                    row_top + (row_h - bh) / 2,
                    sz.badge,
                    fill=t.accent,
                    color=t.on_accent,
                )
                ops += b_ops
            else:
                ops.append(
                    TextOp(
                        text,
                        rx,
                        row_top + (row_h - sz.meta) / 2,
                        sz.meta,
                        t.muted,
                        "regular",
                        "meta",
                        iw,
                    )
                )
            rx += iw + gap
        row_top += row_h
    bottom = row_top + sz.gap * 0.5
    ops.append(BoxOp((round(x), round(bottom), w, sz.rule), t.rule))
    return ops, bottom + sz.rule + sz.gap


def running_head(ctx: LayoutContext, title: str, inner: Rect) -> tuple[list[Op], float]:
    """Continuation-page head: the title, smaller, over a thin rule — on one line, or on
    two balanced lines when one would be too small (never cut short: a resident who comes
    by in the middle of a long notice reads here what it is)."""
    t = ctx.theme
    sz = ctx.sizes
    x, y, w, _ = inner
    ops: list[Op]
    ops, bottom = fitted_title(
        ctx,
        title,
        x,
        y,
        w,
        max_size=sz.h2,
        min_size=sz.small,
        color=t.text,
        font="bold",
        line_height=1.45,
    )
    rule = max(2, sz.rule // 2)
    bottom += sz.gap * 0.3
    ops.append(BoxOp((round(x), round(bottom), w, rule), t.rule))
    return ops, bottom + rule + sz.gap


def publicity_box(
    ctx: LayoutContext, text: str, x: float, y: float, max_w: float
) -> tuple[list[Op], float, float]:
    """The 公示期 bar at (x, y): one line, or two (split at ``·``) when one does not fit.
    Returns ops, width and height."""
    t = ctx.theme
    sz = ctx.sizes
    pad = round(sz.small * 0.55)
    size = sz.small
    measure = ctx.metrics.measure("bold", size)
    lines = [text]
    if measure(text) > max_w - 2 * pad:
        head, sep, tail = text.partition(" · ")
        lines = [head, tail] if sep else [text]
    fitted = [fit_line(ctx, ln, "bold", size, max_w - 2 * pad, round(size * 0.8)) for ln in lines]
    size = min(s for s, _ in fitted)
    measure = ctx.metrics.measure("bold", size)
    texts = [ln for _, ln in fitted]
    step = size * 1.3
    w = max(measure(ln) for ln in texts) + 2 * pad
    h = step * (len(texts) - 1) + size + 2 * pad * 0.9
    ops: list[Op] = [
        BoxOp((round(x), round(y), round(w), round(h)), t.notice_bg, radius=round(size * 0.3))
    ]
    for i, ln in enumerate(texts):
        ops.append(
            TextOp(
                ln,
                x + pad,
                y + pad * 0.9 + i * step,
                size,
                t.notice_text,
                "bold",
                "publicity",
                measure(ln),
            )
        )
    return ops, w, h


def paginate_first(lines: Sequence[LaidLine], first_h: float, rest_h: float) -> list[TextPage]:
    """Paginate with a shorter first page (it carries the full head)."""
    if not lines:
        return []
    if first_h < lines[0].height:
        return [TextPage((), 0), *paginate(lines, rest_h)]
    first = paginate(lines, first_h)
    if len(first) <= 1:
        return first
    k = len(first[0].lines)
    return [first[0], *paginate(lines[k:], rest_h)]


def layout_notice(entry: Entry, n: Notice, ctx: LayoutContext) -> list[SlidePage]:
    t = ctx.theme
    sz = ctx.sizes
    cx, cy, cw, ch = ctx.regions.content
    m = sz.margin
    inner: Rect = (cx + m, cy + sz.gap, cw - 2 * m, ch - 2 * sz.gap)
    ix, iy, iw, ih = inner
    full_head, full_top = header_ops(ctx, n, inner)
    run_head, run_top = running_head(ctx, n.title, inner)

    today = ctx.now.date() if ctx.now is not None else None
    pub_text = publicity_text(n.publicity, today, ctx.calendar) if n.publicity else ""
    marker_size = sz.small
    marker_row = round(marker_size * 1.5)

    # Bottom area and the QR code's place.
    qr_side = 0
    body_w = iw
    if n.url and not sz.portrait:
        qr_side = round(min(iw * 0.2, ih * 0.42))
        body_w = iw - qr_side - sz.gap * 2
    elif n.url:
        qr_side = round(iw * 0.24)
    cap_h = round(sz.small * 1.6)
    if qr_side and ctx.metrics.measure("regular", round(sz.small * 0.9))(QR_CAPTION) > qr_side:
        cap_h += round(sz.small * 1.3)  # room for the caption on two lines (see qr_block)
    left_w = iw - (qr_side + sz.gap * 2 if (qr_side and sz.portrait) else 0)
    pub_ops: list[Op] = []
    pub_w = pub_h = 0.0
    if pub_text:
        pub_ops, pub_w, pub_h = publicity_box(
            ctx, pub_text, 0, 0, left_w * (1.0 if sz.portrait else 0.75)
        )
    marker_w = ctx.metrics.measure("regular", marker_size)("第 88 / 88 页")
    if qr_side and sz.portrait:
        bottom_h = max(qr_side + cap_h, pub_h + sz.gap + marker_row)
    elif pub_ops and pub_w + marker_w + sz.gap > left_w:
        bottom_h = pub_h + sz.gap * 0.5 + marker_row
    else:
        bottom_h = max(pub_h, marker_row)
    body_bottom = iy + ih - bottom_h - sz.gap * 0.5

    lines = lay_blocks(ctx, parse_blocks(n.body), body_w)
    pages = paginate_first(lines, body_bottom - full_top, body_bottom - run_top)
    total = max(1, len(pages))
    out: list[SlidePage] = []
    title_chars = len(n.title) + len(meta_text(n))
    bottom_top = iy + ih - bottom_h
    for i in range(total):
        head, top = (full_head, full_top) if i == 0 else (run_head, run_top)
        ops: list[Op] = [background(ctx.regions.content, t.background), *head]
        if pages:
            ops += line_ops(pages[i].lines, ix, top, t.text)
        if qr_side and not sz.portrait:
            ops += qr_block(
                ctx, n.url or "", (ix + iw - qr_side, round(top), qr_side, qr_side + cap_h)
            )
        elif qr_side:
            ops += qr_block(
                ctx, n.url or "", (ix + iw - qr_side, round(bottom_top), qr_side, qr_side + cap_h)
            )
        if pub_ops:
            ops += translate(pub_ops, ix, bottom_top)
        if total > 1:
            if qr_side and sz.portrait:
                ops.append(
                    page_marker(
                        ctx,
                        i + 1,
                        total,
                        ix
                        + ctx.metrics.measure("regular", marker_size)(f"第 {i + 1} / {total} 页"),
                        iy + ih,
                    )
                )
            else:
                ops.append(
                    page_marker(
                        ctx, i + 1, total, ix + iw, iy + ih - (marker_row - marker_size) / 2
                    )
                )
        chars = (pages[i].chars if pages else 0) + (title_chars if i == 0 else 0)
        out.append(
            make_page(
                ctx,
                entry_id=entry.id,
                kind="notice",
                page=i + 1,
                pages=total,
                seconds=seconds_for(ctx, entry, chars),
                ops=ops,
                title=n.title,
            )
        )
    return out
