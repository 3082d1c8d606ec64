from __future__ import annotations

import os

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


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_laying_out_at_many_sizes_opens_each_font_file_once() -> None:
    # Every pygame Font object holds its file open; one per size leaked a descriptor for each
    # size autofit tried, and a kiosk lays out pages at many sizes for months.
    from kiosk.draw import Renderer
    from kiosk.layout import layout_entry
    from kiosk.layout.samples import entries
    from kiosk.measure import ROLES, FontMetrics
    from tests.slides_util import SIZES, make_ctx

    fc = FontConfig()
    for role in ROLES:
        FontMetrics(fc).measure(role, 40)("公告")
        Renderer(fc).face(role)
    before = _open_fds()
    for size in range(12, 160, 3):
        metrics = FontMetrics(fc)
        for role in ROLES:
            assert metrics.measure(role, size)("红花尔基镇 0470-8942932") > 0
    for screen in SIZES:
        ctx = make_ctx(screen)
        for entry in entries():
            assert layout_entry(entry, ctx)
    for _ in range(5):
        renderer = Renderer(fc)
        for role in ROLES:
            renderer.face(role)
    assert _open_fds() == before
