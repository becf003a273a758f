"""Command line: parse arguments, dispatch to one function per command, map outcomes to
exit codes (0 success, 1 error, 2 plan has changes — see DESIGN.md).

Each command lives in :mod:`reconciler.commands` and takes explicit keyword arguments;
errors are :class:`reconciler.errors.ReconcilerError` (permanent or temporary), printed to
stderr as one line, never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from reconciler import __version__, logs
from reconciler.commands.common import EXIT_ERROR
from reconciler.errors import ReconcilerError
from reconciler.resources import Kind

if TYPE_CHECKING:
    from reconciler.commands.targets import Context
    from reconciler.controller.loop import ControllerSettings

DEFAULT_DIRECTORY = "manifests"


def _contexts(
    args: argparse.Namespace, directory: str | None = None, *, read_only: bool = False
) -> list[Context]:
    """The targets the command works on (reconciler.commands.targets); `read_only`: the
    command only reads (a target's plan_role_arn is assumed)."""
    from reconciler.commands.targets import Selection, contexts

    return contexts(
        Selection(
            target=getattr(args, "target", None),
            all_targets=getattr(args, "all_targets", False),
            project=getattr(args, "project", None),
            directory=directory if directory is not None else getattr(args, "directory", None),
            owner=getattr(args, "owner", None),
            region=getattr(args, "region", None),
            endpoint_url=getattr(args, "endpoint_url", None),
            lock_table=getattr(args, "lock_table", None),
            read_only=read_only,
        )
    )


def _context(
    args: argparse.Namespace, directory: str | None = None, *, read_only: bool = False
) -> Context:
    (context,) = _contexts(args, directory, read_only=read_only)
    return context


def _controller_settings(args: argparse.Namespace, context: Context) -> ControllerSettings:
    """The command line's options, else the target's, else the defaults."""
    from reconciler.commands.apply import parse_duration
    from reconciler.controller.loop import ControllerSettings

    options = context.run
    max_deletes = args.max_deletes if args.max_deletes is not None else options.max_deletes
    return ControllerSettings(
        directory=context.directory,
        owner=context.owner,
        interval=parse_duration(args.interval or options.interval or "5m"),
        mode=args.mode or options.mode or "heal",
        debounce=parse_duration(args.debounce),
        parallelism=args.parallelism or options.parallelism or 10,
        poll_interval=args.poll_interval,
        allow_empty=args.allow_empty,
        max_deletes=max_deletes,
        variables=context.substitutions,
    )


def _add_target_options(parser: argparse.ArgumentParser, *, every: bool = False) -> None:
    parser.add_argument(
        "--target",
        metavar="NAME",
        default=None,
        help="a target of the project file (reconciler.yaml): its manifests, account, region, owner",
    )
    if every:
        parser.add_argument(
            "--all-targets", action="store_true", help="every target of the project file"
        )
    parser.add_argument(
        "--project",
        metavar="FILE",
        default=None,
        help="the project file (env RECONCILER_PROJECT; default: reconciler.yaml here or above)",
    )


def _add_directory(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory",
        nargs="?",
        default=None,
        metavar="DIR",
        help=f"the manifests (default: {DEFAULT_DIRECTORY}/, or the target's)",
    )


def _add_aws_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--owner",
        default=None,
        help="owner id written to and matched in ownership tags (env RECONCILER_OWNER; default 'default'; a target's own)",
    )
    parser.add_argument(
        "--endpoint-url",
        default=None,
        help="SageMaker endpoint (default: boto3's AWS_ENDPOINT_URL[_SAGEMAKER] or AWS itself)",
    )
    parser.add_argument(
        "--region", default=None, help="AWS region (default: the standard AWS chain)"
    )
    parser.add_argument(
        "--log-format",
        choices=("console", "json"),
        default="console",
        help="structured logs on stderr",
    )
    parser.add_argument(
        "--log-level",
        choices=("debug", "info", "warning", "error"),
        default=None,
        help="default: info with --log-format json, warning otherwise",
    )


def _add_lock_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lock-table",
        default=None,
        metavar="TABLE",
        help="DynamoDB table for the single-writer lease (env RECONCILER_LOCK_TABLE)",
    )
    parser.add_argument(
        "--lock-lease", default="30s", metavar="DURATION", help="lease duration (default 30s)"
    )
    parser.add_argument(
        "--lock-timeout",
        default="5m",
        metavar="DURATION",
        help="how long apply waits for the lock (default 5m)",
    )


def _add_notify_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--notify",
        action="append",
        default=None,
        metavar="SINK",
        help="send events to slack:URL, webhook:URL or eventbridge[:BUS] (repeatable; "
        "default: env RECONCILER_NOTIFY, whitespace-separated). URLs are secrets: prefer "
        "the env variable; they are never printed",
    )
    parser.add_argument(
        "--notify-wait",
        default="10s",
        metavar="DURATION",
        help="at exit, wait this long at most for notifications still pending (default 10s)",
    )


def _notify_sinks(args: argparse.Namespace) -> list[Any]:
    from reconciler.notify.sinks import from_options

    return from_options(args.notify, os.environ.get("RECONCILER_NOTIFY"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reconciler", description="GitOps controller for Amazon SageMaker hosting."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    validate = commands.add_parser("validate", help="check the manifests (no AWS calls at all)")
    _add_directory(validate)
    _add_target_options(validate, every=True)

    def run_validate(args: argparse.Namespace) -> int:
        from reconciler.commands import validate

        return validate.run(contexts=_contexts(args))

    validate.set_defaults(run=run_validate)

    render = commands.add_parser(
        "render", help="print the final manifests (an overlay rendered) as YAML; no AWS calls"
    )
    _add_directory(render)
    _add_target_options(render)

    def run_render(args: argparse.Namespace) -> int:
        from reconciler.commands import render

        # A target gives the values of ${VAR}; without one, references need defaults.
        context = _context(args)
        return render.run(directory=context.directory, variables=context.substitutions)

    render.set_defaults(run=run_render)

    plan = commands.add_parser("plan", help="show what apply would change")
    _add_directory(plan)
    _add_target_options(plan, every=True)
    plan.add_argument(
        "--format", dest="output_format", choices=("human", "json", "markdown"), default="human"
    )
    plan.add_argument(
        "--json",
        dest="output_format",
        action="store_const",
        const="json",
        help="same as --format json",
    )
    plan.add_argument(
        "--out", metavar="PLANFILE", help="save the plan (JSON with fingerprints) for apply"
    )
    plan.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 2 when there are changes, 0 when none",
    )
    plan.add_argument(
        "--graph",
        action="store_true",
        help="with --format markdown: the changes and their order as a Mermaid diagram",
    )
    _add_aws_options(plan)

    def run_plan(args: argparse.Namespace) -> int:
        from reconciler.commands import plan as plan_command

        return plan_command.run(
            contexts=_contexts(args, read_only=True),
            output_format=args.output_format,
            out=args.out,
            detailed_exitcode=args.detailed_exitcode,
            graph=args.graph,
        )

    plan.set_defaults(run=run_plan)

    apply = commands.add_parser(
        "apply", help="make the account match the manifests (or a saved plan)"
    )
    apply.add_argument(
        "source",
        nargs="?",
        default=None,
        metavar="DIR|PLANFILE",
        help=f"the manifests or a saved plan (default: {DEFAULT_DIRECTORY}/, or the target's)",
    )
    _add_target_options(apply)
    apply.add_argument("--auto-approve", action="store_true", help="do not ask for confirmation")
    apply.add_argument(
        "--no-prune", dest="prune", action="store_false", help="never delete undeclared resources"
    )
    apply.add_argument(
        "--allow-empty",
        action="store_true",
        help="allow an empty manifest set to delete everything",
    )
    apply.add_argument(
        "--max-deletes", type=int, default=None, metavar="N", help="refuse plans with more deletes"
    )
    apply.add_argument(
        "--parallelism",
        type=int,
        default=10,
        metavar="N",
        help="concurrent write calls (default 10); waiting for SageMaker holds no slot",
    )
    apply.add_argument(
        "--timeout",
        default=None,
        metavar="DURATION",
        help="wait at most this long per resource (e.g. 30m)",
    )
    apply.add_argument(
        "--poll-interval",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="first pause between status polls (default 2)",
    )
    apply.add_argument(
        "--skip-checks",
        action="store_true",
        help="apply without running the manifests' checks (says so loudly; nothing is reverted)",
    )
    _add_lock_options(apply)
    _add_notify_options(apply)
    _add_aws_options(apply)

    def run_apply(args: argparse.Namespace) -> int:
        from reconciler.commands import apply as apply_command
        from reconciler.planning.saved import is_plan_file

        source = args.source
        # A saved plan names its own manifests; a directory is the context's.
        context = _context(args, None if source is None or is_plan_file(source) else source)
        return apply_command.run(
            source=source,
            context=context,
            auto_approve=args.auto_approve,
            prune=args.prune,
            allow_empty=args.allow_empty,
            max_deletes=args.max_deletes,
            parallelism=args.parallelism,
            timeout=args.timeout,
            poll_interval=args.poll_interval,
            lock_lease=args.lock_lease,
            lock_timeout=args.lock_timeout,
            skip_checks=args.skip_checks,
            notify=_notify_sinks(args),
            notify_wait=args.notify_wait,
        )

    apply.set_defaults(run=run_apply)

    status = commands.add_parser("status", help="sync and health of every declared resource")
    _add_directory(status)
    _add_target_options(status)
    status.add_argument("--json", action="store_true", help="machine-readable output")
    _add_aws_options(status)

    def run_status(args: argparse.Namespace) -> int:
        from reconciler.commands import status as status_command

        return status_command.run(context=_context(args, read_only=True), as_json=args.json)

    status.set_defaults(run=run_status)

    run = commands.add_parser(
        "run", help="the long-running controller: watch, resync, heal or detect drift"
    )
    _add_directory(run)
    _add_target_options(run, every=True)
    run.add_argument(
        "--interval",
        default=None,
        metavar="DURATION",
        help="resync period, ±10%% jitter (default 5m)",
    )
    run.add_argument(
        "--mode",
        choices=("heal", "detect"),
        default=None,
        help="correct drift or only report it (default heal)",
    )
    run.add_argument(
        "--listen",
        default="127.0.0.1:8080",
        metavar="HOST:PORT",
        help="/healthz, /readyz, /metrics",
    )
    run.add_argument(
        "--debounce", default="1s", metavar="DURATION", help="quiet time after file changes"
    )
    run.add_argument("--parallelism", type=int, default=None, metavar="N", help="default 10")
    run.add_argument("--poll-interval", type=float, default=2.0, metavar="SECONDS")
    run.add_argument(
        "--allow-empty", action="store_true", help="let an empty manifest set delete everything"
    )
    run.add_argument(
        "--max-deletes", type=int, default=None, metavar="N", help="refuse passes with more deletes"
    )
    _add_lock_options(run)
    _add_notify_options(run)
    _add_aws_options(run)

    def run_run(args: argparse.Namespace) -> int:
        from reconciler.aws import AwsSettings
        from reconciler.commands import run as run_command
        from reconciler.commands.apply import parse_duration

        if args.all_targets:
            # --lock-table and --region name the replicas' shared table and its region
            # (the ambient account), not a target's.
            from reconciler.commands.targets import check_apart

            table, region = args.lock_table, args.region
            args.lock_table = args.region = None
            contexts = _contexts(args)
            check_apart(contexts)
            return run_command.run_targets(
                targets=[
                    (c.name or "", _controller_settings(args, c), c.settings, c.lock_table)
                    for c in contexts
                ],
                listen=args.listen,
                lock_table=table,
                lock_lease=parse_duration(args.lock_lease),
                settings=AwsSettings(endpoint_url=args.endpoint_url, region=region),
                notify=_notify_sinks(args),
                notify_wait=parse_duration(args.notify_wait),
            )
        context = _context(args)
        return run_command.run(
            controller=_controller_settings(args, context),
            listen=args.listen,
            lock_table=context.lock_table,
            lock_lease=parse_duration(args.lock_lease),
            settings=context.settings,
            notify=_notify_sinks(args),
            notify_wait=parse_duration(args.notify_wait),
        )

    run.set_defaults(run=run_run)

    export = commands.add_parser(
        "export", help="write manifests for existing resources (to adopt them)"
    )
    export.add_argument("--out", metavar="FILE|DIR", help="where to write (default: stdout)")
    export.add_argument(
        "--kind",
        action="append",
        default=[],
        choices=[str(k) for k in Kind],
        help="only this kind (repeatable)",
    )
    export.add_argument("--name", help="only this resource; an endpoint brings everything it uses")
    export.add_argument(
        "--layout",
        choices=("stream", "per-resource", "per-endpoint"),
        default="stream",
        help="one YAML stream, a file per resource, or a file per endpoint",
    )
    _add_target_options(export)
    _add_aws_options(export)

    def run_export(args: argparse.Namespace) -> int:
        from reconciler.commands import export as export_command

        return export_command.run(
            out=args.out,
            kinds=args.kind,
            name=args.name,
            layout=args.layout,
            settings=_context(args).settings,
        )

    export.set_defaults(run=run_export)

    schema = commands.add_parser(
        "schema",
        help="write JSON Schemas of manifests and of the project file (for editors)",
        description="Write manifest.schema.json and project.schema.json. A manifest that "
        "starts with '# yaml-language-server: $schema=<path>/manifest.schema.json' gets "
        "completion and checks in editors; validate remains the judge.",
    )
    schema.add_argument("--out", metavar="DIR", help="where to write both (default: .)")
    schema.add_argument(
        "--print",
        dest="show",
        choices=("manifest", "project"),
        help="print one schema to stdout instead",
    )

    def run_schema(args: argparse.Namespace) -> int:
        from reconciler.commands import schema as schema_command

        return schema_command.run(out=args.out, show=args.show)

    schema.set_defaults(run=run_schema)

    iam_policy = commands.add_parser(
        "iam-policy",
        help="print the least-privilege IAM policy (with --target: fenced to that target)",
        description="Print the IAM policy the reconciler needs, derived from the code. With "
        "--target: scoped to the target's account and region, writes only on resources whose "
        "owner tag is the target's owner, creates only with that tag, iam:PassRole only for "
        "the roles its manifests declare, the lock calls on its lock table. No AWS call.",
    )
    _add_target_options(iam_policy)
    iam_policy.add_argument(
        "--plan-only",
        action="store_true",
        help="the read-only policy of plan and status (for the role that plans pull requests)",
    )
    iam_policy.add_argument(
        "--eventbridge",
        action="store_true",
        help="with --target: also events:PutEvents on the target's event buses (--notify eventbridge)",
    )

    def run_iam_policy(args: argparse.Namespace) -> int:
        from reconciler.commands import iam_policy as iam_policy_command

        return iam_policy_command.run(
            context=_context(args), plan_only=args.plan_only, eventbridge=args.eventbridge
        )

    iam_policy.set_defaults(run=run_iam_policy)

    emulator = commands.add_parser(
        "emulator",
        help="serve a local SageMaker emulator (no AWS account needed)",
        description="Serve moto's AWS services plus our SageMaker extension on loopback.",
    )
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    emulator.add_argument(
        "--transitions",
        default="immediate",
        help="how long async work takes: immediate | describes:N | seconds:S (default immediate)",
    )
    emulator.add_argument(
        "--server-fields",
        choices=("aws", "extra"),
        default="aws",
        help="Describe answers fill in what SageMaker fills in (aws, default), or further "
        "plausible server-filled fields too (extra: proves clients ignore what they did not declare)",
    )
    emulator.add_argument(
        "--strict",
        action="store_true",
        help="answer 500 when the emulator's own response does not fit the API model",
    )

    def run_emulator(args: argparse.Namespace) -> int:
        from reconciler.commands import emulator

        return emulator.run(
            host=args.host,
            port=args.port,
            transitions=args.transitions,
            strict=args.strict,
            server_fields=args.server_fields,
        )

    emulator.set_defaults(run=run_emulator)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if hasattr(args, "log_format"):
        default_level = "info" if args.log_format == "json" else "warning"
        logs.configure(args.log_format, args.log_level or default_level)
    try:
        code: int = args.run(args)
    except ReconcilerError as err:  # invalid manifests, refused guards, unreadable account, ...
        print(f"reconciler: {err}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR
    return code
