"""``reconciler run``: the long-running controller (see :mod:`reconciler.controller.loop`)."""

from __future__ import annotations

import structlog

from reconciler.aws import AwsGateway, AwsSettings
from reconciler.commands.common import EXIT_OK
from reconciler.controller.lock import LeaseLock
from reconciler.controller.loop import Controller, ControllerSettings
from reconciler.controller.metrics import Metrics
from reconciler.controller.server import HealthServer


def run(
    *,
    controller: ControllerSettings,
    listen: str,
    lock_table: str | None,
    lock_lease: float,
    settings: AwsSettings,
) -> int:
    metrics = Metrics()
    lock = LeaseLock(AwsGateway(settings), lock_table, lease=lock_lease) if lock_table else None
    loop = Controller(
        controller,
        AwsGateway(settings, instrument=metrics.instrument),
        metrics=metrics,
        lock=lock,
    )
    server = HealthServer(listen, ready=loop.ready.is_set, metrics=metrics.render).start()
    structlog.get_logger("reconciler.controller").info(
        "controller_started",
        directory=controller.directory,
        mode=controller.mode,
        listen=server.address,
        interval=controller.interval,
        lock_table=lock_table,
    )
    print(
        f"reconciler controller serving health and metrics on http://{server.address}", flush=True
    )
    loop.install_signal_handlers()
    try:
        loop.run()
    finally:
        server.stop()
    return EXIT_OK
