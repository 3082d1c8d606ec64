from __future__ import annotations

from kiosk.text.autofit import autofit
from kiosk.text.linebreak import Measure


def _at(size: int) -> Measure:
    return lambda s: float(len(s) * size)


def test_autofit_picks_the_largest_size_that_fits() -> None:
    # 12 characters in a 300×200 box: at 51 px, 5 per line, 3 lines × 66.3 = 198.9 ≤ 200;
    # at 52 px, 3 lines × 67.6 = 202.8 > 200.
    size, lines = autofit("一二三四五六七八九十甲乙", 300, 200, range(10, 121), _at)
    assert size == 51
    assert lines == ["一二三四五", "六七八九十", "甲乙"]


def test_autofit_respects_max_lines() -> None:
    size, lines = autofit("一二三四五六七八九十甲乙", 300, 1000, range(10, 121), _at, max_lines=1)
    assert size == 25 and lines == ["一二三四五六七八九十甲乙"]


def test_autofit_returns_the_smallest_size_when_nothing_fits() -> None:
    size, lines = autofit("一二三四", 10, 10, [20, 30], _at)
    assert size == 20 and lines == ["一", "二", "三", "四"]
