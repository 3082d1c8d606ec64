"""Reading hand-written YAML with source positions and without surprises.

Staff type ``start: 10:00`` and mean ten o'clock; YAML 1.1 (PyYAML's default) would read
the integer 600, ``on`` as ``True``, ``010`` as 8 and ``2026-11-29`` as a date. This reader
uses PyYAML's scanner, parser and composer with a resolver that has *no* implicit types:
every scalar is the text the person typed. Typed conversion happens later, in the
schema-aware parsers (:mod:`kiosk.playlist`, :mod:`kiosk.config`), which know each field's
type and can report a bad value at its line and column.

The result is a small tree of :class:`Scalar`, :class:`Seq` and :class:`Map` nodes, each
carrying its :class:`~kiosk.diagnostics.SourcePos`. Problems never escape as exceptions:
:func:`parse_yaml` returns ``(node | None, diagnostics)``. It catches, each with its own
message in Chinese and English: an oversized input (checked before parsing), bytes that are
not UTF-8 (with a hint when they decode as GBK, the usual encoding of office PCs), UTF-16,
NUL bytes and other binary junk, an empty document, tab indentation, YAML syntax errors,
duplicate keys (PyYAML silently keeps the last one), non-text keys, explicit tags, several
documents in one file, and alias bombs (a cap on the number of nodes after expanding
aliases, and on nesting depth).

Pure except :func:`read_source`, the thin shell that reads a file with the size cap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeAlias

import yaml
from yaml.composer import Composer
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from kiosk.diagnostics import Diagnostic, SourcePos, error

MAX_BYTES = 1024 * 1024
"""Files larger than this are refused before parsing (a playlist is a few KiB)."""

MAX_NODES = 50_000
"""Cap on nodes after alias expansion (stops "billion laughs" documents)."""

MAX_DEPTH = 64
"""Cap on nesting depth (a playlist needs about 6)."""

NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})

_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"

# Same class of characters PyYAML refuses; we find them first to give a better message.
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"%PDF", "PDF"),
    (b"PK\x03\x04", "ZIP/Office (docx/xlsx/wps)"),
    (b"\xd0\xcf\x11\xe0", "Office 97 (doc/xls)"),
    (b"\x1f\x8b", "gzip"),
    (b"\x7fELF", "ELF"),
)


# ----------------------------------------------------------------------------- nodes


@dataclass(frozen=True)
class Scalar:
    """A scalar exactly as typed. ``plain`` is False for quoted and block scalars."""

    text: str
    pos: SourcePos
    plain: bool = True

    @property
    def is_null(self) -> bool:
        """An empty value (``key:`` with nothing after it) or an explicit ``null``/``~``."""
        return self.plain and self.text in NULL_WORDS

    def describe(self) -> str:
        return f"“{self.text}”" if len(self.text) <= 40 else f"“{self.text[:37]}…”"


@dataclass(frozen=True)
class Seq:
    items: tuple[Node, ...]
    pos: SourcePos


@dataclass(frozen=True)
class Map:
    """A mapping with its keys in file order (keys are unique: duplicates are reported)."""

    items: tuple[tuple[Scalar, Node], ...]
    pos: SourcePos

    def get(self, key: str) -> Node | None:
        for k, v in self.items:
            if k.text == key:
                return v
        return None

    def key_node(self, key: str) -> Scalar | None:
        for k, _ in self.items:
            if k.text == key:
                return k
        return None

    def keys(self) -> list[str]:
        return [k.text for k, _ in self.items]

    def __iter__(self) -> Iterator[tuple[Scalar, Node]]:
        return iter(self.items)


Node: TypeAlias = Scalar | Seq | Map


def type_name(node: Node, lang: str = "zh") -> str:
    """What a node is, for messages ("a list" / "列表")."""
    if isinstance(node, Map):
        return "键值表 (mapping)" if lang == "zh" else "a mapping"
    if isinstance(node, Seq):
        return "列表 (list)" if lang == "zh" else "a list"
    return "文字" if lang == "zh" else "a text value"


def from_plain(value: object, pos: SourcePos) -> Node:
    """Turn JSON-like data (e.g. a portal manifest's item metadata) into nodes, so the
    same parsers check both. Every node gets ``pos``. Booleans become ``true``/``false``,
    ``None`` an empty scalar."""
    if isinstance(value, dict):
        return Map(
            tuple((Scalar(str(k), pos, False), from_plain(v, pos)) for k, v in value.items()),
            pos,
        )
    if isinstance(value, list | tuple):
        return Seq(tuple(from_plain(v, pos) for v in value), pos)
    if value is None:
        return Scalar("", pos, True)
    if isinstance(value, bool):
        return Scalar("true" if value else "false", pos, True)
    if isinstance(value, int | float):
        return Scalar(repr(value) if isinstance(value, float) else str(value), pos, True)
    return Scalar(str(value), pos, False)


# ----------------------------------------------------------------------------- loader


class _TextLoader(Reader, Scanner, Parser, Composer, BaseResolver):
    """PyYAML's pipeline with the base resolver: every plain scalar is a string."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        BaseResolver.__init__(self)


def _pos(path: str, mark: yaml.Mark | None) -> SourcePos:
    if mark is None:
        return SourcePos(path)
    return SourcePos(path, mark.line + 1, mark.column + 1)


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def _decode(data: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    where = SourcePos(path, 1, 1)
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return None, [
                error(
                    where,
                    "yaml.binary",
                    f"这不是文本文件，看起来是 {name} 文件；请选择 YAML 文本文件",
                    f"this is not a text file; it looks like a {name} file",
                )
            ]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [
            error(
                where,
                "yaml.utf16",
                "文件是 UTF-16 编码；请用“UTF-8”编码另存（记事本：另存为 → 编码 → UTF-8）",
                "the file is UTF-16 encoded; save it as UTF-8",
            )
        ]
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        col = nul - (data.rfind(b"\n", 0, nul) + 1) + 1
        return None, [
            error(
                SourcePos(path, line, col),
                "yaml.nul",
                "文件含有空字节 (NUL)，不是文本文件或已损坏",
                "the file contains NUL bytes: it is not a text file or it is damaged",
            )
        ]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # UTF-8 BOM, as Windows Notepad writes it: accepted
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        pos = SourcePos(path, line, col)
        try:
            data.decode("gbk")
        except UnicodeDecodeError:
            return None, [
                error(
                    pos,
                    "yaml.not_utf8",
                    "文件不是 UTF-8 编码（第一个无法识别的字节在此）；请用 UTF-8 编码另存",
                    "the file is not UTF-8 (first undecodable byte here); save it as UTF-8",
                )
            ]
        return None, [
            error(
                pos,
                "yaml.not_utf8",
                "文件不是 UTF-8 编码，看起来是 GBK（Windows 办公电脑常见）；"
                "请用“UTF-8”编码另存（记事本：另存为 → 编码 → UTF-8）",
                "the file is not UTF-8; it looks like GBK (common on Windows office PCs); "
                "save it as UTF-8",
            )
        ]
    bad = _NON_PRINTABLE.search(text)
    if bad is not None:
        line, col = _line_col(text, bad.start())
        return None, [
            error(
                SourcePos(path, line, col),
                "yaml.binary",
                f"文件含有不可显示的控制字符 U+{ord(bad.group()):04X}，可能不是文本文件或已损坏",
                f"the file contains the control character U+{ord(bad.group()):04X}; "
                "it may not be a text file or may be damaged",
            )
        ]
    return text, []


def _tab_lines(text: str, path: str) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for n, line in enumerate(text.split("\n"), start=1):
        indent = len(line) - len(line.lstrip(" \t"))
        tab = line.find("\t", 0, indent)
        if tab >= 0 and line.strip():
            out.append(
                error(
                    SourcePos(path, n, tab + 1),
                    "yaml.tab",
                    "缩进里有制表符 (Tab)；YAML 只能用空格缩进，请把 Tab 换成空格",
                    "tab character in indentation; YAML indents with spaces only",
                )
            )
            if len(out) >= 20:
                break
    return out


def _syntax_error(exc: yaml.MarkedYAMLError, path: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    en = problem if not context else f"{problem} ({context})"
    hint_zh, hint_en = _hint(problem, context)
    zh = f"YAML 格式错误：{hint_zh}" if hint_zh else "YAML 格式错误"
    en_msg = f"YAML syntax error: {hint_en} [{en}]" if hint_en else f"YAML syntax error: {en}"
    return error(_pos(path, mark), "yaml.syntax", f"{zh} [{en}]", en_msg)


_HINTS: tuple[tuple[str, str, str], ...] = (
    # (PyYAML's words, Chinese hint, English hint)
    (
        "mapping values are not allowed",
        "这里不能出现冒号“:”；值里有冒号时请加引号，或检查上一行的缩进",
        "a colon cannot appear here; quote a value that contains a colon, "
        "or check the indentation of the line above",
    ),
    (
        "could not find expected ':'",
        "缺少冒号“:”（键和值之间要有“: ”，冒号后加空格）",
        "missing ':' (write 'key: value' with a space after the colon)",
    ),
    (
        "expected <block end>",
        "缩进不一致；同一层的键要对齐",
        "inconsistent indentation; keys at the same level must line up",
    ),
    ("unexpected end", "引号或括号没有闭合", "a quote or bracket is not closed"),
    (
        "found undefined alias",
        "引用了未定义的锚点 (*别名)",
        "an alias (*name) refers to an anchor that is not defined",
    ),
    (
        "found character that cannot start any token",
        "这里的字符不能开始一个值（如 @ 或 `）；请给值加引号",
        "this character cannot start a value (such as @ or `); quote the value",
    ),
    (
        "did not find expected key",
        "缩进不一致或列表项“- ”位置不对",
        "inconsistent indentation, or a list item '- ' in the wrong place",
    ),
    (
        "did not find expected '-'",
        "缩进不一致或列表项“- ”位置不对",
        "inconsistent indentation, or a list item '- ' in the wrong place",
    ),
    (
        "expected ',' or ']'",
        "方括号 [ ] 没有闭合，或值里有冒号、逗号；值以“[”开头时请加引号",
        "a [ ] list is not closed, or a value has a colon or comma in it; "
        "quote a value that starts with '['",
    ),
    (
        "expected ',' or '}'",
        "花括号 { } 没有闭合，或值里有逗号；值以“{”开头时请加引号",
        "a { } mapping is not closed, or a value has a comma in it; "
        "quote a value that starts with '{'",
    ),
)


def _hint(problem: str, context: str) -> tuple[str, str]:
    """(Chinese, English) advice for one of PyYAML's messages, or ("", "")."""
    for words, zh, en in _HINTS:
        if words in problem:
            return zh, en
    if "while scanning a quoted scalar" in context:
        return "引号没有闭合", "a quoted value is not closed"
    return "", ""


def _convert(root: yaml.Node, path: str) -> tuple[Node | None, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    count = 0
    seen: set[int] = set()
    aliased = False

    class _Abort(Exception):
        pass

    def conv(node: yaml.Node, depth: int) -> Node:
        nonlocal count, aliased
        count += 1
        if count > MAX_NODES:
            raise _Abort("nodes")
        if depth > MAX_DEPTH:
            raise _Abort("depth")
        pos = _pos(path, node.start_mark)
        if node.tag not in (_STR_TAG, _SEQ_TAG, _MAP_TAG):
            diags.append(
                error(
                    pos,
                    "yaml.tag",
                    f"不支持 YAML 标签“{node.tag}”；请去掉“!”开头的标记",
                    f"YAML tags are not supported here ({node.tag}); remove it",
                )
            )
        if isinstance(node, yaml.ScalarNode):
            return Scalar(str(node.value), pos, node.style is None)
        if id(node) in seen:
            aliased = True
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            return Seq(tuple(conv(child, depth + 1) for child in node.value), pos)
        assert isinstance(node, yaml.MappingNode)
        items: list[tuple[Scalar, Node]] = []
        first: dict[str, SourcePos] = {}
        for knode, vnode in node.value:
            key = conv(knode, depth + 1)
            value = conv(vnode, depth + 1)
            if not isinstance(key, Scalar):
                diags.append(
                    error(
                        key.pos,
                        "yaml.complex_key",
                        "键必须是文字（不能是列表或键值表）",
                        "a key must be text, not a list or mapping",
                    )
                )
                continue
            if key.text in first:
                p = first[key.text]
                diags.append(
                    error(
                        key.pos,
                        "yaml.duplicate_key",
                        f"键“{key.text}”重复出现（第一次在第 {p.line} 行）；"
                        "同一层里每个键只能写一次",
                        f"duplicate key '{key.text}' (first at line {p.line}); "
                        "each key may appear once per mapping",
                    )
                )
                continue
            first[key.text] = key.pos
            items.append((key, value))
        return Map(tuple(items), pos)

    try:
        result = conv(root, 0)
    except _Abort as exc:
        where = _pos(path, root.start_mark)
        if str(exc) == "depth":
            return None, [
                error(
                    where,
                    "yaml.too_deep",
                    f"嵌套层数超过 {MAX_DEPTH} 层，文件结构不合理",
                    f"nesting deeper than {MAX_DEPTH} levels",
                )
            ]
        return None, [
            error(
                where,
                "yaml.too_many_nodes",
                f"展开锚点/别名后节点超过 {MAX_NODES} 个"
                + ("（疑似“别名炸弹”）" if aliased else "")
                + "；请删除 & 锚点和 * 别名",
                f"more than {MAX_NODES} nodes after expanding aliases"
                + (" (an alias bomb?)" if aliased else ""),
            )
        ]
    return result, diags


def parse_yaml(data: bytes | str, path: str) -> tuple[Node | None, list[Diagnostic]]:
    """Parse one YAML document into position-carrying nodes, or report why not.

    Never raises for any input. The node is ``None`` whenever an error prevents reading
    the structure; otherwise the diagnostics may still contain errors (duplicate keys,
    tags) for parts that were skipped.
    """
    size = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    if size > MAX_BYTES:
        return None, [
            error(
                SourcePos(path, 1, 1),
                "yaml.too_large",
                f"文件太大（{size} 字节，上限 {MAX_BYTES} 字节）；是不是选错了文件？",
                f"file too large ({size} bytes, limit {MAX_BYTES}); is it the right file?",
            )
        ]
    if isinstance(data, bytes):
        text, diags = _decode(data, path)
        if text is None:
            return None, diags
    else:
        text = data.removeprefix("\ufeff")
        bad = _NON_PRINTABLE.search(text)
        if bad is not None:
            line, col = _line_col(text, bad.start())
            return None, [
                error(
                    SourcePos(path, line, col),
                    "yaml.binary",
                    f"文件含有不可显示的控制字符 U+{ord(bad.group()):04X}",
                    f"the file contains the control character U+{ord(bad.group()):04X}",
                )
            ]
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        return None, [
            error(
                SourcePos(path, 1, 1),
                "yaml.empty",
                "文件是空的（没有任何内容，或只有注释）",
                "the file is empty (no content, or only comments)",
            )
        ]
    loader = _TextLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.composer.ComposerError as exc:
        if "expected a single document" in f"{exc.problem} {exc.context}":
            return None, [
                error(
                    _pos(path, exc.problem_mark),
                    "yaml.multiple_documents",
                    "文件里有多个 YAML 文档（多余的“---”分隔线）；一个文件只写一个",
                    "more than one YAML document in the file (an extra '---'); keep one",
                )
            ]
        return None, _tab_lines(text, path) or [_syntax_error(exc, path)]
    except yaml.MarkedYAMLError as exc:
        return None, _tab_lines(text, path) or [_syntax_error(exc, path)]
    except yaml.YAMLError as exc:  # reader errors without marks
        return None, [
            error(
                SourcePos(path, 1, 1),
                "yaml.syntax",
                f"YAML 格式错误 [{exc}]",
                f"YAML syntax error: {exc}",
            )
        ]
    except RecursionError:
        return None, [
            error(
                SourcePos(path, 1, 1),
                "yaml.too_deep",
                f"嵌套层数超过 {MAX_DEPTH} 层，文件结构不合理",
                f"nesting deeper than {MAX_DEPTH} levels",
            )
        ]
    finally:
        loader.dispose()
    if root is None:
        return None, [
            error(
                SourcePos(path, 1, 1),
                "yaml.empty",
                "文件是空的（没有任何内容，或只有注释）",
                "the file is empty (no content, or only comments)",
            )
        ]
    return _convert(root, path)


def read_source(path: str) -> tuple[bytes | None, list[Diagnostic]]:
    """Read a file for :func:`parse_yaml`, refusing oversized files before reading them.
    The only function here that touches the disk."""
    import os

    where = SourcePos(path)
    try:
        size = os.stat(path).st_size
        if size > MAX_BYTES:
            return None, [
                error(
                    SourcePos(path, 1, 1),
                    "yaml.too_large",
                    f"文件太大（{size} 字节，上限 {MAX_BYTES} 字节）；是不是选错了文件？",
                    f"file too large ({size} bytes, limit {MAX_BYTES}); is it the right file?",
                )
            ]
        with open(path, "rb") as fh:
            return fh.read(MAX_BYTES + 1), []
    except IsADirectoryError:
        return None, [
            error(where, "file.is_dir", "这是一个目录，不是文件", "this is a directory, not a file")
        ]
    except FileNotFoundError:
        return None, [error(where, "file.not_found", "文件不存在", "file not found")]
    except OSError as exc:
        return None, [
            error(
                where,
                "file.unreadable",
                f"无法读取文件：{exc.strerror or exc}",
                f"cannot read the file: {exc.strerror or exc}",
            )
        ]
