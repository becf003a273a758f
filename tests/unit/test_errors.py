"""One error taxonomy: AWS's errors classed in one place by what the caller should do, and
the controller backing off only when retrying may help."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from reconciler.aws import AwsGateway
from reconciler.controller.loop import Controller, ControllerSettings
from reconciler.emulator.app import EmulatorApp
from reconciler.emulator.control_client import ControlClient
from reconciler.emulator.inprocess import attach
from reconciler.emulator.lifecycle import Transitions
from reconciler.errors import PermanentError, TemporaryError, from_aws
from reconciler.service import AccountUnreadable, UserError

EXAMPLES = Path(__file__).resolve().parents[2] / "manifests"


def client_error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "ListEndpoints",
    )


@pytest.mark.parametrize(
    ("code", "status", "temporary"),
    [
        ("ThrottlingException", 400, True),
        ("ProvisionedThroughputExceededException", 400, True),
        ("InternalFailure", 500, True),
        ("SomethingNew", 503, True),  # any 5xx
        ("AccessDeniedException", 400, False),
        ("ValidationException", 400, False),
        ("ResourceNotFoundException", 400, False),
    ],
)
def test_aws_errors_are_classed_by_whether_retrying_may_help(
    code: str, status: int, temporary: bool
) -> None:
    error = from_aws(client_error(code, status), "ListEndpoints")
    assert isinstance(error, TemporaryError if temporary else PermanentError)
    assert error.temporary is temporary
    assert str(error) == f"ListEndpoints: {code}: m"


def test_a_connection_failure_is_temporary() -> None:
    error = from_aws(EndpointConnectionError(endpoint_url="http://x"), "ListModels")
    assert error.temporary and "ListModels" in str(error)


def test_user_errors_are_permanent_and_an_unreadable_account_may_be_temporary() -> None:
    assert not UserError("x").temporary
    assert AccountUnreadable("x").temporary


def _controller(tmp_path: Path, **settings: Any) -> tuple[Controller, ControlClient]:
    import shutil

    directory = tmp_path / "manifests"
    shutil.copytree(EXAMPLES, directory)
    app = EmulatorApp(Transitions("immediate"), strict=True)
    clients = {}
    for service in (
        "sagemaker",
        "resourcegroupstaggingapi",
        "application-autoscaling",
        "cloudwatch",
    ):
        client = boto3.client(service, region_name="us-east-1")  # type: ignore[call-overload]
        attach(client, app)
        clients[service] = client
    loop = Controller(
        ControllerSettings(
            directory=str(directory),
            owner="default",
            poll_interval=0.01,
            interval=300.0,
            **settings,
        ),
        AwsGateway(clients=clients),
    )
    return loop, ControlClient.in_process(app)


def test_the_controller_backs_off_on_temporary_errors_only(
    tmp_path: Path, quiet_logs: None
) -> None:
    loop, control = _controller(tmp_path)
    # Throttled past botocore's retries: temporary, retried soon (2 s, then 4 s, ...).
    control.add_fault("ListModels", "ThrottlingException", count=100)
    assert loop.reconcile() == "error"
    assert loop.permanent is False and loop.failures == 1
    assert loop._next_delay() == 2.0
    control.clear_faults()
    # Denied: permanent, so no faster retries; the next resync (or a manifest change).
    control.add_fault("ListModels", "AccessDeniedException", count=100)
    assert loop.reconcile() == "error"
    assert loop.permanent is True and loop.failures == 0
    assert loop._next_delay() >= 300.0 * 0.9


def test_the_controller_keeps_the_max_deletes_guard_of_apply(
    tmp_path: Path, quiet_logs: None
) -> None:
    loop, control = _controller(tmp_path, max_deletes=1)
    assert loop.reconcile() == "success"
    (tmp_path / "manifests" / "classic" / "churn.yaml").unlink()  # three deletes
    before = control.calls()
    assert loop.reconcile() == "error"
    assert loop.permanent is True
    after = control.calls()
    assert not [op for op in after if op.startswith("Delete") and after[op] != before.get(op, 0)]
