"""Line breaking for mixed Chinese/Latin text, after W3C clreq (Requirements for Chinese
Text Layout) — pure: text, a width and a ``measure`` function in, lines out.

Rules (see ``docs/typesetting.md``):

* A line may break between any two Han characters (and other ideographic characters).
* Closing punctuation (。，、；：？！）》」』】〕”’…%‰℃ …, the half-width ``,.;:?!)]}``,
  interpuncts and small kana) never starts a line; opening punctuation (（《「『【〔“‘ and
  ``([{``) never ends one.  The text is cut into *clusters* that carry their neighbouring
  punctuation, and breaks are taken only between clusters; when a closing mark does not fit
  at the end of a line, the character before it moves to the next line with it ("pulling
  out").  Nothing ever hangs into the margin.
* ``——`` and ``……`` are never split.
* Runs of digits and Latin letters (with the punctuation inside them: ``0470-8942932``,
  ``hhej2010@163.com``, ``https://…``, ``3.14``) stay together; a digit run also keeps the
  one Han character after it (``2018年``, ``179条``) so a number is not left without its unit.
  A break may follow.
* Spaces are break opportunities; whitespace at a break is dropped (it would be invisible at
  the end of a line and an unwanted indent at the start of the next).  Otherwise every
  character of the input appears in the output, in order.
* A cluster wider than the whole line (a very long URL at a huge size) is broken by
  character as a last resort.
* The last line of a paragraph does not hold a single character alone (with its
  punctuation) when one cluster can be brought down from the line above.

Widths come from ``measure(str) -> float`` (px).  Each distinct character is measured once
per call, Latin runs as whole strings.  A measure object may offer a fast path,
``advances(text) -> Sequence[float]`` (per-character advances, Latin-run kerning folded in,
additive by contract) — see :class:`kiosk.text.measure.FaceMeasure`; with it no line needs
re-measuring.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import Protocol, runtime_checkable

Measure = Callable[[str], float]


@runtime_checkable
class AdditiveMeasure(Protocol):
    """A measure whose width of a string is the sum of ``advances(string)``."""

    def __call__(self, text: str, /) -> float: ...

    def advances(self, text: str, /) -> Sequence[float]: ...


# --- character classes -------------------------------------------------------------------

#: Opening punctuation: never at the end of a line.
OPENING = "（《「『【〔“‘〈〖〘〚［｛｟⦅([{"
#: Closing punctuation and other marks that never start a line.
CLOSING = (
    "。，、；：？！）》」』】〕”’〉〗〙〛］｝｠⦆．｡､｣"  # full-width / CJK closing
    "…‥⋯％‰‱℃℉°′″·・‧～〜／"  # ellipsis, units, interpuncts, separators
    "々〻ゝゞヽヾーぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ"  # small kana, iteration
    "ㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    ",.;:?!)]}%"  # half-width forms
)
#: Characters whose runs must never be split (dashes, ellipses).
INSEPARABLE = "—―…⋯"
_ASCII_OPEN = "([{"

# Spaces that offer a break (no-break space U+00A0, U+202F and the ideographic space
# U+3000 are ordinary characters here).
_SPACE = " \t\u1680\u2000-\u200a\u200b\u205f"

# Characters that are not part of a Latin/digit "word": CJK and wide forms, CJK-style
# punctuation, emoji.  Full-width digits and letters count as word characters.
_WIDE = (
    "\u1100-\u11ff\u2e80-\u303f\u3040-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
    "\uac00-\ud7ff\uf900-\ufaff\ufe10-\ufe1f\ufe30-\ufe4f"
    "\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uffef"
    "\U0001f000-\U0001faff\U00020000-\U0003ffff"
)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"


def _esc(chars: str) -> str:
    return "".join("\\" + c if c in "\\]^-[" else c for c in chars)


_NONASCII_OPEN = _esc("".join(c for c in OPENING if ord(c) > 127))
_NONASCII_CLOSE = _esc("".join(c for c in CLOSING if ord(c) > 127))
_NOT_WORD = f"{_SPACE}\\n\\r\\f\\v{_WIDE}{_NONASCII_OPEN}{_NONASCII_CLOSE}{_esc(INSEPARABLE)}"
# A word character; an ASCII opener belongs to a word only when a word character follows
# (``f(x)``, ``(2018)``), otherwise it glues to what follows like a CJK opener.
_W = f"[^{_NOT_WORD}{_esc(_ASCII_OPEN)}]"
_WORD = f"(?:{_W}|[{_esc(_ASCII_OPEN)}](?={_W}))++"
_OPEN = f"[{_esc(OPENING)}]"
_CLOSE = f"[{_esc(CLOSING)}]"
_SP = f"[{_SPACE}]"

# One unbreakable cluster: openers (with spaces after them), a core, closers (with spaces
# before them).  Cores: a word (plus one Han character after a trailing digit), a run of
# dashes or ellipses, or any other single character.
_CLUSTER_RE = re.compile(
    f"(?:{_OPEN}{_SP}*)*"
    f"(?:{_WORD}(?:(?<=[0-9０-９]){'[' + _HAN + ']'})?"
    f"|—++|―++|…++|⋯++|[^{_SPACE}])"
    f"(?:{_CLOSE}|{_SP}++(?={_CLOSE}))*+",
    re.DOTALL,
)
#: Latin/digit runs measured as whole strings (kerning); shared with the measure shell.
LATIN_RUN_RE = re.compile(f"[^{_NOT_WORD}]{{2,}}")

_EPS = 1e-6
_CLOSING_SET = frozenset(CLOSING)
_OPENING_SET = frozenset(OPENING)
_SPACES = frozenset(" \t\u1680\u200b\u205f" + "".join(map(chr, range(0x2000, 0x200B))))


def clusters(text: str) -> list[tuple[int, int]]:
    """The unbreakable clusters of ``text`` as ``(start, end)`` character spans, in order;
    the gaps between them are break spaces.  A line break may occur before any cluster but
    the first."""
    return [m.span() for m in _CLUSTER_RE.finditer(text)]


def _advances(text: str, measure: Measure) -> list[float]:
    fast = getattr(measure, "advances", None)
    if fast is not None:
        return list(fast(text))
    widths = {c: float(measure(c)) for c in set(text)}
    adv = [widths[c] for c in text]
    for m in LATIN_RUN_RE.finditer(text):
        s, e = m.span()
        adv[e - 1] += float(measure(m.group())) - sum(adv[s:e])
    return adv


def break_lines(
    text: str, width: float, measure: Measure, *, first_width: float | None = None
) -> list[str]:
    """Break one paragraph into lines no wider than ``width`` px (the first line no wider
    than ``first_width`` if given, for a first-line indent).

    Only a single cluster that is wider than the line by itself is broken by character, and
    only a single character wider than the line may exceed it.  A newline in ``text`` forces
    a break; an empty or blank paragraph gives no lines.
    """
    if "\n" in text or "\r" in text:
        out: list[str] = []
        for i, part in enumerate(re.split(r"\r\n|\r|\n", text)):
            out += break_lines(part, width, measure, first_width=first_width if i == 0 else None)
        return out
    spans = clusters(text)
    if not spans:
        return []
    adv = _advances(text, measure)
    cum = [0.0, *accumulate(adv)]
    starts = [s for s, _ in spans]
    end_x = [cum[e] for _, e in spans]
    verify = not isinstance(measure, AdditiveMeasure)
    n = len(spans)
    # Each line as (first cluster, last cluster, start char, end char).
    lines: list[tuple[int, int, int, int]] = []
    a = 0
    line_w = width if first_width is None else first_width
    while a < n:
        start = starts[a]
        limit = cum[start] + line_w + _EPS
        b = bisect_right(end_x, limit, a) - 1
        if verify:
            while b >= a and measure(text[start : spans[b][1]]) > line_w + _EPS:
                b -= 1
        if b < a:
            # The cluster alone is wider than the line: break it by character.
            end = spans[a][1]
            c = max(bisect_right(cum, limit, start + 1, end) - 1, start + 1)
            if verify:
                while c > start + 1 and measure(text[start:c]) > line_w + _EPS:
                    c -= 1
            c, nxt = _fallback_break(text, start, c, end)
            lines.append((a, a, start, c))
            if nxt < end:
                starts[a] = nxt
            else:
                a += 1
        else:
            lines.append((a, b, start, spans[b][1]))
            a = b + 1
        line_w = width
    if len(lines) >= 2:
        lines = _avoid_lone_last_char(text, lines, spans, cum, width, measure, verify)
    return [text[s:e] for _, _, s, e in lines]


def _fallback_break(text: str, start: int, c: int, end: int) -> tuple[int, int]:
    """Where to cut an over-wide cluster at or before ``c``: ``(line end, next start)``.
    Prefers the last cut that keeps closing punctuation off the next line's start, opening
    punctuation off this line's end, dash/ellipsis pairs and combining marks whole; spaces
    at the cut are dropped."""
    if c >= end:
        return end, end
    fallback: tuple[int, int] | None = None
    valid: tuple[int, int] | None = None
    for k in range(c, start, -1):
        if _is_mark(text[k]):
            continue
        line_end = k
        while line_end > start and text[line_end - 1] in _SPACES:
            line_end -= 1
        nxt = k
        while nxt < end and text[nxt] in _SPACES:
            nxt += 1
        if line_end == start:
            continue
        cut = (line_end, nxt)
        if fallback is None:
            fallback = cut
        if nxt < end and (
            text[nxt] in _CLOSING_SET
            or text[line_end - 1] in _OPENING_SET
            or (text[nxt] == text[line_end - 1] and text[nxt] in INSEPARABLE)
        ):
            continue
        if valid is None:
            valid = cut
        # Inside addresses, prefer a cut after / - _ = & : or before @ and /, as long as
        # the line stays at least half full.
        if text[k - 1] in "/-_=&:" or text[k] in "@/":
            return cut
        if (k - start) * 2 < (c - start):
            break
    if valid is not None:
        return valid
    if fallback is not None:
        return fallback
    while c < end and _is_mark(text[c]):
        c += 1
    return c, c


def _is_mark(ch: str) -> bool:
    o = ord(ch)
    return (
        0x0300 <= o <= 0x036F
        or 0xFE00 <= o <= 0xFE0F
        or 0x1AB0 <= o <= 0x1AFF
        or 0x20D0 <= o <= 0x20FF
        or o == 0x200D
    )


def _avoid_lone_last_char(
    text: str,
    lines: list[tuple[int, int, int, int]],
    spans: list[tuple[int, int]],
    cum: list[float],
    width: float,
    measure: Measure,
    verify: bool,
) -> list[tuple[int, int, int, int]]:
    a, b, s, e = lines[-1]
    body = [c for c in text[s:e] if c not in _CLOSING_SET and not c.isspace()]
    if len(body) > 1:
        return lines
    pa, pb, ps, pe = lines[-2]
    # Only whole-cluster lines, and the line above must keep at least two clusters... or one.
    if pb - pa < 1 or pe != spans[pb][1] or ps != spans[pa][0] or s != spans[a][0]:
        return lines
    new_start = spans[pb][0]
    if cum[e] - cum[new_start] > width + _EPS:
        return lines
    if verify and measure(text[new_start:e]) > width + _EPS:
        return lines
    moved = [*lines[:-2], (pa, pb - 1, ps, spans[pb - 1][1]), (pb, b, new_start, e)]
    return moved
