from __future__ import annotations

import itertools
import re

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from kiosk.text.linebreak import break_lines, clusters, line_runs, line_width, squeeze_points
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


def test_a_range_of_times_or_numbers_stays_on_one_line() -> None:
    text = "办公时间：工作日上午8:30—12:00，下午14:30—17:30"
    for width in (120.0, 150.0, 200.0, 260.0):
        for line in break_lines(text, width, synthetic):
            assert not line.startswith("—") and not line.endswith("—"), (width, line)

    def parts(t: str) -> set[str]:
        return {t[s:e] for s, e in clusters(t)}

    assert "8:30—12:00，" in parts(text)
    assert "3～5个" in parts("需要3～5个工作日")
    # A double dash is punctuation (破折号), not a range: it is its own cluster.
    assert "——" in parts("12——13")


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


def test_currency_sign_stays_with_its_amount() -> None:
    lines = break_lines("一二三四五六￥100元", 70.0, synthetic)
    assert lines[0] == "一二三四五六" and lines[1].startswith("￥100")


@settings(max_examples=300, deadline=None)
@given(texts, widths, measures)
def test_squeezed_lines_fit_and_their_runs_rebuild_the_line(
    text: str, width: float, measure: object
) -> None:
    lines = break_lines(text, width, measure, squeeze=True)  # type: ignore[arg-type]
    assert reassembles(text, lines)
    for ln in lines:
        w = line_width(ln, synthetic, True, width)
        assert w <= width + 1e-6 or len(ln) == 1
        runs = line_runs(ln, synthetic, True, width)
        assert "".join(t for _, t in runs) == ln
        xs = [x for x, _ in runs]
        assert xs == sorted(xs) and xs[0] == 0.0
        # Nothing is compressed by more than half of each mark: the runs end where the
        # line's width says, give or take the last mark's blank half.
        end = xs[-1] + synthetic(runs[-1][1])
        assert w - 1e-6 <= end <= w + synthetic_width(ln[-1]) / 2 + 1e-6
    if all(synthetic(text[s:e]) <= width for s, e in clusters(text)):
        assert prohibition_violations(lines) == []


def test_adjacent_punctuation_is_squeezed_by_half_an_em() -> None:
    assert squeeze_points("《条例》（以下简称）。“啊”好") == [3, 9, 10]
    assert line_width("例》（以", synthetic, squeeze=True) == 35.0
    assert line_runs("例》（以", synthetic) == ((0.0, "例》"), (15.0, "（以"))
    assert line_runs("例》（以", synthetic, squeeze=False) == ((0.0, "例》（以"),)


def test_squeezing_lets_a_line_hold_what_fits_once_compressed() -> None:
    text = "一二三》（四五六七"
    assert break_lines(text, 55.0, synthetic) == ["一二三》", "（四五六七"]
    assert break_lines(text, 55.0, synthetic, squeeze=True)[0] == "一二三》（四"


def test_a_squeeze_across_a_line_break_is_not_counted() -> None:
    # "》" ends the line; its blank half is only removed when "（" follows on the same line.
    lines = break_lines("一二三四五》（六", 55.0, synthetic, squeeze=True)
    assert lines == ["一二三四", "五》（六"]


def test_push_in_keeps_a_closing_mark_on_the_line_by_compressing_punctuation() -> None:
    text = "一二三四五六，七八"
    assert break_lines(text, 65.0, AdditiveSynthetic()) == ["一二三四五", "六，七八"]
    lines = break_lines(text, 65.0, AdditiveSynthetic(), squeeze=True)
    assert lines == ["一二三四五六，", "七八"]
    assert line_width(lines[0], synthetic, True, 65.0) == 65.0
    # The compressed mark is the last one, so the line is still drawn as one run.
    assert line_runs(lines[0], synthetic, True, 65.0) == ((0.0, "一二三四五六，"),)


def test_push_in_compresses_inner_marks_last_first_and_splits_runs() -> None:
    text = "一，二三四五六七。八九"
    # "一，二三四五六" is 70 px; "七。" needs 20 more, 10 over the 80 px line: both "。" and
    # "，" give up half an em.
    assert break_lines(text, 80.0, AdditiveSynthetic())[0] == "一，二三四五六"
    lines = break_lines(text, 80.0, AdditiveSynthetic(), squeeze=True)
    assert lines == ["一，二三四五六七。", "八九"]
    runs = line_runs(lines[0], synthetic, True, 80.0)
    assert runs == ((0.0, "一，"), (15.0, "二三四五六七。"))
    assert line_width(lines[0], synthetic, True, 80.0) == 80.0
    # One more pixel short and the marks cannot make room: "七。" is pulled out.
    assert break_lines(text, 79.0, AdditiveSynthetic(), squeeze=True)[0] == "一，二三四五六"


def test_push_in_is_not_used_when_compression_cannot_make_room() -> None:
    text = "一二三四五六，七八"
    lines = break_lines(text, 62.0, AdditiveSynthetic(), squeeze=True)
    assert lines == ["一二三四五", "六，七八"]
