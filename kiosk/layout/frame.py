"""The frame around every slide: regions, header (office, date, clock), footer (ticker band,
consultation phone, content freshness). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kiosk.displaylist import BoxOp, DisplayList, Op, Rect, TextOp
from kiosk.layout.common import fit_line
from kiosk.layout.context import LayoutContext
from kiosk.model import Ticker
from kiosk.themes import Theme

WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def format_date(d: date) -> str:
    """``2026年11月29日 星期日`` — the official way, no leading zeros."""
    return f"{d.year}年{d.month}月{d.day}日 {WEEKDAYS[d.weekday()]}"


def format_short_date(d: date) -> str:
    return f"{d.month}月{d.day}日"


def format_time(now: datetime) -> str:
    """24-hour clock, ``08:05``."""
    return f"{now.hour:02d}:{now.minute:02d}"


@dataclass(frozen=True)
class Regions:
    """Screen regions in logical pixels. ``clock`` lies inside ``header``; ``ticker`` and
    ``info`` (phone, freshness) inside ``footer``. ``content`` is what slides fill."""

    header: Rect
    clock: Rect
    content: Rect
    footer: Rect
    ticker: Rect
    info: Rect
    office: Rect  # where the office name goes


def regions(size: tuple[int, int], theme: Theme) -> Regions:
    w, h = size
    sz = theme.sizes(size)
    m = sz.margin
    if not sz.portrait:
        header_h = round(sz.time * 1.75) + sz.rule
        clock_w = round(sz.date * 11.0 + sz.time * 2.9 + sz.gap * 2)
        clock: Rect = (w - m - clock_w, 0, clock_w, header_h - sz.rule)
        office: Rect = (m, 0, max(0, w - 2 * m - clock_w - sz.gap), header_h - sz.rule)
        footer_h = round(max(sz.ticker * 1.9, sz.small * 2.55))
        info_w = round(sz.small * 12.6) + 2 * m
        footer: Rect = (0, h - footer_h, w, footer_h)
        ticker: Rect = (0, h - footer_h, w - info_w, footer_h)
        info: Rect = (w - info_w, h - footer_h, info_w, footer_h)
    else:
        row1 = round(sz.office * 1.6)
        row2 = round(sz.time * 1.3)
        header_h = row1 + row2 + sz.rule
        office = (m, 0, w - 2 * m, row1)
        clock = (m, row1, w - 2 * m, row2)
        info_h = round(sz.small * 2.9)
        ticker_h = round(sz.ticker * 1.9)
        footer = (0, h - info_h - ticker_h, w, info_h + ticker_h)
        info = (0, h - info_h - ticker_h, w, info_h)
        ticker = (0, h - ticker_h, w, ticker_h)
    header: Rect = (0, 0, w, header_h)
    content: Rect = (0, header_h, w, footer[1] - header_h)
    return Regions(header, clock, content, footer, ticker, info, office)


def ticker_text(ticker: Ticker) -> str:
    """The ticker's items joined by its separator (one loop of the strip)."""
    items = [t.strip() for t in ticker.items if t.strip()]
    if not items:
        return ""
    return ticker.separator.join(items) + ticker.separator


def ticker_size(ctx: LayoutContext) -> int:
    return ctx.sizes.ticker


def frame_ops(ctx: LayoutContext, now: datetime, updated: date | datetime | None) -> DisplayList:
    """Header and footer backgrounds, office name, phone and freshness. The clock
    (:func:`clock_ops`) and the moving ticker text are drawn separately."""
    del now  # the frame itself does not change with time; kept for a stable signature
    t = ctx.theme
    sz = ctx.sizes
    rg = ctx.regions
    hx, hy, hw, hh = rg.header
    ops: list[Op] = [
        BoxOp(rg.header, t.header_bg),
        BoxOp((hx, hy + hh - sz.rule, hw, sz.rule), t.rule),
    ]
    # Office name, left, vertically centred in its row.
    ox, oy, ow, oh = rg.office
    size, text = fit_line(ctx, ctx.frame.office, "bold", sz.office, ow, round(sz.office * 0.7))
    w = ctx.metrics.measure("bold", size)(text)
    ops.append(TextOp(text, ox, oy + (oh - size) / 2, size, t.header_text, "bold", "office", w))

    ops.append(BoxOp(rg.footer, t.footer_bg))
    # The ticker band in its colour only when there is a ticker: an empty red band reads
    # as something missing.
    if ticker_text(ctx.ticker):
        ops.append(BoxOp(rg.ticker, t.ticker_bg))
    ops.extend(info_ops(ctx, updated))
    return tuple(ops)


def info_ops(ctx: LayoutContext, updated: date | datetime | None) -> list[Op]:
    t = ctx.theme
    sz = ctx.sizes
    ix, iy, iw, ih = ctx.regions.info
    lines: list[str] = []
    if ctx.frame.phone:
        lines.append(f"咨询电话：{ctx.frame.phone}")
    if updated is not None:
        d = updated.date() if isinstance(updated, datetime) else updated
        lines.append(f"内容更新于 {d.year}年{d.month}月{d.day}日")
    if not lines:
        return []
    size = sz.small
    avail = iw - 2 * sz.margin
    fitted = [fit_line(ctx, line, "regular", size, avail, round(size * 0.8)) for line in lines]
    size = min(s for s, _ in fitted)
    step = size * 1.3
    block = step * (len(fitted) - 1) + size
    y = iy + (ih - block) / 2
    ops: list[Op] = []
    for _, text in fitted:
        w = ctx.metrics.measure("regular", size)(text)
        ops.append(TextOp(text, ix + sz.margin, y, size, t.footer_text, "regular", "info", w))
        y += step
    return ops


def clock_ops(ctx: LayoutContext, now: datetime) -> DisplayList:
    """Date and 24-hour time in the clock region, over its own background (so it can be
    redrawn alone once a second)."""
    t = ctx.theme
    sz = ctx.sizes
    cx, cy, cw, ch = ctx.regions.clock
    ops: list[Op] = [BoxOp(ctx.regions.clock, t.header_bg)]
    time_text = format_time(now)
    tw = ctx.metrics.measure("bold", sz.time)(time_text)
    date_text = format_date(now.date())
    avail = cw - tw - sz.gap * 2
    dsize, date_text = fit_line(ctx, date_text, "regular", sz.date, avail, round(sz.date * 0.75))
    dw = ctx.metrics.measure("regular", dsize)(date_text)
    # Time at the right edge, date just left of it, both centred on the row.
    tx = cx + cw - tw
    ops.append(TextOp(time_text, tx, cy + (ch - sz.time) / 2, sz.time, t.text, "bold", "time", tw))
    dx = cx if ctx.sizes.portrait else tx - sz.gap * 2 - dw
    ops.append(
        TextOp(date_text, dx, cy + (ch - dsize) / 2, dsize, t.header_muted, "regular", "date", dw)
    )
    return tuple(ops)
