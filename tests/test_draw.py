"""The renderer: fonts and faces, text placement, QR codes, images, rotation, ticker."""

from __future__ import annotations

from pathlib import Path

import pygame
import pygame.freetype
import pytest

from kiosk.config import FontConfig
from kiosk.displaylist import BASELINE, BoxOp, ImageOp, TextOp
from kiosk.draw import Renderer, rotate_surface
from kiosk.images import ImageCache, fit_rect
from kiosk.qr import qr_geometry, qr_matrix
from kiosk.themes import get_theme
from tests.slides_util import make_pdf, make_photo

WHITE = (255, 255, 255)
BLACK = (0, 0, 0)


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(FontConfig())


def _ink(surface: pygame.Surface, bg: tuple[int, int, int] = WHITE) -> pygame.Rect | None:
    """Bounding box of every pixel that differs from the background."""
    mask = pygame.mask.from_threshold(surface, bg, (1, 1, 1, 255))
    mask.invert()
    rects = mask.get_bounding_rects()
    if not rects:
        return None
    return rects[0].unionall(rects[1:])


def _face_render(index: int, text: str, size: int) -> pygame.Surface:
    font = pygame.freetype.Font(FontConfig().regular, size, font_index=index)
    font.origin = True
    surf = pygame.Surface((size * 2, size * 2))
    surf.fill(WHITE)
    font.render_to(surf, (10, 10 + round(BASELINE * size)), text, BLACK, size=size)
    return surf


@pytest.mark.parametrize("char", ["直", "骨", "角", "化"])
def test_han_characters_are_drawn_in_their_simplified_chinese_form(
    renderer: Renderer, char: str
) -> None:
    """Face 0 of the Noto CJK collection is the Japanese design; our renderer must draw
    the Simplified Chinese face (index 2), whose shapes of these characters differ."""
    size = 96
    ours = pygame.Surface((size * 2, size * 2))
    ours.fill(WHITE)
    renderer.draw(ours, [TextOp(char, 10, 10, size, BLACK)])
    sc = _face_render(2, char, size)
    jp = _face_render(0, char, size)
    assert pygame.image.tobytes(ours, "RGB") == pygame.image.tobytes(sc, "RGB")
    diff = sum(
        1
        for x in range(0, size * 2, 2)
        for y in range(0, size * 2, 2)
        if sc.get_at((x, y)) != jp.get_at((x, y))
    )
    assert diff > 20  # the two designs really differ for this character


def test_text_is_drawn_inside_its_em_box(renderer: Renderer) -> None:
    surf = pygame.Surface((900, 200))
    surf.fill(WHITE)
    metrics = renderer.metrics
    text = "政务公开（2018）"
    w = metrics.measure("regular", 64)(text)
    op = TextOp(text, 40, 50, 64, BLACK, "regular", "body", w)
    renderer.draw(surf, [op])
    ink = _ink(surf)
    assert ink is not None
    slack = 64 * 0.12
    assert ink.left >= op.x - 2 and ink.right <= op.x + w + 2
    assert ink.top >= op.y - slack and ink.bottom <= op.y + op.size + slack


def test_drawing_with_an_offset_moves_everything(renderer: Renderer) -> None:
    ops = [BoxOp((100, 100, 50, 20), (200, 0, 0)), TextOp("字", 100, 130, 40, BLACK)]
    a = pygame.Surface((300, 300))
    a.fill(WHITE)
    renderer.draw(a, ops)
    b = pygame.Surface((300, 300))
    b.fill(WHITE)
    renderer.draw(b, ops, offset=(-60, -40))
    assert a.subsurface((60, 40, 200, 200)).get_at((45, 65)) == b.get_at((45, 65))
    assert _ink(b) == _ink(a).move(-60, -40)  # type: ignore[union-attr]


def test_qr_code_modules_are_whole_pixels_and_match_the_matrix(renderer: Renderer) -> None:
    data = "https://www.ewenke.gov.cn/"
    box = (20, 30, 300, 300)
    surf = pygame.Surface((400, 400))
    surf.fill((90, 90, 90))
    renderer.draw(surf, [ImageOp(box, "qr:" + data, "pixel")])
    matrix = qr_matrix(data)
    geo = qr_geometry(matrix.modules, box)
    assert geo.module_px >= 2 and geo.size <= 300
    m = geo.module_px
    for r, row in enumerate(matrix.rows):
        for c, dark in enumerate(row):
            px = surf.get_at((geo.x + c * m + m // 2, geo.y + r * m + m // 2))
            assert px[:3] == (BLACK if dark else WHITE)


def test_images_are_scaled_once_and_reused(tmp_path: Path, renderer: Renderer) -> None:
    photo = make_photo(tmp_path / "big.jpg", (1600, 900))
    cache = ImageCache()
    r = Renderer(FontConfig(), images=cache, metrics=renderer.metrics)
    op = ImageOp((0, 0, 400, 400), str(photo), "contain")
    surf = pygame.Surface((400, 400))
    for _ in range(5):
        r.draw(surf, [op])
    assert cache.loads == 1
    img, dest = cache.get(op)
    assert img.get_size() == (400, 225) and dest == (0, 87, 400, 225)


def test_cover_fills_the_box_and_contain_letterboxes() -> None:
    assert fit_rect((1600, 900), (0, 0, 400, 400), "contain") == (
        (0, 87, 400, 225),
        (0, 0, 1600, 900),
    )
    dest, crop = fit_rect((1600, 900), (10, 10, 400, 400), "cover")
    assert dest == (10, 10, 400, 400)
    assert crop == (350, 0, 900, 900)
    assert fit_rect((37, 37), (0, 0, 300, 200), "pixel")[0] == (57, 7, 185, 185)


def test_pdf_pages_are_rasterised_at_the_size_shown(tmp_path: Path, renderer: Renderer) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", pages=2)
    cache = ImageCache(disk_dir=str(tmp_path / "cache"))
    img, dest = cache.get(ImageOp((0, 0, 600, 600), f"pdf:{pdf}#1", "contain"))
    assert dest[3] == 600 and img.get_height() == 600  # A4 portrait: height-bound
    assert img.get_at((dest[2] // 2, 60))[:3] != (255, 255, 255)  # the red heading bar
    assert list((tmp_path / "cache").glob("*.png"))  # kept on disk for the next start
    again = ImageCache(disk_dir=str(tmp_path / "cache"))
    img2, _ = again.get(ImageOp((0, 0, 600, 600), f"pdf:{pdf}#1", "contain"))
    assert pygame.image.tobytes(img2, "RGB") == pygame.image.tobytes(img, "RGB")


def test_a_missing_image_draws_a_placeholder_instead_of_failing(
    tmp_path: Path, renderer: Renderer
) -> None:
    surf = pygame.Surface((200, 200))
    surf.fill(WHITE)
    renderer.draw(surf, [ImageOp((10, 10, 100, 100), str(tmp_path / "gone.png"))])
    assert _ink(surf) == pygame.Rect(10, 10, 100, 100)


@pytest.mark.parametrize(
    ("deg", "size"), [(0, (64, 32)), (90, (32, 64)), (180, (64, 32)), (270, (32, 64))]
)
def test_rotation_turns_the_finished_surface_clockwise(deg: int, size: tuple[int, int]) -> None:
    surf = pygame.Surface((64, 32))
    surf.fill(WHITE)
    surf.fill((255, 0, 0), (0, 0, 8, 8))  # top-left marker
    out = rotate_surface(surf, deg)
    assert out.get_size() == size
    corner = {
        0: (0, 0),
        90: (size[0] - 1, 0),
        180: (size[0] - 1, size[1] - 1),
        270: (0, size[1] - 1),
    }
    assert out.get_at(corner[deg])[:3] == (255, 0, 0)


def test_rotation_rejects_odd_angles() -> None:
    with pytest.raises(ValueError):
        rotate_surface(pygame.Surface((4, 4)), 45)


def test_ticker_strip_is_band_coloured_with_the_text_centred(renderer: Renderer) -> None:
    theme = get_theme("civic")
    strip = renderer.ticker_strip("冬季供暖保障热线", 80, theme, 44)
    assert strip.get_height() == 80
    assert strip.get_at((strip.get_width() - 1, 0))[:3] == theme.ticker_bg
    ink = _ink(strip, theme.ticker_bg)
    assert ink is not None and ink.top > 5 and ink.bottom < 75
    assert abs((ink.top + ink.bottom) / 2 - 40) < 8
