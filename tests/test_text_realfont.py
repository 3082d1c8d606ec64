"""Layout of the seed report with the real Noto Sans CJK SC face."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.config import FontConfig
from kiosk.text.linebreak import break_lines, clusters
from kiosk.text.measure import FaceMeasure, MeasureCache, fresh_opener
from kiosk.text.paginate import paginate
from kiosk.text.paragraphs import (
    HEADING_ROLES,
    TextStyle,
    default_styles,
    layout_blocks,
    parse_blocks,
)
from tests.textutil import prohibition_violations, reassembles

# A copy of the seed: the township's 2018 government-information-disclosure annual report.
SEED = Path(__file__).with_name("data") / "seed-report.txt"
FONTS = FontConfig()


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def cache() -> MeasureCache:
    return MeasureCache()


def _measure_for(cache: MeasureCache) -> object:
    def mf(style: TextStyle) -> FaceMeasure:
        path = FONTS.bold if style.bold else FONTS.regular
        return cache.measure_for(path, FONTS.face_index, style.size)

    return mf


def test_measure_uses_font_advances_and_caches_each_character(cache: MeasureCache) -> None:
    m = cache.measure_for(FONTS.regular, FONTS.face_index, 40)
    assert m("中") == 40.0 and m("。") == 40.0  # full-width advances are one em
    assert m("中文。") == 120.0
    assert m("0470-8942932") < 40.0 * 12 / 1.5  # Latin/digits are proportional, narrower
    assert m("AB") == m("A") + m("B")
    assert "中" in m._adv and len(m) >= 3
    assert cache.measure_for(FONTS.regular, FONTS.face_index, 40) is m


def test_cleared_cache_measures_again_with_the_same_result() -> None:
    cold = MeasureCache(fresh_opener)
    m = cold.measure_for(FONTS.regular, FONTS.face_index, 32)
    w = m("红花尔基镇 hhej2010@163.com")
    cold.clear()
    assert len(cold) == 0
    assert cold.measure_for(FONTS.regular, FONTS.face_index, 32)("红花尔基镇 hhej2010@163.com") == w


def test_measured_width_matches_what_pygame_draws(cache: MeasureCache) -> None:
    from kiosk.fonts import open_face

    font = open_face(FONTS.regular, FONTS.face_index, 36)
    m = cache.measure_for(FONTS.regular, FONTS.face_index, 36)
    text = "联系电话0470-8942932，电子邮箱：hhej2010@163.com"
    advance = sum(x[4] for x in font.get_metrics(text, size=36))
    assert m(text) == advance
    # The drawn ink never extends past the advance width (the margin is safe).
    assert font.get_rect(text, size=36).right <= advance


def test_seed_report_lines_obey_every_rule_at_several_sizes(
    seed_text: str, cache: MeasureCache
) -> None:
    for size, width in ((38, 1728), (48, 1728), (64, 1700), (48, 960)):
        m = cache.measure_for(FONTS.regular, FONTS.face_index, size)
        for block in parse_blocks(seed_text):
            lines = break_lines(block.text, width, m)
            assert reassembles(block.text, lines)
            assert prohibition_violations(lines) == [], (size, width)
            assert all(m(ln) <= width for ln in lines)
            joined = "\n".join(lines)
            for token in ("0470-8942932", "hhej2010@163.com", "〔2017〕"):
                if token in block.text:
                    assert token in joined, (token, lines)


def test_seed_report_paginates_at_1080p_without_stranded_headings(
    seed_text: str, cache: MeasureCache
) -> None:
    styles = default_styles(48)
    lines = layout_blocks(parse_blocks(seed_text), 1728, styles, _measure_for(cache))  # type: ignore[arg-type]
    pages = paginate(lines, 760)
    assert len(pages) >= 5
    assert [ln.text for p in pages for ln in p.lines] == [ln.text for ln in lines]
    for p, nxt in itertools.pairwise(pages):
        assert p.lines[-1].role not in HEADING_ROLES
        if p.lines[-1].block == nxt.lines[0].block:
            assert not p.lines[-1].first and not nxt.lines[0].last
        assert max(ln.y + ln.height for ln in p.lines) <= 760
    h1 = [ln.text for ln in lines if ln.role == "h1"]
    assert h1[:2] == ["一、概述", "二、公开平台建设情况"]
    body = next(ln for ln in lines if ln.role == "body" and ln.first)
    assert body.x == 2 * 48  # two full-width characters


_SEED_ALPHABET = "".join(sorted(set(SEED.read_text(encoding="utf-8")) - set("\n\r\t")))


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet=_SEED_ALPHABET + "——……", min_size=1, max_size=200),
    st.integers(min_value=2, max_value=30),
    st.sampled_from([32, 42, 56]),
)
def test_random_seed_text_with_the_real_font_obeys_the_rules(
    text: str, ems: int, size: int
) -> None:
    m = MeasureCache().measure_for(FONTS.regular, FONTS.face_index, size)
    width = float(ems * size)
    lines = break_lines(text, width, m)
    assert reassembles(text, lines)
    assert all(m(ln) <= width or len(ln) == 1 for ln in lines)
    if all(m(text[s:e]) <= width for s, e in clusters(text)):
        assert prohibition_violations(lines) == []
