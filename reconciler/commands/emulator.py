"""``reconciler emulator``: serve the local SageMaker emulator until interrupted."""

from __future__ import annotations

from reconciler.commands.common import EXIT_OK, UserError


def run(*, host: str, port: int, transitions: str, strict: bool, server_fields: str = "aws") -> int:
    try:
        from reconciler.emulator.lifecycle import Transitions
        from reconciler.emulator.sagemaker import server_fields as fields
        from reconciler.emulator.server import EmulatorServer
    except ImportError as err:
        raise UserError(
            f"the emulator needs the 'emulator' extra ({err.name} is missing): "
            "pip install 'sagemaker-reconciler[emulator]'"
        ) from err
    try:
        parsed = Transitions.parse(transitions)
        mode = fields.parse(server_fields)
    except ValueError as err:
        raise UserError(str(err)) from err
    try:
        server = EmulatorServer(host, port, transitions=parsed, strict=strict)
    except OSError as err:
        raise UserError(f"cannot listen on {host}:{port}: {err.strerror or err}") from err
    server.app.control.server_fields = mode
    print(f"SageMaker emulator listening on {server.url}", flush=True)
    server.serve_forever()
    return EXIT_OK
