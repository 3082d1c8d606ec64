"""``guide`` (办事指南): service name, summary, 办理条件, numbered 办理流程 steps, a 所需材料
checklist, and an information panel (办理地点, 办公时间, 承诺时限, 收费标准, 咨询电话, QR) on
every page; paginated when long."""

from __future__ import annotations

from kiosk.displaylist import BoxOp, Op, Rect, TextOp
from kiosk.layout.common import (
    SlidePage,
    background,
    badge,
    inset,
    make_page,
    page_marker,
    qr_block,
    seconds_for,
)
from kiosk.layout.context import LayoutContext
from kiosk.layout.flow import Flow, Marker, flow_ops
from kiosk.layout.notice import paginate_first, running_head
from kiosk.layout.textblock import fitted_title
from kiosk.model import Entry, Guide
from kiosk.text import break_lines, paginate

PORTRAIT_QR = 0.34  # QR side as a share of the portrait panel's width


def panel_rows(g: Guide) -> list[tuple[str, str]]:
    rows = [
        ("办理地点", g.location),
        ("办公时间", g.hours),
        ("承诺时限", g.time_limit),
        ("收费标准", g.fee),
        ("咨询电话", g.phone),
    ]
    return [(k, v.strip()) for k, v in rows if v and v.strip()]


def _rows(
    ctx: LayoutContext,
    rows: list[tuple[str, str]],
    ix: float,
    iy: float,
    text_w: float,
    vsize: int,
    *,
    stacked: bool,
) -> tuple[list[Op], float]:
    """Label/value rows from (ix, iy): labels above values (``stacked``) or in a column to
    their left. Returns the ops and the height used."""
    t = ctx.theme
    sz = ctx.sizes
    out: list[Op] = []
    ly = float(iy)
    lsize = min(sz.small, vsize)
    lmeasure = ctx.metrics.measure("bold", lsize)
    vmeasure = ctx.metrics.measure("regular", vsize)
    col = lmeasure("办理地点") + lsize * 0.8
    for label, value in rows:
        lw = lmeasure(label)
        if stacked:
            out.append(TextOp(label, ix, ly, lsize, t.accent, "bold", "label", lw))
            ly += lsize * 1.3
            for line in break_lines(value, text_w, vmeasure):
                out.append(
                    TextOp(line, ix, ly, vsize, t.panel_text, "regular", "value", vmeasure(line))
                )
                ly += vsize * 1.3
            ly += lsize * 0.55
        else:
            out.append(
                TextOp(label, ix, ly + (vsize - lsize) / 2, lsize, t.accent, "bold", "label", lw)
            )
            for line in break_lines(value, text_w - col, vmeasure):
                out.append(
                    TextOp(
                        line, ix + col, ly, vsize, t.panel_text, "regular", "value", vmeasure(line)
                    )
                )
                ly += vsize * 1.3
            ly += vsize * 0.3
    if rows:
        ly -= (lsize * 0.55) if stacked else (vsize * 0.3)
    return out, ly - iy


def portrait_panel_height(ctx: LayoutContext, g: Guide, width: int) -> int:
    """Height the portrait panel needs: rows at body size, the QR code below them."""
    sz = ctx.sizes
    pad = round(sz.small * 0.7)
    iw = width - 2 * pad
    _, used = _rows(ctx, panel_rows(g), 0, 0, iw, sz.body, stacked=False)
    qr = round(iw * PORTRAIT_QR) + round(sz.small * 1.6) + round(sz.small * 0.5) if g.url else 0
    return round(used + qr + 2 * pad)


def _panel_ops(
    ctx: LayoutContext, g: Guide, rect: Rect, *, qr_below: bool, qr_ratio: float = 0.6
) -> tuple[list[Op], bool]:
    """The information panel inside ``rect``: label/value rows, the QR code below them
    (landscape side panel) or at their right (portrait bottom panel). Rows take the largest
    size from body down to small that leaves room for a scannable QR code; without room the
    QR code is left out before any row is. Returns ops and whether all rows fitted."""
    t = ctx.theme
    sz = ctx.sizes
    ops: list[Op] = [BoxOp(rect, t.panel_bg, radius=round(sz.gap * 0.6))]
    pad = round(sz.small * 0.7)
    ix, iy, iw, ih = inset(rect, pad)
    rows = panel_rows(g)
    cap = round(sz.small * 1.6)  # QR caption row
    qr_min = round(sz.small * 4.2)  # smallest QR worth showing (scannable at arm's length)

    def collides(rect: Rect, ops: list[Op]) -> bool:
        x, y, w, h = rect
        for op in ops:
            if isinstance(op, TextOp):
                ox, oy, ow, oh = op.rect
                if ox < x + w and x - pad < ox + ow and oy < y + h and y < oy + oh:
                    return True
        return False

    def attempt(with_qr: bool) -> tuple[list[Op], float, Rect | None] | None:
        for vsize in range(sz.body, sz.small - 1, -1):
            body, used = _rows(ctx, rows, ix, iy, iw, vsize, stacked=False)
            if used > ih + 0.5:
                continue
            if not with_qr:
                return body, used, None
            # Below the rows, centred …
            side = min(round(iw * qr_ratio), round(ih - used - sz.small * 0.5 - cap))
            if side >= qr_min:
                return body, used, (ix, iy + round(used + sz.small * 0.5), iw, side + cap)
            # … or in the bottom-right corner beside short rows.
            side = min(round(iw * 0.4), ih - cap)
            while side >= qr_min:
                rect = (ix + iw - side, iy + ih - side - cap, side, side + cap)
                if not collides(rect, body):
                    return body, used, rect
                side -= max(2, side // 16)
        return None

    found = attempt(True) if g.url else None
    if found is None:
        found = attempt(False)
    fitted = found is not None
    if found is None:  # even the smallest size overflows: draw the rows that fit
        body, used = _rows(ctx, rows, ix, iy, iw, sz.small, stacked=False)
        body = [op for op in body if isinstance(op, TextOp) and op.y + op.size <= iy + ih]
        found = (body, used, None)
    body, used, qr_rect = found
    ops += body
    if qr_rect is not None:
        ops += qr_block(ctx, g.url or "", qr_rect, caption="扫码 办理")
    return ops, fitted


def layout_guide(entry: Entry, g: Guide, ctx: LayoutContext) -> list[SlidePage]:
    t = ctx.theme
    sz = ctx.sizes
    cx, cy, cw, ch = ctx.regions.content
    m = sz.margin
    ix, iy, iw, ih = cx + m, cy + sz.gap, cw - 2 * m, ch - 2 * sz.gap

    marker_h = round(sz.small * 1.6)
    bottom_limit = iy + ih - marker_h
    rows = panel_rows(g)
    has_panel = bool(rows or g.url)
    side_panel = has_panel and not sz.portrait
    # Landscape: the information panel is a full-height column at the right; the title
    # and the steps share the left column.
    panel_w = round(iw * 0.4) if side_panel else 0
    col_w = iw - (panel_w + sz.gap * 2 if side_panel else 0)

    # Title row: 办事指南 badge, then the service name; on a narrow (portrait) screen the
    # badge sits above the name so the name has the whole width and stays on one line.
    b_ops, bw, bh = badge(ctx, "办事指南", ix, iy, sz.badge, fill=t.accent, color=t.on_accent)
    title_x = ix if sz.portrait else ix + bw + sz.badge * 0.7
    title_y = iy + bh + sz.gap * 0.4 if sz.portrait else iy
    title_ops, bottom = fitted_title(
        ctx,
        g.service,
        title_x,
        title_y,
        ix + col_w - title_x,
        max_size=sz.title,
        min_size=sz.body,
        color=t.text,
        align="left",
    )
    if not sz.portrait:
        first = title_ops[0] if title_ops else None
        first_line_h = first.size * 1.3 if isinstance(first, TextOp) else bh
        b_ops = [_down(op, (first_line_h - bh) / 2) for op in b_ops]
    rule_y = round(bottom + sz.gap * 0.3)
    head: list[Op] = [
        *b_ops,
        *title_ops,
        BoxOp((ix, rule_y, col_w, sz.rule), t.rule),
    ]
    top = rule_y + sz.rule + sz.gap

    first_panel_only = False
    info_in_flow = False
    if side_panel:
        panel: Rect = (ix + iw - panel_w, iy, panel_w, bottom_limit - iy)
        main: Rect = (ix, top, col_w, bottom_limit - top)
        panel_ops, _ = _panel_ops(ctx, g, panel, qr_below=True)
    elif has_panel:
        # Portrait: the panel sits at the bottom of the first page only; later pages
        # give the whole height to the steps under a running head.
        panel_h = portrait_panel_height(ctx, g, iw)
        panel_h = min(panel_h, bottom_limit - top)
        panel = (ix, bottom_limit - panel_h, iw, panel_h)
        main = (ix, top, iw, bottom_limit - panel_h - sz.gap - top)
        panel_ops, fitted = _panel_ops(ctx, g, panel, qr_below=True, qr_ratio=PORTRAIT_QR)
        first_panel_only = True
        if not fitted:
            # Too much to show beside anything, even small: the rows become the first
            # items of the text (paginated like it) rather than losing the last ones.
            panel_ops, first_panel_only = [], False
            main = (ix, top, iw, bottom_limit - top)
            info_in_flow = True
    else:
        main = (ix, top, iw, bottom_limit - top)
        panel_ops = []

    flow = Flow(ctx, main[2], sz.body)
    if info_in_flow:
        flow.heading("办事信息")
        for label, value in rows:
            flow.item(f"{label}：{value}", Marker("bullet"))
    if g.summary:
        flow.paragraphs(g.summary)
    if g.conditions:
        flow.heading("办理条件")
        for c in g.conditions:
            flow.item(c, Marker("bullet"))
    if g.steps:
        flow.heading("办理流程")
        for i, s in enumerate(g.steps, 1):
            flow.item(s, Marker("number", str(i)))
    if g.materials:
        flow.heading("所需材料")
        for mat in g.materials:
            flow.item(mat, Marker("check"))
    run_head, run_top = running_head(ctx, g.service, (ix, iy, iw, ih))
    if first_panel_only:
        pages = paginate_first(flow.lines, main[3], bottom_limit - run_top)
    else:
        pages = paginate(flow.lines, main[3]) if flow.lines else []
    total = max(1, len(pages))
    out: list[SlidePage] = []
    panel_chars = sum(len(k) + len(v) for k, v in rows)
    for i in range(total):
        ops: list[Op] = [background(ctx.regions.content, t.background)]
        flow_top = main[1]
        if first_panel_only and i > 0:
            ops += run_head
            flow_top = round(run_top)
        else:
            ops += [*head, *panel_ops]
        if pages:
            ops += flow_ops(
                ctx,
                pages[i].lines,
                flow.markers,
                main[0],
                flow_top,
                text=t.text,
                heading=t.text,
                accent=t.accent,
                on_accent=t.on_accent,
            )
        if total > 1:
            ops.append(page_marker(ctx, i + 1, total, ix + iw, iy + ih - (marker_h - sz.small) / 2))
        chars = (pages[i].chars if pages else 0) + (panel_chars + len(g.service) if i == 0 else 0)
        out.append(
            make_page(
                ctx,
                entry_id=entry.id,
                kind="guide",
                page=i + 1,
                pages=total,
                seconds=seconds_for(ctx, entry, chars),
                ops=ops,
                title=g.service,
            )
        )
    return out


def _down(op: Op, dy: float) -> Op:
    from kiosk.displaylist import translate

    return translate([op], 0, dy)[0]
