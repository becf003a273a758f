"""The controller: level-based reconcile passes, triggered by manifest changes (watchdog),
a periodic resync (drift made outside git), SIGHUP, or the previous pass's backoff.

Every pass re-reads the manifests and the account — an event only says "something
changed". One pass at a time, on the main thread. A bad manifest keeps the account as it
is (nothing applied, nothing deleted) and is reported until fixed. In ``detect`` mode,
drift is reported, not corrected. SIGTERM/SIGINT: start nothing new, abort waits, let the
calls in flight finish, exit 0.
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import structlog
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer as WatchObserver
from watchdog.observers.api import BaseObserver, ObservedWatch

from reconciler.controller.lock import LeaseLock, LockError
from reconciler.controller.metrics import Metrics, TargetMetrics
from reconciler.errors import ReconcilerError
from reconciler.execution.executor import Executor
from reconciler.execution.waiting import WaitPolicy
from reconciler.gateway import Gateway
from reconciler.logs import log_progress
from reconciler.notify.delivery import quiet
from reconciler.notify.events import Origin
from reconciler.notify.watch import PassWatch, notifying_progress
from reconciler.observe import DescriptionCache
from reconciler.planning.changes import Action
from reconciler.service import SYNC, health, observe_and_plan, problems_of, refused_by_guards

log = structlog.get_logger("reconciler.controller")

# Longest the main thread blocks at once, so that signal handlers run promptly.
SIGNAL_SLICE = 0.5


@dataclass(frozen=True)
class ControllerSettings:
    """directory: the manifests (may be a symlink a git-sync sidecar swaps);
    interval: seconds between resyncs (±jitter fraction); mode: "heal" or "detect";
    debounce: quiet seconds after a file event before a pass; max_backoff: cap of the
    exponential backoff after failed passes; allow_empty: let an empty manifest set prune;
    max_deletes: refuse a pass that would delete more (both as apply's guards)."""

    directory: str
    owner: str
    interval: float = 300.0
    jitter: float = 0.1
    mode: str = "heal"
    debounce: float = 1.0
    max_backoff: float = 300.0
    parallelism: int = 10
    poll_interval: float = 2.0
    allow_empty: bool = False
    max_deletes: int | None = None
    # The target's values for ${VAR} in its manifests (None: no target).
    variables: Mapping[str, str] | None = None


class _Trigger(FileSystemEventHandler):
    """Turns file events into "a pass is due" (debounced by the loop).

    Relevant: a manifest file under the directory changing, a folder in it appearing or
    going, or a link on the way to it being replaced (git-sync swaps a symlink to a new
    worktree, which may be the directory itself or a folder above it, e.g.
    ``/git/repo`` → ``.worktrees/<rev>`` for ``/git/repo/manifests``). Everything else in
    the folders watched for that — logs, other checkouts — is noise."""

    def __init__(self, wake: threading.Event, link: str) -> None:
        self.wake = wake
        self.links = {link}
        self.target = ""
        # Folders outside the directory that hold files a pass read (an overlay's bases).
        self.folders: set[str] = set()
        self.last_event = 0.0

    def relevant(self, event: FileSystemEvent) -> bool:
        # Our own pass reads every manifest: opening and closing unwritten is no change.
        if event.event_type in ("opened", "closed_no_write"):
            return False
        paths = [str(event.src_path), str(getattr(event, "dest_path", "") or "")]
        if any(p in self.links for p in paths):
            return True
        inside = [
            p
            for p in paths
            if p and self.target and (p == self.target or p.startswith(self.target + "/"))
        ]
        if not inside:
            # A manifest file in a folder of what the directory's overlays read.
            beside = [p for p in paths if p and os.path.dirname(p) in self.folders]
            return not event.is_directory and any(p.endswith((".yaml", ".yml")) for p in beside)
        if event.is_directory:
            return event.event_type in ("created", "deleted", "moved")
        return any(p.endswith((".yaml", ".yml")) for p in inside)

    def fire(self) -> None:
        self.last_event = time.monotonic()
        self.wake.set()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if self.relevant(event):
            self.fire()


def _links_on_the_way(directory: str) -> list[Path]:
    """Every symlink among the components of `directory` (itself included), as the path
    watchdog reports for it: its parent resolved, its own name kept."""
    links = []
    path = Path(directory).absolute()
    for prefix in [*reversed(path.parents[:-1]), path]:
        if prefix.is_symlink():
            links.append(prefix.parent.resolve() / prefix.name)
    return links


def install_signal_handlers(*, stop: Callable[[], None], wake: Callable[[], None]) -> None:
    """SIGTERM/SIGINT call `stop`, SIGHUP calls `wake`.

    A handler runs on the main thread between two bytecodes — possibly while that thread
    holds the very lock Event.set() needs, which would deadlock it. So the handlers only
    write a byte to a pipe (async-signal-safe); a thread reads the pipe and calls back."""
    read_end, write_end = os.pipe()

    def forward(signum: int, frame: FrameType | None) -> None:
        os.write(write_end, bytes([signum]))

    def relay() -> None:
        while True:
            signum = os.read(read_end, 1)[0]
            if signum == signal.SIGHUP:
                wake()
                continue
            log.info("stopping", signal=signal.Signals(signum).name)
            stop()

    threading.Thread(target=relay, daemon=True, name="signal-relay").start()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)


class Controller:
    def __init__(
        self,
        settings: ControllerSettings,
        aws: Gateway,
        *,
        metrics: Metrics | TargetMetrics | None = None,
        lock: LeaseLock | None = None,
        shared: bool = False,
        stop: threading.Event | None = None,
        watch: PassWatch | None = None,
    ) -> None:
        """aws: the gateway every pass reads and writes through (``run`` gives it the
        metrics' call counter: ``AwsGateway(settings, instrument=metrics.instrument)``).
        lock: the lease that must be held to write; shared: someone else takes and gives
        it back (the replicas' sharing of targets, reconciler.controller.sharing): passes
        run only while it is held, and this controller never takes or releases it.
        stop: an event shared with other controllers (one per target of a replica).
        watch: what the passes notify (``run`` gives it the configured sinks)."""
        self.settings = settings
        self.watch = watch or PassWatch(quiet(), Origin(settings.owner, settings.directory, "run"))
        self.metrics = metrics or Metrics()
        self.aws = aws
        # Describe answers kept across passes: unchanged resources are not read again.
        self.cache = DescriptionCache()
        self.lock = lock
        self.shared = shared
        self.stop = stop or threading.Event()
        self.wake = threading.Event()
        self.trigger = _Trigger(self.wake, str(Path(settings.directory).absolute()))
        self.ready = threading.Event()
        self.in_pass = threading.Event()  # a pass is running
        self.failures = 0
        self.permanent = False  # the last pass failed in a way retrying cannot fix
        self.passes = 0
        self.wait_policy = WaitPolicy(initial=settings.poll_interval, stop=self.stop)
        self._watch: BaseObserver | None = None
        self._watched: str | None = None
        self._beside: dict[str, ObservedWatch] = {}
        self._warned: set[str] = set()
        self._files_read: list[str] = []

    # -- watching ----------------------------------------------------------------------
    def _watch_directory(self) -> None:
        """(Re)watch the manifests' real location, the folder holding the path to it and
        the folder of every symlink on the way, so that a sidecar swapping a link to a new
        checkout is seen too (its old checkout may stay in place for a while)."""
        target = str(Path(self.settings.directory).resolve())
        if target == self._watched:
            return
        if self._watch is not None:
            self._watch.stop()
            self._watch.join()
        links = _links_on_the_way(self.settings.directory)
        self.trigger.target = target
        self.trigger.links = {str(Path(self.settings.directory).absolute())}
        self.trigger.links |= {str(link) for link in links}
        observer = WatchObserver()
        if Path(target).is_dir():
            observer.schedule(self.trigger, target, recursive=True)
        folders = {Path(self.settings.directory).absolute().parent, *(p.parent for p in links)}
        for folder in sorted(folders):
            if folder.is_dir():
                observer.schedule(self.trigger, str(folder), recursive=False)
        observer.daemon = True
        observer.start()
        self._watch, self._watched = observer, target
        self._beside = {}  # the old observer's watches went with it

    def _watch_files_read(self) -> None:
        """Watch, besides the directory, the folder of every file the last pass read
        outside it (an overlay's bases and patch files elsewhere in the repository), so
        that an edit there starts a pass too rather than waiting for the resync."""
        if self._watch is None or self._watched is None:
            return
        inside = self._watched
        folders = {str(Path(file).resolve().parent) for file in self._files_read}
        folders = {f for f in folders if f != inside and not f.startswith(inside + "/")}
        for gone in set(self._beside) - folders:
            self._watch.unschedule(self._beside.pop(gone))
        for folder in sorted(folders - set(self._beside)):
            if Path(folder).is_dir():
                self._beside[folder] = self._watch.schedule(self.trigger, folder, recursive=False)
        self.trigger.folders = set(self._beside)

    def _moved(self) -> bool:
        """The directory now resolves elsewhere than where we watch (a link was swapped
        without an event reaching us, e.g. on a file system without inotify)."""
        return self._watched is not None and (
            str(Path(self.settings.directory).resolve()) != self._watched
        )

    # -- one pass ----------------------------------------------------------------------
    def reconcile(self) -> str:
        """One level-based pass; returns its result label."""
        started = time.monotonic()
        self.permanent = False
        self.in_pass.set()
        try:
            result = self._reconcile()
        finally:
            self.in_pass.clear()
        self.passes += 1
        self.metrics.observe_pass(time.monotonic() - started, result)
        if result in ("success", "drift"):
            self.failures = 0
            self.metrics.succeeded()
            self.ready.set()
        elif self.permanent:
            # Retrying soon cannot help (bad manifests, an ownership conflict, AccessDenied):
            # wait for a manifest change or the next resync, without backing off faster.
            self.failures = 0
        else:
            self.failures += 1
        log.info("pass_done", result=result, duration=round(time.monotonic() - started, 3))
        return result

    def _reconcile(self) -> str:
        settings = self.settings
        problems, valid = problems_of(settings.directory, variables=settings.variables)
        self._files_read = valid.files
        if problems:
            # Keep what runs: a broken manifest must never turn into deletes.
            for problem in problems:
                log.error("invalid_manifest", problem=str(problem))
            self.permanent = True
            return "invalid"
        try:
            plan = observe_and_plan(
                manifests=valid.manifests,
                aws=self.aws,
                owner=settings.owner,
                parallelism=settings.parallelism,
                cache=self.cache,
            )
        except ReconcilerError as err:
            log.error("observe_failed", error=str(err), temporary=err.temporary)
            self.permanent = not err.temporary
            return "error"
        self.metrics.set_resources(
            [
                (str(c.kind), SYNC[c.action], health(c))
                for c in plan.changes
                if c.action is not Action.DELETE
            ]
        )
        if plan.problems:
            # An ownership conflict, a missing reference: permanent until something changes.
            for problem in plan.problems:
                log.error("plan_problem", problem=str(problem))
            self.permanent = True
            return "error"
        for warning in plan.warnings:
            # What the plan says without refusing (a deployed package version rejected
            # since): the log is where a controller's plan is read. Once per warning
            # while it lasts, not at every pass.
            if warning not in self._warned:
                log.warning("plan_warning", warning=warning)
        self._warned = set(plan.warnings)
        self.watch.planned(plan)
        if not plan.has_changes:
            self.watch.in_sync()
            return "success"
        self.metrics.count_drift()
        changed = [c for c in plan.changes if c.action is not Action.NOOP]
        for change in changed:
            log.warning(
                "drift", address=change.address, action=str(change.action), reason=change.reason
            )
        if settings.mode == "detect":
            self.watch.drifted(plan)
            return "drift"
        refusal = refused_by_guards(
            plan, allow_empty=settings.allow_empty, max_deletes=settings.max_deletes
        )
        if refusal is not None:
            log.error("refused", reason=refusal)
            self.permanent = True
            return "error"
        if self.lock is not None and not self.lock.held:
            # Lost, or not renewed in time: another replica may hold it by now.
            log.error("lock_lost", holder=self.lock.holder)
            return "error"
        report = Executor(
            self.aws,
            parallelism=settings.parallelism,
            wait_policy=self.wait_policy,
            progress=notifying_progress(log_progress, self.watch.notifier, self.watch.origin),
            # Checked again before each write: a pass may outlast the lease.
            before_write=self.lock.assert_held if self.lock is not None else None,
        ).apply(plan)
        self.watch.applied(plan, report)
        return "failed" if report.failed or report.counts()["skipped"] else "success"

    # -- the loop ----------------------------------------------------------------------
    def _next_delay(self) -> float:
        settings = self.settings
        if self.failures:
            return min(settings.max_backoff, 2.0 ** min(self.failures, 16), settings.interval)
        return settings.interval * (1 + random.uniform(-settings.jitter, settings.jitter))

    def install_signal_handlers(self) -> None:
        """SIGTERM/SIGINT stop, SIGHUP reconciles now."""
        install_signal_handlers(stop=self._stop_now, wake=self.wake.set)

    def _stop_now(self) -> None:
        self.stop.set()
        self.wake.set()

    def run(self) -> None:
        """Reconcile until stopped. With a lock: stand by until it is ours."""
        self._watch_directory()
        try:
            while not self.stop.is_set():
                if self.lock is not None and not self._hold_lock():
                    continue
                self.reconcile()
                self._watch_directory()
                self._watch_files_read()
                self._sleep(self._next_delay())
        finally:
            if self._watch is not None:
                self._watch.stop()
            if self.lock is not None and not self.shared:
                self.lock.release()

    def _hold_lock(self) -> bool:
        assert self.lock is not None
        if self.shared:
            # Another replica may hold it; our sharing takes it when it is our turn.
            if self.lock.held:
                return True
            self.stop.wait(SIGNAL_SLICE)
            return False
        if self.lock.lost.is_set():
            log.warning("lock_lost", holder=self.lock.holder)
            self.lock.release()
        if self.lock.held:
            return True
        try:
            if self.lock.try_acquire():
                log.info("lock_acquired", holder=self.lock.holder)
                return True
        except LockError as err:
            if not err.transient:
                raise  # e.g. no such table, access denied: the user must act
            log.warning("lock_unavailable", error=str(err))
        retry_at = time.monotonic() + min(self.lock.lease / 3, 5.0)
        while not self.stop.is_set() and time.monotonic() < retry_at:
            self.stop.wait(SIGNAL_SLICE)
        return False

    def _sleep(self, delay: float) -> None:
        """Until the resync is due, a file event has been quiet for `debounce`, or stop."""
        deadline = time.monotonic() + delay
        while not self.stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            # Wait in short slices: a signal may be delivered to another thread, and the
            # main thread runs Python signal handlers only when it wakes up.
            if self._moved():
                self.trigger.fire()
            if self.wake.wait(min(remaining, SIGNAL_SLICE)):
                self.wake.clear()
                if self.stop.is_set():
                    return
                # Debounce: coalesce a burst of events (a git checkout) into one pass.
                while not self.stop.is_set():
                    quiet = time.monotonic() - self.trigger.last_event
                    if quiet >= self.settings.debounce:
                        return
                    self.stop.wait(self.settings.debounce - quiet)
                return
