"""Helpers for the text-layout tests: synthetic measures and invariants."""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.text.linebreak import CLOSING, OPENING


def synthetic_width(ch: str) -> float:
    """Full-width characters 1.0 em × 10 px, others a narrower, varied width."""
    o = ord(ch)
    if o >= 0x2E80 or ch in "—…“”‘’·":
        return 10.0
    if ch == " ":
        return 3.0
    return 4.0 + (o % 5)


def synthetic(text: str) -> float:
    return sum(synthetic_width(c) for c in text)


class AdditiveSynthetic:
    """The same widths through the fast ``advances`` protocol."""

    def __call__(self, text: str) -> float:
        return synthetic(text)

    def advances(self, text: str) -> Sequence[float]:
        return [synthetic_width(c) for c in text]


def line_spans(text: str, lines: Sequence[str]) -> list[tuple[int, int]]:
    """Where each line lies in ``text``, assuming only spaces were dropped between lines
    (raises ValueError otherwise)."""
    spans = []
    pos = 0
    for ln in lines:
        while pos < len(text) and text[pos] in " \t" and not text.startswith(ln, pos):
            pos += 1
        if not text.startswith(ln, pos):
            raise ValueError(f"line {ln!r} not found at {pos}")
        spans.append((pos, pos + len(ln)))
        pos += len(ln)
    if text[pos:].strip(" \t"):
        raise ValueError(f"text left over: {text[pos:]!r}")
    return spans


def reassembles(text: str, lines: Sequence[str]) -> bool:
    """``lines`` are ``text`` in order, with only spaces removed between lines (and at the
    very start and end)."""
    try:
        line_spans(text, lines)
    except ValueError:
        return False
    return True


def prohibition_violations(lines: Sequence[str]) -> list[str]:
    bad = []
    for i, ln in enumerate(lines):
        if i > 0 and ln and ln[0] in CLOSING:
            bad.append(f"line {i} starts with {ln[0]!r}: {ln!r}")
        if i < len(lines) - 1 and ln and ln[-1] in OPENING:
            bad.append(f"line {i} ends with {ln[-1]!r}: {ln!r}")
    return bad
