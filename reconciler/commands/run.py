"""``reconciler run``: the long-running controller (see :mod:`reconciler.controller.loop`)."""

from __future__ import annotations

from collections.abc import Callable

import structlog

from reconciler.aws import AwsGateway, AwsSettings
from reconciler.commands.common import EXIT_OK
from reconciler.controller.fleet import Fleet, TargetRun
from reconciler.controller.lock import DEFAULT_LOCK_ID, LeaseLock
from reconciler.controller.loop import Controller, ControllerSettings
from reconciler.controller.metrics import Metrics
from reconciler.controller.server import HealthServer
from reconciler.controller.sharing import TargetLeases, target_lock_id
from reconciler.notify.delivery import Notifier
from reconciler.notify.events import Origin
from reconciler.notify.sinks import SinkSpec, build_sinks
from reconciler.notify.watch import PassWatch


def run(
    *,
    controller: ControllerSettings,
    listen: str,
    lock_table: str | None,
    lock_lease: float,
    settings: AwsSettings,
    notify: list[SinkSpec] | None = None,
    notify_wait: float = 10.0,
) -> int:
    """One controller: of the manifests alone, or of one project target (whose series
    carry its name, and whose lease is the target's, shared with ``apply --target``)."""
    target = settings.target
    registry = Metrics(per_target=target is not None)
    registry.notifications  # noqa: B018 - made now, before any sink thread counts
    metrics = registry.of(target)
    aws = AwsGateway(settings, instrument=metrics.instrument)
    notifier = Notifier(build_sinks(notify or [], aws), count=registry.count_notification)
    watch = PassWatch(notifier, Origin(controller.owner, target or controller.directory, "run"))
    lock_id = DEFAULT_LOCK_ID if target is None else target_lock_id(target)
    lock = (
        LeaseLock(AwsGateway(settings), lock_table, lease=lock_lease, lock_id=lock_id)
        if lock_table
        else None
    )
    loop = Controller(
        controller,
        aws,
        metrics=metrics,
        lock=lock,
        watch=watch,
    )
    server = HealthServer(listen, ready=loop.ready.is_set, metrics=registry.render).start()
    structlog.get_logger("reconciler.controller").info(
        "controller_started",
        directory=controller.directory,
        mode=controller.mode,
        listen=server.address,
        interval=controller.interval,
        lock_table=lock_table,
        notify=[spec.shown for spec in notify or []],
    )
    print(
        f"reconciler controller serving health and metrics on http://{server.address}", flush=True
    )
    loop.install_signal_handlers()
    return _serve(loop.run, server, notifier, notify_wait)


def run_targets(
    *,
    targets: list[tuple[str, ControllerSettings, AwsSettings, str | None]],
    listen: str,
    lock_table: str | None,
    lock_lease: float,
    settings: AwsSettings,
    notify: list[SinkSpec] | None = None,
    notify_wait: float = 10.0,
) -> int:
    """``run --all-targets``: a controller per target in one process (reconciler.controller.
    fleet). targets: (name, controller settings, AWS settings, the target's own lock table);
    lock_table / settings: where the replicas' presences are (the ambient account), and the
    leases of targets without a table of their own."""
    metrics = Metrics(per_target=True)
    metrics.notifications  # noqa: B018 - made now, before any sink thread counts
    # One notifier for the process (an eventbridge sink puts with the ambient credentials);
    # each target's events carry its name and owner.
    notifier = Notifier(
        build_sinks(notify or [], AwsGateway(settings)),
        count=metrics.count_notification,
    )
    runs = [
        TargetRun(
            name,
            options,
            AwsGateway(aws, instrument=metrics.of(name).instrument),
            PassWatch(notifier, Origin(options.owner, name, "run")),
        )
        for name, options, aws, _ in targets
    ]
    leases = None
    if lock_table:
        home = AwsGateway(settings)
        where = {name: (AwsGateway(aws), own) for name, _, aws, own in targets if own}
        leases = TargetLeases(
            home, lock_table, [t.name for t in runs], lease=lock_lease, where=where
        )
    fleet = Fleet(runs, metrics=metrics, leases=leases)
    server = HealthServer(
        listen, ready=fleet.ready, metrics=metrics.render, details=fleet.readiness
    ).start()
    structlog.get_logger("reconciler.controller").info(
        "controller_started",
        targets=[t.name for t in runs],
        listen=server.address,
        lock_table=lock_table,
    )
    print(
        f"reconciler controller of {len(runs)} targets serving health and metrics on "
        f"http://{server.address}",
        flush=True,
    )
    fleet.install_signal_handlers()
    return _serve(fleet.run, server, notifier, notify_wait)


def _serve(
    run: Callable[[], None], server: HealthServer, notifier: Notifier, notify_wait: float
) -> int:
    """Run the controller until stopped; then the health server goes, and what is still
    queued for the sinks gets --notify-wait at most."""
    try:
        run()
    finally:
        server.stop()
        if notifier.close(notify_wait):
            structlog.get_logger("reconciler.controller").warning(
                "notifications_not_delivered", waited=notify_wait
            )
    return EXIT_OK
