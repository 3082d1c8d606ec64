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
  one Han character after it (``2018年``, ``179条``) so a number is not left without its unit,
  and a range of numbers joined by one dash or tilde (``8:30—12:00``, ``3～5``) is one run.
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

#: Opening punctuation (and currency signs that prefix a number): never at the end of a line.
OPENING = "（《「『【〔“‘〈〖〘〚［｛｟⦅([{￥＄￡"
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
# before them).  Cores: a word — numbers joined by a range dash or tilde count as one
# (``8:30—12:00``, ``3～5``) — plus one Han character after a trailing digit, a run of
# dashes or ellipses, or any other single character.
_CLUSTER_RE = re.compile(
    f"(?:{_OPEN}{_SP}*)*"
    f"(?:{_WORD}(?:(?<=[0-9０-９])[—～〜](?=[0-9０-９]){_WORD})*"
    f"(?:(?<=[0-9０-９]){'[' + _HAN + ']'})?"
    f"|—++|―++|…++|⋯++|[^{_SPACE}])"
    f"(?:{_CLOSE}|{_SP}++(?={_CLOSE}))*+",
    re.DOTALL,
)
# Clusters and space runs, together covering every character of a text.
_TOKEN_RE = re.compile(f"{_SP}++|{_CLUSTER_RE.pattern}", re.DOTALL)
#: Latin/digit runs measured as whole strings (kerning); shared with the measure shell.
LATIN_RUN_RE = re.compile(f"[^{_NOT_WORD}]{{2,}}")

_EPS = 1e-6
# What str.splitlines() splits on: newlines, vertical tab, form feed, file/group/record
# separators, NEL, line and paragraph separators.
_LINE_SEP_RE = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_CLOSING_SET = frozenset(CLOSING)
_OPENING_SET = frozenset(OPENING)
BREAK_SPACES = _SPACES = frozenset(
    " \t\u1680\u200b\u205f" + "".join(map(chr, range(0x2000, 0x200B)))
)


def clusters(text: str) -> list[tuple[int, int]]:
    """The unbreakable clusters of ``text`` as ``(start, end)`` character spans, in order;
    the gaps between them are break spaces.  A line break may occur before any cluster but
    the first."""
    tokens = _TOKEN_RE.findall(text)
    ends = list(accumulate(map(len, tokens)))
    spaces = _SPACES
    return [(e - len(t), e) for t, e in zip(tokens, ends, strict=True) if t[0] not in spaces]


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
    text: str,
    width: float,
    measure: Measure,
    *,
    first_width: float | None = None,
    squeeze: bool = False,
) -> list[str]:
    """Break one paragraph into lines no wider than ``width`` px (the first line no wider
    than ``first_width`` if given, for a first-line indent).

    Only a single cluster that is wider than the line by itself is broken by character, and
    only a single character wider than the line may exceed it.  A newline (any separator
    ``str.splitlines`` knows) forces a break; an empty or blank paragraph gives no lines.

    ``squeeze=True`` measures lines with adjacent punctuation compressed (see
    :func:`squeeze_points`) and repairs a closing mark that would have to be pulled to the
    next line by pushing it in instead when compressing the line's stops and closing marks
    by half an em makes room (push-in; needs an additive measure).  Only use it when the
    lines are drawn by their :func:`line_runs` (given each line's width), otherwise they
    would be drawn wider than measured.
    """
    return [t for t, _ in _break(text, width, measure, first_width, squeeze, False)]


def break_lines_measured(
    text: str,
    width: float,
    measure: Measure,
    *,
    first_width: float | None = None,
    squeeze: bool = False,
) -> list[tuple[str, float]]:
    """:func:`break_lines` with each line's drawn width (as :func:`line_width` gives it),
    computed from the widths the breaking already summed where possible."""
    return _break(text, width, measure, first_width, squeeze, True)


def _break(
    text: str,
    width: float,
    measure: Measure,
    first_width: float | None,
    squeeze: bool,
    widths: bool,
) -> list[tuple[str, float]]:
    if _LINE_SEP_RE.search(text):
        out: list[tuple[str, float]] = []
        for i, part in enumerate(text.splitlines()):
            fw = first_width if i == 0 else None
            out += _break(part, width, measure, fw, squeeze, widths)
        return out
    spans = clusters(text)
    if not spans:
        return []
    adv = _advances(text, measure)
    rest: dict[int, float] | None = None
    if squeeze:
        rest = {}
        for k in squeeze_points(text):
            rest[k] = adv[k] / 2
            adv[k] -= rest[k]
    cum = [0.0, *accumulate(adv)]
    verify = getattr(measure, "advances", None) is None

    def x_end(e: int) -> float:
        """x after char ``e - 1`` when a line ends there (its squeeze, which belongs to the
        gap to the next line, undone)."""
        return cum[e] + rest.get(e - 1, 0.0) if rest else cum[e]

    def too_wide(s: int, e: int, w: float) -> bool:
        """Re-measure a line with the caller's own (non-additive) measure."""
        squeezed = sum(v for k, v in rest.items() if s <= k < e - 1) if rest else 0.0
        return measure(text[s:e]) - squeezed > w + _EPS

    starts = [s for s, _ in spans]
    end_x = [x_end(e) for _, e in spans] if rest else [cum[e] for _, e in spans]
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
            while b >= a and too_wide(start, spans[b][1], line_w):
                b -= 1
        if b < a:
            # The cluster alone is wider than the line: break it by character.
            end = spans[a][1]
            c = max(bisect_right(cum, limit, start + 1, end) - 1, start + 1)
            while c > start + 1 and (x_end(c) > limit or (verify and too_wide(start, c, line_w))):
                c -= 1
            c, nxt = _fallback_break(text, start, c, end)
            lines.append((a, a, start, c))
            if nxt < end:
                starts[a] = nxt
            else:
                a += 1
        else:
            if rest is not None and not verify and b + 1 < n:
                b = _push_in(text, spans, b, start, line_w, cum, adv, rest, x_end)
            lines.append((a, b, start, spans[b][1]))
            a = b + 1
        line_w = width
    if len(lines) >= 2 and _lone_last_char(text, lines[-1]):
        pa, pb, ps, pe = lines[-2]
        la, lb, ls, le = lines[-1]
        # Bring the last cluster of the line above down, if whole clusters are involved
        # and the last line still fits.
        if pb > pa and pe == spans[pb][1] and ps == spans[pa][0] and ls == spans[la][0]:
            new_start = spans[pb][0]
            if x_end(le) - cum[new_start] <= width + _EPS and not (
                verify and too_wide(new_start, le, width)
            ):
                lines[-2:] = [(pa, pb - 1, ps, spans[pb - 1][1]), (pb, lb, new_start, le)]
    out = []
    for k, (_, _, s, e) in enumerate(lines):
        t = text[s:e]
        if not widths:
            w = 0.0
        elif squeeze:
            avail = width if (k or first_width is None) else first_width
            w = line_width(t, measure, True, avail)
        elif verify:
            w = float(measure(t))
        else:
            w = cum[e] - cum[s]
        out.append((t, w))
    return out


def _push_in(
    text: str,
    spans: list[tuple[int, int]],
    b: int,
    start: int,
    line_w: float,
    cum: list[float],
    adv: list[float],
    rest: dict[int, float],
    x_end: Callable[[int], float],
) -> int:
    """The last cluster of a line starting at ``start`` whose greedy end is cluster ``b``:
    ``b + 1`` when the next cluster ends in closing punctuation (it would pull a character
    out) and fits once the line's unsqueezed stop/closing marks give up their blank half."""
    ne = spans[b + 1][1]
    if text[ne - 1] not in _CLOSING_SET:
        return b
    need = x_end(ne) - cum[start] - line_w
    avail = 0.0
    for i in range(start, ne):
        if text[i] in _TRAILING_SET and (i not in rest or i == ne - 1):
            avail += (adv[i] + rest.get(i, 0.0)) / 2
    return b + 1 if need <= avail + _EPS else b


def _lone_last_char(text: str, line: tuple[int, int, int, int]) -> bool:
    _, _, s, e = line
    return sum(1 for c in text[s:e] if c not in _CLOSING_SET and not c.isspace()) <= 1


# --- punctuation squeezing -----------------------------------------------------------------

#: Marks whose glyph sits in the left half of the em in Simplified Chinese designs (the
#: right half is blank): pause and stop marks, closing brackets and quotes.
TRAILING_BLANK = "。，、；：？！）》」』】〕〉］｝〗〙〛｠”’"
#: Marks whose glyph sits in the right half (the left half is blank): opening brackets/quotes.
LEADING_BLANK = "（《「『【〔〈［｛〖〘〚｟“‘"
_TRAILING_SET = frozenset(TRAILING_BLANK)
_SQUEEZE_RE = re.compile(
    f"[{_esc(TRAILING_BLANK)}](?=[{_esc(TRAILING_BLANK + LEADING_BLANK)}])"
    f"|[{_esc(LEADING_BLANK)}](?=[{_esc(LEADING_BLANK)}])"
)


def squeeze_points(text: str) -> list[int]:
    """Indices ``i`` where the gap between ``text[i]`` and ``text[i + 1]`` holds two blank
    half-ems (``》（``, ``。”``, ``）。``, ``（《``); squeezing removes one of them (half of
    ``text[i]``'s advance), as clreq's punctuation compression does."""
    return [m.start() for m in _SQUEEZE_RE.finditer(text)]


def _geometry(
    text: str, measure: Measure, squeeze: bool, width: float | None
) -> tuple[tuple[tuple[float, str], ...], float]:
    if not squeeze or not text:
        return ((0.0, text),), float(measure(text))
    adv = _advances(text, measure)
    comp = {k: adv[k] / 2 for k in squeeze_points(text)}
    total = sum(adv) - sum(comp.values())
    if width is not None and total > width + _EPS:
        # Pushed in: stop and closing marks give up their blank half, last first.
        for i in range(len(text) - 1, -1, -1):
            if text[i] in _TRAILING_SET and i not in comp:
                comp[i] = adv[i] / 2
                total -= comp[i]
                if total <= width + _EPS:
                    break
    runs: list[tuple[float, str]] = []
    x = 0.0
    start = 0
    for k in sorted(comp):
        if k == len(text) - 1:
            break
        runs.append((x, text[start : k + 1]))
        x += sum(adv[start : k + 1]) - comp[k]
        start = k + 1
    runs.append((x, text[start:]))
    return tuple(runs), total


def line_runs(
    text: str, measure: Measure, squeeze: bool = True, width: float | None = None
) -> tuple[tuple[float, str], ...]:
    """How to draw one line: ``(x offset, text)`` runs.  Without squeezing (or with nothing
    to squeeze) a single run at 0.  With squeezing the line is cut after each compressed
    mark and every run is drawn at its offset; pass the line's ``width`` (as given to
    :func:`break_lines`) so that a pushed-in line is compressed the same way."""
    return _geometry(text, measure, squeeze, width)[0]


def line_width(
    text: str, measure: Measure, squeeze: bool = False, width: float | None = None
) -> float:
    """The drawn width of one line (compressed as :func:`line_runs` draws it)."""
    return _geometry(text, measure, squeeze, width)[1]


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
