"""``reconciler apply``: plan, show, confirm, execute.

Safety rules, checked before anything is written:
- an empty manifest set never deletes anything unless ``--allow-empty`` (a checkout that
  failed half-way must not wipe production);
- ``--max-deletes N`` refuses a plan with more deletes;
- without a terminal, ``--auto-approve`` is required;
- ``apply PLANFILE`` applies that plan only if every resource it observed is unchanged
  and the manifests are the same files, byte for byte.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from reconciler.aws import AwsGateway, AwsSettings
from reconciler.commands.common import EXIT_ERROR, EXIT_OK, UserError
from reconciler.commands.plan import make_plan
from reconciler.commands.targets import Context
from reconciler.controller.lock import DEFAULT_LOCK_ID, LeaseLock
from reconciler.controller.sharing import target_lock_id
from reconciler.execution.executor import Executor, Progress
from reconciler.execution.waiting import WaitPolicy
from reconciler.logs import log_progress
from reconciler.notify.delivery import Notifier
from reconciler.notify.events import Origin
from reconciler.notify.sinks import SinkSpec, build_sinks
from reconciler.notify.watch import apply_events, notifying_progress
from reconciler.planning import saved as saved_plan
from reconciler.service import refused_by_guards
from reconciler.views import apply as apply_view
from reconciler.views import human
from reconciler.views.progress import LiveProgress, PlainProgress


def parse_duration(text: str) -> float:
    """Seconds in ``90``, ``90s``, ``15m``, ``1h30m``."""
    units = {"h": 3600.0, "m": 60.0, "s": 1.0}
    total, number = 0.0, ""
    for char in text.strip():
        if char.isdigit() or char == ".":
            number += char
        elif char in units and number:
            total += float(number) * units[char]
            number = ""
        else:
            raise UserError(f"invalid duration {text!r}: use e.g. 90s, 15m, 1h")
    if number:
        total += float(number)
    if total <= 0:
        raise UserError(f"invalid duration {text!r}: must be more than zero")
    return total


def _progress_view() -> tuple[Progress, Callable[[], None]]:
    """The live view on a terminal, plain lines otherwise; both also log each event."""
    view: PlainProgress = (
        LiveProgress(sys.stdout) if sys.stdout.isatty() else PlainProgress(sys.stdout)
    )

    def progress(event: str, address: str, fields: dict[str, Any]) -> None:
        view(event, address, fields)
        log_progress(event, address, fields)

    close = view.close if isinstance(view, LiveProgress) else (lambda: None)
    return progress, close


def run(
    *,
    source: str | None,
    context: Context,
    auto_approve: bool,
    prune: bool,
    allow_empty: bool,
    max_deletes: int | None,
    parallelism: int,
    timeout: str | None,
    poll_interval: float,
    lock_lease: str = "30s",
    lock_timeout: str = "5m",
    skip_checks: bool = False,
    notify: list[SinkSpec] | None = None,
    notify_wait: str = "10s",
) -> int:
    """source: a manifest directory or a saved plan (None: the context's manifests)."""
    settings = context.settings
    saved: saved_plan.SavedPlan | None = None
    if source is not None and Path(source).is_file():
        saved = saved_plan.read(source)
        if saved.target != context.name:
            raise UserError(
                f"{source} is a plan of {_target_words(saved.target)}; "
                f"this apply is for {_target_words(context.name)}: nothing was changed"
            )
        context = replace(context, directory=saved.directory, owner=saved.owner)
    elif source is not None:
        context = replace(context, directory=source)
    # One writer at a time (with --lock-table): a CI apply never interleaves with the controller.
    with _single_writer(settings, context.lock_table, lock_lease, lock_timeout) as lock:
        aws = AwsGateway(settings)  # the plan's reads and the apply's calls share it
        plan, loaded = make_plan(context, prune=prune, parallelism=parallelism, aws=aws)
        digest = loaded.digest
        if plan.problems:
            for problem in sorted(plan.problems, key=str):
                print(problem, file=sys.stderr)
            raise UserError(
                f"the plan cannot be applied: {len(plan.problems)} problem(s); nothing was changed"
            )
        if saved is not None:
            saved_plan.check(saved, plan, digest)

        refusal = refused_by_guards(plan, allow_empty=allow_empty, max_deletes=max_deletes)
        if refusal is not None:
            raise UserError(refusal)

        sys.stdout.write(human.render(plan))
        if not plan.has_changes:
            return EXIT_OK
        if not auto_approve:
            if not sys.stdin.isatty():
                raise UserError("not a terminal: pass --auto-approve to apply without confirmation")
            answer = input("\nApply these changes? Only 'yes' is accepted: ")
            if answer.strip() != "yes":
                print("Apply cancelled; nothing was changed.")
                return EXIT_ERROR

        policy = WaitPolicy(
            initial=poll_interval, timeout=parse_duration(timeout) if timeout else None
        )
        checked = [c.address for c in plan.changes if c.checks is not None]
        if skip_checks:
            # Loud on purpose: nothing proves these rollouts, and nothing will revert them.
            which = ", ".join(checked) if checked else "(none in this plan)"
            print(
                f"WARNING: --skip-checks: checks are not run: {which}; what a rollout "
                "supersedes is retired without proof that the new spec serves",
                file=sys.stderr,
            )
        progress, close_view = _progress_view()
        # What went out without its checks, as the executor says it (the result event
        # records it): list.append is atomic, the workers may call at once.
        unchecked: list[str] = []

        def shown(event: str, address: str, fields: dict[str, Any]) -> None:
            if event == "checks-skipped":
                unchecked.append(address)
            progress(event, address, fields)

        # A project target is named by its name, else by its manifests.
        origin = Origin(context.owner, context.name or context.directory, "apply")
        notifier = Notifier(build_sinks(notify or [], aws))
        executor = Executor(
            aws,
            parallelism=parallelism,
            wait_policy=policy,
            progress=notifying_progress(shown, notifier, origin),
            # A write starts only while the lease is ours and renewed in time.
            before_write=lock.assert_held if lock is not None else None,
            skip_checks=skip_checks,
        )
        try:
            try:
                report = executor.apply(plan)
            finally:
                close_view()
            for event in apply_events(origin, plan, report, checks_skipped=unchecked):
                notifier.emit(event)
            sys.stdout.write(apply_view.render(report))
        finally:
            deliver_pending(notifier, parse_duration(notify_wait))
        return EXIT_ERROR if report.failed or report.counts()["skipped"] else EXIT_OK


def _target_words(name: str | None) -> str:
    return "no target" if name is None else f"target {name!r}"


def deliver_pending(notifier: Notifier, wait: float) -> None:
    """Give the notifications still queued `wait` seconds at most (``--notify-wait``),
    then give up on them with a warning: a dead receiver never holds an apply up."""
    abandoned = notifier.close(wait)
    if abandoned:
        print(
            f"reconciler: warning: {abandoned} notification(s) not delivered within "
            f"{wait:g}s (--notify-wait); given up",
            file=sys.stderr,
        )


@contextmanager
def _single_writer(
    settings: AwsSettings, table: str | None, lease: str, timeout: str
) -> Iterator[LeaseLock | None]:
    """Hold the lease lock (when a table is given): a CI apply and the controller never
    write at the same time. Yields the lock (None without a table)."""
    if not table:
        yield None
        return
    # A target's lease is the one its controller holds (reconciler.controller.sharing).
    lock_id = DEFAULT_LOCK_ID if settings.target is None else target_lock_id(settings.target)
    lock = LeaseLock(AwsGateway(settings), table, lease=parse_duration(lease), lock_id=lock_id)
    lock.acquire(parse_duration(timeout))
    try:
        yield lock
    finally:
        lock.release()
