"""Problems found in input files, reported GCC style: ``FILE:LINE:COL: 错误: ...``.

Every staff-facing message has a stable English ``key`` and text in Chinese (default)
and English (``--lang en``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


_LABELS = {
    ("zh", Severity.ERROR): "错误",
    ("zh", Severity.WARNING): "警告",
    ("en", Severity.ERROR): "error",
    ("en", Severity.WARNING): "warning",
}


@dataclass(frozen=True, order=True)
class SourcePos:
    """1-based line and column in a file (0 when unknown)."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{max(self.col, 1)}"


@dataclass(frozen=True)
class Diagnostic:
    pos: SourcePos
    severity: Severity
    key: str
    """Stable English key, e.g. ``playlist.unknown_key``."""
    zh: str
    en: str

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self, lang: str = "zh") -> str:
        lang = "en" if lang == "en" else "zh"
        text = self.en if lang == "en" else self.zh
        return f"{self.pos}: {_LABELS[(lang, self.severity)]}: {text} [{self.key}]"


def error(pos: SourcePos, key: str, zh: str, en: str) -> Diagnostic:
    return Diagnostic(pos, Severity.ERROR, key, zh, en)


def warning(pos: SourcePos, key: str, zh: str, en: str) -> Diagnostic:
    return Diagnostic(pos, Severity.WARNING, key, zh, en)


def has_errors(diags: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diags)


class InputError(Exception):
    """Bad input that the CLI reports as one line and a non-zero exit (never a traceback)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.format("en") for d in diagnostics))
        self.diagnostics = diagnostics
