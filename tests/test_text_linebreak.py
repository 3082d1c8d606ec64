from __future__ import annotations

import itertools
import re

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from kiosk.text.linebreak import break_lines, clusters
from tests.textutil import (
    AdditiveSynthetic,
    line_spans,
    prohibition_violations,
    reassembles,
    synthetic,
    synthetic_width,
)

SEED_SENTENCE = (
    "如对本报告有任何疑问，请与红花尔基镇人民政府办公室联系（联系电话0470-8942932，"
    "电子邮箱：hhej2010@163.com)。"
)

# Alphabet for random text: Han, every kind of punctuation, digits, Latin, spaces.
HAN = "政务公开工作红花尔基镇年月日报告信息"
PUNCT = "。，、；：？！）》」』】〕”’…%‰℃,.;:?!)]}（《「『【〔“‘([{—·-@/"
LATIN = "0123456789abcXYZ"
ALPHABET = HAN * 3 + PUNCT + LATIN * 2 + "  "
texts = st.text(alphabet=ALPHABET, min_size=0, max_size=120)
widths = st.floats(min_value=5.0, max_value=400.0)
measures = st.sampled_from([synthetic, AdditiveSynthetic()])


@settings(max_examples=300, deadline=None)
@given(texts, widths, measures)
@example("他说——好的……。", 20.0, synthetic)
@example(SEED_SENTENCE, 80.0, synthetic)
def test_no_line_is_wider_than_the_width_except_a_lone_wider_character(
    text: str, width: float, measure: object
) -> None:
    for ln in break_lines(text, width, measure):  # type: ignore[arg-type]
        assert synthetic(ln) <= width + 1e-6 or len(ln) == 1, ln


@settings(max_examples=300, deadline=None)
@given(texts, widths, measures)
def test_lines_reassemble_the_text_dropping_only_spaces_at_breaks(
    text: str, width: float, measure: object
) -> None:
    lines = break_lines(text, width, measure)  # type: ignore[arg-type]
    assert reassembles(text, lines), lines
    assert all(ln for ln in lines)
    assert all(ln == ln.strip(" ") for ln in lines)


@settings(max_examples=300, deadline=None)
@given(texts, widths, measures)
def test_closing_punctuation_never_starts_and_opening_never_ends_a_line(
    text: str, width: float, measure: object
) -> None:
    # Whenever every cluster fits on a line, the prohibitions hold without exception.
    assume(all(synthetic(text[s:e]) <= width for s, e in clusters(text)))
    lines = break_lines(text, width, measure)  # type: ignore[arg-type]
    assert prohibition_violations(lines) == []


@settings(max_examples=300, deadline=None)
@given(texts, widths, measures)
def test_dashes_and_ellipses_are_never_split(text: str, width: float, measure: object) -> None:
    assume(width >= 20.0)  # a pair fits on a line
    lines = break_lines(text, width, measure)  # type: ignore[arg-type]
    for a, b in itertools.pairwise(lines):
        for mark in "—…":
            assert not (a.endswith(mark) and b.startswith(mark)), (a, b)


@settings(max_examples=300, deadline=None)
@given(texts, widths, measures)
def test_digit_and_latin_runs_stay_whole_when_they_fit(
    text: str, width: float, measure: object
) -> None:
    lines = break_lines(text, width, measure)  # type: ignore[arg-type]
    spans = line_spans(text, lines)
    for m in re.finditer(r"[0-9A-Za-z]+", text):
        cluster = next((s, e) for s, e in clusters(text) if s <= m.start() < e)
        if synthetic(text[cluster[0] : cluster[1]]) <= width:
            assert any(s <= m.start() and m.end() <= e for s, e in spans), (m.group(), lines)


def test_closing_punctuation_pulls_the_previous_character_down() -> None:
    # Seven characters fit; the 8th is "，" which may not start the next line.
    lines = break_lines("一二三四五六七，八九", 70.0, synthetic)
    assert lines == ["一二三四五六", "七，八九"]


def test_closing_punctuation_stays_when_it_fits() -> None:
    assert break_lines("一二三四五六，七八九", 70.0, synthetic) == ["一二三四五六，", "七八九"]


def test_opening_punctuation_never_ends_a_line() -> None:
    lines = break_lines("一二三四五六《七八》九", 70.0, synthetic)
    assert lines == ["一二三四五六", "《七八》九"]


def test_ellipsis_pair_moves_as_one_with_the_character_before() -> None:
    lines = break_lines("一二三四五六……七", 70.0, synthetic)
    assert lines == ["一二三四五", "六……七"]


def test_em_dash_pair_is_never_split() -> None:
    lines = break_lines("一二三四五六——七", 70.0, synthetic)
    assert lines == ["一二三四五六", "——七"]


def test_phone_number_email_and_document_number_stay_whole() -> None:
    text = SEED_SENTENCE + "（鄂政办字〔2017〕103号）"
    lines = break_lines(text, 140.0, synthetic)
    joined = "\n".join(lines)
    for token in ("0470-8942932", "hhej2010@163.com", "〔2017〕"):
        assert token in joined, (token, lines)


def test_year_keeps_its_unit_and_may_break_after_it() -> None:
    lines = break_lines("一二三四五2018年六七八", 80.0, synthetic)
    assert lines == ["一二三四五", "2018年六七八"]
    assert any(ln.endswith("年") for ln in break_lines("一二三2018年六七八", 70.0, synthetic))


def test_a_url_wider_than_the_line_is_broken_by_character() -> None:
    url = "https://www.example.gov.cn/xxgk/2018/annual-report.html"
    lines = break_lines(url, 60.0, synthetic)
    assert "".join(lines) == url
    assert all(synthetic(ln) <= 60.0 for ln in lines)
    assert len(lines) > 1


def test_over_wide_cluster_fallback_avoids_closing_mark_at_line_start() -> None:
    lines = break_lines("hhej2010@163.com)。", 60.0, synthetic)
    assert "".join(lines) == "hhej2010@163.com)。"
    assert prohibition_violations(lines) == []


def test_over_wide_address_is_cut_at_a_separator_when_one_is_near() -> None:
    lines = break_lines("联系hhej2010@163.com)。", 100.0, synthetic)
    assert lines == ["联系", "hhej2010", "@163.com)。"]


def test_spaces_between_latin_words_are_break_opportunities() -> None:
    assert break_lines("hello world again", 40.0, synthetic) == ["hello", "world", "again"]


def test_last_line_never_holds_a_single_character_when_avoidable() -> None:
    lines = break_lines("一二三四五六七八。", 70.0, synthetic)
    assert lines == ["一二三四五六", "七八。"]


def test_first_width_sets_the_first_line_for_an_indent() -> None:
    lines = break_lines("一二三四五六七八九十", 50.0, synthetic, first_width=30.0)
    assert lines == ["一二三", "四五六七八", "九十"]


def test_newline_forces_a_break_and_empty_text_gives_no_lines() -> None:
    assert break_lines("一二\n三四", 100.0, synthetic) == ["一二", "三四"]
    assert break_lines("", 100.0, synthetic) == []
    assert break_lines("   ", 100.0, synthetic) == []


def test_a_character_wider_than_the_line_gets_a_line_of_its_own() -> None:
    assert break_lines("一二", 5.0, synthetic) == ["一", "二"]


def test_fast_path_and_plain_measure_agree() -> None:
    text = SEED_SENTENCE * 3
    for w in (55.0, 97.0, 180.0, 333.0):
        assert break_lines(text, w, synthetic) == break_lines(text, w, AdditiveSynthetic())


def test_synthetic_width_is_positive() -> None:
    assert all(synthetic_width(c) > 0 for c in ALPHABET)
