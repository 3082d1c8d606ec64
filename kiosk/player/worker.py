"""Background jobs for the frame loop: loading, layout and page rendering.

One worker thread runs jobs in submission order (urgent jobs jump the queue); the frame loop
collects finished results without blocking. ``threaded=False`` runs each job at submission,
which makes tests deterministic.
"""

from __future__ import annotations

import collections
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("kiosk.player")


@dataclass(frozen=True)
class Done:
    tag: str
    arg: Any
    value: Any = None
    error: BaseException | None = None


class Worker:
    def __init__(self, *, threaded: bool = True) -> None:
        self.threaded = threaded
        self._done: collections.deque[Done] = collections.deque()
        self._inflight: set[tuple[str, Any]] = set()
        self._lock = threading.Lock()
        self._jobs: queue.PriorityQueue[tuple[int, int, str, Any, Callable[[], Any] | None]] = (
            queue.PriorityQueue()
        )
        self._seq = 0
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(target=self._run, name="kiosk-worker", daemon=True)
            self._thread.start()

    def busy(self, tag: str, arg: Any = None) -> bool:
        with self._lock:
            return (tag, arg) in self._inflight

    def pending(self) -> int:
        with self._lock:
            return len(self._inflight)

    def submit(self, tag: str, arg: Any, fn: Callable[[], Any], *, urgent: bool = False) -> bool:
        """Queue ``fn``; returns False if the same (tag, arg) is already queued or running."""
        with self._lock:
            if (tag, arg) in self._inflight:
                return False
            self._inflight.add((tag, arg))
            self._seq += 1
            seq = self._seq
        if not self.threaded:
            self._execute(tag, arg, fn)
            return True
        self._jobs.put((0 if urgent else 1, seq, tag, arg, fn))
        return True

    def results(self) -> list[Done]:
        out = []
        while True:
            try:
                out.append(self._done.popleft())
            except IndexError:
                return out

    def _execute(self, tag: str, arg: Any, fn: Callable[[], Any]) -> None:
        try:
            done = Done(tag, arg, value=fn())
        except Exception as exc:  # reported to the frame loop, never raised in the thread
            done = Done(tag, arg, error=exc)
        with self._lock:
            self._inflight.discard((tag, arg))
        self._done.append(done)

    def _run(self) -> None:
        while True:
            _, _, tag, arg, fn = self._jobs.get()
            if fn is None:
                return
            self._execute(tag, arg, fn)

    def stop(self, timeout: float = 5.0) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._jobs.put((-1, 0, "stop", None, None))
            self._thread.join(timeout)
