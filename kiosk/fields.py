"""Table-driven parsing of YAML nodes into typed values, with positions and suggestions.

A :class:`Table` lists the keys a mapping may have; each :class:`Field` names its
:class:`Type`, which converts a node (reporting problems at the node's position) and knows
its own JSON Schema fragment. The playlist and config parsers, and the JSON Schema that
editors use for completion (:mod:`kiosk.schema`), are all built from the same tables, so
they cannot drift apart.

Conventions: a converter returns the value, or :data:`INVALID` after reporting why; a
value that is empty (``key:`` with nothing after it, or ``null``) counts as absent.
Everything here is pure.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, Final

from kiosk.diagnostics import Diagnostic, SourcePos, error, warning
from kiosk.yamlsrc import Map, Node, Scalar, Seq, type_name


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"

    def __bool__(self) -> bool:
        return False


INVALID: Final = _Invalid()

FontCheck = Callable[[str], list[str]]
FileExists = Callable[[str], bool]
MediaCheck = Callable[[str, str], "tuple[str, str, str] | None"]
"""``check(path, name)``: ``None`` when the image or PDF file at ``path`` can be shown, else
``(key, zh, en)``, one line about it that names the file as the playlist wrote it (``name``)."""

# ----------------------------------------------------------------------------- context


@dataclass
class Ctx:
    """Collects diagnostics for one file and carries the injected checks."""

    path: str
    font_check: FontCheck | None = None
    file_exists: FileExists | None = None
    media_check: MediaCheck | None = None
    base_dir: str | None = None
    tz: tzinfo | None = None
    diags: list[Diagnostic] = field(default_factory=list)
    _reported_glyphs: set[str] = field(default_factory=set)

    def error(self, pos: SourcePos, key: str, zh: str, en: str) -> None:
        self.diags.append(error(pos, key, zh, en))

    def warn(self, pos: SourcePos, key: str, zh: str, en: str) -> None:
        self.diags.append(warning(pos, key, zh, en))

    def check_glyphs(self, text: str, pos: SourcePos) -> None:
        if self.font_check is None or not text:
            return
        try:
            missing = [c for c in self.font_check(text) if c not in self._reported_glyphs]
        except Exception as exc:  # a broken font must not stop validation
            self.warn(
                pos,
                "font.check_failed",
                f"无法检查字体是否能显示这些文字：{exc}",
                f"could not check glyph coverage: {exc}",
            )
            self.font_check = None
            return
        if not missing:
            return
        self._reported_glyphs.update(missing)
        shown = "、".join(f"“{c}”(U+{ord(c):04X})" for c in missing[:10])
        more = f" 等 {len(missing)} 个" if len(missing) > 10 else ""
        shown_en = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in missing[:10])
        self.warn(
            pos,
            "font.missing_glyphs",
            f"字体无法显示 {shown}{more}，屏幕上会是空白或方框；请换用其他写法",
            f"the font cannot draw {shown_en}{' and more' if len(missing) > 10 else ''}; "
            "they would show as blanks or boxes",
        )


# ----------------------------------------------------------------------------- types


@dataclass(frozen=True)
class Type:
    """How to read one kind of value. ``zh``/``en`` describe the expected form."""

    zh: str
    en: str
    convert: Callable[[Node, Ctx], Any]
    schema: Callable[[], dict[str, Any]]
    tables: tuple[Table, ...] = ()
    """Tables this type's schema refers to (``#/$defs/<name>``), for :mod:`kiosk.schema`."""


@dataclass(frozen=True)
class Field:
    key: str
    type: Type
    zh: str
    en: str
    required: bool = False
    aka: tuple[str, ...] = ()  # Chinese names people may type instead of the key
    example: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    fields: tuple[Field, ...]
    zh: str = ""
    en: str = ""

    def names(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    def get(self, key: str) -> Field | None:
        for f in self.fields:
            if f.key == key:
                return f
        return None


def _norm(text: str) -> str:
    """Full-width digits and punctuation (typed with a Chinese IME) to ASCII."""
    return unicodedata.normalize("NFKC", text).strip()


def expect_scalar(node: Node, ctx: Ctx, what_zh: str, what_en: str) -> Scalar | None:
    if isinstance(node, Scalar):
        return node
    ctx.error(
        node.pos,
        "value.wrong_type",
        f"这里应是{what_zh}，但写成了{type_name(node, 'zh')}",
        f"expected {what_en}, found {type_name(node, 'en')}",
    )
    return None


def _scalar_type(
    zh: str,
    en: str,
    parse: Callable[[str, Scalar, Ctx], Any],
    schema: Callable[[], dict[str, Any]],
) -> Type:
    def convert(node: Node, ctx: Ctx) -> Any:
        s = expect_scalar(node, ctx, zh, en)
        if s is None:
            return INVALID
        return parse(s.text, s, ctx)

    return Type(zh, en, convert, schema)


def _bad(ctx: Ctx, s: Scalar, key: str, zh: str, en: str) -> _Invalid:
    ctx.error(s.pos, key, zh, en)
    return INVALID


# text ------------------------------------------------------------------------


def _text_parse(display: bool) -> Callable[[str, Scalar, Ctx], Any]:
    def parse(text: str, s: Scalar, ctx: Ctx) -> Any:
        value = text.strip()
        if display:
            ctx.check_glyphs(value, s.pos)
        return value

    return parse


def _text_schema() -> dict[str, Any]:
    # Editors read YAML 1.2, where 179 or 0470 may be numbers: accept those as text too.
    return {"type": ["string", "number"]}


TEXT = _scalar_type("文字", "text", _text_parse(True), _text_schema)
"""Text shown on screen (checked against the font)."""

NAME = _scalar_type("文字", "text", _text_parse(False), _text_schema)
"""Text that is not shown on screen (ids, file names, theme names)."""


def _id_parse(text: str, s: Scalar, ctx: Ctx) -> Any:
    value = text.strip()
    if not value or "/" in value or any(c.isspace() for c in value):
        return _bad(
            ctx,
            s,
            "value.bad_id",
            f"编号“{value}”不可用：不能为空，不能含空格或“/”",
            f"id '{value}' is not usable: it must be non-empty without spaces or '/'",
        )
    return value


ID = _scalar_type(
    "编号（不含空格和“/”）",
    "an id (no spaces or '/')",
    _id_parse,
    lambda: {"type": ["string", "number"], "pattern": r"^[^\s/]+$"},
)


def _url_parse(text: str, s: Scalar, ctx: Ctx) -> Any:
    value = text.strip()
    if not re.match(r"^https?://[^\s/]+\S*$", value):
        return _bad(
            ctx,
            s,
            "value.bad_url",
            f"网址“{value}”不对：应以 http:// 或 https:// 开头，且不含空格",
            f"URL '{value}' is not valid: it must start with http:// or https:// and "
            "contain no spaces",
        )
    return value


URL = _scalar_type(
    "网址 (http:// 或 https://)",
    "a URL (http:// or https://)",
    _url_parse,
    lambda: {"type": "string", "pattern": r"^https?://\S+$"},
)


def text_list(item: Type = TEXT) -> Type:
    """A list of texts; a single text is accepted as a list of one."""

    def convert(node: Node, ctx: Ctx) -> Any:
        if isinstance(node, Scalar):
            v = item.convert(node, ctx)
            return INVALID if v is INVALID else (v,)
        if isinstance(node, Map):
            ctx.error(
                node.pos,
                "value.wrong_type",
                "这里应是一个列表（每行以“- ”开头），但写成了键值表",
                "expected a list (lines starting with '- '), found a mapping",
            )
            return INVALID
        out = []
        ok = True
        for child in node.items:
            if isinstance(child, Scalar) and child.is_null:
                ctx.error(
                    child.pos,
                    "value.empty",
                    "列表项是空的；请删除这一行或填写内容",
                    "empty list item; remove the line or fill it in",
                )
                ok = False
                continue
            v = item.convert(child, ctx)
            if v is INVALID:
                ok = False
            else:
                out.append(v)
        return tuple(out) if ok else INVALID

    return Type(
        f"{item.zh}列表",
        f"a list of {item.en}",
        convert,
        lambda: {"anyOf": [{"type": "array", "items": item.schema()}, item.schema()]},
    )


# numbers ------------------------------------------------------------------------


def integer(lo: int | None = None, hi: int | None = None) -> Type:
    rng_zh = _range_zh(lo, hi)
    rng_en = _range_en(lo, hi)

    def parse(text: str, s: Scalar, ctx: Ctx) -> Any:
        t = _norm(text)
        if not re.fullmatch(r"[+-]?\d+", t):
            return _bad(
                ctx,
                s,
                "value.not_integer",
                f"“{text}”不是整数{rng_zh}",
                f"'{text}' is not a whole number{rng_en}",
            )
        v = int(t)
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            return _bad(
                ctx,
                s,
                "value.out_of_range",
                f"{v} 超出范围{rng_zh}",
                f"{v} is out of range{rng_en}",
            )
        return v

    def schema() -> dict[str, Any]:
        sch: dict[str, Any] = {"type": "integer"}
        if lo is not None:
            sch["minimum"] = lo
        if hi is not None:
            sch["maximum"] = hi
        return sch

    return _scalar_type(f"整数{rng_zh}", f"a whole number{rng_en}", parse, schema)


def number(lo: float | None = None, hi: float | None = None, *, positive: bool = False) -> Type:
    rng_zh = "（大于 0）" if positive else _range_zh(lo, hi)
    rng_en = " (greater than 0)" if positive else _range_en(lo, hi)

    def parse(text: str, s: Scalar, ctx: Ctx) -> Any:
        t = _norm(text)
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", t):
            return _bad(
                ctx, s, "value.not_number", f"“{text}”不是数字{rng_zh}", f"'{text}' is not a number"
            )
        v = float(t)
        if (positive and v <= 0) or (lo is not None and v < lo) or (hi is not None and v > hi):
            return _bad(
                ctx,
                s,
                "value.out_of_range",
                f"{t} 超出范围{rng_zh}",
                f"{t} is out of range{rng_en}",
            )
        return v

    def schema() -> dict[str, Any]:
        sch: dict[str, Any] = {"type": "number"}
        if positive:
            sch["exclusiveMinimum"] = 0
        if lo is not None:
            sch["minimum"] = lo
        if hi is not None:
            sch["maximum"] = hi
        return sch

    return _scalar_type(f"数字{rng_zh}", f"a number{rng_en}", parse, schema)


def _fmt(v: float | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else str(v)


def _range_zh(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"（{_fmt(lo)}～{_fmt(hi)}）"
    if lo is not None:
        return f"（不小于 {_fmt(lo)}）"
    if hi is not None:
        return f"（不大于 {_fmt(hi)}）"
    return ""


def _range_en(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f" ({_fmt(lo)}..{_fmt(hi)})"
    if lo is not None:
        return f" (at least {_fmt(lo)})"
    if hi is not None:
        return f" (at most {_fmt(hi)})"
    return ""


# booleans -------------------------------------------------------------------------

TRUE_WORDS = frozenset({"true", "yes", "on", "y", "是", "开", "启用", "显示"})
FALSE_WORDS = frozenset({"false", "no", "off", "n", "否", "关", "停用", "不显示"})


def _bool_parse(text: str, s: Scalar, ctx: Ctx) -> Any:
    t = _norm(text).lower()
    if t in TRUE_WORDS:
        return True
    if t in FALSE_WORDS:
        return False
    return _bad(
        ctx,
        s,
        "value.not_boolean",
        f"“{text}”不是是/否值；请写 true（是）或 false（否）",
        f"'{text}' is not a yes/no value; write true or false",
    )


BOOL = _scalar_type(
    "是/否 (true/false)",
    "true or false",
    _bool_parse,
    lambda: {
        "anyOf": [
            {"type": "boolean"},
            {"enum": sorted(TRUE_WORDS | FALSE_WORDS)},
        ]
    },
)


# choices ---------------------------------------------------------------------------


def choice(values: Sequence[str], aliases: Mapping[str, str] | None = None) -> Type:
    """One of ``values`` (case-insensitive); ``aliases`` map other spellings (e.g.
    Chinese names) to a value."""
    aliases = dict(aliases or {})
    listing = " / ".join(values)

    def parse(text: str, s: Scalar, ctx: Ctx) -> Any:
        t = _norm(text)
        low = t.lower()
        if low in values:
            return low
        if t in aliases:
            return aliases[t]
        if low in aliases:
            return aliases[low]
        close = difflib.get_close_matches(low, [*values, *aliases], n=1, cutoff=0.6)
        hint_zh = f"；是不是“{close[0]}”？" if close else ""
        hint_en = f"; did you mean '{close[0]}'?" if close else ""
        return _bad(
            ctx,
            s,
            "value.bad_choice",
            f"“{text}”不是可选值（可选：{listing}）{hint_zh}",
            f"'{text}' is not one of: {listing}{hint_en}",
        )

    return _scalar_type(
        f"以下之一：{listing}",
        f"one of {listing}",
        parse,
        # editors read YAML 1.2, where `rotation: 90` is a number
        lambda: {"enum": [*values, *aliases, *(int(v) for v in values if v.isdigit())]},
    )


def _theme_type() -> Type:
    from kiosk.themes import THEME_ALIASES, THEMES

    return choice(tuple(THEMES), THEME_ALIASES)


#: A colour theme by name (``civic`` / ``contrast`` or a Chinese alias); a misspelt
#: name is an error with a "did you mean", never a silent fall-back at run time.
THEME = _theme_type()


# dates and times -------------------------------------------------------------------

_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
DATE_SCHEMA_PATTERN = r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?$"


def parse_date_text(text: str) -> tuple[date | None, str, str]:
    """``(date, "", "")`` or ``(None, zh, en)`` explaining what is wrong."""
    t = _norm(text)
    m = _DATE_RE.fullmatch(t)
    if not m:
        return (
            None,
            f"“{text}”不是日期；请写成 2026-11-30 的形式",
            f"'{text}' is not a date; write it like 2026-11-30",
        )
    y, mo, d = (int(g) for g in m.groups())
    try:
        return date(y, mo, d), "", ""
    except ValueError:
        return (
            None,
            f"没有这一天：{y}年{mo}月{d}日",
            f"no such date: {y:04d}-{mo:02d}-{d:02d}",
        )


def _date_parse(text: str, s: Scalar, ctx: Ctx) -> Any:
    d, zh, en = parse_date_text(text)
    if d is None:
        return _bad(ctx, s, "value.bad_date", zh, en)
    return d


DATE = _scalar_type(
    "日期（如 2026-11-30）",
    "a date like 2026-11-30",
    _date_parse,
    lambda: {"type": "string", "pattern": DATE_SCHEMA_PATTERN},
)

_TIME_RE = re.compile(r"(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?")
TIME_SCHEMA_PATTERN = r"^\d{1,2}[:：]\d{2}([:：]\d{2})?$"


def parse_time_text(text: str, *, allow_24: bool = False) -> tuple[time | None, str, str]:
    """A time of day ``H:MM`` or ``HH:MM[:SS]``, 24-hour clock. ``24:00`` (only with
    ``allow_24``) means midnight at the end of the day and is returned as ``00:00``."""
    t = _norm(text).replace("点", ":").replace("时", ":").rstrip("分")
    if t.endswith(":"):
        t += "00"
    m = _TIME_RE.fullmatch(t)
    if not m:
        return (
            None,
            f"“{text}”不是时间；请写成 24 小时制 08:30 的形式",
            f"'{text}' is not a time of day; write it like 08:30 (24-hour clock)",
        )
    h, mi = int(m.group(1)), int(m.group(2))
    sec = int(m.group(3)) if m.group(3) is not None else 0
    if len(m.group(2)) != 2 or (m.group(3) is not None and len(m.group(3)) != 2):
        return (
            None,
            f"“{text}”含义不清：分钟要写两位，例如 {h:02d}:0{mi} 或 {h:02d}:{mi}0",
            f"'{text}' is ambiguous: write minutes with two digits, e.g. "
            f"{h:02d}:0{mi} or {h:02d}:{mi}0",
        )
    if allow_24 and h == 24 and mi == 0 and sec == 0:
        return time(0, 0), "", ""
    if h > 23 or mi > 59 or sec > 59:
        limit_zh = "（一天的结束可写 24:00）" if allow_24 else ""
        limit_en = " (24:00 may end a range)" if allow_24 else ""
        return (
            None,
            f"没有这个时刻：“{text}”；小时是 0～23，分钟是 00～59{limit_zh}",
            f"no such time of day: '{text}'; hours are 0-23, minutes 00-59{limit_en}",
        )
    return time(h, mi, sec), "", ""


def _time_parse(text: str, s: Scalar, ctx: Ctx) -> Any:
    t, zh, en = parse_time_text(text)
    if t is None:
        return _bad(ctx, s, "value.bad_time", zh, en)
    return t


TIME = _scalar_type(
    "时间（24 小时制，如 08:30）",
    "a time of day like 08:30",
    _time_parse,
    lambda: {"type": "string", "pattern": TIME_SCHEMA_PATTERN},
)

_DT_RE = re.compile(
    r"(?P<date>\d{4}-\d{1,2}-\d{1,2})(?:[ T]+(?P<time>\d{1,2}:\d{2}(?::\d{2})?)"
    r"(?:\.\d+)?\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)


def _datetime_parse(text: str, s: Scalar, ctx: Ctx) -> Any:
    t = _norm(text).replace("/", "-")
    m = _DT_RE.fullmatch(t)
    if not m:
        return _bad(
            ctx,
            s,
            "value.bad_datetime",
            f"“{text}”不是日期时间；请写成 2026-12-01 18:00 的形式",
            f"'{text}' is not a date and time; write it like 2026-12-01 18:00",
        )
    d, zh, en = parse_date_text(m.group("date"))
    if d is None:
        return _bad(ctx, s, "value.bad_datetime", zh, en)
    if m.group("time") is None:
        # A date alone means the end of that day (an alert "until 12-01" lasts all day).
        at = datetime.combine(d + timedelta(days=1), time(0, 0))
    else:
        tm, zh, en = parse_time_text(m.group("time"))
        if tm is None:
            return _bad(ctx, s, "value.bad_datetime", zh, en)
        at = datetime.combine(d, tm)
    tzs = m.group("tz")
    if tzs:
        if tzs == "Z":
            return at.replace(tzinfo=UTC)
        sign = 1 if tzs[0] == "+" else -1
        digits = tzs[1:].replace(":", "")
        off = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return at.replace(tzinfo=timezone(sign * off))
    if ctx.tz is not None:
        return at.replace(tzinfo=ctx.tz)
    return at


DATETIME = _scalar_type(
    "日期时间（如 2026-12-01 18:00）",
    "a date and time like 2026-12-01 18:00",
    _datetime_parse,
    lambda: {
        "type": "string",
        "pattern": r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}([ T]+\d{1,2}:\d{2}(:\d{2})?.*)?$",
    },
)

# durations ---------------------------------------------------------------------------

AUTO_WORDS = frozenset({"auto", "自动"})
_DUR_RE = re.compile(
    r"(?:(?P<h>\d+(?:\.\d+)?)\s*(?:h|小时|时))?\s*"
    r"(?:(?P<m>\d+(?:\.\d+)?)\s*(?:m|min|分钟|分))?\s*"
    r"(?:(?P<s>\d+(?:\.\d+)?)\s*(?:s|sec|秒)?)?"
)
DURATION_SCHEMA_PATTERN = (
    r"^(auto|自动|\d+(\.\d+)?\s*(s|秒)?|(\d+(\.\d+)?\s*(h|m|s|min|小时|分钟|分|秒)\s*)+)$"
)
MAX_DURATION_S = 3600.0


def parse_duration_text(text: str) -> tuple[float | None, str, str]:
    """Seconds from ``30``, ``30s``, ``1m30s``, ``2min``, ``1分30秒``; ``auto`` → ``None``
    with empty messages. Errors return ``(None, zh, en)``."""
    t = _norm(text).lower()
    if t in AUTO_WORDS:
        return None, "", ""
    m = _DUR_RE.fullmatch(t)
    if not t or not m or not any(m.group(g) for g in ("h", "m", "s")):
        return (
            None,
            f"“{text}”不是时长；请写秒数（如 30）、1m30s、1分30秒，或 auto（按字数自动）",
            f"'{text}' is not a duration; write seconds (30), 1m30s, or auto",
        )
    secs = (
        float(m.group("h") or 0) * 3600 + float(m.group("m") or 0) * 60 + float(m.group("s") or 0)
    )
    if secs <= 0:
        return None, "时长必须大于 0 秒", "a duration must be more than 0 seconds"
    if secs > MAX_DURATION_S:
        return (
            None,
            f"时长 {secs:g} 秒太长（上限 {MAX_DURATION_S:g} 秒）",
            f"duration of {secs:g} s is too long (limit {MAX_DURATION_S:g} s)",
        )
    return secs, "", ""


def _duration_parse(text: str, s: Scalar, ctx: Ctx) -> Any:
    v, zh, en = parse_duration_text(text)
    if v is None and zh:
        return _bad(ctx, s, "value.bad_duration", zh, en)
    return v  # None = automatic


DURATION = _scalar_type(
    "时长（秒数、1m30s 或 auto）",
    "a duration (seconds, 1m30s, or auto)",
    _duration_parse,
    lambda: {
        "anyOf": [
            {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_DURATION_S},
            {"type": "string", "pattern": DURATION_SCHEMA_PATTERN},
        ]
    },
)


def seconds(lo: float = 0.0, hi: float = MAX_DURATION_S) -> Type:
    """A number of seconds (``30``, ``30s``, ``1m``), never ``auto``."""

    def parse(text: str, s: Scalar, ctx: Ctx) -> Any:
        v, zh, en = parse_duration_text(text)
        if v is None and not zh:
            zh, en = "这里不能用 auto，请写秒数", "auto is not allowed here; give seconds"
        if v is None:
            return _bad(ctx, s, "value.bad_duration", zh, en)
        if v < lo or v > hi:
            return _bad(
                ctx,
                s,
                "value.out_of_range",
                f"{v:g} 秒超出范围（{lo:g}～{hi:g} 秒）",
                f"{v:g} s is out of range ({lo:g}..{hi:g} s)",
            )
        return v

    return _scalar_type(
        f"秒数（{lo:g}～{hi:g}）",
        f"seconds ({lo:g}..{hi:g})",
        parse,
        lambda: {
            "anyOf": [
                {"type": "number", "minimum": lo, "maximum": hi},
                {"type": "string", "pattern": DURATION_SCHEMA_PATTERN},
            ]
        },
    )


# objects ---------------------------------------------------------------------------


def obj(table: Table, build: Callable[[dict[str, Any], Map, Ctx], Any] | None = None) -> Type:
    """A nested mapping parsed by ``table``; ``build`` turns the values into a model
    object (or returns INVALID after reporting)."""

    def convert(node: Node, ctx: Ctx) -> Any:
        values = parse_table(node, table, ctx)
        if values is None:
            return INVALID
        if not isinstance(node, Map):  # an empty value read as an empty mapping
            node = Map((), node.pos)
        if build is None:
            return values
        return build(values, node, ctx)

    return Type(
        table.zh or "键值表",
        table.en or "a mapping",
        convert,
        lambda: {"$ref": f"#/$defs/{table.name}"},
        (table,),
    )


def list_of(item: Type, *, min_items: int = 0) -> Type:
    def convert(node: Node, ctx: Ctx) -> Any:
        if not isinstance(node, Seq):
            ctx.error(
                node.pos,
                "value.wrong_type",
                f"这里应是一个列表（每项以“- ”开头），但写成了{type_name(node, 'zh')}",
                f"expected a list (items starting with '- '), found {type_name(node, 'en')}",
            )
            return INVALID
        out = []
        ok = True
        for child in node.items:
            v = item.convert(child, ctx)
            if v is INVALID:
                ok = False
            else:
                out.append(v)
        if ok and len(out) < min_items:
            ctx.error(
                node.pos,
                "value.too_few",
                f"列表至少要有 {min_items} 项",
                f"the list needs at least {min_items} item(s)",
            )
            return INVALID
        return tuple(out) if ok else INVALID

    def schema() -> dict[str, Any]:
        sch: dict[str, Any] = {"type": "array", "items": item.schema()}
        if min_items:
            sch["minItems"] = min_items
        return sch

    return Type(f"{item.zh}列表", f"a list of {item.en}", convert, schema, item.tables)


# ----------------------------------------------------------------------------- tables


def suggest(key: str, candidates: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(key.lower(), list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def unknown_key(
    ctx: Ctx,
    k: Scalar,
    tables: Sequence[Table],
    candidates: Sequence[str],
    elsewhere: Mapping[str, str] | None = None,
) -> str | None:
    """Report an unknown key with the most helpful hint we have; returns the key we
    suggested instead, if any."""
    for table in tables:
        for f in table.fields:
            if k.text in f.aka:
                ctx.error(
                    k.pos,
                    "key.chinese",
                    f"键名要用英文：“{k.text}”请写成 {f.key}",
                    f"keys are English: write '{f.key}' instead of '{k.text}'",
                )
                return f.key
    if elsewhere and k.text in elsewhere:
        zh, en = elsewhere[k.text].split("|", 1)
        ctx.error(
            k.pos,
            "key.misplaced",
            f"“{k.text}”不能写在这里：{zh}",
            f"'{k.text}' does not belong here: {en}",
        )
        return None
    best = suggest(k.text, candidates)
    if best:
        ctx.error(
            k.pos,
            "key.unknown",
            f"不认识的键“{k.text}”；是不是“{best}”？",
            f"unknown key '{k.text}'; did you mean '{best}'?",
        )
        return best
    else:
        listing = "、".join(candidates)
        ctx.error(
            k.pos,
            "key.unknown",
            f"不认识的键“{k.text}”；这里可用的键：{listing}",
            f"unknown key '{k.text}'; keys allowed here: {', '.join(candidates)}",
        )
    return None


def parse_table(
    node: Node,
    table: Table,
    ctx: Ctx,
    *,
    extra: Sequence[str] = (),
    elsewhere: Mapping[str, str] | None = None,
    also: Sequence[Table] = (),
    where_zh: str = "",
    where_en: str = "",
) -> dict[str, Any] | None:
    """Parse a mapping by ``table``: returns the converted values of the keys present
    (absent and empty keys are left out; invalid ones too, after reporting). Keys in
    ``extra`` are skipped silently (the caller handles them); ``also`` lists tables whose
    Chinese key names (``aka``) are recognised too. ``None`` if ``node`` is not a mapping.
    A missing required key is not reported when an unknown key was already taken for a
    misspelling of it."""
    if not isinstance(node, Map):
        if isinstance(node, Scalar) and node.is_null:
            node = Map((), node.pos)
        else:
            ctx.error(
                node.pos,
                "value.wrong_type",
                f"{where_zh or table.zh or '这里'}应是键值表（“键: 值”各占一行），"
                f"但写成了{type_name(node, 'zh')}",
                f"{where_en or table.en or 'this'} must be a mapping ('key: value' lines), "
                f"found {type_name(node, 'en')}",
            )
            return None
    values: dict[str, Any] = {}
    suggested: set[str] = set()
    for k, v in node:
        f = table.get(k.text)
        if f is None:
            if k.text not in extra:
                hint = unknown_key(ctx, k, [table, *also], [*table.names(), *extra], elsewhere)
                if hint:
                    suggested.add(hint)
            continue
        if isinstance(v, Scalar) and v.is_null:
            if f.required:
                ctx.error(
                    v.pos if v.pos.line else k.pos,
                    "value.empty",
                    f"“{f.key}”（{f.zh}）没有填写",
                    f"'{f.key}' ({f.en}) has no value",
                )
            continue
        value = f.type.convert(v, ctx)
        if value is not INVALID:
            values[f.key] = value
    for f in table.fields:
        if f.required and node.get(f.key) is None and f.key not in suggested:
            ctx.error(
                node.pos,
                "key.missing",
                f"缺少必填的键“{f.key}”（{f.zh}）",
                f"missing required key '{f.key}' ({f.en})",
            )
    return values


def key_pos(node: Node, key: str) -> SourcePos:
    """Position of ``key``'s value in ``node`` (or of the node)."""
    if isinstance(node, Map):
        v = node.get(key)
        if v is not None:
            return v.pos
    return node.pos


def table_schema(table: Table, *, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for f in table.fields:
        sch = dict(f.type.schema())
        sch["description"] = f"{f.zh}\n\n{f.en}"
        if f.example is not None:
            sch["examples"] = [f.example]
        props[f.key] = sch
    out: dict[str, Any] = {
        "type": "object",
        "properties": props,
        "additionalProperties": False,
    }
    if table.zh or table.en:
        out["description"] = f"{table.zh}\n\n{table.en}".strip()
    required = [f.key for f in table.fields if f.required]
    if required:
        out["required"] = required
    if extra:
        out.update(extra)
    return out
