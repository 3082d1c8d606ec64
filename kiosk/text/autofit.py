"""Auto-fit for short texts (titles, alerts): the largest size whose wrapped text fits a
box — pure (binary search; the fit is monotone in size for any sane measure)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kiosk.text.linebreak import Measure, break_lines


def fits(
    text: str,
    width: float,
    height: float,
    size: int,
    measure: Measure,
    line_height: float = 1.3,
    max_lines: int | None = None,
) -> list[str] | None:
    """The lines of ``text`` at ``size`` if they fit the box, else ``None``.  A text fits
    when every line is within ``width`` and ``len(lines) × size × line_height ≤ height``."""
    lines = break_lines(text, width, measure)
    if max_lines is not None and len(lines) > max_lines:
        return None
    if len(lines) * size * line_height > height + 1e-6:
        return None
    if any(measure(ln) > width + 1e-6 for ln in lines):
        return None  # only a single over-wide character could do this
    return lines


def autofit(
    text: str,
    width: float,
    height: float,
    sizes: range | Sequence[int],
    measure_at: Callable[[int], Measure],
    line_height: float = 1.3,
    max_lines: int | None = None,
) -> tuple[int, list[str]]:
    """The largest size in ``sizes`` at which ``text`` fits the box, with its lines.  If
    none fits, the smallest size (its lines may then overflow the box; the caller decides
    whether to clip)."""
    ordered = sorted(set(sizes))
    if not ordered:
        raise ValueError("autofit: empty size range")
    lo, hi = 0, len(ordered) - 1
    best: tuple[int, list[str]] | None = None
    while lo <= hi:
        mid = (lo + hi) // 2
        size = ordered[mid]
        lines = fits(text, width, height, size, measure_at(size), line_height, max_lines)
        if lines is not None:
            best = (size, lines)
            lo = mid + 1
        else:
            hi = mid - 1
    if best is not None:
        return best
    smallest = ordered[0]
    return smallest, break_lines(text, width, measure_at(smallest))
