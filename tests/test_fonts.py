from __future__ import annotations

import os

import pytest

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


def _ink(surface: object) -> list[list[bool]]:
    """The glyph's ink (dark pixels on white), cropped to its bounding box."""
    import pygame

    assert isinstance(surface, pygame.Surface)
    w, h = surface.get_size()
    rows = [[surface.get_at((x, y))[0] < 128 for x in range(w)] for y in range(h)]
    ys = [y for y in range(h) if any(rows[y])]
    xs = [x for x in range(w) if any(rows[y][x] for y in range(h))]
    return [r[xs[0] : xs[-1] + 1] for r in rows[ys[0] : ys[-1] + 1]]


def _differing_share(a: list[list[bool]], b: list[list[bool]]) -> float:
    h, w = max(len(a), len(b)), max(len(a[0]), len(b[0]))

    def at(m: list[list[bool]], x: int, y: int) -> bool:
        return y < len(m) and x < len(m[y]) and m[y][x]

    ink = sum(at(a, x, y) or at(b, x, y) for y in range(h) for x in range(w))
    diff = sum(at(a, x, y) != at(b, x, y) for y in range(h) for x in range(w))
    return diff / max(1, ink)


@pytest.mark.parametrize("role", ["regular", "bold", "title"])
@pytest.mark.parametrize("char", ["骨", "直", "写"])
def test_the_renderer_draws_the_chinese_form_of_characters_japanese_writes_differently(
    role: str, char: str
) -> None:
    """骨 直 写 are drawn differently in Japan and China; the .ttc's face 0 is the Japanese
    design.  What the slide renderer draws must be face 2 (SC), not face 0."""
    import pygame

    from kiosk.displaylist import TextOp
    from kiosk.draw import Renderer
    from kiosk.fonts import open_face

    fc = FontConfig()
    path, face = {
        "regular": (fc.regular, fc.face_index),
        "bold": (fc.bold, fc.face_index),
        "title": (fc.title, fc.title_face_index),
    }[role]
    size = 96
    white, black = (255, 255, 255), (0, 0, 0)
    drawn = Renderer(fc).render(
        (160, 160), white, [TextOp(char, 20, 20, size, black, role, "body", size)]
    )

    def direct(index: int) -> list[list[bool]]:
        surf = pygame.Surface((160, 160))
        surf.fill(white)
        open_face(path, index).render_to(surf, (20, 20), char, black, size=size)
        return _ink(surf)

    sc, jp = direct(face), direct(0)
    assert face == 2
    assert _differing_share(sc, jp) > 0.05  # the two designs really differ (≥ 8 % here)
    assert _differing_share(_ink(drawn), sc) < 0.01
    assert _differing_share(_ink(drawn), jp) > 0.05
