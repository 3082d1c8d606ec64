"""Golden images: a few whole screens per slide kind, rendered off-screen and compared with
the PNGs in ``tests/golden/`` within a tolerance (anti-aliasing may differ slightly between
FreeType builds). Regenerate deliberately with ``KIOSK_REGEN_GOLDEN=1``."""

from __future__ import annotations

import os
from pathlib import Path

import pygame
import pytest

from kiosk.draw import Renderer
from kiosk.layout import clock_ops, default_slide, frame_ops, layout_entry, ticker_text
from kiosk.layout.samples import NOW, entries
from kiosk.model import Entry, Image, Pdf
from tests.slides_util import UPDATED, make_ctx, make_pdf, make_photo, metrics

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("KIOSK_REGEN_GOLDEN") == "1"
# Share of pixels allowed to differ noticeably, and what "noticeably" means per channel.
MAX_DIFF_SHARE = 0.004
CHANNEL_TOLERANCE = 48

CASES = [
    # (name, entry id, page, size, theme)
    ("notice-1280x720", "annual-report", 1, (1280, 720), "civic"),
    ("notice-publicity-720x1280", "dibao-publicity", 1, (720, 1280), "civic"),
    ("guide-1280x720", "dibao-guide", 2, (1280, 720), "civic"),
    ("guide-720x1280", "dibao-guide", 1, (720, 1280), "contrast"),
    ("report-1280x720", "report-2018", 1, (1280, 720), "contrast"),
    ("alert-1280x720", "snow-alert", 1, (1280, 720), "civic"),
    ("image-1280x720", "photo", 1, (1280, 720), "civic"),
    ("pdf-1280x720", "pdf", 2, (1280, 720), "contrast"),
    ("default-1280x720", "", 1, (1280, 720), "civic"),
]


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Entry]:
    d = tmp_path_factory.mktemp("media")
    photo = make_photo(d / "photo.jpg", (1200, 800))
    pdf = make_pdf(d / "doc.pdf", pages=3)
    return {
        "photo": Entry(
            "photo", "image", Image(str(photo), "contain", "红花尔基樟子松国家森林公园")
        ),
        "pdf": Entry("pdf", "pdf", Pdf(str(pdf), "镇政府工作报告（全文）")),
    }


def render_case(
    entry_id: str, page: int, size: tuple[int, int], theme: str, media: dict[str, Entry]
) -> pygame.Surface:
    ctx = make_ctx(size, theme)
    renderer = Renderer(ctx.fonts, metrics=metrics())
    if entry_id:
        entry = media.get(entry_id) or next(e for e in entries() if e.id == entry_id)
        slide = layout_entry(entry, ctx)[page - 1]
    else:
        slide = default_slide(ctx)
    if slide.fullscreen:
        return renderer.render(size, slide.background, slide.ops)
    surf = renderer.render(
        size, ctx.theme.background, frame_ops(ctx, NOW, UPDATED), clock_ops(ctx, NOW), slide.ops
    )
    tx, ty, tw, th = ctx.regions.ticker
    strip = renderer.ticker_strip(ticker_text(ctx.ticker), th, ctx.theme, ctx.sizes.ticker)
    surf.blit(strip, (tx + ctx.sizes.margin, ty), pygame.Rect(0, 0, tw - ctx.sizes.margin, th))
    return surf


def differing_share(a: pygame.Surface, b: pygame.Surface) -> float:
    assert a.get_size() == b.get_size()
    ba = pygame.image.tobytes(a, "RGB")
    bb = pygame.image.tobytes(b, "RGB")
    n = len(ba) // 3
    bad = 0
    for i in range(0, len(ba), 3):
        if ba[i : i + 3] != bb[i : i + 3] and (
            abs(ba[i] - bb[i]) > CHANNEL_TOLERANCE
            or abs(ba[i + 1] - bb[i + 1]) > CHANNEL_TOLERANCE
            or abs(ba[i + 2] - bb[i + 2]) > CHANNEL_TOLERANCE
        ):
            bad += 1
    return bad / n


@pytest.mark.parametrize(
    ("name", "entry_id", "page", "size", "theme"), CASES, ids=[c[0] for c in CASES]
)
def test_rendered_screen_matches_golden_image(
    name: str, entry_id: str, page: int, size: tuple[int, int], theme: str, media: dict[str, Entry]
) -> None:
    surf = render_case(entry_id, page, size, theme, media)
    path = GOLDEN / f"{name}.png"
    if REGEN:
        GOLDEN.mkdir(exist_ok=True)
        pygame.image.save(surf, str(path))
        pytest.skip(f"regenerated {path.name}")
    assert path.exists(), f"missing {path}; run with KIOSK_REGEN_GOLDEN=1 to create it"
    golden = pygame.image.load(str(path))
    share = differing_share(surf, golden)
    assert share <= MAX_DIFF_SHARE, f"{name}: {share:.2%} of pixels differ"


def test_the_comparison_notices_a_changed_page(media: dict[str, Entry]) -> None:
    surf = render_case("annual-report", 1, (1280, 720), "civic", media)
    other = render_case("annual-report", 2, (1280, 720), "civic", media)
    assert differing_share(surf, other) > MAX_DIFF_SHARE
