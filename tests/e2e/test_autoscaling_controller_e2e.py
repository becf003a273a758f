"""The controller (`reconciler run --mode heal`) next to a moving scaler, against the
emulator: 20 passes while the scaler takes an IC's copies 1 → 5 → 0 write nothing and leave
the scaler's count; and /metrics counts the autoscaling kinds (ScalableTarget,
ScalingPolicy, ScheduledAction, Alarm) like any other, by the kind's own name.

The passes are the controller's own (``Controller.reconcile``, one level-based pass, as the
loop of ``run`` calls it), built as ``run`` builds it (its settings in heal mode, an
AwsGateway with the metrics' call counter) and pointed at the test's emulator: the loop
itself has no bound on its passes, and waiting on its timer would only make the test slow.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.aws import AwsGateway, AwsSettings
from reconciler.controller.loop import Controller, ControllerSettings
from reconciler.controller.metrics import Metrics
from tests.support.autoscaling import CHAT, COPY_COUNT, target, target_tracking
from tests.support.calls import delta, writes_of
from tests.support.controller import copies
from tests.support.env import Env, copy_examples, serving

PASSES = 20
# Before which pass the scaler moves the copies, and to what: 1 → 5 → 0.
MOVES = {1: 1, 8: 5, 15: 0}


def _controller(env: Env) -> tuple[Controller, Metrics]:
    """The controller as `reconciler run DIR --mode heal --endpoint-url URL` builds it."""
    metrics = Metrics()
    settings = ControllerSettings(
        directory=str(env.directory), owner="default", mode="heal", poll_interval=0.01
    )
    aws = AwsGateway(
        AwsSettings(endpoint_url=env.url, region="us-east-1"), instrument=metrics.instrument
    )
    return Controller(settings, aws, metrics=metrics), metrics


def test_twenty_heal_passes_never_fight_the_scaler(env: Env, quiet_logs: None) -> None:
    # Up to 5 copies of llama-chat (1 GPU each) beside mistral's one: the capacity
    # preflight wants 6 GPUs at the bounds, so the shared endpoint gets two ml.g5.12xlarge.
    env.edit("shared-gpu/endpoint.yaml", "InitialInstanceCount: 1", "InitialInstanceCount: 2")
    (env.directory / "shared-gpu" / "llama-chat-autoscaling.yaml").write_text(
        target("llama-chat-copies", CHAT, COPY_COUNT, 0, 5)
        + "---\n"
        + target_tracking(
            "llama-chat-invocations",
            CHAT,
            COPY_COUNT,
            4.0,
            "SageMakerInferenceComponentInvocationsPerCopy",
        )
    )
    run = env.apply()
    assert run.code == 0, run.out + run.err
    assert copies(env) == 2  # the manifest's count, until the scaler moves it

    loop, metrics = _controller(env)
    before = env.control.calls()
    count = 2
    for number in range(1, PASSES + 1):
        if number in MOVES:
            count = MOVES[number]
            env.control.scale(CHAT, COPY_COUNT, count)
        assert loop.reconcile() == "success", number
        assert copies(env) == count, number
    assert loop.passes == PASSES
    # No pass found drift (a healed pass also ends "success"; the drift counter tells).
    assert _sample(metrics.render().decode(), "reconciler_drift_detected_total", {}) == 0
    calls = delta(before, env.control.calls())
    assert writes_of(calls) == {}
    assert calls.get("DescribeInferenceComponent", 0) > 0  # the passes did read the IC


SCHEDULED = """\
apiVersion: sagemaker-reconciler/v1
kind: ScheduledAction
metadata:
  name: phi-chat-nights
spec:
  ServiceNamespace: sagemaker
  ResourceId: inference-component/phi-chat
  ScalableDimension: sagemaker:inference-component:DesiredCopyCount
  Schedule: cron(0 22 * * ? *)
  ScalableTargetAction:
    MinCapacity: 0
    MaxCapacity: 0
"""


@pytest.fixture
def everything(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Env]:
    """Every example under manifests/, the scale-to-zero one included."""
    directory = copy_examples(tmp_path / "manifests", with_scale_to_zero=True)
    with serving() as served:
        yield Env(served.url, served.control, directory, capsys)


def _sample(text: str, name: str, labels: dict[str, str]) -> float | None:
    """The value of the sample of `name` with exactly `labels` in a /metrics text."""
    inside = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    series = f"{name}{{{inside}}}" if labels else name
    for line in text.splitlines():
        if line.startswith(f"{series} "):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_count_the_autoscaling_kinds_like_any_other(
    everything: Env, quiet_logs: None
) -> None:
    env = everything
    (env.directory / "scale-to-zero" / "nights.yaml").write_text(SCHEDULED)
    loop, metrics = _controller(env)

    # The first pass plans them missing and creates them; the second finds them in sync.
    assert loop.reconcile() == "success"
    text = metrics.render().decode()
    for kind in ("ScalableTarget", "ScalingPolicy", "ScheduledAction", "Alarm"):
        labels = {"kind": kind, "sync": "Missing", "health": "Missing"}
        assert _sample(text, "reconciler_resources", labels), (kind, text)
    assert loop.reconcile() == "success"
    text = metrics.render().decode()
    declared = {"ScalableTarget": 1, "ScalingPolicy": 2, "ScheduledAction": 1, "Alarm": 1}
    for kind, count in declared.items():
        labels = {"kind": kind, "sync": "InSync", "health": "Healthy"}
        assert _sample(text, "reconciler_resources", labels) == count, (kind, text)

    # Every call to the other services is counted by operation, as SageMaker's are.
    for operation in (
        "RegisterScalableTarget",
        "PutScalingPolicy",
        "PutScheduledAction",
        "PutMetricAlarm",
        "DescribeScalableTargets",
        "DescribeAlarms",
    ):
        labels = {"operation": operation, "outcome": "ok"}
        assert _sample(text, "reconciler_api_calls_total", labels), (operation, text)
