"""The Chinese working calendar: which days the office works.

A day is a working day (工作日) or a rest day (休息日). The answer comes from, in order:

1. the local override file (:func:`load_calendar`), edited by staff:
   ``closures`` (临时闭馆: rest even on a working day) and ``workdays`` (extra working days,
   e.g. a Saturday the hall opens for a campaign);
2. a whole-year table for that year from the override file (``years:``), which staff add
   when the State Council (国务院办公厅) publishes next year's holiday arrangement; it
   replaces the packaged data for that year;
3. the packaged data from ``chinese-calendar``: statutory holidays (法定节假日) and
   调休 make-up working days (weekend days that are working days);
4. for a year covered by none of these: Monday–Friday working, Saturday/Sunday rest.
   Such a year is *uncovered*; :meth:`WorkCalendar.warnings_for` gives a warning
   (``calendar.uncovered_year``) that callers show to staff, because the fallback is wrong
   on every statutory holiday and every 调休 day.

:class:`WorkCalendar` is pure: it answers from the tables it was built with and caches per
day. :func:`load_calendar` is the thin shell that reads the override file.
The override file format is documented in ``docs/calendar.md``.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from kiosk.diagnostics import Diagnostic, SourcePos, error, has_errors, warning

DayKind = Literal["workday", "weekend", "holiday", "makeup", "closure", "extra_workday"]

PACKAGE_SOURCE = "chinese-calendar"

MAX_OVERRIDE_BYTES = 256 * 1024
"""Override files larger than this are refused before parsing."""

_SCAN_LIMIT_DAYS = 3660
_ONE_DAY = timedelta(days=1)

MAX_RANGE_DAYS = 366
"""Longest ``from``/``to`` span accepted in the override file."""

# Chinese names for the English holiday names used by chinese-calendar.
HOLIDAY_NAMES_ZH: Mapping[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

_WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def weekday_zh(d: date) -> str:
    """``星期一`` … ``星期日``."""
    return _WEEKDAYS_ZH[d.weekday()]


def format_date_zh(d: date) -> str:
    """The official way: ``2026年11月29日``."""
    return f"{d.year}年{d.month}月{d.day}日"


# ----------------------------------------------------------------------------- data


@dataclass(frozen=True)
class YearTable:
    """One year's arrangement: statutory rest days and 调休 make-up working days.

    Days in neither map follow the weekday rule (Mon–Fri work, Sat/Sun rest).
    Values are the holiday's name (Chinese preferred), e.g. ``国庆节``.
    """

    year: int
    holidays: Mapping[date, str] = field(default_factory=dict)
    workdays: Mapping[date, str] = field(default_factory=dict)
    source: str = PACKAGE_SOURCE


@dataclass(frozen=True)
class Overrides:
    """The local override file, parsed. ``closures`` and ``workdays`` map a date to the
    reason staff gave (may be empty); ``years`` holds whole-year tables."""

    closures: Mapping[date, str] = field(default_factory=dict)
    workdays: Mapping[date, str] = field(default_factory=dict)
    years: Mapping[int, YearTable] = field(default_factory=dict)
    path: str | None = None


@dataclass(frozen=True)
class DayInfo:
    """What the calendar says about one day."""

    date: date
    workday: bool
    kind: DayKind
    name: str | None
    """Holiday name (国庆节), the holiday a 调休 day belongs to, or the staff's reason."""
    covered: bool
    """False when the answer is the Mon–Fri fallback for an uncovered year."""

    def label_zh(self) -> str:
        """A short Chinese description, e.g. ``工作日``, ``法定节假日：国庆节``."""
        if self.kind == "workday":
            text = "工作日"
        elif self.kind == "weekend":
            text = "休息日"
        elif self.kind == "holiday":
            text = f"法定节假日：{self.name}" if self.name else "法定节假日"
        elif self.kind == "makeup":
            text = f"调休上班：{self.name}" if self.name else "调休上班"
        elif self.kind == "closure":
            text = f"临时闭馆：{self.name}" if self.name else "临时闭馆"
        else:
            text = f"临时工作日：{self.name}" if self.name else "临时工作日"
        if not self.covered:
            text += "，按周一至周五推算"
        return text

    def label_en(self) -> str:
        text = {
            "workday": "working day",
            "weekend": "rest day",
            "holiday": "statutory holiday",
            "makeup": "make-up working day",
            "closure": "local closure",
            "extra_workday": "extra working day",
        }[self.kind]
        if self.name:
            text += f": {self.name}"
        if not self.covered:
            text += ", Mon-Fri fallback"
        return text


class WorkCalendar:
    """Working days by the Chinese calendar plus local overrides.

    Build one with :func:`load_calendar` (reads the override file) or
    :func:`default_calendar` (packaged data only); tests pass tables directly.
    Instances are treated as immutable; answers are cached per day.
    """

    __slots__ = ("_base", "_cache", "_nth_cache", "_overrides", "_years")

    def __init__(
        self,
        base: Mapping[int, YearTable] | None = None,
        overrides: Overrides | None = None,
    ) -> None:
        self._base: Mapping[int, YearTable] = dict(base or {})
        self._overrides = overrides or Overrides()
        years = dict(self._base)
        years.update(self._overrides.years)
        self._years: dict[int, YearTable] = years
        self._cache: dict[date, DayInfo] = {}
        self._nth_cache: dict[tuple[date, int], date] = {}

    # -- queries ---------------------------------------------------------------

    def day(self, d: date) -> DayInfo:
        """Everything known about ``d`` (a ``datetime`` is taken by its date)."""
        if isinstance(d, datetime):
            d = d.date()
        info = self._cache.get(d)
        if info is None:
            if len(self._cache) > 50_000:  # bound memory under arbitrary queries
                self._cache.clear()
            info = self._cache[d] = self._compute(d)
        return info

    def is_workday(self, d: date) -> bool:
        """True on working days (including 调休 make-up days and extra working days)."""
        return self.day(d).workday

    def is_holiday(self, d: date) -> bool:
        """True on rest days: weekends, statutory holidays and local closures."""
        return not self.day(d).workday

    def holiday_name(self, d: date) -> str | None:
        """The statutory holiday (``国庆节``) or closure reason on a rest day, else None."""
        info = self.day(d)
        return info.name if info.kind in ("holiday", "closure") else None

    def nth_working_day(self, start: date, n: int) -> date:
        """The ``n``-th working day counting from the first working day on or after
        ``start`` as day 1 (``n >= 1``). Gives up after about ten years of rest days."""
        key = (start, n)
        found = self._nth_cache.get(key)
        if found is not None:
            return found
        d = start
        scanned = 0
        while not self.is_workday(d) and scanned < _SCAN_LIMIT_DAYS:
            d += _ONE_DAY
            scanned += 1
        counted = 1
        while counted < n and scanned < _SCAN_LIMIT_DAYS:
            d += _ONE_DAY
            scanned += 1
            if self.is_workday(d):
                counted += 1
        if len(self._nth_cache) > 10_000:
            self._nth_cache.clear()
        self._nth_cache[key] = d
        return d

    def covers(self, year: int) -> bool:
        """True when statutory holidays and 调休 days of ``year`` are known."""
        return year in self._years

    def covered_year_set(self) -> frozenset[int]:
        return frozenset(self._years)

    def covered_years(self) -> tuple[int, int]:
        """The first and last year of the contiguous run of covered years that reaches
        furthest into the future, e.g. ``(2004, 2026)``; ``(2004, 2027)`` once the override
        file holds a 2027 table. An isolated later year (say 2030 without 2027–2029) is
        not part of the run; use :meth:`covers` for single years. ``(0, -1)`` when nothing
        is covered."""
        if not self._years:
            return (0, -1)
        anchor = max(self._base) if self._base else max(self._years)
        first = last = anchor
        while first - 1 in self._years:
            first -= 1
        while last + 1 in self._years:
            last += 1
        return (first, last)

    def warnings_for(self, years: Iterable[int]) -> list[Diagnostic]:
        """One ``calendar.uncovered_year`` warning per uncovered year among ``years``."""
        pos = SourcePos(self._overrides.path or PACKAGE_SOURCE)
        out = []
        for year in sorted(set(years)):
            if self.covers(year):
                continue
            out.append(
                warning(
                    pos,
                    "calendar.uncovered_year",
                    f"尚无{year}年的法定节假日和调休安排，该年暂按周一至周五上班、周六周日休息计算；"
                    f"国务院公布放假安排后，请在日历覆盖文件的 years: 中补充{year}年"
                    "（见 docs/calendar.md）",
                    f"no statutory holiday / make-up day data for {year}; treating Mon-Fri as "
                    f"working days and Sat/Sun as rest days. Add the {year} table under `years:` "
                    "in the calendar override file once the State Council publishes it "
                    "(see docs/calendar.md)",
                )
            )
        return out

    @property
    def overrides(self) -> Overrides:
        return self._overrides

    # -- internals -------------------------------------------------------------

    def _compute(self, d: date) -> DayInfo:
        ov = self._overrides
        reason = ov.closures.get(d)
        table = self._years.get(d.year)
        covered = table is not None
        if reason is not None:
            return DayInfo(d, False, "closure", reason or None, covered)
        reason = ov.workdays.get(d)
        if reason is not None:
            return DayInfo(d, True, "extra_workday", reason or None, covered)
        if table is not None:
            name = table.holidays.get(d)
            if name is not None:
                return DayInfo(d, False, "holiday", name or None, True)
            name = table.workdays.get(d)
            if name is not None:
                return DayInfo(d, True, "makeup", name or None, True)
        if d.weekday() < 5:
            return DayInfo(d, True, "workday", None, covered)
        return DayInfo(d, False, "weekend", None, covered)


# ----------------------------------------------------------------------------- packaged data


@functools.cache
def package_tables() -> Mapping[int, YearTable]:
    """Year tables from the installed ``chinese-calendar`` package (imported lazily)."""
    import chinese_calendar.constants as cc

    holidays: dict[int, dict[date, str]] = {}
    workdays: dict[int, dict[date, str]] = {}
    for d, name in cc.holidays.items():
        holidays.setdefault(d.year, {})[d] = HOLIDAY_NAMES_ZH.get(name, name)
    for d, name in cc.workdays.items():
        workdays.setdefault(d.year, {})[d] = HOLIDAY_NAMES_ZH.get(name, name)
    if not holidays:
        return {}
    # chinese-calendar supports every year from its first to its last holiday.
    first, last = min(holidays), max(holidays)
    return {
        y: YearTable(y, holidays.get(y, {}), workdays.get(y, {}), PACKAGE_SOURCE)
        for y in range(first, last + 1)
    }


@functools.cache
def default_calendar() -> WorkCalendar:
    """The packaged data without local overrides (shared instance)."""
    return WorkCalendar(package_tables())


def build_calendar(overrides: Overrides | None = None) -> WorkCalendar:
    """Packaged data plus ``overrides``. Pure apart from reading the package's tables."""
    return WorkCalendar(package_tables(), overrides)


# ----------------------------------------------------------------------------- shell


def load_calendar(overrides_path: str | None) -> tuple[WorkCalendar, list[Diagnostic]]:
    """The calendar with the staff's override file applied.

    Never raises for bad input: problems come back as diagnostics and the calendar uses
    whatever parts of the file are valid (an invalid item is skipped; a year table with
    any error is dropped as a whole, so that year falls back to Mon–Fri with a warning
    rather than half-applied data). A missing file is an error diagnostic.
    """
    if not overrides_path:
        return default_calendar(), []
    pos = SourcePos(overrides_path)
    try:
        with open(overrides_path, "rb") as fh:
            data = fh.read(MAX_OVERRIDE_BYTES + 1)
    except FileNotFoundError:
        return default_calendar(), [
            error(
                pos,
                "calendar.overrides_missing",
                "找不到日历覆盖文件，已只用内置节假日数据；请检查配置项 calendar_overrides 的路径",
                "calendar override file not found; using built-in holiday data only. "
                "Check the calendar_overrides setting",
            )
        ]
    except OSError as exc:
        return default_calendar(), [
            error(
                pos,
                "calendar.overrides_unreadable",
                f"无法读取日历覆盖文件（{exc.strerror}），已只用内置节假日数据",
                f"cannot read calendar override file ({exc.strerror}); using built-in data only",
            )
        ]
    overrides, diags = parse_overrides(data, overrides_path)
    return build_calendar(overrides), diags


# ----------------------------------------------------------------------------- override file


def parse_overrides(data: bytes, path: str) -> tuple[Overrides, list[Diagnostic]]:
    """Parse an override file (pure). Always returns usable overrides (possibly empty)."""
    diags: list[Diagnostic] = []
    root = _read_yaml(data, path, diags)
    if root is None:
        return Overrides(path=path), diags
    p = _Parser(path, diags)
    result = p.document(root)
    return result, diags


# The YAML reader sits behind this one function so that it can switch to the playlist
# loader's reader (kiosk.yamlsrc) without touching the rest. It returns the composed node
# tree: scalars keep the text exactly as typed (no YAML 1.1 implicit typing).


def _read_yaml(data: bytes, path: str, diags: list[Diagnostic]) -> Any:
    import yaml

    pos = SourcePos(path)
    if len(data) > MAX_OVERRIDE_BYTES:
        diags.append(
            error(
                pos,
                "calendar.too_large",
                f"日历覆盖文件太大（超过 {MAX_OVERRIDE_BYTES // 1024} KiB），未读取",
                f"calendar override file is larger than {MAX_OVERRIDE_BYTES // 1024} KiB; ignored",
            )
        )
        return None
    if b"\x00" in data:
        diags.append(
            error(
                pos,
                "calendar.binary",
                "日历覆盖文件含有 NUL 字节，不是文本文件",
                "calendar override file contains NUL bytes; not a text file",
            )
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        diags.append(
            error(
                SourcePos(path, line, 1),
                "calendar.not_utf8",
                "文件不是 UTF-8 编码（可能是 GBK）；请用记事本等“另存为 UTF-8”后再试",
                "file is not UTF-8 encoded (GBK?); save it as UTF-8",
            )
        )
        return None
    if not text.strip():
        return None  # an empty override file means "no overrides"
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = SourcePos(path, mark.line + 1, mark.column + 1) if mark else pos
        problem = exc.problem or "syntax error"
        if "\t" in problem or "\\t" in problem or "tab" in problem:
            zh = "缩进不能用 Tab 键，请改用空格"
            en = "tabs cannot be used for indentation; use spaces"
        else:
            zh = f"YAML 语法错误：{problem}"
            en = f"YAML syntax error: {problem}"
        diags.append(error(where, "calendar.yaml_syntax", zh, en))
        return None
    except yaml.YAMLError as exc:
        diags.append(
            error(pos, "calendar.yaml_syntax", f"YAML 语法错误：{exc}", f"YAML syntax error: {exc}")
        )
        return None


def _node_pos(path: str, node: Any) -> SourcePos:
    mark = getattr(node, "start_mark", None)
    if mark is None:
        return SourcePos(path)
    return SourcePos(path, mark.line + 1, mark.column + 1)


def parse_date_text(text: str) -> date | None:
    """``2027-01-01`` or ``2027年1月1日``; None when neither."""
    s = text.strip()
    try:
        if "年" in s:
            y, rest = s.split("年", 1)
            m, rest = rest.split("月", 1)
            dd = rest.removesuffix("日")
            return date(int(y), int(m), int(dd))
        if len(s) == 10 and s[4] == "-" and s[7] == "-":
            return date.fromisoformat(s)
    except ValueError:
        return None
    return None


_TOP_KEYS = ("version", "closures", "workdays", "years")
_ITEM_KEYS = ("date", "from", "to", "reason")
_YEAR_KEYS = ("holidays", "workdays")
_YEAR_ITEM_KEYS = ("date", "from", "to", "name")


class _Parser:
    def __init__(self, path: str, diags: list[Diagnostic]) -> None:
        self.path = path
        self.diags = diags

    # -- helpers ---------------------------------------------------------------

    def pos(self, node: Any) -> SourcePos:
        return _node_pos(self.path, node)

    def err(self, node: Any, key: str, zh: str, en: str) -> None:
        self.diags.append(error(self.pos(node), key, zh, en))

    def warn(self, node: Any, key: str, zh: str, en: str) -> None:
        self.diags.append(warning(self.pos(node), key, zh, en))

    def mapping(self, node: Any, what_zh: str, what_en: str) -> list[tuple[Any, Any]] | None:
        import yaml

        if not isinstance(node, yaml.MappingNode):
            self.err(
                node,
                "calendar.type",
                f"{what_zh}应为“键: 值”的映射",
                f"{what_en} must be a mapping of `key: value`",
            )
            return None
        seen: dict[str, Any] = {}
        pairs = []
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                self.err(k, "calendar.type", "键必须是简单文字", "keys must be plain scalars")
                continue
            if k.value in seen:
                line = seen[k.value].start_mark.line + 1
                self.err(
                    k,
                    "calendar.duplicate_key",
                    f"键“{k.value}”重复（第 {line} 行已有），请删去其中一个",
                    f"duplicate key `{k.value}` (already on line {line}); remove one",
                )
                continue
            seen[k.value] = k
            pairs.append((k, v))
        return pairs

    def known(self, key: Any, allowed: tuple[str, ...]) -> bool:
        if key.value in allowed:
            return True
        close = difflib.get_close_matches(key.value, allowed, n=1)
        hint_zh = f"，是不是“{close[0]}”？" if close else f"；可用的键：{'、'.join(allowed)}"
        hint_en = f"; did you mean `{close[0]}`?" if close else f"; allowed: {', '.join(allowed)}"
        self.err(
            key,
            "calendar.unknown_key",
            f"未知的键“{key.value}”{hint_zh}",
            f"unknown key `{key.value}`{hint_en}",
        )
        return False

    def scalar(self, node: Any, what: str) -> str | None:
        import yaml

        if not isinstance(node, yaml.ScalarNode):
            self.err(node, "calendar.type", f"“{what}”应为一个值", f"`{what}` must be a scalar")
            return None
        return str(node.value)

    def date_value(self, node: Any, what: str) -> date | None:
        text = self.scalar(node, what)
        if text is None:
            return None
        d = parse_date_text(text)
        if d is None:
            self.err(
                node,
                "calendar.bad_date",
                f"“{what}”的日期“{text}”无效，应写成 2027-01-01 或 2027年1月1日",
                f"`{what}`: invalid date `{text}`; write 2027-01-01",
            )
        return d

    def seq(self, node: Any, what: str) -> list[Any] | None:
        import yaml

        if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.err(
                node,
                "calendar.type",
                f"“{what}”应为列表（每项以“- ”开头）",
                f"`{what}` must be a list (items start with `- `)",
            )
            return None
        return list(node.value)

    # -- structure -------------------------------------------------------------

    def document(self, root: Any) -> Overrides:
        pairs = self.mapping(root, "日历覆盖文件", "the calendar override file")
        if pairs is None:
            return Overrides(path=self.path)
        closures: dict[date, str] = {}
        workdays: dict[date, str] = {}
        years: dict[int, YearTable] = {}
        for k, v in pairs:
            if not self.known(k, _TOP_KEYS):
                continue
            if k.value == "version":
                if self.scalar(v, "version") not in (None, "1"):
                    self.err(
                        v,
                        "calendar.version",
                        "不支持的格式版本，应为 version: 1",
                        "unsupported format version; expected `version: 1`",
                    )
            elif k.value in ("closures", "workdays"):
                target = closures if k.value == "closures" else workdays
                for node, day, reason in self.items(v, k.value, _ITEM_KEYS, "reason"):
                    if day in target:
                        self.warn(
                            node,
                            "calendar.duplicate_date",
                            f"{day.isoformat()} 在“{k.value}”中重复",
                            f"{day.isoformat()} is listed twice in `{k.value}`",
                        )
                    target[day] = reason
            else:
                years = self.years(v)
        for day in sorted(set(closures) & set(workdays)):
            self.diags.append(
                error(
                    SourcePos(self.path),
                    "calendar.conflict",
                    f"{day.isoformat()} 同时列在 closures（闭馆）和 workdays（上班）中，"
                    "按闭馆处理；请删去其中一处",
                    f"{day.isoformat()} is both a closure and an extra working day; "
                    "treated as a closure. Remove one",
                )
            )
            del workdays[day]
        return Overrides(closures, workdays, years, self.path)

    def items(
        self, node: Any, what: str, allowed: tuple[str, ...], label_key: str
    ) -> Iterator[tuple[Any, date, str]]:
        """Items of a date list: ``- 2027-01-01`` or ``- {date|from+to, reason|name}``."""
        import yaml

        for item in self.seq(node, what) or ():
            if isinstance(item, yaml.ScalarNode):
                d = self.date_value(item, what)
                if d is not None:
                    yield item, d, ""
                continue
            pairs = self.mapping(item, f"“{what}”的每一项", f"each item of `{what}`")
            if pairs is None:
                continue
            fields: dict[str, Any] = {}
            ok = True
            for k, v in pairs:
                if self.known(k, allowed):
                    fields[k.value] = v
                else:
                    ok = False
            label = ""
            if label_key in fields:
                label = (self.scalar(fields[label_key], label_key) or "").strip()
            if "date" in fields and ("from" in fields or "to" in fields):
                self.err(
                    item,
                    "calendar.date_and_range",
                    "同一项不能既写 date 又写 from/to",
                    "use either `date` or `from`/`to`, not both",
                )
                continue
            if "date" in fields:
                d = self.date_value(fields["date"], "date")
                if d is not None and ok:
                    yield item, d, label
                continue
            if "from" not in fields or "to" not in fields:
                self.err(
                    item,
                    "calendar.missing_date",
                    "缺少日期：写 date: 2027-01-01，或者 from: … 和 to: …",
                    "missing date: give `date:` or both `from:` and `to:`",
                )
                continue
            start = self.date_value(fields["from"], "from")
            end = self.date_value(fields["to"], "to")
            if start is None or end is None or not ok:
                continue
            if end < start:
                self.err(
                    fields["to"],
                    "calendar.bad_range",
                    f"结束日期 {end.isoformat()} 早于开始日期 {start.isoformat()}",
                    f"`to` {end.isoformat()} is before `from` {start.isoformat()}",
                )
                continue
            if (end - start).days >= MAX_RANGE_DAYS:
                self.err(
                    fields["to"],
                    "calendar.bad_range",
                    f"日期范围太长（超过 {MAX_RANGE_DAYS} 天）",
                    f"date range longer than {MAX_RANGE_DAYS} days",
                )
                continue
            d = start
            while d <= end:
                yield item, d, label
                d += timedelta(days=1)

    def years(self, node: Any) -> dict[int, YearTable]:
        out: dict[int, YearTable] = {}
        pairs = self.mapping(node, "years", "`years`")
        for k, v in pairs or ():
            text = str(k.value).strip()
            if not (text.isdigit() and len(text) == 4):
                self.err(
                    k,
                    "calendar.bad_year",
                    f"“{text}”不是年份，应写成 2027:",
                    f"`{text}` is not a year; write e.g. `2027:`",
                )
                continue
            year = int(text)
            before = len(self.diags)
            table = self.year_table(year, v)
            if table is None or has_errors(self.diags[before:]):
                self.warn(
                    k,
                    "calendar.year_ignored",
                    f"{year}年的放假安排有错误，整张表未采用",
                    f"the {year} table has errors and was not used",
                )
                continue
            out[year] = table
        return out

    def year_table(self, year: int, node: Any) -> YearTable | None:
        pairs = self.mapping(node, f"{year}年的放假安排", f"the {year} table")
        if pairs is None:
            return None
        holidays: dict[date, str] = {}
        workdays: dict[date, str] = {}
        for k, v in pairs:
            if not self.known(k, _YEAR_KEYS):
                continue
            target = holidays if k.value == "holidays" else workdays
            for item, d, name in self.items(v, k.value, _YEAR_ITEM_KEYS, "name"):
                if d.year != year:
                    self.err(
                        item,
                        "calendar.wrong_year",
                        f"{d.isoformat()} 不在 {year} 年内，请放到对应年份下",
                        f"{d.isoformat()} is not in {year}; put it under its own year",
                    )
                    continue
                if k.value == "workdays" and d.weekday() < 5:
                    self.warn(
                        item,
                        "calendar.makeup_on_weekday",
                        f"{d.isoformat()}（{weekday_zh(d)}）本来就是工作日，调休上班日通常是周六或周日",
                        f"{d.isoformat()} is a weekday anyway; make-up days are usually "
                        "Saturdays or Sundays",
                    )
                target[d] = name
        for d in sorted(set(holidays) & set(workdays)):
            self.err(
                node,
                "calendar.conflict",
                f"{d.isoformat()} 同时列为放假和调休上班",
                f"{d.isoformat()} is both a holiday and a make-up working day",
            )
        if not holidays:
            self.warn(
                node,
                "calendar.empty_year",
                f"{year}年没有列出任何法定节假日，请确认是否完整",
                f"the {year} table lists no holidays; is it complete?",
            )
        return YearTable(year, holidays, workdays, self.path)
