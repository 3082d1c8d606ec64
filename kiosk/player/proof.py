"""Proof of display: one JSON line per continuous showing of an entry, so the office can show
that a notice was on screen throughout its publicity period.

Line format (``STATE_DIR/proof.jsonl``)::

    {"id": "notice-2018-report", "title": "…", "kind": "notice",
     "start": "2026-11-30T09:00:00+08:00", "end": "2026-11-30T09:00:40+08:00",
     "seconds": 40.0, "pages": [1, 2], "page_count": 2}

The log is bounded: when ``proof.jsonl`` passes ``max_bytes`` it becomes ``proof.jsonl.1``,
older files shift up, and ``proof.jsonl.<keep>`` is dropped. Reading and filtering are pure.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from kiosk.player.engine import ProofRecord

log = logging.getLogger("kiosk.player")

PROOF_FILE = "proof.jsonl"
MAX_BYTES = 4 * 1024 * 1024
KEEP = 20  # ≈ 80 MiB in all, about six weeks at one change every ten seconds


def record_json(rec: ProofRecord) -> dict[str, Any]:
    return {
        "id": rec.entry_id,
        "title": rec.title,
        "kind": rec.kind,
        "start": rec.start.isoformat(timespec="seconds"),
        "end": rec.end.isoformat(timespec="seconds"),
        "seconds": round((rec.end - rec.start).total_seconds(), 1),
        "pages": list(rec.pages_shown),
        "page_count": rec.page_count,
    }


class ProofLog:
    """Appends proof lines, rotating by size. Write failures are logged once, never raised:
    the screen matters more than the log."""

    def __init__(
        self, state_dir: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES, keep: int = KEEP
    ) -> None:
        self.path = Path(state_dir) / PROOF_FILE
        self.max_bytes = max_bytes
        self.keep = keep
        self._failing = False

    def append(self, rec: ProofRecord) -> None:
        line = json.dumps(record_json(rec), ensure_ascii=False, separators=(",", ":")) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                size = self.path.stat().st_size
            except FileNotFoundError:
                size = 0
            if size and size + len(line.encode()) > self.max_bytes:
                self._rotate()
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(line)
            if self._failing:
                log.info("proof.ok path=%s", self.path)
            self._failing = False
        except OSError as exc:
            if not self._failing:
                log.error("proof.write_failed path=%s error=%s", self.path, exc)
            self._failing = True

    def _rotate(self) -> None:
        for n in range(self.keep, 0, -1):
            src = self.path if n == 1 else self.path.with_name(f"{PROOF_FILE}.{n - 1}")
            dst = self.path.with_name(f"{PROOF_FILE}.{n}")
            if src.exists():
                os.replace(src, dst)


def proof_files(state_dir: str | os.PathLike[str]) -> list[Path]:
    """Existing proof files, oldest first."""
    base = Path(state_dir)
    rotated = []
    for p in base.glob(f"{PROOF_FILE}.*"):
        suffix = p.name[len(PROOF_FILE) + 1 :]
        if suffix.isdigit():
            rotated.append((int(suffix), p))
    out = [p for _, p in sorted(rotated, reverse=True)]
    if (base / PROOF_FILE).exists():
        out.append(base / PROOF_FILE)
    return out


@dataclass(frozen=True)
class Shown:
    id: str
    title: str
    kind: str
    start: datetime
    end: datetime
    pages: tuple[int, ...]
    page_count: int

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def parse_lines(lines: Iterable[str]) -> Iterator[Shown]:
    """Records from JSON lines; a damaged line (e.g. cut by a power failure) is skipped."""
    for line in lines:
        try:
            d = json.loads(line)
            yield Shown(
                id=str(d["id"]),
                title=str(d.get("title", "")),
                kind=str(d.get("kind", "")),
                start=datetime.fromisoformat(d["start"]),
                end=datetime.fromisoformat(d["end"]),
                pages=tuple(int(p) for p in d.get("pages", ())),
                page_count=int(d.get("page_count", 0)),
            )
        except (ValueError, KeyError, TypeError):
            continue


def read_records(state_dir: str | os.PathLike[str]) -> Iterator[Shown]:
    for path in proof_files(state_dir):
        with open(path, encoding="utf-8", errors="replace") as fh:
            yield from parse_lines(fh)


def between(
    records: Iterable[Shown], first: date, last: date, tz: tzinfo, entry: str | None = None
) -> list[Shown]:
    """Records overlapping the days ``first`` … ``last`` (inclusive, in ``tz``)."""
    lo = datetime.combine(first, time(0), tz)
    hi = datetime.combine(last + timedelta(days=1), time(0), tz)
    return [
        r
        for r in records
        if r.end > lo
        and r.start < hi
        and (entry is None or r.id == entry or r.id.startswith(entry + "/"))
    ]


@dataclass(frozen=True)
class Summary:
    id: str
    title: str
    showings: int
    seconds: float
    first: datetime
    last: datetime
    days: int


def summarize(records: Iterable[Shown]) -> list[Summary]:
    by: dict[str, list[Shown]] = {}
    for r in records:
        by.setdefault(r.id, []).append(r)
    out = []
    for rid, rs in by.items():
        out.append(
            Summary(
                id=rid,
                title=rs[-1].title,
                showings=len(rs),
                seconds=sum(r.seconds for r in rs),
                first=min(r.start for r in rs),
                last=max(r.end for r in rs),
                days=len({r.start.date() for r in rs}),
            )
        )
    return sorted(out, key=lambda s: s.first)


CSV_HEADER = ("id", "title", "kind", "start", "end", "seconds", "pages", "page_count")


def to_csv(records: Iterable[Shown]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_HEADER)
    for r in records:
        w.writerow(
            (
                r.id,
                r.title,
                r.kind,
                r.start.isoformat(timespec="seconds"),
                r.end.isoformat(timespec="seconds"),
                f"{r.seconds:.0f}",
                " ".join(str(p) for p in r.pages),
                r.page_count,
            )
        )
    return buf.getvalue()
