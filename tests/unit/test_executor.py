"""The executor against a fake SageMaker client: the order it works in, what a failure or
a cycle does to the rest of the plan, and what ``parallelism`` bounds (write calls, not
waits).

The fake answers the boto3 calls the kinds make (``create_endpoint``, ``describe_endpoint``,
...) from a dict, records every call, measures how many write calls are in flight at once,
and keeps endpoints ``Creating`` until a test's condition releases them — events and
counters, not wall-clock sleeps, decide what happens.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest
import structlog
from botocore.exceptions import ClientError

from reconciler.aws import AwsGateway
from reconciler.execution.executor import Executor, Result
from reconciler.execution.waiting import WaitPolicy
from reconciler.planning.changes import Action, Change, Plan
from reconciler.resources import Kind

ACCOUNT = "arn:aws:sagemaker:us-east-1:123456789012"
ROLE = "arn:aws:iam::123456789012:role/SageMakerExecution"
NOUNS = {  # the boto3 method suffix → the name field and ARN resource type of that kind
    "model": ("ModelName", "model"),
    "endpoint_config": ("EndpointConfigName", "endpoint-config"),
    "endpoint": ("EndpointName", "endpoint"),
}


def fast() -> WaitPolicy:
    """Fast polls: the waits below end on the fake's conditions, not on time."""
    return WaitPolicy(initial=0.001, maximum=0.01, jitter=0.0, timeout=10.0)


def _error(code: str, message: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


class FakeSageMaker:
    """Just enough of the boto3 SageMaker client for Models, EndpointConfigs and Endpoints.

    ``ready(name, fake)`` decides whether a Creating endpoint is InService yet (default: at
    once); ``fail`` maps an operation and name to the ClientError it raises; ``hook(operation,
    name, fake)`` runs in every write call and may raise; ``write_pause`` keeps every write
    call in flight that long, so concurrent writes overlap."""

    def __init__(
        self,
        *,
        ready: Callable[[str, FakeSageMaker], bool] | None = None,
        fail: dict[tuple[str, str], ClientError] | None = None,
        hook: Callable[[str, str, FakeSageMaker], None] | None = None,
        write_pause: float = 0.0,
    ) -> None:
        self.ready = ready or (lambda name, fake: True)
        self.fail = dict(fail or {})
        self.hook = hook
        self.write_pause = write_pause
        self.refused: list[tuple[str, str]] = []  # writes answered with an error
        self.lock = threading.RLock()
        self.resources: dict[tuple[str, str], dict[str, Any]] = {}
        self.calls: list[tuple[str, str]] = []  # (operation, name) in the order made
        self.in_flight = 0  # write calls
        self.max_in_flight = 0
        self.calls_in_flight = 0  # any calls
        self.max_calls_in_flight = 0
        self.creating = 0  # endpoints Creating right now
        self.max_creating = 0

    # -- bookkeeping ------------------------------------------------------------------
    def _record(self, operation: str, name: str) -> None:
        with self.lock:
            self.calls.append((operation, name))

    @contextmanager
    def _in_flight(self) -> Iterator[None]:
        with self.lock:
            self.calls_in_flight += 1
            self.max_calls_in_flight = max(self.max_calls_in_flight, self.calls_in_flight)
        try:
            yield
        finally:
            with self.lock:
                self.calls_in_flight -= 1

    def _write(self, operation: str, name: str) -> None:
        self._record(operation, name)
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.write_pause:
                time.sleep(self.write_pause)
            if self.hook is not None:
                self.hook(operation, name, self)
            error = self.fail.get((operation, name))
            if error is not None:
                raise error
        except ClientError:
            with self.lock:
                self.refused.append((operation, name))
            raise
        finally:
            with self.lock:
                self.in_flight -= 1

    def index(self, operation: str, name: str) -> int:
        return self.calls.index((operation, name))

    def operations(self, operation: str) -> list[str]:
        return [n for op, n in self.calls if op == operation]

    # -- the client's methods ---------------------------------------------------------
    def __getattr__(self, method: str) -> Callable[..., dict[str, Any]]:
        verb, _, noun = method.partition("_")
        if noun not in NOUNS:
            raise AttributeError(method)
        name_field, arn_type = NOUNS[noun]
        operation = "".join(part.capitalize() for part in method.split("_"))

        def call(**params: Any) -> dict[str, Any]:
            with self._in_flight():
                if self.write_pause:
                    time.sleep(self.write_pause / 2)  # reads are slow too
                return answer(params)

        def answer(params: dict[str, Any]) -> dict[str, Any]:
            name = params[name_field]
            if verb == "create":
                self._write(operation, name)
                with self.lock:
                    resource = dict(params)
                    resource[name_field.removesuffix("Name") + "Arn"] = (
                        f"{ACCOUNT}:{arn_type}/{name}"
                    )
                    if noun == "endpoint":
                        resource["EndpointStatus"] = "Creating"
                        self.creating += 1
                        self.max_creating = max(self.max_creating, self.creating)
                    self.resources[noun, name] = resource
                return {}
            if verb == "describe":
                self._record(operation, name)
                with self.lock:
                    resource = self.resources.get((noun, name))
                    if resource is None:
                        raise _error(
                            "ValidationException", f'Could not find {noun} "{name}".', operation
                        )
                    if resource.get("EndpointStatus") == "Creating" and self.ready(name, self):
                        resource["EndpointStatus"] = "InService"
                        self.creating -= 1
                        self._record("InService", name)
                    return dict(resource)
            if verb == "delete":
                self._write(operation, name)
                with self.lock:
                    self.resources.pop((noun, name), None)
                return {}
            raise AttributeError(method)

        return call

    def add_tags(self, **params: Any) -> dict[str, Any]:
        with self._in_flight():
            self._write("AddTags", params["ResourceArn"])
        return {}


def model(name: str) -> Change:
    return Change(
        address=f"Model/{name}",
        kind=Kind.MODEL,
        name=name,
        physical_name=name,
        action=Action.CREATE,
        operations=["CreateModel"],
        reason="does not exist",
        desired_spec={"ExecutionRoleArn": ROLE, "PrimaryContainer": {"Image": "image"}},
    )


def config(name: str, model_name: str) -> Change:
    return Change(
        address=f"EndpointConfig/{name}",
        kind=Kind.ENDPOINT_CONFIG,
        name=name,
        physical_name=name,
        action=Action.CREATE,
        operations=["CreateEndpointConfig"],
        reason="does not exist",
        depends_on=[f"Model/{model_name}"],
        desired_spec={
            "ProductionVariants": [
                {
                    "VariantName": "main",
                    "ModelName": model_name,
                    "InstanceType": "ml.m5.xlarge",
                    "InitialInstanceCount": 1,
                }
            ]
        },
    )


def endpoint(name: str, config_name: str | None = None) -> Change:
    return Change(
        address=f"Endpoint/{name}",
        kind=Kind.ENDPOINT,
        name=name,
        physical_name=name,
        action=Action.CREATE,
        operations=["CreateEndpoint"],
        reason="does not exist",
        depends_on=[f"EndpointConfig/{config_name}"] if config_name else [],
        desired_spec={"EndpointConfigName": config_name or f"{name}-config"},
    )


def stack(name: str) -> list[Change]:
    """Model → EndpointConfig → Endpoint, all called `name`."""
    return [model(name), config(name, name), endpoint(name, name)]


def apply(
    fake: FakeSageMaker,
    changes: list[Change],
    *,
    parallelism: int = 10,
    policy: WaitPolicy | None = None,
    events: list[tuple[str, str, dict[str, Any]]] | None = None,
) -> dict[str, tuple[Result, str]]:
    """Apply on a thread, so that a hang fails the test instead of stalling the suite."""
    seen = events if events is not None else []
    policy = policy or fast()
    executor = Executor(
        AwsGateway(clients={"sagemaker": fake}),
        parallelism=parallelism,
        wait_policy=policy,
        progress=lambda event, address, fields: seen.append((event, address, fields)),
    )
    reports = []
    thread = threading.Thread(
        target=lambda: reports.append(executor.apply(Plan(owner="test", changes=changes))),
        daemon=True,
    )
    thread.start()
    thread.join(timeout=20)
    if thread.is_alive():
        policy.stop.set()  # end the waits, so the hung threads go away
        pytest.fail("apply hung")
    (report,) = reports
    return {o.address: (o.result, o.detail) for o in report.outcomes}


def test_each_resource_is_created_after_what_it_depends_on_is_ready() -> None:
    # Endpoints stay Creating for a few Describes: a dependant must wait for InService.
    describes: dict[str, int] = {}

    def ready(name: str, fake: FakeSageMaker) -> bool:
        describes[name] = describes.get(name, 0) + 1
        return describes[name] > 3

    fake = FakeSageMaker(ready=ready)
    changes = [*stack("a"), *stack("b")]
    # A second endpoint on a's config, and one that may only start once a's is InService
    # (the way an inference component waits for its endpoint).
    changes.append(endpoint("a-second", "a"))
    after = endpoint("after-a")
    after.depends_on = ["Endpoint/a"]
    changes.append(after)

    outcomes = apply(fake, changes)

    assert {r for r, _ in outcomes.values()} == {Result.CREATED}
    for name in ("a", "b"):
        assert fake.index("CreateModel", name) < fake.index("CreateEndpointConfig", name)
        assert fake.index("CreateEndpointConfig", name) < fake.index("CreateEndpoint", name)
    assert fake.index("CreateEndpointConfig", "a") < fake.index("CreateEndpoint", "a-second")
    assert fake.index("InService", "a") < fake.index("CreateEndpoint", "after-a")


def test_a_failure_skips_exactly_its_dependants_and_other_branches_go_on() -> None:
    refused = _error("ValidationException", "Invalid instance type", "CreateEndpointConfig")
    fake = FakeSageMaker(fail={("CreateEndpointConfig", "bad"): refused})
    after = endpoint("after-bad")
    after.depends_on = ["Endpoint/bad"]  # skipped because what it depends on was skipped
    changes = [*stack("bad"), after, *stack("good"), *stack("other")]
    events: list[tuple[str, str, dict[str, Any]]] = []

    outcomes = apply(fake, changes, events=events)

    assert outcomes["Model/bad"] == (Result.CREATED, "does not exist")
    assert outcomes["EndpointConfig/bad"] == (
        Result.FAILED,
        "ValidationException: Invalid instance type",
    )
    assert outcomes["Endpoint/bad"] == (Result.SKIPPED, "EndpointConfig/bad did not complete")
    assert outcomes["Endpoint/after-bad"] == (Result.SKIPPED, "Endpoint/bad did not complete")
    for name in ("good", "other"):
        for kind in ("Model", "EndpointConfig", "Endpoint"):
            assert outcomes[f"{kind}/{name}"][0] is Result.CREATED
    # Nothing was attempted for the skipped ones; the failure was reported as it happened.
    assert "bad" not in fake.operations("CreateEndpoint")
    assert "after-bad" not in fake.operations("CreateEndpoint")
    failed = [(address, fields["error"]) for event, address, fields in events if event == "failed"]
    assert failed == [("EndpointConfig/bad", "ValidationException: Invalid instance type")]


def test_a_dependency_cycle_fails_what_it_blocks_and_does_not_hang() -> None:
    fake = FakeSageMaker()
    first, second, blocked = endpoint("first"), endpoint("second"), endpoint("blocked")
    first.depends_on = ["Endpoint/second"]
    second.depends_on = ["Endpoint/first"]
    blocked.depends_on = ["Endpoint/first"]
    changes = [first, second, blocked, *stack("free")]

    outcomes = apply(fake, changes)

    for name in ("first", "second", "blocked"):
        assert outcomes[f"Endpoint/{name}"] == (Result.FAILED, "dependency cycle in the plan")
    assert outcomes["Endpoint/free"][0] is Result.CREATED
    assert fake.operations("CreateEndpoint") == ["free"]


def test_parallelism_bounds_the_write_calls_in_flight() -> None:
    fake = FakeSageMaker(write_pause=0.02)
    changes = [change for i in range(6) for change in stack(f"e{i}")]

    outcomes = apply(fake, changes, parallelism=2)

    assert {r for r, _ in outcomes.values()} == {Result.CREATED}
    assert len(fake.operations("CreateModel")) == 6
    # Never more than 2 writes at once, and 2 did overlap (the bound is not 1).
    assert fake.max_in_flight == 2


def test_calls_in_flight_stay_within_the_clients_connection_pool() -> None:
    # More calls at once than the HTTP pool has connections would make urllib3 open and
    # discard connections (warning each time): reads wait for a connection, writes too.
    fake = FakeSageMaker(write_pause=0.01, ready=lambda name, fake: False)
    fake.meta = SimpleNamespace(config=SimpleNamespace(max_pool_connections=3))
    released = threading.Timer(0.3, lambda: setattr(fake, "ready", lambda n, f: True))
    released.start()

    outcomes = apply(fake, [endpoint(f"e{i}") for i in range(12)], parallelism=2)

    assert {r for r, _ in outcomes.values()} == {Result.CREATED}
    assert fake.max_in_flight == 2
    assert fake.max_calls_in_flight == 3


def test_resources_waiting_for_sagemaker_hold_no_write_slot() -> None:
    # Every endpoint stays Creating until all 10 have been created. An executor whose
    # waiting node kept its slot could never get past 2 at parallelism 2: only the
    # 5-second safety valve below would let it finish.
    count = 10
    began = time.monotonic()

    def ready(name: str, fake: FakeSageMaker) -> bool:
        return len(fake.operations("CreateEndpoint")) == count or time.monotonic() - began > 5

    fake = FakeSageMaker(ready=ready)
    changes = [endpoint(f"e{i}") for i in range(count)]

    outcomes = apply(fake, changes, parallelism=2)
    took = time.monotonic() - began

    assert {r for r, _ in outcomes.values()} == {Result.CREATED}
    assert fake.max_creating == count  # all 10 were in SageMaker's hands at once
    assert took < 4, f"the waits were serialised ({took:.1f} s)"


def test_the_pause_before_retrying_a_create_holds_no_write_slot() -> None:
    # SageMaker is eventually consistent: a create may not see what it names yet, and is
    # retried after a pause. Here Endpoint/e "sees" its config only once Model/m exists,
    # and Model/m can start only after e's first attempt was refused (it depends on
    # Endpoint/x, which becomes InService then). At parallelism 1, Model/m's write must get
    # through during e's pause, or e runs out of attempts.
    def refuse_until_the_model_exists(operation: str, name: str, fake: FakeSageMaker) -> None:
        if (operation, name) == ("CreateEndpoint", "e") and not fake.operations("CreateModel"):
            raise _error("ValidationException", "Could not find endpoint configuration", "")

    def ready(name: str, fake: FakeSageMaker) -> bool:
        return name != "x" or bool(fake.refused)

    fake = FakeSageMaker(ready=ready, hook=refuse_until_the_model_exists)
    gated = model("m")
    gated.depends_on = ["Endpoint/x"]
    # Retry pauses 0.1 + 0.2 + 0.4 + 0.8 s: ample time for x to settle and m to be made.
    policy = WaitPolicy(initial=0.1, maximum=1.0, jitter=0.0, timeout=10.0)

    outcomes = apply(fake, [endpoint("e"), endpoint("x"), gated], parallelism=1, policy=policy)

    assert fake.refused == [("CreateEndpoint", "e")]
    assert {r for r, _ in outcomes.values()} == {Result.CREATED}
    assert fake.operations("CreateEndpoint").count("e") == 2  # refused once, then made


@pytest.mark.parametrize("parallelism", [1, 3])
def test_progress_reports_start_call_and_done_for_every_node(parallelism: int) -> None:
    fake = FakeSageMaker()
    events: list[tuple[str, str, dict[str, Any]]] = []

    apply(fake, stack("a"), parallelism=parallelism, events=events)

    for address, operation in (
        ("Model/a", "CreateModel"),
        ("EndpointConfig/a", "CreateEndpointConfig"),
        ("Endpoint/a", "CreateEndpoint"),
    ):
        mine = [(event, fields) for event, a, fields in events if a == address]
        assert [event for event, _ in mine] == ["start", "call", "done"]
        assert mine[1][1] == {"operation": operation}
        assert mine[2][1]["result"] == "created"


def test_the_worker_threads_log_with_the_callers_context_fields() -> None:
    # `run --all-targets` binds the target's name on its controller's thread; every node
    # runs on a worker thread of the apply, and its log lines must carry that name too.
    fake = FakeSageMaker()
    fields_seen: list[dict[str, Any]] = []
    executor = Executor(
        AwsGateway(clients={"sagemaker": fake}),
        parallelism=3,
        wait_policy=fast(),
        progress=lambda *_: fields_seen.append(structlog.contextvars.get_contextvars()),
    )

    def apply_as_a_target() -> None:
        structlog.contextvars.bind_contextvars(target="prod")
        try:
            executor.apply(Plan(owner="test", changes=stack("a")))
        finally:
            structlog.contextvars.unbind_contextvars("target")

    thread = threading.Thread(target=apply_as_a_target, daemon=True)
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert len(fields_seen) >= 9  # start, call and done of three nodes
    assert all(fields.get("target") == "prod" for fields in fields_seen), fields_seen
