from __future__ import annotations

from kiosk.config import FontConfig
from kiosk.fonts import face_name, missing_glyphs


def test_default_font_opens_the_simplified_chinese_face() -> None:
    fc = FontConfig()
    assert "CJK SC" in face_name(fc.regular, fc.face_index)


def test_missing_glyphs_reports_each_undrawable_character_once() -> None:
    fc = FontConfig()
    assert missing_glyphs("公告℃\U0001f600\U0001f600", fc.regular, fc.face_index) == ["\U0001f600"]


def test_cjk_text_and_latin_have_no_missing_glyphs() -> None:
    fc = FontConfig()
    assert missing_glyphs("红花尔基镇 0470-8942932 hhej2010@163.com 〔2017〕", fc.regular, 2) == []
