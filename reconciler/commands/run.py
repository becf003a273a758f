"""``reconciler run``: the long-running controller (see :mod:`reconciler.controller.loop`)."""

from __future__ import annotations

import structlog

from reconciler.aws import AwsGateway, AwsSettings
from reconciler.commands.common import EXIT_OK
from reconciler.controller.lock import LeaseLock
from reconciler.controller.loop import Controller, ControllerSettings
from reconciler.controller.metrics import Metrics
from reconciler.controller.server import HealthServer
from reconciler.notify.delivery import Notifier
from reconciler.notify.events import Origin
from reconciler.notify.sinks import SinkSpec
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
    metrics = Metrics()
    metrics.notifications  # noqa: B018 - made now, before any sink thread counts
    aws = AwsGateway(settings, instrument=metrics.instrument)
    notifier = Notifier(
        [spec.build(aws) for spec in notify or []], count=metrics.count_notification
    )
    watch = PassWatch(notifier, Origin(controller.owner, controller.directory, "run"))
    lock = LeaseLock(AwsGateway(settings), lock_table, lease=lock_lease) if lock_table else None
    loop = Controller(
        controller,
        aws,
        metrics=metrics,
        lock=lock,
        watch=watch,
    )
    server = HealthServer(listen, ready=loop.ready.is_set, metrics=metrics.render).start()
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
    try:
        loop.run()
    finally:
        server.stop()
        # Stopping: what is still queued gets --notify-wait at most.
        if notifier.close(notify_wait):
            structlog.get_logger("reconciler.controller").warning(
                "notifications_not_delivered", waited=notify_wait
            )
    return EXIT_OK
