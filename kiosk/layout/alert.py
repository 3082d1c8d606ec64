"""``alert``: the whole screen in the warning level's colour (蓝/黄/橙/红), the level named
at the top, the title and body auto-fitted as large as they go, issuer and times below."""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.displaylist import BoxOp, Op, TextOp
from kiosk.layout.common import SlidePage, fit_line, make_page, seconds_for
from kiosk.layout.context import LayoutContext
from kiosk.layout.textblock import centred_x, fitted_title
from kiosk.model import Alert, Entry
from kiosk.text import autofit
from kiosk.text.autofit import fits

#: An alert title this fraction of the screen height tall reads from across the lobby;
#: beyond it, fewer lines and unsplit words matter more than size.
ALERT_TITLE_ENOUGH = 0.1


def _when(d: datetime) -> str:
    return f"{d.month}月{d.day}日 {d.hour:02d}:{d.minute:02d}"


def _until(end: datetime, ref: datetime | None) -> str:
    """``有效至6月15日`` for an alert that ends at midnight (a date given without a time
    runs to the end of that day, so midnight names the day before, not ``6月16日 00:00``);
    the year is written when it is not the year of ``ref`` (the issue time)."""
    if (end.hour, end.minute, end.second) == (0, 0, 0):
        day = (end - timedelta(days=1)).date()
        text = f"{day.month}月{day.day}日"
    else:
        day = end.date()
        text = _when(end)
    if ref is not None and day.year != ref.year:
        text = f"{day.year}年{text}"
    return f"有效至{text}"


def alert_footer_parts(a: Alert, office: str) -> list[str]:
    parts = [f"发布：{office}"]
    if a.issued is not None:
        parts.append(f"{_when(a.issued)}发布")
    if a.expires is not None:
        parts.append(_until(a.expires, a.issued))
    return parts


def alert_footer(a: Alert, office: str) -> str:
    return "　".join(alert_footer_parts(a, office))


def layout_alert(entry: Entry, a: Alert, ctx: LayoutContext) -> list[SlidePage]:
    t = ctx.theme
    sz = ctx.sizes
    colors = t.alert(a.level)
    W, H = ctx.size
    m = sz.margin
    ops: list[Op] = [BoxOp((0, 0, W, H), colors.background)]

    # Level label: inverted box at the top left, the office at the top right.
    lsize = sz.h1
    lw = ctx.metrics.measure("bold", lsize)(colors.label)
    pad = round(lsize * 0.4)
    top = round(sz.gap * 1.5)
    ops.append(
        BoxOp(
            (m, top, round(lw + 2 * pad), lsize + 2 * pad), colors.text, radius=round(lsize * 0.15)
        )
    )
    ops.append(
        TextOp(colors.label, m + pad, top + pad, lsize, colors.background, "bold", "level", lw)
    )
    head_bottom = top + lsize + 2 * pad

    # Footer: issuer and times on one line, or one row per part on narrow screens.
    fsize = sz.meta
    fmeasure = ctx.metrics.measure("regular", fsize)
    foot_rows = [alert_footer(a, ctx.frame.office)]
    if fmeasure(foot_rows[0]) > W - 2 * m:
        foot_rows = [
            fit_line(ctx, p, "regular", fsize, W - 2 * m, sz.small)[1]
            for p in alert_footer_parts(a, ctx.frame.office)
        ]
    fstep = round(fsize * 1.35)
    foot_y = H - round(sz.gap * 1.5) - fsize - fstep * (len(foot_rows) - 1)

    box_top = head_bottom + sz.gap * 2
    box_h = foot_y - sz.gap * 2 - box_top
    box_w = W - 2 * m
    # The title as large as possible while the whole body still fits at a readable size
    # (at least its minimum, and not less than ~40 % of the title): try title sizes from
    # the largest down.
    tmin, tmax = sz.alert_title
    bmin, bmax = sz.alert_body
    body_text = a.body.replace("\n", "")

    def title_at(max_size: int) -> tuple[list[Op], float]:
        return fitted_title(
            ctx,
            a.title,
            m,
            box_top,
            box_w,
            max_size=max_size,
            min_size=tmin,
            max_lines=3,
            color=colors.text,
            font="bold",
            role="alert-title",
            line_height=1.25,
            enough=round(H * ALERT_TITLE_ENOUGH),
        )

    top_size = max(tmin, min(tmax, round(box_h * (0.42 if a.body else 1.0) / 1.25)))
    title_ops, title_bottom = title_at(top_size)
    if body_text:
        for tsize in range(top_size, tmin - 1, -max(2, top_size // 20)):
            t_ops, t_bottom = title_at(tsize)
            room = box_top + box_h - (t_bottom + sz.gap * 1.5)
            floor = max(bmin, round(tsize * 0.4))
            if room > 0 and fits(
                body_text,
                box_w,
                room,
                min(floor, bmax),
                ctx.metrics.measure("regular", min(floor, bmax)),
                line_height=1.45,
            ):
                title_ops, title_bottom = t_ops, t_bottom
                break
    if not body_text:  # centre the title vertically
        dy = (box_top + box_h - title_bottom) / 2
        title_ops = [
            TextOp(o.text, o.x, o.y + dy, o.size, o.color, o.font, o.role, o.width)
            for o in title_ops
            if isinstance(o, TextOp)
        ]
    ops += title_ops
    if a.body:
        bmin, bmax = sz.alert_body
        body_top = title_bottom + sz.gap * 1.5
        body_h = box_top + box_h - body_top
        size, lines = autofit(
            body_text,
            box_w,
            body_h,
            range(bmin, bmax + 1),
            lambda s: ctx.metrics.measure("regular", s),
            line_height=1.45,
        )
        step = size * 1.45
        measure = ctx.metrics.measure("regular", size)
        max_lines = max(1, int(body_h // step))
        if len(lines) > max_lines:
            lines = [*lines[: max_lines - 1], lines[max_lines - 1].rstrip() + "…"]
        # Title and body as one block, centred vertically between the level label and
        # the footer (not hanging from the top with a gap above the footer).
        dy = max(0.0, (box_h - (body_top - box_top) - len(lines) * step) / 2)
        k = len(ops) - len(title_ops)
        ops[k:] = [
            TextOp(o.text, o.x, o.y + dy, o.size, o.color, o.font, o.role, o.width)
            for o in ops[k:]
            if isinstance(o, TextOp)
        ]
        for i, line in enumerate(lines):
            w = measure(line)
            ops.append(
                TextOp(
                    line,
                    centred_x(m, box_w, line, w, size),
                    body_top + dy + i * step + (step - size) / 2,
                    size,
                    colors.text,
                    "regular",
                    "alert-body",
                    w,
                )
            )
    ops.append(BoxOp((m, foot_y - sz.gap, W - 2 * m, max(2, sz.rule // 2)), colors.text))
    for i, row in enumerate(foot_rows):
        fw = fmeasure(row)
        x = m + (W - 2 * m - fw) / 2
        ops.append(TextOp(row, x, foot_y + i * fstep, fsize, colors.text, "regular", "meta", fw))
    chars = len(a.title) + len(a.body)
    return [
        make_page(
            ctx,
            entry_id=entry.id,
            kind="alert",
            page=1,
            pages=1,
            seconds=seconds_for(ctx, entry, chars),
            ops=ops,
            fullscreen=True,
            title=a.title,
            background=colors.background,
        )
    ]
