from __future__ import annotations

import itertools

import pytest

from kiosk.charts import bar_chart, chart_title, format_value
from kiosk.model import Chart, Series


def fixed(text: str, size: int) -> float:
    """A fixed-width measure: every character is one em wide."""
    return float(len(text) * size)


CHART = Chart(
    title="主动公开信息分类",
    categories=("工作动态", "概况信息", "计划总结", "财政资金", "人事任命"),
    series=(Series("2018年", (86.0, 31.0, 24.0, 22.0, 0.0)),),
    unit="条",
)
BOX = (100, 200, 1600, 600)


def _inside(rect: tuple[int, int, int, int], box: tuple[int, int, int, int]) -> bool:
    x, y, w, h = rect
    bx, by, bw, bh = box
    return x >= bx and y >= by and x + w <= bx + bw + 1 and y + h <= by + bh + 1


def test_bar_lengths_are_proportional_to_the_values() -> None:
    geo = bar_chart(CHART, BOX, fixed, label_size=40, title_size=40)
    lengths = {b.category: b.rect[2] for b in geo.bars}
    assert lengths[0] > 0
    for ci, v in enumerate(CHART.series[0].values):
        assert lengths[ci] == pytest.approx(v / 86.0 * lengths[0], abs=1.0)
    assert lengths[4] == 0


def test_bars_start_at_the_zero_line_and_stay_inside_the_box() -> None:
    geo = bar_chart(CHART, BOX, fixed, label_size=40, title_size=40)
    for bar in geo.bars:
        assert bar.rect[0] == geo.plot[0]
        assert _inside(bar.rect, BOX)
    for lb in geo.labels:
        assert lb.x >= BOX[0] and lb.x + lb.width <= BOX[0] + BOX[2] + 1
        assert lb.y >= BOX[1] and lb.y + lb.size <= BOX[1] + BOX[3] + 1


def test_category_labels_end_left_of_the_bars_and_values_follow_the_bar_ends() -> None:
    geo = bar_chart(CHART, BOX, fixed, label_size=40, title_size=40)
    cats = [lb for lb in geo.labels if lb.role == "category"]
    values = [lb for lb in geo.labels if lb.role == "value"]
    assert [c.text for c in cats] == list(CHART.categories)
    for c in cats:
        assert c.x + c.width <= geo.plot[0]
    for v, bar in zip(values, geo.bars, strict=True):
        assert v.x >= bar.rect[0] + bar.rect[2]
    assert [v.text for v in values] == ["86", "31", "24", "22", "0"]


def test_rows_do_not_overlap() -> None:
    geo = bar_chart(CHART, BOX, fixed, label_size=40, title_size=40)
    cats = sorted((lb for lb in geo.labels if lb.role == "category"), key=lambda lb: lb.y)
    for a, b in itertools.pairwise(cats):
        assert a.y + a.size <= b.y


def test_several_series_get_a_legend_and_grouped_bars() -> None:
    chart = Chart(
        title="公开数量",
        categories=("2017年", "2018年"),
        series=(Series("主动公开", (150.0, 179.0)), Series("依申请", (2.0, 0.0))),
    )
    geo = bar_chart(chart, BOX, fixed, label_size=40, title_size=40)
    assert [lb.text for lb in geo.labels if lb.role == "legend"] == ["主动公开", "依申请"]
    assert len(geo.swatches) == 2
    assert len(geo.bars) == 4
    first = [b for b in geo.bars if b.category == 0]
    assert first[0].rect[1] + first[0].rect[3] <= first[1].rect[1]


def test_long_category_labels_are_shortened_not_overflowing() -> None:
    chart = Chart(
        title="t",
        categories=("这是一个非常非常非常非常长的分类名称啊啊啊",),
        series=(Series("s", (1.0,)),),
    )
    geo = bar_chart(chart, (0, 0, 800, 300), fixed, label_size=40, title_size=40)
    cat = next(lb for lb in geo.labels if lb.role == "category")
    assert cat.text.endswith("…")
    assert cat.width <= 800 * 0.38


def test_values_are_shown_as_people_write_them() -> None:
    assert format_value(179.0) == "179"
    assert format_value(12.5) == "12.5"
    assert format_value(float("nan")) == "—"
    assert chart_title(CHART) == "主动公开信息分类（单位：条）"
