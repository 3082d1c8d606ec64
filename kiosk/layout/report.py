"""``report``: key-figure tiles (large numbers with labels and units), a horizontal bar
chart with Chinese labels, and the section summaries on the following pages."""

from __future__ import annotations

from kiosk.charts import bar_chart
from kiosk.displaylist import BoxOp, FontRole, Op, Rect, TextOp
from kiosk.layout.common import SlidePage, background, fit_line, make_page, page_marker, seconds_for
from kiosk.layout.context import LayoutContext
from kiosk.layout.flow import Flow, flow_ops
from kiosk.layout.textblock import balanced_lines, fitted_title
from kiosk.model import Entry, Figure, Report
from kiosk.text import break_lines, paginate

NOTE_LINES = 2


def tile_ops(
    ctx: LayoutContext, f: Figure, rect: Rect, note_lines: int = 0, label_lines: int = 1
) -> list[Op]:
    """One key-figure tile: the number large (accent), its unit beside it, the label below,
    and with ``note_lines`` the figure's note under the label."""
    t = ctx.theme
    sz = ctx.sizes
    x, y, w, h = rect
    pad = round(sz.small * 0.6)
    ops: list[Op] = [BoxOp(rect, t.panel_bg, radius=round(sz.gap * 0.6))]
    note_ops: list[Op] = []
    if note_lines:
        step = sz.small * 1.3
        h -= round(step * note_lines)
        if f.note:
            measure = ctx.metrics.measure("regular", sz.small)
            lines = break_lines(f.note, w - 2 * pad, measure)
            if len(lines) > note_lines:
                last = "".join(lines[note_lines - 1 :])
                while last and measure(last + "…") > w - 2 * pad:
                    last = last[:-1]
                lines = [*lines[: note_lines - 1], last + "…"]
            for i, line in enumerate(lines):
                lw = measure(line)
                note_ops.append(
                    TextOp(
                        line,
                        x + (w - lw) / 2,
                        y + h - pad * 0.5 + i * step,
                        sz.small,
                        t.panel_muted,
                        "regular",
                        "note",
                        lw,
                    )
                )
    label_size = sz.meta
    lmeasure = ctx.metrics.measure("regular", label_size)
    labels = [f.label]
    if lmeasure(f.label) > w - 2 * pad:  # shrink a little, then wrap to two lines
        label_size, single = fit_line(
            ctx, f.label, "regular", sz.meta, w - 2 * pad, round(sz.meta * 0.85)
        )
        labels = [single]
        if single.endswith("…"):
            label_size = round(sz.meta * 0.85)
            lmeasure = ctx.metrics.measure("regular", label_size)
            labels = balanced_lines(f.label, w - 2 * pad, lmeasure, 2)
            if len(labels) > 2:
                labels = [
                    labels[0],
                    fit_line(ctx, "".join(labels[1:]), "regular", label_size, w - 2 * pad)[1],
                ]
    unit_size = sz.meta
    unit_w = ctx.metrics.measure("regular", unit_size)(f.unit) if f.unit else 0.0
    gap = unit_size * 0.2 if f.unit else 0.0
    label_step = label_size * 1.2
    rows_for_label = max(label_lines, len(labels))  # the same number area on every tile
    # Reserve the label area at full label size so every tile's number gets the same room.
    fig_h = h - 2 * pad - sz.meta * 0.15 - sz.meta * 1.2 * rows_for_label
    vsize = max(sz.small, min(sz.figure, round(fig_h)))
    vmeasure = ctx.metrics.measure("bold", vsize)
    while vsize > sz.body and vmeasure(f.value) + gap + unit_w > w - 2 * pad:
        vsize -= 2
        vmeasure = ctx.metrics.measure("bold", vsize)
    vw = vmeasure(f.value)
    total = vw + gap + unit_w
    vx = x + (w - total) / 2
    vy = y + pad + (fig_h - vsize) / 2
    ops.append(TextOp(f.value, vx, vy, vsize, t.accent, "bold", "figure", vw))
    if f.unit:
        # Unit sits on the number's baseline.
        uy = vy + 0.88 * vsize - 0.88 * unit_size
        ops.append(
            TextOp(f.unit, vx + vw + gap, uy, unit_size, t.panel_text, "regular", "unit", unit_w)
        )
    lmeasure = ctx.metrics.measure("regular", label_size)
    for i, label in enumerate(labels):
        lw = lmeasure(label)
        spare = (rows_for_label - len(labels)) * label_step / 2
        ly = y + h - pad - label_size * 1.15 - label_step * (len(labels) - 1 - i) - spare
        ops.append(
            TextOp(label, x + (w - lw) / 2, ly, label_size, t.panel_muted, "regular", "label", lw)
        )
    return ops + note_ops


def row_tiles(
    ctx: LayoutContext, figs: list[Figure], x: float, y: float, w: float, h: int, gap: int
) -> list[Op]:
    """Key figures on a narrow (portrait) screen: one row each, the number and unit in a
    column at the left, the label (and the note, when there is room) beside it — every
    number at one size and every label at one size, however many there are."""
    t = ctx.theme
    sz = ctx.sizes
    pad = round(sz.small * 0.6)
    unit_size = sz.meta
    umeasure = ctx.metrics.measure("regular", unit_size)

    def number_w(f: Figure, size: int) -> float:
        vw = ctx.metrics.measure("bold", size)(f.value)
        return vw + (unit_size * 0.2 + umeasure(f.unit) if f.unit else 0.0)

    # Numbers as large as the row allows, their column no wider than 45 % of the row
    # and just as wide as the widest number needs; the labels get the rest.
    vsize = max(sz.body, min(sz.figure, round(h * 0.72)))
    while vsize > sz.body and max(number_w(f, vsize) for f in figs) > w * 0.45 - 2 * pad:
        vsize -= 2
    num_w = max(number_w(f, vsize) for f in figs) + pad
    text_x = x + pad + num_w + pad * 2
    text_w = x + w - pad - text_x
    lsize = sz.meta
    lmeasure = ctx.metrics.measure("regular", lsize)
    lstep = round(lsize * 1.25)
    nsize = sz.small
    nmeasure = ctx.metrics.measure("regular", nsize)
    nstep = round(nsize * 1.3)
    vmeasure = ctx.metrics.measure("bold", vsize)
    ops: list[Op] = []
    for i, f in enumerate(figs):
        ty = y + i * (h + gap)
        ops.append(
            BoxOp((round(x), round(ty), round(w), h), t.panel_bg, radius=round(sz.gap * 0.6))
        )
        vw = vmeasure(f.value)
        vx = x + pad + (num_w - number_w(f, vsize)) / 2
        vy = ty + (h - vsize) / 2
        ops.append(TextOp(f.value, vx, vy, vsize, t.accent, "bold", "figure", vw))
        if f.unit:
            uy = vy + 0.88 * vsize - 0.88 * unit_size
            ops.append(
                TextOp(
                    f.unit,
                    vx + vw + unit_size * 0.2,
                    uy,
                    unit_size,
                    t.panel_text,
                    "regular",
                    "unit",
                    umeasure(f.unit),
                )
            )
        labels = break_lines(f.label, text_w, lmeasure)
        if len(labels) > 2:
            labels = [labels[0], fit_line(ctx, "".join(labels[1:]), "regular", lsize, text_w)[1]]
        room = h - 2 * pad - lstep * len(labels)
        notes = break_lines(f.note, text_w, nmeasure) if f.note else []
        notes = notes[: max(0, int(room // nstep))]
        if f.note and notes and "".join(notes) != f.note.replace(" ", ""):
            notes = []  # a note that does not fit whole is left out, not cut short
        block = lstep * len(labels) + nstep * len(notes)
        ly = ty + (h - block) / 2
        for line in labels:
            ops.append(
                TextOp(
                    line,
                    text_x,
                    ly + (lstep - lsize) / 2,
                    lsize,
                    t.panel_text,
                    "regular",
                    "label",
                    lmeasure(line),
                )
            )
            ly += lstep
        for line in notes:
            ops.append(
                TextOp(
                    line,
                    text_x,
                    ly + (nstep - nsize) / 2,
                    nsize,
                    t.panel_muted,
                    "regular",
                    "note",
                    nmeasure(line),
                )
            )
            ly += nstep
    return ops


def chart_ops(ctx: LayoutContext, r: Report, rect: Rect) -> list[Op]:
    t = ctx.theme
    sz = ctx.sizes
    assert r.chart is not None
    geo = bar_chart(
        r.chart,
        rect,
        lambda s, size: ctx.metrics.measure("regular", size)(s),
        label_size=sz.meta,
        title_size=sz.meta,
        min_label_size=round(sz.small * 0.85),
    )
    ops: list[Op] = [BoxOp(geo.axis, t.chart_axis)]
    series = t.chart_series
    for bar in geo.bars:
        if bar.rect[2] > 0:
            ops.append(BoxOp(bar.rect, series[bar.series % len(series)]))
    for sw in geo.swatches:
        ops.append(BoxOp(sw.rect, series[sw.series % len(series)]))
    for lb in geo.labels:
        font: FontRole = "bold" if lb.role in ("title", "value") else "regular"
        color = t.text if lb.role in ("title", "category", "value") else t.muted
        width = ctx.metrics.measure(font, lb.size)(lb.text)
        ops.append(TextOp(lb.text, lb.x, lb.y, lb.size, color, font, f"chart-{lb.role}", width))
    return ops


def _grid(n: int, portrait: bool) -> tuple[int, int]:
    if n <= 0:
        return 0, 0
    cols = min(n, 2 if portrait else 4)
    if not portrait and n in (5, 6):
        cols = 3
    rows = -(-n // cols)
    return cols, rows


def layout_report(entry: Entry, r: Report, ctx: LayoutContext) -> list[SlidePage]:
    t = ctx.theme
    sz = ctx.sizes
    cx, cy, cw, ch = ctx.regions.content
    m = sz.margin
    ix, iy, iw, ih = cx + m, cy + sz.gap, cw - 2 * m, ch - 2 * sz.gap
    title = f"{r.year}年 {r.title}" if r.year and str(r.year) not in r.title else r.title
    title_ops, bottom = fitted_title(
        ctx, title, ix, iy, iw, max_size=sz.title, min_size=sz.body, color=t.text
    )
    rule_y = round(bottom + sz.gap * 0.3)
    head: list[Op] = [*title_ops, BoxOp((ix, rule_y, iw, sz.rule), t.rule)]
    top = rule_y + sz.rule + sz.gap
    marker_h = round(sz.small * 1.5)
    bottom_limit = iy + ih - marker_h
    avail = bottom_limit - top

    # Page plans: each a list of ops (without head) and a character count.
    plans: list[tuple[list[Op], int]] = []
    figs = list(r.figures)
    cols, rows = _grid(len(figs), sz.portrait)
    tile_w = (iw - sz.gap * (cols - 1)) / cols if cols else iw
    narrow = ctx.metrics.measure("regular", round(sz.meta * 0.85))
    two_line_labels = any(narrow(f.label) > tile_w - 2 * round(sz.small * 0.6) for f in figs)
    tile_h = round(
        sz.figure * (1.05 if sz.portrait else 1.25) + sz.meta * (2.6 if two_line_labels else 1.6)
    )
    if rows:  # never taller than the page allows; the numbers shrink instead
        tile_h = min(tile_h, (avail - (rows - 1) * sz.gap) // rows)
    note_h = round(sz.small * 1.3 * NOTE_LINES)
    has_notes = any(f.note for f in figs)

    if sz.portrait and figs:
        # One row per figure; rows as tall as a number needs, fewer if the page is short.
        cols, rows = 1, len(figs)
        tile_h = round(max(sz.figure * 1.15, sz.meta * 2.5 + sz.small * 1.2))
        tile_h = min(tile_h, (avail - (rows - 1) * sz.gap) // rows)

    def build_tiles(with_notes: bool) -> tuple[list[Op], int]:
        if not figs:
            return [], 0
        gap = sz.gap
        if sz.portrait:
            h = tile_h
            if with_notes:
                h = min(
                    tile_h + round(sz.small * 1.3 * NOTE_LINES), (avail - (rows - 1) * gap) // rows
                )
            return row_tiles(ctx, figs, ix, top, iw, h, gap), rows * h + (rows - 1) * gap
        h = tile_h
        if with_notes:  # notes below the labels; the numbers may shrink a little for them
            h = min(tile_h + note_h, (avail - (rows - 1) * gap) // rows)
        tw = (iw - gap * (cols - 1)) / cols
        out: list[Op] = []
        for i, f in enumerate(figs):
            c, rr = i % cols, i // cols
            in_row = min(cols, len(figs) - rr * cols)
            offset = (iw - (in_row * tw + (in_row - 1) * gap)) / 2
            rect = (
                round(ix + offset + c * (tw + gap)),
                round(top + rr * (h + gap)),
                round(tw),
                h,
            )
            out += tile_ops(
                ctx,
                f,
                rect,
                note_lines=NOTE_LINES if with_notes else 0,
                label_lines=2 if two_line_labels else 1,
            )
        return out, rows * h + (rows - 1) * gap

    figures_ops, figures_h = build_tiles(False)
    alone_ops = figures_ops
    if has_notes:  # on a page of their own, tiles also show their notes when they fit
        shortest = (avail - (rows - 1) * sz.gap) // rows - note_h
        if shortest >= sz.body * 1.3 + sz.meta * 1.6:
            alone_ops, _ = build_tiles(True)
    fig_chars = sum(len(f.label) + len(f.value) + len(f.unit) for f in figs)
    note_chars = sum(len(f.note or "") for f in figs) if alone_ops is not figures_ops else 0
    chart_chars = 0
    if r.chart is not None:
        chart_chars = len(r.chart.title) + sum(len(c) + 2 for c in r.chart.categories)
    if r.chart is not None:
        n = len(r.chart.categories) + (1 if len(r.chart.series) > 1 else 0) + 1
        chart_need = round(n * sz.meta * 1.35)
        if figs and figures_h + sz.gap * 2 + chart_need <= avail:
            crect = (
                ix,
                top + figures_h + sz.gap * 2,
                iw,
                min(avail - figures_h - sz.gap * 2, round(n * sz.meta * 2.2)),
            )
            plans.append(([*figures_ops, *chart_ops(ctx, r, crect)], fig_chars + chart_chars))
        else:
            if figs:
                plans.append((alone_ops, fig_chars + note_chars))
            crect = (ix, top, iw, min(avail, round(n * sz.meta * 2.4)))
            plans.append((chart_ops(ctx, r, crect), chart_chars))
    elif figs:
        plans.append((alone_ops, fig_chars + note_chars))

    if r.sections:
        flow = Flow(ctx, iw, sz.body)
        for s in r.sections:
            flow.heading(s.heading)
            flow.paragraphs(s.text)
        for pg in paginate(flow.lines, avail):
            plans.append(
                (
                    flow_ops(
                        ctx,
                        pg.lines,
                        flow.markers,
                        ix,
                        top,
                        text=t.text,
                        heading=t.text,
                        accent=t.accent,
                        on_accent=t.on_accent,
                    ),
                    pg.chars,
                )
            )
    if not plans:
        plans.append(([], len(title)))
    total = len(plans)
    out: list[SlidePage] = []
    for i, (body, chars) in enumerate(plans):
        ops: list[Op] = [background(ctx.regions.content, t.background), *head, *body]
        if total > 1:
            ops.append(page_marker(ctx, i + 1, total, ix + iw, iy + ih - (marker_h - sz.small) / 2))
        out.append(
            make_page(
                ctx,
                entry_id=entry.id,
                kind="report",
                page=i + 1,
                pages=total,
                seconds=seconds_for(ctx, entry, chars + (len(title) if i == 0 else 0)),
                ops=ops,
                title=r.title,
            )
        )
    return out
