"""Screen power: when the lobby screen should be on, and the backends that switch it.

Functional core
    :func:`power_state` decides on/off for an instant from the office hours per weekday, the
    Chinese working calendar (statutory holidays off, 调休 make-up working days on) and a local
    override (``kiosk power on|off --until TIME``). It is pure: it takes ``now`` and data and
    returns ``(on, reason, next_change)``.

Imperative shell
    :class:`PowerController` writes ``STATE_DIR/power.json`` (the player draws black while it
    says ``off`` — the fallback that always works) and drives one hardware backend: HDMI-CEC
    through ``cec-ctl``, or ``wlr-randr`` under a Wayland compositor. External commands run with
    an argument list and a timeout, never through a shell; a failing or hanging command leaves
    the blanking in place and is logged once (``power.backend_fail``) until it works again.

Override file ``STATE_DIR/power-override.json``::

    {"state": "off", "until": "2026-11-30T08:00:00+08:00", "set_at": "...", "by": "staff"}

``until`` may be null (until ``kiosk power auto``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from kiosk.atomic import write_json_atomic
from kiosk.clock import parse_instant
from kiosk.config import OfficeHours, PowerConfig

log = logging.getLogger("kiosk.power")

POWER_FILE = "power.json"
OVERRIDE_FILE = "power-override.json"

# How far ahead next_change looks; the longest closure (Spring Festival, 8–9 days) plus a
# weekend fits many times over.
_HORIZON_DAYS = 40


class WorkdayCalendar(Protocol):
    """What power needs from :class:`kiosk.workcal.WorkCalendar`."""

    def is_workday(self, d: date) -> bool: ...


# Stable reason keys (English) with the Chinese text staff see.
REASONS: dict[str, str] = {
    "office-hours": "办公时间",
    "makeup-workday": "调休上班日",
    "after-hours": "非办公时间",
    "holiday": "法定节假日",
    "rest-day": "休息日",
    "override-on": "手动开启",
    "override-off": "手动关闭",
    "clock-untrusted": "系统时间未同步，保持当前状态",
}


def reason_text(reason: str) -> str:
    return REASONS.get(reason, reason)


@dataclass(frozen=True)
class Override:
    """A staff decision that wins over the schedule until ``until`` (None: until cleared)."""

    on: bool
    until: datetime | None = None
    set_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        return self.until is None or now < self.until


class PowerDecision(NamedTuple):
    on: bool
    reason: str
    next_change: datetime | None


# ----------------------------------------------------------------------------- pure core


def _hours_by_weekday(hours: Sequence[OfficeHours]) -> dict[int, list[OfficeHours]]:
    table: dict[int, list[OfficeHours]] = {}
    for h in hours:
        table.setdefault(h.weekday, []).append(h)
    return table


def _is_workday(calendar: WorkdayCalendar | None, d: date) -> bool:
    if calendar is None:
        return d.isoweekday() <= 5
    try:
        return bool(calendar.is_workday(d))
    except Exception:  # a calendar that cannot answer: plain Monday–Friday
        return d.isoweekday() <= 5


def day_plan(
    d: date, config: PowerConfig, calendar: WorkdayCalendar | None
) -> tuple[str, list[OfficeHours]]:
    """The kind of day ``d`` is and the office hours that apply to it.

    With ``workdays_only`` the working calendar decides: statutory holidays are off even on a
    weekday, and a 调休 make-up working day (a Saturday or Sunday that is a working day) uses
    its own weekday's hours if configured, else Monday's (the first configured weekday's).
    """
    table = _hours_by_weekday(config.hours)
    weekday = d.isoweekday()
    if not config.workdays_only:
        hours = table.get(weekday, [])
        return ("office-hours" if hours else "rest-day"), hours
    if not _is_workday(calendar, d):
        return ("holiday" if weekday <= 5 else "rest-day"), []
    if weekday <= 5:
        return "office-hours", table.get(weekday, [])
    hours = table.get(weekday) or (table[min(table)] if table else [])
    return "makeup-workday", hours


def _intervals(
    d: date, config: PowerConfig, calendar: WorkdayCalendar | None, tz: Any
) -> list[tuple[datetime, datetime, str]]:
    """Screen-on intervals that start on day ``d`` (an end not after the start wraps midnight)."""
    kind, hours = day_plan(d, config, calendar)
    out = []
    for h in hours:
        start = datetime.combine(d, h.start, tzinfo=tz)
        end_day = d if h.end > h.start else d + timedelta(days=1)
        end = datetime.combine(end_day, h.end, tzinfo=tz)
        out.append((start, end, kind))
    return out


def _scheduled(
    now: datetime, config: PowerConfig, calendar: WorkdayCalendar | None
) -> tuple[bool, str]:
    today = now.date()
    for d in (today - timedelta(days=1), today):
        for start, end, kind in _intervals(d, config, calendar, now.tzinfo):
            if start <= now < end:
                return True, kind
    kind, _ = day_plan(today, config, calendar)
    return False, ("after-hours" if kind in ("office-hours", "makeup-workday") else kind)


def _boundaries(
    now: datetime, config: PowerConfig, calendar: WorkdayCalendar | None
) -> Iterator[datetime]:
    """Interval starts and ends after ``now`` in time order, computed a day at a time so the
    search stops as soon as the caller has found a change."""
    pending: set[datetime] = set()
    today = now.date()
    for offset in range(-1, _HORIZON_DAYS + 1):
        d = today + timedelta(days=offset)
        # every interval starting on day d or later begins at or after d 00:00
        horizon = datetime.combine(d, time(0), tzinfo=now.tzinfo)
        ready = sorted(p for p in pending if p < horizon)
        pending.difference_update(ready)
        yield from (p for p in ready if p > now)
        for start, end, _ in _intervals(d, config, calendar, now.tzinfo):
            pending.update((start, end))
    yield from sorted(p for p in pending if p > now)


def power_state(
    now: datetime,
    power_config: PowerConfig,
    calendar: WorkdayCalendar | None,
    override: Override | None = None,
) -> PowerDecision:
    """Whether the screen should be on at ``now``, why, and when that next changes.

    ``now`` must be aware and in the configured zone. ``next_change`` is ``None`` when nothing
    changes within the look-ahead horizon (e.g. no office hours configured at all).
    """
    if override is not None and override.active(now):
        reason = "override-on" if override.on else "override-off"
        if override.until is None:
            return PowerDecision(override.on, reason, None)
        after = power_state(override.until, power_config, calendar, None)
        if after.on != override.on:
            return PowerDecision(override.on, reason, override.until)
        return PowerDecision(override.on, reason, after.next_change)
    on, reason = _scheduled(now, power_config, calendar)
    for point in _boundaries(now, power_config, calendar):
        if _scheduled(point, power_config, calendar)[0] != on:
            return PowerDecision(on, reason, point)
    return PowerDecision(on, reason, None)


# ----------------------------------------------------------------------------- state files


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat(timespec="seconds") if dt is not None else None


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from ``path``, or None when missing or unreadable (never raises)."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_override(state_dir: Path) -> Override | None:
    data = read_json(state_dir / OVERRIDE_FILE)
    if data is None or data.get("state") not in ("on", "off"):
        return None
    return Override(
        on=data["state"] == "on",
        until=parse_instant(data.get("until")),
        set_at=parse_instant(data.get("set_at")),
    )


def write_override(state_dir: Path, override: Override | None) -> None:
    path = state_dir / OVERRIDE_FILE
    if override is None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return
    write_json_atomic(
        path,
        {
            "state": "on" if override.on else "off",
            "until": _iso(override.until),
            "set_at": _iso(override.set_at),
        },
    )


def power_document(
    decision: PowerDecision, now: datetime, previous: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The ``power.json`` content for a decision; ``since`` is kept while the state holds."""
    state = "on" if decision.on else "off"
    since = _iso(now)
    if previous and previous.get("state") == state and parse_instant(previous.get("since")):
        since = str(previous["since"])
    return {
        "state": state,
        "reason": decision.reason,
        "since": since,
        "until": _iso(decision.next_change),
    }


# ----------------------------------------------------------------------------- commands


class CommandResult(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


class CommandTimeout(Exception):
    pass


Runner = Callable[[Sequence[str], float], CommandResult]


def run_command(argv: Sequence[str], timeout: float) -> CommandResult:
    """Run ``argv`` (no shell) and wait at most ``timeout`` seconds.

    The child gets its own process group so that on timeout everything it started is killed
    too (a shell script that runs ``sleep`` would otherwise keep our pipes open).
    """
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # cec-ctl prints the TV's OSD name and vendor strings as the TV sends them: not
        # necessarily UTF-8. A stray byte must not turn a working command into a crash.
        encoding="utf-8",
        errors="replace",
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise CommandTimeout(f"{argv[0]}: no answer within {timeout:g} s") from None
    return CommandResult(proc.returncode, out, err)


class BackendError(Exception):
    pass


class PowerBackend(Protocol):
    name: str

    def set_power(self, on: bool) -> None:
        """Switch the screen; raise :class:`BackendError` when that did not work."""
        ...


def _checked(runner: Runner, argv: Sequence[str], timeout: float) -> str:
    try:
        result = runner(argv, timeout)
    except CommandTimeout as exc:
        raise BackendError(str(exc)) from None
    except OSError as exc:
        raise BackendError(f"{argv[0]}: {exc.strerror or exc}") from None
    except (ValueError, subprocess.SubprocessError) as exc:  # anything else the run raised
        raise BackendError(f"{argv[0]}: {type(exc).__name__}: {exc}") from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackendError(
            f"{' '.join(argv[:3])}: exit {result.returncode}"
            + (f": {detail[-1]}" if detail else "")
        )
    return result.stdout


class CecBackend:
    """HDMI-CEC via v4l-utils' ``cec-ctl``: register as a playback device, then ask the TV
    (logical address 0) to wake up (Image View On) or go to standby."""

    name = "cec"

    def __init__(
        self, device: str, timeout: float, runner: Runner = run_command, program: str = "cec-ctl"
    ) -> None:
        self.device = device
        self.timeout = timeout
        self.runner = runner
        self.program = program

    def set_power(self, on: bool) -> None:
        base = [self.program, "--device", self.device]
        _checked(self.runner, [*base, "--playback"], self.timeout)
        action = "--image-view-on" if on else "--standby"
        _checked(self.runner, [*base, "--to", "0", action], self.timeout)


class WlrBackend:
    """``wlr-randr`` under a wlroots Wayland compositor (labwc on Pi OS desktop)."""

    name = "wlr"

    def __init__(
        self,
        timeout: float,
        runner: Runner = run_command,
        program: str = "wlr-randr",
        output: str | None = None,
    ) -> None:
        self.timeout = timeout
        self.runner = runner
        self.program = program
        self.output = output

    def _outputs(self) -> list[str]:
        listing = _checked(self.runner, [self.program], self.timeout)
        return [line.split()[0] for line in listing.splitlines() if line and not line[0].isspace()]

    def set_power(self, on: bool) -> None:
        outputs = [self.output] if self.output else self._outputs()
        if not outputs:
            raise BackendError(f"{self.program}: no outputs")
        for name in outputs:
            _checked(
                self.runner,
                [self.program, "--output", name, "--on" if on else "--off"],
                self.timeout,
            )


def choose_backend(
    config: PowerConfig,
    environ: Mapping[str, str],
    runner: Runner = run_command,
    which: Callable[[str], str | None] = shutil.which,
    exists: Callable[[str], bool] = os.path.exists,
) -> PowerBackend | None:
    """The hardware backend for ``config.backend`` (None: blanking by the player only).

    ``auto`` picks ``wlr-randr`` under Wayland, else ``cec-ctl`` when the CEC device exists.
    """
    kind = config.backend
    if kind == "auto":
        if environ.get("WAYLAND_DISPLAY") and which("wlr-randr"):
            kind = "wlr"
        elif which("cec-ctl") and exists(config.cec_device):
            kind = "cec"
        else:
            kind = "blank"
    if kind == "cec":
        return CecBackend(
            config.cec_device, config.command_timeout, runner, which("cec-ctl") or "cec-ctl"
        )
    if kind == "wlr":
        return WlrBackend(config.command_timeout, runner, which("wlr-randr") or "wlr-randr")
    return None


class PowerController:
    """Applies decisions: ``power.json`` for the player first, then the hardware backend.

    Writes ``power.json`` only when something in it changes; drives the backend when the
    state changes (and retries every ``retry`` application while the backend keeps failing).
    """

    def __init__(self, state_dir: Path, backend: PowerBackend | None) -> None:
        self.state_dir = Path(state_dir)
        self.backend = backend
        self._backend_state: bool | None = None
        self._backend_failing = False

    @property
    def path(self) -> Path:
        return self.state_dir / POWER_FILE

    def apply(self, decision: PowerDecision, now: datetime) -> dict[str, Any]:
        previous = read_json(self.path)
        doc = power_document(decision, now, previous)
        changed_state = previous is None or previous.get("state") != doc["state"]
        if doc != previous:
            write_json_atomic(self.path, doc)
        if changed_state:
            log.info(
                "%s reason=%s until=%s",
                "power.on" if decision.on else "power.off",
                decision.reason,
                doc["until"],
            )
        self._drive(decision.on)
        return doc

    def _drive(self, on: bool) -> None:
        if self.backend is None or self._backend_state == on:
            return
        try:
            self.backend.set_power(on)
        except BackendError as exc:
            if not self._backend_failing:
                log.warning(
                    "power.backend_fail backend=%s error=%s; the player blanks the screen instead",
                    self.backend.name,
                    exc,
                )
            self._backend_failing = True
            return
        if self._backend_failing:
            log.info("power.backend_ok backend=%s", self.backend.name)
        self._backend_failing = False
        self._backend_state = on

    @property
    def backend_failing(self) -> bool:
        return self._backend_failing


# ----------------------------------------------------------------------------- --until parsing


def parse_until(text: str, now: datetime) -> datetime:
    """``18:30`` (today, or tomorrow when past), ``2026-11-30 08:00``, an ISO instant, or a
    duration ``90m`` / ``2h`` / ``1d``. Raises ValueError with a Chinese message."""
    s = text.strip()
    units = {"m": 60, "h": 3600, "d": 86400}
    if s and s[-1] in units and s[:-1].isdigit():
        return now + timedelta(seconds=int(s[:-1]) * units[s[-1]])
    try:
        t = time.fromisoformat(s)
    except ValueError:
        pass
    else:
        when = datetime.combine(now.date(), t, tzinfo=now.tzinfo)
        return when if when > now else when + timedelta(days=1)
    try:
        when = datetime.fromisoformat(s)
    except ValueError:
        raise ValueError(
            f"无法识别的时间“{text}”：请写 18:30、2026-11-30 08:00 或 2h (unrecognised time)"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=now.tzinfo)
    if when <= now:
        raise ValueError(f"时间“{text}”已经过去 (time is in the past)")
    return when
