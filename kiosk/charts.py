"""Bar-chart geometry (pure): a :class:`kiosk.model.Chart`, a box and a text measure in,
bars and labels out.

Bars run horizontally so Chinese category labels read naturally on one line at the left;
values sit at the bar ends. Bar lengths are proportional to the values from a zero
baseline (the longest bar spans the plotting width), so the picture never exaggerates.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from kiosk.model import Chart

Rect = tuple[int, int, int, int]
MeasureAt = Callable[[str, int], float]  # (text, size) -> advance width in px


@dataclass(frozen=True)
class Bar:
    rect: Rect
    value: float
    category: int
    series: int


@dataclass(frozen=True)
class Label:
    text: str
    x: float
    y: float  # top of the em box
    size: int
    role: Literal["title", "category", "value", "legend"]
    width: float
    series: int = -1


@dataclass(frozen=True)
class Swatch:
    rect: Rect
    series: int


@dataclass(frozen=True)
class ChartGeometry:
    bars: tuple[Bar, ...]
    labels: tuple[Label, ...]
    swatches: tuple[Swatch, ...]
    axis: Rect  # the zero line (a thin vertical rule)
    plot: Rect  # the area bars may occupy
    scale: float  # px per unit value


def format_value(v: float) -> str:
    """``179.0`` → ``179``; ``12.5`` → ``12.5``; thousands without separators (as in
    Chinese official statistics tables)."""
    if not math.isfinite(v):
        return "—"
    if abs(v - round(v)) < 1e-9:
        return str(round(v))
    return f"{v:.2f}".rstrip("0").rstrip(".")


def chart_title(chart: Chart) -> str:
    return f"{chart.title}（单位：{chart.unit}）" if chart.unit else chart.title


def _ellipsize(text: str, size: int, max_w: float, measure: MeasureAt) -> str:
    if measure(text, size) <= max_w:
        return text
    cut = text
    while cut and measure(cut + "…", size) > max_w:
        cut = cut[:-1]
    return cut + "…"


def bar_chart(
    chart: Chart,
    rect: Rect,
    measure: MeasureAt,
    *,
    label_size: int,
    title_size: int,
    min_label_size: int | None = None,
) -> ChartGeometry:
    """Lay out ``chart`` inside ``rect``.

    Category labels use ``label_size`` (shrunk towards ``min_label_size`` when the rows are
    too thin); values are labelled at the end of each bar; a legend row appears when there
    is more than one series.
    """
    x, y, w, h = rect
    n_cat = len(chart.categories)
    n_ser = max(1, len(chart.series))
    labels: list[Label] = []
    swatches: list[Swatch] = []

    # Title row.
    title = _ellipsize(chart_title(chart), title_size, w, measure)
    labels.append(Label(title, x, y, title_size, "title", measure(title, title_size)))
    top = y + round(title_size * 1.5)

    # Legend row (several series only).
    if len(chart.series) > 1:
        lx = float(x)
        sw = round(label_size * 0.8)
        for i, s in enumerate(chart.series):
            tw = measure(s.name, label_size)
            if lx + sw + label_size * 0.3 + tw > x + w:
                break
            swatches.append(Swatch((round(lx), top + (label_size - sw) // 2, sw, sw), i))
            lx += sw + label_size * 0.3
            labels.append(Label(s.name, lx, top, label_size, "legend", tw, i))
            lx += tw + label_size * 1.2
        top += round(label_size * 1.6)

    avail_h = y + h - top
    if n_cat == 0 or avail_h <= 0:
        return ChartGeometry((), tuple(labels), tuple(swatches), (x, top, 0, 0), (x, top, w, 0), 0)

    row_h = avail_h / n_cat
    size = label_size
    floor = min_label_size or max(1, round(label_size * 0.7))
    while size > floor and size * 1.25 > row_h:
        size -= 1

    # Label column: as wide as the widest label, at most 38 % of the chart.
    max_label_w = w * 0.38
    cat_texts = [_ellipsize(c, size, max_label_w, measure) for c in chart.categories]
    label_w = max((measure(t, size) for t in cat_texts), default=0.0)
    values = [[max(0.0, v) for v in s.values] for s in chart.series]
    vmax = max((v for vs in values for v in vs if math.isfinite(v)), default=0.0)
    value_texts = [[format_value(v) for v in s.values] for s in chart.series]
    value_w = max((measure(t, size) for vs in value_texts for t in vs), default=0.0)
    gap = size * 0.5
    plot_x = round(x + label_w + gap)
    plot_w = max(1, round(x + w - plot_x - gap - value_w))
    scale = plot_w / vmax if vmax > 0 else 0.0

    bars: list[Bar] = []
    group_h = row_h * 0.72
    bar_h = max(1.0, group_h / n_ser)
    for ci in range(n_cat):
        row_top = top + ci * row_h
        ly = row_top + (row_h - size) / 2
        cw = measure(cat_texts[ci], size)
        labels.append(Label(cat_texts[ci], plot_x - gap - cw, ly, size, "category", cw))
        g_top = row_top + (row_h - group_h) / 2
        for si in range(len(chart.series)):
            v = values[si][ci] if ci < len(values[si]) else 0.0
            length = round(v * scale) if math.isfinite(v) else 0
            by = g_top + si * bar_h
            bars.append(Bar((plot_x, round(by), length, max(1, round(bar_h * 0.9))), v, ci, si))
            vt = value_texts[si][ci] if ci < len(value_texts[si]) else ""
            vsize = min(size, max(1, round(bar_h * 0.95))) if n_ser > 1 else size
            labels.append(
                Label(
                    vt,
                    plot_x + length + gap,
                    by + (bar_h * 0.9 - vsize) / 2,
                    vsize,
                    "value",
                    measure(vt, vsize),
                    si,
                )
            )
    axis: Rect = (plot_x - 1, round(top), 2, round(avail_h))
    plot: Rect = (plot_x, round(top), plot_w, round(avail_h))
    return ChartGeometry(tuple(bars), tuple(labels), tuple(swatches), axis, plot, scale)
