"""``kiosk daemon``: the unattended side of the kiosk (network yes, display never).

Jobs (plain methods of :class:`Daemon`, each taking its time from the injected clock, so tests
drive them with a :class:`~kiosk.clock.FakeClock` and a portal on 127.0.0.1 without waiting):

``sync``         nightly content sync (cron in the configured zone, small hours, with jitter);
                 caught up at start and after a long misfire when the last success is too old;
                 after a failure retried in 10, 20, 40 … minutes (at most 4 h apart) until one
                 succeeds (``sync-retry``).
``alerts``       every minute, no jitter: conditional GET of the signed alert feed →
                 ``alerts.json``.
``power``        every minute on the minute: office hours/calendar/override → ``power.json``
                 and the CEC/wlr backend.
``housekeeping`` daily: store GC (when the store offers it), proof-log rotation, metrics.

Clock trust: the Pi has no real-time clock. While the clock is untrustworthy (systemd-timesyncd
has not synchronised *and* the clock reads earlier than the last trusted time, or earlier than
this release could have been built) the daemon makes no expiry or power decision and runs no
sync. A wall-clock jump (wall and monotonic time disagree by more than
:data:`JUMP_THRESHOLD`) reschedules every recurring job from the new time and moves a pending
one-off (catch-up, retry) by the jump, so it still comes after the wait it was given.

Only one daemon runs per state directory: it holds an exclusive lock on ``daemon.lock`` for its
lifetime (:func:`acquire_instance_lock`); a second one exits with one line naming the first.
``daemon.json`` is only ever replaced atomically, under a lock shared by the job threads.

The scheduler wiring (:func:`build_scheduler`) is thin: APScheduler 3.x with
``misfire_grace_time`` from config, ``coalesce=True``, ``max_instances=1``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.alerts import MAX_BYTES as ALERT_MAX_BYTES
from kiosk.alerts import AlertFeed, AlertFeedError
from kiosk.atomic import write_json_atomic
from kiosk.clock import Clock, kernel_clock_synchronised, parse_instant
from kiosk.config import Config
from kiosk.power import (
    PowerController,
    PowerDecision,
    WorkdayCalendar,
    power_state,
    read_json,
    read_override,
    write_override,
)

log = logging.getLogger("kiosk.daemon")

DAEMON_STATE = "daemon.json"
TIMESYNC_FLAG = Path("/run/systemd/timesync/synchronized")
# No clock reading before this can be right: this code did not exist earlier.
TRUST_FLOOR = datetime(2026, 1, 1, tzinfo=UTC)
JUMP_THRESHOLD = timedelta(minutes=2)
WATCH_INTERVAL_S = 30.0
CATCHUP_DELAY_S = 60  # after start: let the network come up
MISSED_CATCHUP_DELAY_S = 5
SYNC_PERIOD = timedelta(days=1)
TRUST_SAVE_EVERY = timedelta(hours=1)  # SD-card friendly
LIVENESS_S = 300.0
RETRY_FIRST = timedelta(minutes=10)
RETRY_MAX = timedelta(hours=4)
LOCK_FILE = "daemon.lock"


# ----------------------------------------------------------------------------- pure helpers


def clock_trusted(now: datetime, synced: bool, last_trusted: datetime | None) -> bool:
    """Trust the wall clock when NTP says it is synchronised, or when it reads no earlier than
    the last time it was known good (and no earlier than this release)."""
    if synced:
        return True
    floor = max(TRUST_FLOOR, last_trusted) if last_trusted else TRUST_FLOOR
    return now >= floor


def sync_overdue(last_success: datetime | None, now: datetime, jitter_s: int) -> bool:
    """A nightly sync was missed: never synced, or the last success is older than a day plus
    the jitter window (so a run that merely landed late in the window is not repeated)."""
    if last_success is None:
        return True
    return now - last_success > SYNC_PERIOD + timedelta(seconds=jitter_s) + timedelta(minutes=5)


def retry_delay(failures: int) -> timedelta:
    """The wait before retrying after the ``failures``-th failed sync in a row (1, 2, 3 …):
    10, 20, 40 … minutes, never more than 4 hours."""
    if failures < 1:
        raise ValueError("failures counts from 1")
    delay: timedelta = RETRY_FIRST * (2 ** min(failures - 1, 20))
    return min(delay, RETRY_MAX)


def uncovered_years(calendar: object, now: datetime) -> list[int]:
    """This year and next year, where the working calendar has no holiday data (and power
    falls back to Monday–Friday). Empty when the calendar cannot tell."""
    covers = getattr(calendar, "covers", None)
    if not callable(covers):
        return []
    return [y for y in (now.year, now.year + 1) if not covers(y)]


def clock_jump(
    wall_before: datetime, mono_before: float, wall_now: datetime, mono_now: float
) -> timedelta | None:
    """How far the wall clock moved beyond the elapsed monotonic time, if more than the
    threshold (an NTP step after boot, a manual change)."""
    drift = (wall_now - wall_before) - timedelta(seconds=mono_now - mono_before)
    return drift if abs(drift) > JUMP_THRESHOLD else None


def _outcome_time(value: object) -> datetime | None:
    """An instant from ``state.json``: an ISO string, or the sync's outcome object
    ``{"time": ISO, "result": ...}``."""
    if isinstance(value, dict):
        value = value.get("time")
    return parse_instant(value)


def last_sync_success(state_dir: Path) -> datetime | None:
    """The persisted last successful sync: ``state.json`` (written by the sync) or the daemon's
    own record, whichever is newer."""
    found: list[datetime] = []
    state = read_json(state_dir / "state.json") or {}
    when = _outcome_time(state.get("last_success"))
    if when:
        found.append(when)
    own = read_json(state_dir / DAEMON_STATE) or {}
    when = parse_instant(own.get("last_sync_success"))
    if when:
        found.append(when)
    return max(found, default=None)


def last_trusted_time(state_dir: Path) -> datetime | None:
    """The latest time known to be right: the daemon's own record (saved while NTP says the
    clock is synchronised) or the sync's ``last_trusted_time`` in ``state.json``."""
    own = parse_instant((read_json(state_dir / DAEMON_STATE) or {}).get("last_trusted"))
    sync = parse_instant((read_json(state_dir / "state.json") or {}).get("last_trusted_time"))
    return max((t for t in (own, sync) if t is not None), default=None)


PROOF_LOG = "proof.jsonl"
PROOF_ARCHIVE = "proof"
PROOF_KEEP_DAYS = 400  # a 公示期 lasts weeks; audits ask about last year


def archive_proof_log(state_dir: Path, now: datetime, keep_days: int = PROOF_KEEP_DAYS) -> int:
    """Keep the proof of display beyond the player's own bounded log.

    The player appends to ``proof.jsonl`` and, by size, shifts it to ``proof.jsonl.1`` …
    ``proof.jsonl.<keep>``, dropping the oldest (``kiosk proof`` reads those). A rotated file
    never changes again, only its number; so each one is copied once, gzipped, into
    ``proof/proof-<first day>-<sha8>.jsonl.gz`` (named by content, so renumbering does not copy
    it twice). Archives older than ``keep_days`` are removed. Returns the number archived.
    """
    import gzip
    import hashlib
    import os
    import re

    archive = state_dir / PROOF_ARCHIVE
    known = set()
    if archive.is_dir():
        for path in archive.iterdir():
            m = re.fullmatch(r"proof-(\d{8})-([0-9a-f]{8})\.jsonl\.gz", path.name)
            if not m:
                continue
            if m.group(1) < (now - timedelta(days=keep_days)).strftime("%Y%m%d"):
                path.unlink()
                log.info("proof.expire file=%s", path.name)
                continue
            known.add(m.group(2))
    added = 0
    for path in sorted(state_dir.glob(f"{PROOF_LOG}.*")):
        if not path.name[len(PROOF_LOG) + 1 :].isdigit():
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:8]
        if not data or digest in known:
            continue
        first = now
        for line in data.splitlines():
            try:
                first = datetime.fromisoformat(json.loads(line)["start"])
                break
            except (ValueError, KeyError, TypeError):
                continue
        archive.mkdir(exist_ok=True)
        target = archive / f"proof-{first:%Y%m%d}-{digest}.jsonl.gz"
        tmp = archive / f".{target.name}.tmp"
        with gzip.open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
        known.add(digest)
        added += 1
        log.info("proof.archive file=%s from=%s", target.name, path.name)
    return added


# ----------------------------------------------------------------------------- the daemon


@dataclass
class SyncOutcome:
    ok: bool
    version: int | None = None
    changed: bool = False
    message: str = ""


SyncRunner = Callable[[], SyncOutcome]


@dataclass
class Daemon:
    config: Config
    clock: Clock
    state_dir: Path
    sync_runner: SyncRunner | None
    alert_feed: AlertFeed
    power: PowerController
    calendar: WorkdayCalendar | None = None
    timesync_flag: Path = TIMESYNC_FLAG
    # a second opinion when the flag is absent (chrony, ntpd): adjtimex; None: the flag only
    kernel_synced: Callable[[], bool | None] | None = None
    on_change: Callable[[Daemon], None] | None = None  # e.g. write metrics
    _armed_retry: datetime | None = None  # the persisted retry time the scheduler holds
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _state_lock: threading.RLock = field(default_factory=threading.RLock)
    _uncovered_logged: set[int] = field(default_factory=set)
    _trusted: bool | None = None
    _last_saved_trust: datetime | None = None
    _watch: tuple[datetime, float] | None = None
    last_sync: SyncOutcome | None = None
    last_decision: PowerDecision | None = None
    last_power_mono: float | None = None

    # -- state -----------------------------------------------------------------------

    def _own_state(self) -> dict[str, Any]:
        return read_json(self.state_dir / DAEMON_STATE) or {}

    def _save_own(self, **updates: Any) -> None:
        """Read-modify-write ``daemon.json``: under a lock (the jobs run in several threads)
        and replaced atomically (a reader or a power cut sees the old file or the new one).
        A key updated to None is removed."""
        with self._state_lock:
            data = self._own_state()
            data.update(updates)
            write_json_atomic(
                self.state_dir / DAEMON_STATE, {k: v for k, v in data.items() if v is not None}
            )

    def pending_retry(self) -> datetime | None:
        """When the next retry of a failed sync is due (persisted across restarts)."""
        return parse_instant(self._own_state().get("next_retry"))

    def is_trusted(self) -> bool:
        now = self.clock.now()
        synced = self.timesync_flag.exists() or bool(
            self.kernel_synced is not None and self.kernel_synced()
        )
        last = last_trusted_time(self.state_dir)
        trusted = clock_trusted(now, synced, last)
        if trusted != self._trusted:
            if trusted:
                log.info(
                    "clock.trusted now=%s synced=%s", now.isoformat(timespec="seconds"), synced
                )
            else:
                log.warning(
                    "clock.untrusted now=%s last_trusted=%s: no sync, expiry or power decisions",
                    now.isoformat(timespec="seconds"),
                    last.isoformat(timespec="seconds") if last else None,
                )
            self._trusted = trusted
        if (
            trusted
            and synced
            and (self._last_saved_trust is None or now - self._last_saved_trust >= TRUST_SAVE_EVERY)
        ):
            own = parse_instant(self._own_state().get("last_trusted"))
            if own is None or now > own:
                self._save_own(last_trusted=now.isoformat(timespec="seconds"))
            self._last_saved_trust = now
        return trusted

    # -- jobs ------------------------------------------------------------------------

    def job_sync(self, reason: str = "nightly") -> SyncOutcome | None:
        if self.sync_runner is None:
            log.info("sync.skip reason=%s: no portal configured", reason)
            return None
        if not self.is_trusted():
            log.info("sync.defer reason=%s: clock not trusted", reason)
            return None
        with self._lock:
            started = self.clock.now()
            try:
                outcome = self.sync_runner()
            except Exception as exc:  # the sync reports its own errors; never kill the daemon
                outcome = SyncOutcome(False, message=f"{type(exc).__name__}: {exc}")
            self.last_sync = outcome
            stamp = started.isoformat(timespec="seconds")
            if outcome.ok:
                log.info(
                    "sync.ok reason=%s version=%s changed=%s",
                    reason,
                    outcome.version,
                    outcome.changed,
                )
                self._save_own(
                    last_sync_attempt=stamp,
                    last_sync_success=stamp,
                    last_sync_result="ok",
                    last_sync_error=None,
                    sync_failures=None,
                    next_retry=None,
                )
            else:
                failures = int(self._own_state().get("sync_failures") or 0) + 1
                retry = started + retry_delay(failures)
                log.warning(
                    "sync.fail reason=%s failures=%d retry_at=%s error=%s",
                    reason,
                    failures,
                    retry.isoformat(timespec="seconds"),
                    outcome.message,
                )
                self._save_own(
                    last_sync_attempt=stamp,
                    last_sync_result="fail",
                    last_sync_error=outcome.message,
                    sync_failures=failures,
                    next_retry=retry.isoformat(timespec="seconds"),
                )
        self._changed()
        return outcome

    def sync_running(self) -> bool:
        return self._lock.locked()

    def needs_catch_up(self) -> bool:
        return self.sync_runner is not None and sync_overdue(
            last_sync_success(self.state_dir), self.clock.now(), self.config.daemon.sync_jitter_s
        )

    def job_alerts(self) -> None:
        try:
            if self.alert_feed.poll():
                doc = self.alert_feed.doc
                log.info(
                    "alert.feed version=%s alerts=%d",
                    doc.version if doc else None,
                    len(doc.alerts) if doc else 0,
                )
            if self.alert_feed.last_error is not None:
                log.info("alert.feed_ok")
            self.alert_feed.last_error = None
        except AlertFeedError as exc:
            message = f"{exc.key} {exc}"
            if message != self.alert_feed.last_error:
                log.warning("%s: %s (keeping the last verified alerts)", exc.key, exc)
            self.alert_feed.last_error = message
        if self.is_trusted():
            self.alert_feed.publish(self.clock.now())
        self._changed()

    def check_calendar(self) -> list[int]:
        """Log ``calendar.uncovered_year`` once per year (this year or next) that the holiday
        data does not cover; only from a trusted clock. Returns the years newly logged."""
        if not self.is_trusted():
            return []
        new = [
            y
            for y in uncovered_years(self.calendar, self.clock.now())
            if y not in self._uncovered_logged
        ]
        for year in new:
            log.warning(
                "calendar.uncovered_year year=%d: 尚无%d年法定节假日和调休数据，"
                "该年屏幕按周一至周五开关 (no holiday data; Mon-Fri fallback)",
                year,
                year,
            )
            self._uncovered_logged.add(year)
        return new

    def decide_power(self) -> PowerDecision | None:
        if not self.is_trusted():
            return None
        self.check_calendar()
        now = self.clock.now()
        override = read_override(self.state_dir)
        if override is not None and not override.active(now):
            log.info("power.override_end state=%s", "on" if override.on else "off")
            write_override(self.state_dir, None)
            override = None
        return power_state(now, self.config.power, self.calendar, override)

    def job_power(self) -> PowerDecision | None:
        self.last_power_mono = self.clock.monotonic()
        decision = self.decide_power()
        if decision is not None:
            self.power.apply(decision, self.clock.now())
            self.last_decision = decision
            self._changed()
        return decision

    def job_housekeeping(self) -> None:
        """Daily: archive the player's rotated proof logs, and sweep the content store. A
        sync run tidies up after itself, but one killed half-way (power cut) can leave
        generations or objects behind until the next *update*; the sweep keeps the current
        and previous generation and is skipped while a sync holds the store's lock."""
        from kiosk.store import gc

        try:
            archive_proof_log(self.state_dir, self.clock.now())
        except OSError as exc:
            log.warning("proof.archive_fail error=%s", exc)
        try:
            with self._lock:  # a sync starting meanwhile waits the moment instead of failing
                gens, objects = gc(self.state_dir)
        except OSError as exc:
            log.warning("store.gc_fail error=%s", exc)
        else:
            if gens or objects:
                log.info("store.gc generations=%d objects=%d", gens, objects)
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            try:
                self.on_change(self)
            except Exception as exc:
                log.warning("metrics.fail error=%s", exc)

    # -- clock watch -----------------------------------------------------------------

    def watch_clock(self) -> tuple[timedelta | None, bool]:
        """Call periodically: returns (jump, became_trusted)."""
        now, mono = self.clock.now(), self.clock.monotonic()
        jump = None
        if self._watch is not None:
            jump = clock_jump(self._watch[0], self._watch[1], now, mono)
            if jump is not None:
                log.warning(
                    "clock.jump by=%ds now=%s",
                    int(jump.total_seconds()),
                    now.isoformat(timespec="seconds"),
                )
        self._watch = (now, mono)
        was = self._trusted
        became = self.is_trusted() and was is False
        return jump, became


# ----------------------------------------------------------------------------- scheduler wiring

JOB_IDS = ("sync", "alerts", "power", "housekeeping")


def build_scheduler(
    daemon: Daemon, scheduler: Any | None = None, *, seed: int | None = None
) -> Any:
    """Add the daemon's jobs to an APScheduler 3.x scheduler (a BackgroundScheduler in the
    configured zone unless one is given). Does not start it."""
    from apscheduler.events import EVENT_JOB_MISSED
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    cfg = daemon.config.daemon
    tz = ZoneInfo(daemon.config.timezone)
    defaults = {
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": cfg.misfire_grace_s,
    }
    if scheduler is None:
        scheduler = BackgroundScheduler(timezone=tz, job_defaults=defaults)
    rng = random.Random(seed)
    scheduler.add_job(
        daemon.job_sync,
        CronTrigger(
            hour=cfg.sync_time.hour,
            minute=cfg.sync_time.minute,
            timezone=tz,
            jitter=cfg.sync_jitter_s,
        ),
        id="sync",
        name="nightly sync",
        replace_existing=True,
        **defaults,
    )
    scheduler.add_job(
        daemon.job_alerts,
        # no jitter: a new alert must be on screen within one interval (a minute by default)
        IntervalTrigger(seconds=cfg.alert_poll_s, timezone=tz),
        id="alerts",
        name="alert poll",
        replace_existing=True,
        **{**defaults, "misfire_grace_time": max(30, cfg.alert_poll_s)},
    )
    scheduler.add_job(
        daemon.job_power,
        CronTrigger(second=0, timezone=tz),
        id="power",
        name="screen power",
        replace_existing=True,
        **{**defaults, "misfire_grace_time": 120},
    )
    hk_minute = rng.randrange(60)
    scheduler.add_job(
        daemon.job_housekeeping,
        CronTrigger(hour=4, minute=hk_minute, timezone=tz),
        id="housekeeping",
        name="housekeeping",
        replace_existing=True,
        **defaults,
    )

    def on_missed(event: Any) -> None:
        if getattr(event, "job_id", None) == "sync" and daemon.needs_catch_up():
            log.warning("sync.missed scheduled=%s: catching up", event.scheduled_run_time)
            schedule_catch_up(daemon, scheduler, delay_s=MISSED_CATCHUP_DELAY_S)

    scheduler.add_listener(on_missed, EVENT_JOB_MISSED)
    return scheduler


def _one_off_sync(
    daemon: Daemon, scheduler: Any, job_id: str, name: str, when: datetime, reason: str
) -> None:
    from apscheduler.triggers.date import DateTrigger

    scheduler.add_job(
        daemon.job_sync,
        DateTrigger(run_date=when),
        kwargs={"reason": reason},
        id=job_id,
        name=name,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
    )


def schedule_catch_up(daemon: Daemon, scheduler: Any, delay_s: int = CATCHUP_DELAY_S) -> None:
    when = daemon.clock.now() + timedelta(seconds=delay_s)
    _one_off_sync(daemon, scheduler, "sync-catchup", "catch-up sync", when, "catch-up")


ONE_OFF_JOBS = ("sync-catchup", "sync-retry")


def schedule_retry(daemon: Daemon, scheduler: Any, when: datetime | None) -> None:
    """Arm (or, with None, cancel) the retry of a failed sync at ``when``."""
    from apscheduler.jobstores.base import JobLookupError

    if when is None:
        with contextlib.suppress(JobLookupError):
            scheduler.remove_job("sync-retry")
        return
    _one_off_sync(daemon, scheduler, "sync-retry", "retry after a failed sync", when, "retry")


def reschedule_all(scheduler: Any, jump: timedelta | None = None) -> None:
    """After a clock jump: recompute every recurring job's next run from the new time, and
    move a pending one-off (catch-up, retry) by the jump so its wait is kept as elapsed
    time — not run at once after a forward step, not hours late after a backward one."""
    from apscheduler.triggers.date import DateTrigger

    for job in scheduler.get_jobs():
        if job.id in ONE_OFF_JOBS:
            if jump is not None and job.next_run_time is not None:
                scheduler.reschedule_job(
                    job.id, trigger=DateTrigger(run_date=job.next_run_time + jump)
                )
            continue
        scheduler.reschedule_job(job.id, trigger=job.trigger)
    scheduler.wakeup()


def arm_retry(daemon: Daemon, scheduler: Any, min_delay_s: int = MISSED_CATCHUP_DELAY_S) -> None:
    """Make the scheduler's ``sync-retry`` job match the retry persisted in ``daemon.json``.

    Called from the main thread (start-up and every clock-watch tick), never from a job:
    a job that changes the scheduler can deadlock with ``shutdown(wait=True)``. A retry
    that is already due (the daemon was restarted, or the run was deferred for an untrusted
    clock) is armed ``min_delay_s`` from now. Nothing happens while a sync runs or the clock
    is untrusted."""
    if daemon.sync_running() or daemon._trusted is False:
        return
    retry = daemon.pending_retry()
    job = scheduler.get_job("sync-retry")
    if retry is None:
        if job is not None:
            schedule_retry(daemon, scheduler, None)
        daemon._armed_retry = None
        return
    if job is not None and retry == daemon._armed_retry:
        return
    when = max(retry, daemon.clock.now() + timedelta(seconds=min_delay_s))
    schedule_retry(daemon, scheduler, when)
    daemon._armed_retry = retry
    log.info("sync.retry_scheduled at=%s", when.isoformat(timespec="seconds"))


def startup(daemon: Daemon, scheduler: Any) -> None:
    """First decisions at once (power, alerts), then a catch-up sync if one was missed."""
    daemon.watch_clock()
    daemon.job_power()
    daemon.job_alerts()
    if daemon.needs_catch_up():
        log.info("sync.catchup last_success=%s", last_sync_success(daemon.state_dir))
        schedule_catch_up(daemon, scheduler)
    else:
        arm_retry(daemon, scheduler, CATCHUP_DELAY_S)


def on_watch(daemon: Daemon, scheduler: Any) -> None:
    """One clock-watch tick: after a jump reschedule everything; after a jump or once the
    clock becomes trusted, decide power and alerts again and catch up a missed sync; and
    keep the retry of a failed sync armed."""
    jump, became_trusted = daemon.watch_clock()
    if jump is not None:
        reschedule_all(scheduler, jump)
    if jump is not None or became_trusted:
        daemon.job_power()
        daemon.job_alerts()
        if daemon.needs_catch_up() and not daemon.sync_running():
            schedule_catch_up(daemon, scheduler)
    arm_retry(daemon, scheduler)


def alive(daemon: Daemon) -> bool:
    """The scheduler is doing its work: the power job (every minute, quick) ran recently.
    While this holds the daemon feeds systemd's watchdog; a wedged scheduler gets restarted."""
    last = daemon.last_power_mono
    return last is None or daemon.clock.monotonic() - last < LIVENESS_S


def status_line(daemon: Daemon) -> str:
    """One line for ``systemctl status`` (``STATUS=``)."""
    parts = []
    if daemon.last_decision is not None:
        parts.append("屏幕" + ("开" if daemon.last_decision.on else "关"))
    last = last_sync_success(daemon.state_dir)
    parts.append(f"上次同步 {last:%m-%d %H:%M}" if last else "尚未同步")
    failures = daemon._own_state().get("sync_failures")
    if isinstance(failures, int) and failures > 0:
        parts.append(f"此后失败 {failures} 次")
    if daemon._trusted is False:
        parts.append("时间未同步")
    return "，".join(parts)


def run_forever(
    daemon: Daemon, scheduler: Any, stop: threading.Event, notifier: Any | None = None
) -> None:
    """The imperative shell: start the scheduler and watch the clock until ``stop``.
    With a :class:`kiosk.sdnotify.Notifier`: ``READY=1`` after the first decisions, then
    ``WATCHDOG=1`` on every tick while :func:`alive`, and a ``STATUS=`` line."""
    scheduler.start()
    startup(daemon, scheduler)
    if notifier is not None:
        notifier.send("READY=1")
        notifier.status(status_line(daemon))
    while not stop.wait(WATCH_INTERVAL_S):
        on_watch(daemon, scheduler)
        if notifier is not None:
            if alive(daemon):
                notifier.send("WATCHDOG=1")
            else:
                log.error("daemon.stalled: the power job has not run for %d s", LIVENESS_S)
            notifier.status(status_line(daemon))
    if notifier is not None:
        notifier.send("STOPPING=1")
    scheduler.shutdown(wait=True)


# ----------------------------------------------------------------------------- one daemon only


class AlreadyRunning(Exception):
    def __init__(self, path: Path, pid: int | None) -> None:
        self.path = path
        self.pid = pid
        who = f"pid {pid}" if pid else "另一进程"
        super().__init__(
            f"另一个 kiosk daemon 已在运行（{who}，锁文件 {path}），本进程退出"
            " (another kiosk daemon holds the lock; exiting)"
        )


def acquire_instance_lock(state_dir: Path) -> int:
    """Hold ``STATE_DIR/daemon.lock`` (flock, exclusive) for the life of the process and
    write our pid into it. Returns the fd (closing it releases the lock); raises
    :class:`AlreadyRunning` naming the holder when another daemon has it. The kernel drops
    the lock when the holder dies, so a crash never leaves a stale lock behind."""
    import fcntl

    path = Path(state_dir) / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        try:
            text = os.read(fd, 32).decode("ascii", "replace").strip()
        finally:
            os.close(fd)
        raise AlreadyRunning(path, int(text) if text.isdigit() else None) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


# ----------------------------------------------------------------------------- construction


def load_config(cli_value: str | None, environ: Mapping[str, str]) -> Config:
    from kiosk.config import load_config as load

    return load(cli_value, environ)


def load_work_calendar(config: Config) -> WorkdayCalendar:
    """The working calendar with the staff override file; problems in that file are logged
    (``kiosk validate`` shows them to staff) and the rest of the calendar still applies."""
    from kiosk.workcal import load_calendar

    calendar, problems = load_calendar(config.calendar_overrides)
    for problem in problems:
        log.warning("calendar.override_problem %s", problem.format("en"))
    return calendar


def make_verify(config: Config) -> Callable[[bytes, bytes], None] | None:
    """Signature check for the alert feed: the manifest's key and scheme. The key file is read
    at each check, so installing or replacing ``portal.pub`` needs no restart."""
    key_path = config.portal.public_key
    if not key_path:
        return None
    from kiosk import keys
    from kiosk.manifest import verify_detached

    def verify(raw: bytes, sig: bytes) -> None:
        verify_detached(raw, sig, keys.load_trusted_keys([key_path]), max_bytes=ALERT_MAX_BYTES)

    return verify


def make_sync_runner(config: Config, clock: Clock) -> SyncRunner | None:
    """One run of :func:`kiosk.sync.run_sync` with the configured source, key and limits."""
    if not config.portal.source or not config.portal.public_key:
        return None
    from kiosk import keys
    from kiosk.sync import SyncSettings, run_sync

    source = config.portal.source
    key_path = config.portal.public_key
    settings = SyncSettings.from_config(config.portal)

    def runner() -> SyncOutcome:
        # keys are re-read each run: replacing portal.pub needs no restart
        trusted = keys.load_trusted_keys([key_path])
        result = run_sync(source, config.state_dir, trusted, clock, settings)
        return SyncOutcome(
            ok=result.ok,
            version=result.version,
            changed=result.status == "updated",
            message="" if result.ok else f"{result.key}: {result.message}",
        )

    return runner


def make_daemon(config: Config, clock: Clock, environ: Mapping[str, str]) -> Daemon:
    from kiosk.alerts import HttpFetcher, feed_url
    from kiosk.power import choose_backend

    state_dir = Path(config.state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    url = feed_url(config.portal.source, config.portal.alerts)
    fetcher = (
        HttpFetcher(
            url,
            connect_timeout=config.portal.connect_timeout,
            read_timeout=min(config.portal.read_timeout, 20.0),
            ca_file=config.portal.ca_file,
        )
        if url
        else None
    )
    feed = AlertFeed(state_dir, fetcher, make_verify(config))
    power = PowerController(state_dir, choose_backend(config.power, environ))
    daemon = Daemon(
        config=config,
        clock=clock,
        state_dir=state_dir,
        sync_runner=make_sync_runner(config, clock),
        alert_feed=feed,
        power=power,
        calendar=load_work_calendar(config),
        kernel_synced=kernel_clock_synchronised,
    )
    if config.metrics_file:
        metrics_path = config.metrics_file
        daemon.on_change = lambda d: write_metrics(d, metrics_path)
    return daemon


def metrics_text(daemon: Daemon) -> str:
    from kiosk import metrics

    years = None
    covered = getattr(daemon.calendar, "covered_years", None)
    if callable(covered):
        years = tuple(covered())
    inputs = metrics.gather(
        daemon.state_dir,
        daemon.clock.now(),
        holiday_years=years,
        clock_trusted=daemon._trusted,
    )
    return metrics.render(metrics.collect(inputs))


def write_metrics(daemon: Daemon, path: str) -> None:
    from kiosk import metrics

    metrics.write_textfile(path, metrics_text(daemon))
