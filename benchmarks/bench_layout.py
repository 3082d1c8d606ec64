"""Text layout: a 2,600-character notice laid out and paginated at 1920×1080.

``layout_doc_ms_warm``: parse + line-break + paginate with the measure caches filled (what
the player pays when it re-lays out a notice it has shown before, e.g. after a playlist
edit).  ``layout_doc_ms_cold``: the same with fresh caches and freshly opened fonts (the
first time a notice is shown).  ``baseline_wraplength_ms``: pygame-ce's own
``pygame.font.Font(...).render(text, True, color, wraplength=...)`` of the same text in
the same run — SDL_ttf's wrapping (no clreq rules) plus rasterisation into one surface.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

TITLE = "Text layout (line breaking, paragraphs, pagination)"

NOTES = """
A 2,600-character notice (the seed annual report, extended with its own paragraphs) at
1920×1080: body 48 px (the slides' body size there, 4.4 % of the height), headings bold
and larger, a text column of 1760 × 700 px, Noto Sans CJK SC (face 2) regular and bold.
Warm = measure caches filled;
cold = fresh `MeasureCache` with freshly opened fonts (every glyph advance measured again).
The baseline is pygame-ce's own `Font.render(..., wraplength=1760)` of the same text in the
same run (SDL_ttf wrapping, which follows none of the clreq rules, plus drawing the pixels,
so it is an upper bound rather than a like-for-like figure). Targets: warm < 5 ms, cold < 50 ms.
"""

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "data" / "seed-report.txt"
NOTICE_CHARS = 2600
SCREEN = (1920, 1080)
BODY_PX = 48  # == get_theme("civic").sizes(SCREEN).body (checked in run())
COLUMN = (1760, 700)


def notice_text(chars: int = NOTICE_CHARS) -> str:
    """The seed report's paragraphs, repeated as needed, cut to ``chars`` characters."""
    paras = [ln.strip() for ln in SEED.read_text(encoding="utf-8").splitlines() if ln.strip()]
    out: list[str] = []
    total = 0
    i = 0
    while total < chars:
        p = paras[i % len(paras)]
        p = p[: chars - total]
        out.append(p)
        total += len(p)
        i += 1
    return "\n".join(out)


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def run(quick: bool = False) -> dict[str, float]:
    import pygame

    from kiosk.config import FontConfig
    from kiosk.text.measure import FaceMeasure, MeasureCache, fresh_opener
    from kiosk.text.paginate import paginate
    from kiosk.text.paragraphs import TextStyle, default_styles, layout_blocks, parse_blocks
    from kiosk.themes import get_theme

    assert get_theme("civic").sizes(SCREEN).body == BODY_PX, "update BODY_PX and NOTES"
    fonts = FontConfig()
    text = notice_text()
    styles = default_styles(BODY_PX)

    def layout(cache: MeasureCache) -> int:
        def mf(style: TextStyle) -> FaceMeasure:
            path = fonts.bold if style.bold else fonts.regular
            return cache.measure_for(path, fonts.face_index, style.size)

        lines = layout_blocks(parse_blocks(text), COLUMN[0], styles, mf)
        return len(paginate(lines, COLUMN[1]))

    warm_cache = MeasureCache(fresh_opener)
    pages = layout(warm_cache)  # fill the caches
    warm = _median_ms(lambda: layout(warm_cache), 20 if quick else 200)
    cold = _median_ms(lambda: layout(MeasureCache(fresh_opener)), 5 if quick else 30)

    pygame.font.init()
    font = pygame.font.Font(fonts.regular, BODY_PX)
    color = (20, 20, 20)
    font.render(text, True, color, wraplength=COLUMN[0])  # SDL_ttf glyph cache warm
    base = _median_ms(
        lambda: font.render(text, True, color, wraplength=COLUMN[0]), 3 if quick else 15
    )
    return {
        "layout_doc_chars": float(len(text.replace("\n", ""))),
        "layout_doc_pages": float(pages),
        "layout_doc_ms_warm": round(warm, 3),
        "layout_doc_ms_cold": round(cold, 2),
        "baseline_wraplength_ms": round(base, 2),
        "layout_warm_vs_wraplength": round(warm / base, 4),
        "layout_cold_vs_wraplength": round(cold / base, 4),
    }
