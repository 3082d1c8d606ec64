from __future__ import annotations

from kiosk.text.paragraphs import (
    Block,
    TextStyle,
    default_styles,
    layout_blocks,
    parse_blocks,
)
from tests.textutil import synthetic


def test_official_heading_levels_are_recognised() -> None:
    text = "一、概述\n（一）平台建设\n(二)制度建设\n1. 第一项\n2、第二项\n（3）第三项\n正文段落。"
    roles = [b.role for b in parse_blocks(text)]
    assert roles == ["h1", "h2", "h2", "h3", "h3", "h3", "body"]


def test_blank_lines_and_indentation_spaces_are_ignored() -> None:
    text = "\n  第一段。\n\n\n\u3000\u3000第二段。  \n"
    assert parse_blocks(text) == [Block("body", "第一段。"), Block("body", "第二段。")]


def test_decimal_numbers_are_not_headings() -> None:
    assert parse_blocks("3.5亿元用于建设。")[0].role == "body"


def test_run_in_heading_sentence_becomes_heading_and_rest_body() -> None:
    text = "（一）及时主动公开工作信息。2018年我镇主动公开政府信息数179条。"
    assert parse_blocks(text) == [
        Block("h2", "（一）及时主动公开工作信息。"),
        Block("body", "2018年我镇主动公开政府信息数179条。"),
    ]


def test_long_numbered_paragraph_without_short_heading_stays_body() -> None:
    text = (
        "（一）进一步提高对政务公开工作的认识，切实提高做好政务公开工作的认识，"
        "把它作为加强廉政建设的一项重要措施。"
    )
    assert parse_blocks(text) == [Block("body", text)]


def test_a_numbered_item_that_is_one_sentence_with_clauses_is_text_not_a_heading() -> None:
    text = (
        "（一）继续开展冬季安全隐患排查，重点做好防火、防煤烟中毒、防冻害工作。\n"
        "1. 对检查中发现的烟道堵塞、炉具老化等隐患，当场告知并督促整改。\n"
        "一、领导重视，周密部署\n"
        "（五）市场保障。"
    )
    assert [b.role for b in parse_blocks(text)] == ["body", "body", "h1", "h2"]


def test_bullets_and_circled_numbers_are_list_items() -> None:
    assert [b.role for b in parse_blocks("①身份证\n• 户口簿")] == ["list", "list"]


STYLES = {
    "h1": TextStyle("h1", 12, 1.5, 0.0, True, 8.0),
    "body": TextStyle("body", 10, 1.6, 2.0, False, 4.0),
}


def _measure_for(style: TextStyle) -> object:
    return lambda s: synthetic(s) * style.size / 10


def test_body_first_line_is_indented_two_full_width_characters() -> None:
    lines = layout_blocks([Block("body", "一二三四五六七八九十")], 60.0, STYLES, _measure_for)  # type: ignore[arg-type]
    assert [(ln.text, ln.x) for ln in lines] == [("一二三四", 20.0), ("五六七八九十", 0.0)]
    assert lines[0].first and not lines[0].last and lines[1].last


def test_lines_stack_from_zero_with_line_and_paragraph_spacing() -> None:
    blocks = [Block("h1", "一、概述"), Block("body", "一二三四五六七八"), Block("body", "九十")]
    lines = layout_blocks(blocks, 60.0, STYLES, _measure_for)  # type: ignore[arg-type]
    # h1 18 px; body lines 16 px; 4 px before each body paragraph.
    assert [ln.y for ln in lines] == [0.0, 22.0, 38.0, 58.0]
    assert [ln.height for ln in lines] == [18.0, 16.0, 16.0, 16.0]
    assert [ln.block for ln in lines] == [0, 1, 1, 2]
    assert lines[0].style.bold and lines[0].role == "h1"


def test_widths_are_measured_in_the_lines_own_style() -> None:
    lines = layout_blocks([Block("h1", "一、概述")], 200.0, STYLES, _measure_for)  # type: ignore[arg-type]
    assert lines[0].width == 48.0


def test_unknown_roles_fall_back_to_the_body_style() -> None:
    lines = layout_blocks([Block("h3", "1. 一二")], 200.0, STYLES, _measure_for)  # type: ignore[arg-type]
    assert lines[0].style.role == "body" and lines[0].role == "h3"


def test_default_styles_make_headings_bold_and_larger() -> None:
    st = default_styles(40)
    assert st["h1"].size > st["body"].size and st["h1"].bold and not st["body"].bold
    assert st["body"].indent_chars == 2.0


def test_closing_signature_and_date_are_set_flush_right() -> None:
    text = "正文。\n红花尔基镇人民政府\n                 2018年12月6日\n"
    blocks = parse_blocks(text)
    assert [b.role for b in blocks] == ["body", "sign", "sign"]
    styles = default_styles(10)
    lines = layout_blocks(blocks, 200.0, styles, _measure_for)  # type: ignore[arg-type]
    sign = [ln for ln in lines if ln.role == "sign"]
    assert all(ln.x + ln.width == 200.0 - 20.0 for ln in sign)  # two characters from the edge


def test_a_date_inside_the_text_is_not_a_signature() -> None:
    assert [b.role for b in parse_blocks("2018年12月6日\n正文。")] == ["body", "body"]
    assert parse_blocks("正文，很长的一句话。\n2018年12月6日")[-1].role == "sign"
    assert parse_blocks("正文，很长的一句话。\n2018年12月6日")[0].role == "body"


def test_sign_role_without_a_style_falls_back_to_right_aligned_body() -> None:
    lines = layout_blocks([Block("sign", "二〇一八年十二月六日")], 200.0, STYLES, _measure_for)  # type: ignore[arg-type]
    # The body indent (two characters) becomes the right-hand margin.
    assert lines[0].x + lines[0].width == 180.0 and lines[0].style.align == "right"


def test_centred_style_centres_each_line() -> None:
    styles = {"body": TextStyle("body", 10, 1.5, 0.0, False, 0.0, "center")}
    lines = layout_blocks([Block("body", "一二三")], 100.0, styles, _measure_for)  # type: ignore[arg-type]
    assert lines[0].x == 35.0


def test_hyphen_starts_a_list_item_only_before_a_space() -> None:
    assert [b.role for b in parse_blocks("- 身份证\n-5℃以下停止施工。")] == ["list", "body"]


def test_lines_carry_draw_runs_squeezed_only_when_the_style_asks() -> None:
    text = "依据《条例》（以下简称）办理。"
    plain = layout_blocks([Block("body", text)], 500.0, STYLES, _measure_for)  # type: ignore[arg-type]
    assert plain[0].runs == ((0.0, plain[0].text),)
    sq = {"body": TextStyle("body", 10, 1.6, 0.0, False, 0.0, squeeze=True)}
    lines = layout_blocks([Block("body", text)], 500.0, sq, _measure_for)  # type: ignore[arg-type]
    assert lines[0].runs == ((0.0, "依据《条例》"), (55.0, "（以下简称）办理。"))
    assert lines[0].width == 150.0 - 5.0  # "》（" squeezed by half an em


def test_chapters_and_sections_of_regulations_are_headings_but_articles_are_text() -> None:
    text = "第一章 总则\n第一节 适用范围\n第一条 为了保障公民依法获取政府信息，制定本条例。"
    assert [b.role for b in parse_blocks(text)] == ["h1", "h2", "body"]
