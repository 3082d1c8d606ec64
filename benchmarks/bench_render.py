"""Slide rendering: one laid-out page drawn onto a 1920×1080 surface.

``render_page_ms``: the first page of the 2018 annual report notice (title, meta row, badge,
rule, eight body lines, QR code) already laid out, drawn onto an off-screen 1920×1080
surface with warm glyph caches — what the player pays when it pre-renders a page ahead of
its turn. ``render_page_ms_cold``: the same with a fresh renderer (fonts opened anew, no
glyph cache, QR rebuilt). ``baseline_relayout_render_ms``: the baseline in the same run —
laying the whole entry out again from the model and then drawing the page (what a player
that did not keep display lists would pay). Also: the frame (header, footer, clock) and a
report page with tiles and a chart, and ``blit_page_ms`` (copying a pre-rendered page).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

TITLE = "Slide rendering (display list onto a surface)"

NOTES = """
Pages from `kiosk/layout/samples.py` (the 2018 annual report as a notice, the report with
key-figure tiles and a bar chart) laid out at 1920×1080 with the `civic` theme and drawn by
`kiosk.draw.Renderer` onto an off-screen surface (pygame.freetype, Noto CJK SC). The
baseline re-lays out the entry from its model (line breaking, pagination, display list)
before drawing, in the same run. Target: a page rendered in < 15 ms.
"""

SIZE = (1920, 1080)


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def run(quick: bool = False) -> dict[str, float]:
    from datetime import date

    import pygame

    from kiosk.config import FontConfig
    from kiosk.draw import Renderer
    from kiosk.images import FileProbe
    from kiosk.layout import LayoutContext, clock_ops, frame_ops, layout_entry
    from kiosk.layout.samples import NOW, entries
    from kiosk.measure import FontMetrics
    from kiosk.model import Frame
    from kiosk.themes import get_theme

    fonts = FontConfig()
    metrics = FontMetrics(fonts)
    theme = get_theme("civic")
    ctx = LayoutContext(
        size=SIZE,
        theme=theme,
        metrics=metrics,
        frame=Frame(phone="0470-8942932"),
        now=NOW,
        media=FileProbe(),
    )
    notice = entries()[0]
    report = entries()[3]
    page = layout_entry(notice, ctx)[0]
    report_page = layout_entry(report, ctx)[0]
    frame = frame_ops(ctx, NOW, date(2026, 11, 23)) + clock_ops(ctx, NOW)
    surface = pygame.Surface(SIZE)
    renderer = Renderer(fonts, metrics=metrics)

    def draw(r: Renderer, ops: tuple[object, ...]) -> None:
        surface.fill(theme.background)
        r.draw(surface, ops)  # type: ignore[arg-type]

    draw(renderer, page.ops)  # warm the glyph cache
    draw(renderer, report_page.ops)
    n = 20 if quick else 200
    warm = _median_ms(lambda: draw(renderer, page.ops), n)
    cold = _median_ms(lambda: draw(Renderer(fonts, metrics=metrics), page.ops), 3 if quick else 15)
    relayout = _median_ms(lambda: draw(renderer, layout_entry(notice, ctx)[0].ops), n // 4)
    report_ms = _median_ms(lambda: draw(renderer, report_page.ops), n)
    frame_ms = _median_ms(lambda: renderer.draw(surface, frame), n)
    clock = clock_ops(ctx, NOW)
    clock_ms = _median_ms(lambda: renderer.draw(surface, clock), n)
    pre = pygame.Surface(SIZE)
    blit_ms = _median_ms(lambda: surface.blit(pre, (0, 0)), n)
    return {
        "render_page_ms": round(warm, 3),
        "render_page_ms_cold": round(cold, 2),
        "baseline_relayout_render_ms": round(relayout, 3),
        "render_page_vs_relayout": round(warm / relayout, 4),
        "render_report_page_ms": round(report_ms, 3),
        "render_frame_ms": round(frame_ms, 3),
        "render_clock_ms": round(clock_ms, 3),
        "blit_page_ms": round(blit_ms, 3),
    }
