"""Command line: parse arguments, dispatch to one function per command, map outcomes to
exit codes (0 success, 1 error, 2 plan has changes — see DESIGN.md).

Each command function takes explicit keyword arguments and returns an exit code; errors
meant for the user are :class:`UserError` and are printed to stderr as one line, never as
a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from reconciler import __version__

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2


class UserError(Exception):
    """An error the user can act on; printed as ``reconciler: <message>``."""


def cmd_emulator(*, host: str, port: int, transitions: str, strict: bool) -> int:
    """Serve the local SageMaker emulator until interrupted."""
    try:
        from reconciler.emulator.lifecycle import Transitions
        from reconciler.emulator.server import EmulatorServer
    except ImportError as err:
        raise UserError(
            f"the emulator needs the 'emulator' extra ({err.name} is missing): "
            "pip install 'sagemaker-reconciler[emulator]'"
        ) from err
    try:
        parsed = Transitions.parse(transitions)
    except ValueError as err:
        raise UserError(str(err)) from err
    try:
        server = EmulatorServer(host, port, transitions=parsed, strict=strict)
    except OSError as err:
        raise UserError(f"cannot listen on {host}:{port}: {err.strerror or err}") from err
    print(f"SageMaker emulator listening on {server.url}", flush=True)
    server.serve_forever()
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reconciler",
        description="GitOps controller for Amazon SageMaker hosting.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

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
        "--strict",
        action="store_true",
        help="answer 500 when the emulator's own response does not fit the API model",
    )
    emulator.set_defaults(
        run=lambda a: cmd_emulator(
            host=a.host, port=a.port, transitions=a.transitions, strict=a.strict
        )
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except UserError as err:
        print(f"reconciler: {err}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR
    return code
