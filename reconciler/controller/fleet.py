"""One controller process, many targets: ``reconciler run --all-targets``.

Each target of the project file is reconciled by a :class:`~reconciler.controller.loop.
Controller` of its own, on a thread of its own — its own passes, resyncs, backoff,
readiness and metrics (a ``target`` label) — so a target whose credentials are broken or
whose account is slow never holds up the others. One stop event ends them all.

With a lock table the replicas of the Deployment share the targets
(:class:`~reconciler.controller.sharing.TargetLeases`): this thread ticks the sharing every
``min(lease/3, 5s)``, and a target's controller runs passes only while this replica holds
the target's lease, guarding each write with it. Without a table every target is ours
(one replica only).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

import structlog

from reconciler.controller.lock import LockError
from reconciler.controller.loop import SIGNAL_SLICE, Controller, ControllerSettings
from reconciler.controller.loop import install_signal_handlers as _install
from reconciler.controller.metrics import Metrics
from reconciler.controller.sharing import TargetLeases
from reconciler.gateway import Gateway
from reconciler.notify.watch import PassWatch

log = structlog.get_logger("reconciler.controller")

# States /readyz reports per target.
READY, NOT_READY, STANDBY, CRASHED = "ready", "not ready", "standby", "crashed"


@dataclass(frozen=True)
class TargetRun:
    """One target to reconcile: its name, its controller's settings, its gateway, what
    its passes notify."""

    name: str
    settings: ControllerSettings
    aws: Gateway
    watch: PassWatch | None = None


class Fleet:
    def __init__(
        self,
        targets: list[TargetRun],
        *,
        metrics: Metrics,
        leases: TargetLeases | None = None,
    ) -> None:
        self.metrics = metrics
        self.leases = leases
        self.stop = threading.Event()
        self.controllers: dict[str, Controller] = {
            t.name: Controller(
                t.settings,
                t.aws,
                metrics=metrics.of(t.name),
                lock=leases.lock(t.name) if leases is not None else None,
                shared=leases is not None,
                stop=self.stop,
                watch=t.watch,
            )
            for t in targets
        }
        self.crashed: set[str] = set()
        self._threads: dict[str, threading.Thread] = {}

    # -- readiness ---------------------------------------------------------------------
    def readiness(self) -> Mapping[str, str]:
        """Per target: ready (a pass succeeded since start), not ready, standby (another
        replica holds its lease), crashed (its thread ended on an unexpected error)."""
        states = {}
        for name, controller in self.controllers.items():
            if name in self.crashed:
                states[name] = CRASHED
            elif controller.lock is not None and not controller.lock.held:
                states[name] = STANDBY
            else:
                states[name] = READY if controller.ready.is_set() else NOT_READY
        return states

    def ready(self) -> bool:
        """Every target this replica works on has had a successful pass (standbys do not
        count: their holder answers for them)."""
        return all(state in (READY, STANDBY) for state in self.readiness().values())

    # -- running -----------------------------------------------------------------------
    def install_signal_handlers(self) -> None:
        _install(stop=self._stop_all, wake=self._wake_all)

    def _stop_all(self) -> None:
        self.stop.set()
        self._wake_all()

    def _wake_all(self) -> None:
        for controller in self.controllers.values():
            controller.wake.set()

    def start(self) -> None:
        for name, controller in self.controllers.items():
            thread = threading.Thread(
                target=self._run_one, args=(name, controller), name=f"target-{name}", daemon=True
            )
            self._threads[name] = thread
            thread.start()

    def _run_one(self, name: str, controller: Controller) -> None:
        structlog.contextvars.bind_contextvars(target=name)
        try:
            controller.run()
        except Exception:  # one target's bug must not take the others down
            self.crashed.add(name)
            log.exception("target_crashed", target=name)

    def run(self) -> None:
        """Reconcile every target until stopped; with leases, share them meanwhile.
        Raises LockError when the lock table cannot be used at all (no such table)."""
        self.start()
        try:
            if self.leases is None:
                while not self.stop.is_set():
                    self.stop.wait(SIGNAL_SLICE)
            else:
                self._share(self.leases)
        finally:
            self._stop_all()
            for thread in self._threads.values():
                thread.join()
            if self.leases is not None:
                self.leases.release()

    def _share(self, leases: TargetLeases) -> None:
        period = min(next(iter(leases.locks.values())).lease / 3, 5.0) if leases.locks else 5.0
        while not self.stop.is_set():
            try:
                leases.tick(busy=self._busy)
            except LockError as err:
                if not err.transient:
                    raise
                log.warning("lock_unavailable", error=str(err))
            for name in self.controllers:
                self.metrics.set_held(name, leases.lock(name).held)
            self.stop.wait(period)

    def _busy(self, name: str) -> bool:
        """A pass of `name` is running (its lease is not given away in the middle of it)."""
        return self.controllers[name].in_pass.is_set()
