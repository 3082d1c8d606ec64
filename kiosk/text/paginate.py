"""Pagination of laid-out lines into screen pages — pure.

A page holds as many lines as fit its height, then the break moves up so that, whenever
the page can still hold something:

* no heading ends a page while text follows it (a heading moves on with its first line);
* no paragraph leaves its first line alone at the bottom of a page (orphan);
* no paragraph leaves its last line alone at the top of the next page (widow).

When no such break exists (a heading and its paragraph taller than a page, say), the page
is filled as far as it goes.  Lines are never split, reordered or dropped; a single line
taller than the page gets a page of its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from kiosk.text.paragraphs import HEADING_ROLES, LaidLine

_EPS = 1e-6


@dataclass(frozen=True)
class TextPage:
    """The lines of one page, ``y`` rebased to the page top; ``chars`` counts the visible
    characters (whitespace excluded) for the page's display time."""

    lines: tuple[LaidLine, ...]
    chars: int


def _good_break(lines: Sequence[LaidLine], k: int) -> bool:
    """May a page end after ``lines[k-1]`` (the next page starting at ``lines[k]``)?"""
    if k <= 0 or k >= len(lines):
        return True
    before, after = lines[k - 1], lines[k]
    if before.role in HEADING_ROLES:
        return False  # stranded heading, or a heading split across pages
    if before.block == after.block:
        if before.first:
            return False  # orphan: a paragraph's first line alone at the bottom
        if after.last:
            return False  # widow: a paragraph's last line alone at the top
    return True


def paginate(lines: Sequence[LaidLine], height: float) -> list[TextPage]:
    pages: list[TextPage] = []
    n = len(lines)
    s = 0
    while s < n:
        top = lines[s].y
        e = s + 1
        while e < n and lines[e].y + lines[e].height - top <= height + _EPS:
            e += 1
        k = e
        while k > s and not _good_break(lines, k):
            k -= 1
        if k == s:
            k = e
        page = tuple(replace(ln, y=ln.y - top) for ln in lines[s:k])
        chars = sum(len(ln.text) - sum(1 for c in ln.text if c.isspace()) for ln in page)
        pages.append(TextPage(page, chars))
        s = k
    return pages


def page_seconds(chars: int, reading_speed: float, min_s: float, max_s: float) -> float:
    """Display time for a page of ``chars`` characters read at ``reading_speed``
    characters per second, kept within ``[min_s, max_s]`` (rounded up to 0.1 s)."""
    if reading_speed <= 0 or not math.isfinite(reading_speed):
        return float(max_s)
    t = math.ceil(chars / reading_speed * 10) / 10
    return float(min(max(t, min_s), max_s))
