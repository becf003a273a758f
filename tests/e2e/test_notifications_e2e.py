"""Notifications as a user configures them (``--notify``, ``RECONCILER_NOTIFY``), through
the real apply and controller paths against the emulator: every event kind reaches a
local receiver once — also when it answers 503 or refuses connections at first —, a
slow receiver does not hold an apply up beyond ``--notify-wait``, the webhook URL never
appears in the output or the logs, and EventBridge gets the same events through
PutEvents."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from typing import Any

import boto3
import pytest
import structlog.testing

from reconciler.aws import AwsGateway, AwsSettings
from reconciler.controller.loop import Controller, ControllerSettings
from reconciler.controller.metrics import Metrics
from reconciler.notify.delivery import Notifier, RetryPolicy
from reconciler.notify.events import SCHEMA, Origin
from reconciler.notify.sinks import WebhookSink, build_sinks, parse
from reconciler.notify.watch import PassWatch
from tests.e2e.test_checks_e2e import NEW_DATA, OLD_DATA, with_endpoint_checks
from tests.support.controller import http_get, metric, run_argv, wait_for
from tests.support.env import Env
from tests.support.receiver import SECRET, Receiver, free_port, receiving, wait_until

FAST = RetryPolicy(attempts=4, initial=0.05, max_delay=0.2, deadline=10.0)


def no_secret(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text
        assert "/hooks/" not in text


def test_an_apply_notifies_each_sink_once_through_503s_and_refused_connections(
    env: Env,
) -> None:
    slack = Receiver(free_port())  # not listening yet: connections are refused
    # The first request to the webhook (both sinks get the event at once) starts the
    # Slack receiver a second later: its first attempts meet a closed port.
    opened = threading.Event()

    def open_slack_soon() -> None:
        if not opened.is_set():
            opened.set()
            threading.Timer(1.0, slack.start).start()

    with receiving(fail_first=2, on_request=open_slack_soon) as webhook:
        try:
            run = env.apply(
                "--notify",
                f"webhook:{webhook.url}",
                "--notify",
                f"slack:{slack.url}",
                "--log-level",
                "info",
            )
        finally:
            slack.stop()
    assert run.code == 0, run.out + run.err

    # The generic webhook: one event, after two 503s, in the documented schema.
    assert webhook.requests == 3
    (event,) = webhook.bodies
    assert event["schema"] == SCHEMA
    assert event["kind"] == "apply_result" and event["severity"] == "info"
    assert event["owner"] == "default" and event["target"] == str(env.directory)
    assert event["command"] == "apply" and event["address"] is None
    assert event["message"].startswith("apply succeeded: 10 created")
    assert event["details"]["outcome"] == "succeeded"
    assert event["details"]["counts"]["created"] == 10
    assert event["details"]["failures"] == []
    assert {c["address"] for c in event["details"]["changes"]} >= {"Endpoint/churn"}
    assert event["time"].endswith("Z") and len(event["id"]) == 32

    # Slack: {"text": ...} only, delivered once the port opened.
    (message,) = slack.bodies
    assert set(message) == {"text"}
    assert "[apply_result] apply succeeded: 10 created" in message["text"]
    assert "notification_retry" in run.err and "ConnectionRefusedError" in run.err
    assert "HTTP 503" in run.err

    # The URL (its secret path) is in no output and no log line; the redacted form is.
    no_secret(run.out, run.err)
    assert f"slack:http://127.0.0.1:{slack.port}/…" in run.err


def test_rollbacks_failed_applies_and_held_specs_are_notified(env: Env) -> None:
    with receiving() as hook:
        notify = ("--notify", f"webhook:{hook.url}")
        assert env.apply(*notify).code == 0
        assert hook.kinds() == ["apply_result"]

        # SageMaker rolls the update back: a rollback event, then the failed result.
        env.control.fail("Endpoint", "churn", "Image pull failed for the new model")
        env.edit("classic/churn.yaml", "InitialInstanceCount: 1", "InitialInstanceCount: 2")
        run = env.apply(*notify)
        assert run.code == 1
        assert hook.kinds() == ["apply_result", "rollback", "apply_result"]
        rollback = hook.of_kind("rollback")[0]
        assert rollback["address"] == "Endpoint/churn" and rollback["severity"] == "error"
        assert rollback["details"] == {
            "operation": "UpdateEndpoint",
            "resource": "churn",
            "reason": "Image pull failed for the new model",
        }
        failed = hook.of_kind("apply_result")[1]
        assert failed["details"]["outcome"] == "failed"
        assert failed["message"].startswith("apply failed:")
        # The endpoint failed; what waited for it (retiring the old config) was skipped.
        failures = {f["address"]: f for f in failed["details"]["failures"]}
        failure = failures["Endpoint/churn"]
        assert failure["result"] == "failed"
        assert {f["result"] for a, f in failures.items() if a != "Endpoint/churn"} <= {"skipped"}
        assert "rolled back: Image pull failed" in failure["detail"]

        # The next apply holds the spec: a held event, and the result.
        run = env.apply(*notify)
        assert run.code == 1
        assert hook.kinds()[3:] == ["held", "apply_result"]
        held = hook.of_kind("held")[0]
        assert held["address"] == "Endpoint/churn" and held["severity"] == "warning"
        assert "held: this spec failed before" in held["details"]["reason"]
        assert int(held["details"]["spec_digest"], 16) >= 0  # the digest of the spec held
        no_secret(run.out, run.err)


def test_the_environment_variable_configures_the_sinks(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    with receiving() as first, receiving() as second:
        monkeypatch.setenv("RECONCILER_NOTIFY", f"webhook:{first.url}\n  {second.url}")
        run = env.apply()
        assert run.code == 0, run.err
        assert first.kinds() == ["apply_result"] and second.kinds() == ["apply_result"]
        # --notify replaces the variable's sinks.
        env.edit("classic/churn.yaml", "InitialInstanceCount: 1", "InitialInstanceCount: 2")
        with receiving() as third:
            assert env.apply("--notify", f"webhook:{third.url}").code == 0
            assert third.kinds() == ["apply_result"]
        assert first.kinds() == ["apply_result"]


def test_a_bad_notify_value_is_refused_before_anything_and_not_echoed(env: Env) -> None:
    run = env.apply("--notify", f"slack:ftp://example.com/hooks/{SECRET}")
    assert run.code == 1
    assert "--notify value 1: ftp://example.com/… is not an http(s) URL with a host" in run.err
    no_secret(run.out, run.err)
    assert env.writes() == {}


def test_a_slow_receiver_holds_an_apply_up_no_longer_than_notify_wait(env: Env) -> None:
    with receiving(delay=30.0) as slow:
        started = time.monotonic()
        run = env.apply("--notify", f"webhook:{slow.url}", "--notify-wait", "1s")
        elapsed = time.monotonic() - started
    assert run.code == 0, run.err
    # An apply of the fleet takes a few seconds here; each attempt alone could take the
    # 5 s HTTP timeout, and five of them far more.
    assert elapsed < 10.0, elapsed
    assert "1 notification(s) not delivered within 1s (--notify-wait); given up" in run.err
    no_secret(run.out, run.err)


def _controller(
    env: Env,
    mode: str,
    receiver: Receiver,
    *,
    policy: RetryPolicy = FAST,
    watch: PassWatch | None = None,
) -> tuple[Controller, Metrics, Notifier]:
    """The controller as ``reconciler run DIR --mode MODE --notify webhook:URL`` builds it
    (with quicker retries; `watch`: another controller's, to go on from what it said)."""
    metrics = Metrics()
    settings = ControllerSettings(
        directory=str(env.directory), owner="default", mode=mode, poll_interval=0.01
    )
    aws = AwsGateway(
        AwsSettings(endpoint_url=env.url, region="us-east-1"), instrument=metrics.instrument
    )
    if watch is None:
        notifier = Notifier(
            [WebhookSink(receiver.url)], policy=policy, count=metrics.count_notification
        )
        watch = PassWatch(notifier, Origin("default", str(env.directory), "run"))
    return Controller(settings, aws, metrics=metrics, watch=watch), metrics, watch.notifier


def settled(receiver: Receiver, count: int) -> list[str]:
    assert wait_until(lambda: len(receiver.bodies) >= count), receiver.kinds()
    time.sleep(0.3)  # nothing more arrives
    return receiver.kinds()


def test_the_controller_notifies_rollback_held_and_degraded_once_each(
    env: Env, quiet_logs: None
) -> None:
    assert env.apply().code == 0
    with receiving(fail_first=1) as hook:
        loop, metrics, notifier = _controller(env, "heal", hook)
        assert loop.reconcile() == "success"
        env.control.fail("Endpoint", "churn", "Image pull failed for the new model")
        env.edit("classic/churn.yaml", "InitialInstanceCount: 1", "InitialInstanceCount: 2")
        assert loop.reconcile() == "failed"
        assert settled(hook, 2) == ["rollback", "apply_result"]
        # The endpoint runs its old config, with the failure: Degraded; the spec is held.
        assert loop.reconcile() == "failed"
        assert settled(hook, 4)[2:] == ["degraded", "held"]
        degraded = hook.of_kind("degraded")[0]
        assert degraded["address"] == "Endpoint/churn" and degraded["command"] == "run"
        assert degraded["details"]["status"] == "InService"
        assert degraded["details"]["failure"] == "Image pull failed for the new model"
        assert degraded["details"]["previous_health"] == "Healthy"
        # Further passes see the same: nothing new is said.
        assert loop.reconcile() == "failed"
        assert loop.reconcile() == "failed"
        assert settled(hook, 4) == ["rollback", "apply_result", "degraded", "held"]
        assert notifier.close(5.0) == 0
    text = metrics.render().decode()
    delivered = 'reconciler_notifications_total{outcome="delivered",sink="webhook"}'
    assert metric(text, delivered) == 4
    assert metric(text, 'reconciler_notifications_total{outcome="retried",sink="webhook"}') == 1


def test_detect_mode_notifies_drift_once_and_changes_nothing(env: Env, quiet_logs: None) -> None:
    assert env.apply().code == 0
    env.sagemaker().update_inference_component_runtime_config(
        InferenceComponentName="llama-chat", DesiredRuntimeConfig={"CopyCount": 5}
    )
    with receiving() as hook:
        loop, _, notifier = _controller(env, "detect", hook)
        before = env.writes()
        assert loop.reconcile() == "drift"
        assert loop.reconcile() == "drift"
        assert notifier.close(5.0) == 0
    assert env.writes() == before
    (drift,) = hook.bodies
    assert drift["kind"] == "drift" and drift["address"] is None
    assert drift["message"].startswith("drift: 1 resource(s) differ from git")
    (change,) = drift["details"]["changes"]
    assert change["address"] == "InferenceComponent/llama-chat"
    assert change["action"] == "update"


def test_eventbridge_receives_the_events_through_put_events(env: Env) -> None:
    sqs = boto3.client("sqs", endpoint_url=env.url, region_name="us-east-1")
    events = boto3.client("events", endpoint_url=env.url, region_name="us-east-1")
    queue = sqs.create_queue(QueueName="reconciler-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(
        Name="reconciler", EventPattern=json.dumps({"source": ["sagemaker-reconciler"]})
    )
    events.put_targets(Rule="reconciler", Targets=[{"Id": "queue", "Arn": arn}])

    run = env.apply("--notify", "eventbridge:")
    assert run.code == 0, run.err
    messages: list[dict[str, Any]] = sqs.receive_message(
        QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1
    ).get("Messages", [])
    (message,) = messages
    envelope = json.loads(message["Body"])
    assert envelope["source"] == "sagemaker-reconciler"
    assert envelope["detail-type"] == "sagemaker-reconciler apply_result"
    assert envelope["detail"]["kind"] == "apply_result"
    assert envelope["detail"]["details"]["counts"]["created"] == 10
    assert env.control.calls().get("PutEvents") == 1


def test_an_eventbridge_bus_that_does_not_exist_is_a_warning_as_the_sink_starts(
    env: Env,
) -> None:
    # PutEvents accepts events for a bus that does not exist and delivers them nowhere
    # (reconciler/emulator/events.py): the sink looks the bus up once, and says so.
    run = env.apply("--notify", "eventbridge:no-such-bus", "--log-level", "info")
    assert run.code == 0, run.err
    assert "notification_sink_unusable" in run.err
    assert "event bus no-such-bus does not exist" in run.err
    assert env.control.calls().get("PutEvents") == 1  # still sent, and accepted
    boto3.client("events", endpoint_url=env.url, region_name="us-east-1").create_event_bus(
        Name="ml-platform"
    )
    env.edit("classic/churn.yaml", "InitialInstanceCount: 1", "InitialInstanceCount: 2")
    run = env.apply("--notify", "eventbridge:ml-platform", "--log-level", "info")
    assert run.code == 0, run.err
    assert "notification_sink_unusable" not in run.err
    assert env.control.calls().get("DescribeEventBus") == 2


def test_a_bus_lookup_that_reaches_another_account_is_logged_and_stops_nothing(
    env: Env,
) -> None:
    # Credentials for another account than the target's: the gateway's check before its
    # first call refuses (WrongAccount, not an AWS error). Building the sinks makes no
    # call, so neither apply nor the controller's start (its health server) waits on the
    # lookup or dies of it; the sink's own thread looks the bus up and logs why it could
    # not.
    settings = AwsSettings(endpoint_url=env.url, region="us-east-1", account_id="999999999999")
    with structlog.testing.capture_logs() as logged:
        sinks = build_sinks(parse(["eventbridge:ml-platform"]), AwsGateway(settings))
        notifier = Notifier(sinks, policy=RetryPolicy(attempts=1))
        assert wait_until(lambda: any(e["event"] == "notification_sink_unchecked" for e in logged))
        assert notifier.close(5) == 0
    (unchecked,) = [e for e in logged if e["event"] == "notification_sink_unchecked"]
    assert unchecked["sink"] == "eventbridge:ml-platform"
    assert "expects AWS account 999999999999" in unchecked["reason"]
    assert "notification_sink_unusable" not in [e["event"] for e in logged]
    assert "DescribeEventBus" not in env.control.calls()


def test_reconciler_run_notifies_from_the_environment_and_counts_deliveries(env: Env) -> None:
    """`reconciler run` as deployed: the sinks from RECONCILER_NOTIFY (a Kubernetes secret),
    the deliveries on /metrics, the URL in none of its output."""
    assert env.apply().code == 0
    env.sagemaker().update_inference_component_runtime_config(
        InferenceComponentName="llama-chat", DesiredRuntimeConfig={"CopyCount": 5}
    )
    with receiving() as hook:
        argv = run_argv(env, "--mode", "detect", "--interval", "1s", "--log-format", "json")
        process = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "RECONCILER_NOTIFY": f"webhook:{hook.url}"},
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            match = re.search(r"http://(\S+)", line)
            assert match, line
            base = f"http://{match.group(1)}"
            delivered = 'reconciler_notifications_total{outcome="delivered",sink="webhook"}'
            wait_for(lambda: metric(http_get(f"{base}/metrics")[1], delivered) == 1, what="one")
            # Later passes see the same drift: nothing more is sent.
            wait_for(
                lambda: metric(http_get(f"{base}/metrics")[1], "reconciler_passes_total") >= 3,
                what="more passes",
            )
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=15) == 0
        finally:
            if process.poll() is None:
                process.kill()
        out, err = process.communicate(timeout=10)
    assert hook.kinds() == ["drift"]
    assert hook.bodies[0]["command"] == "run"
    no_secret(line, out, err)
    (started,) = [
        json.loads(row)
        for row in err.splitlines()
        if row.startswith("{") and '"controller_started"' in row
    ]
    assert started["notify"] == [f"webhook:http://127.0.0.1:{hook.port}/…"]  # redacted


def test_a_receiver_down_at_first_and_failing_every_first_attempt_gets_each_event_once(
    env: Env, quiet_logs: None
) -> None:
    """Every event kind, through the controller's real paths, to one receiver that refuses
    connections until the first event has been tried a few times, then answers 503 to the
    first attempt of every event: each event arrives exactly once, in order."""
    with_endpoint_checks(env)
    env.control.set_invocation("churn", body='{"label": "churn"}')
    hook = Receiver(free_port(), fail_each=1)  # not listening yet
    patient = RetryPolicy(attempts=12, initial=0.05, max_delay=0.3, deadline=30.0)
    try:
        heal, metrics, notifier = _controller(env, "heal", hook, policy=patient)
        # 1. The first pass creates the fleet: apply_result, tried against a closed port.
        assert heal.reconcile() == "success"
        time.sleep(0.5)
        assert hook.requests == 0
        hook.start()
        assert settled(hook, 1) == ["apply_result"]

        # 2. A new model answers garbage: its check fails and apply reverts it.
        env.control.set_invocation("churn", status=500, body="model crashed")
        env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)
        assert heal.reconcile() == "failed"
        # 3. The next pass holds that spec.
        assert heal.reconcile() == "failed"
        assert settled(hook, 4)[1:] == ["revert", "apply_result", "held"]

        # 4. SageMaker rolls the next update back; then the endpoint is Degraded and the
        #    rolled-back spec held.
        env.control.fail("Endpoint", "churn", "Image pull failed for the new model")
        env.edit("classic/churn.yaml", "InitialInstanceCount: 1", "InitialInstanceCount: 2")
        assert heal.reconcile() == "failed"
        assert heal.reconcile() == "failed"
        assert settled(hook, 8)[4:] == ["rollback", "apply_result", "degraded", "held"]

        # 5. Detect mode (going on from what the healing controller said): drift by hand.
        env.sagemaker().update_inference_component_runtime_config(
            InferenceComponentName="llama-chat", DesiredRuntimeConfig={"CopyCount": 5}
        )
        detect, _, _ = _controller(env, "detect", hook, watch=heal.watch)
        assert detect.reconcile() == "drift"
        assert detect.reconcile() == "drift"
        assert notifier.close(10.0) == 0
    finally:
        hook.stop()

    kinds = hook.kinds()
    assert kinds == [
        "apply_result",
        "revert",
        "apply_result",
        "held",
        "rollback",
        "apply_result",
        "degraded",
        "held",
        "drift",
    ]
    assert set(kinds) == {"apply_result", "revert", "held", "rollback", "degraded", "drift"}
    # Once each: no event accepted twice, each refused once first (503) and accepted after.
    ids = [body["id"] for body in hook.bodies]
    assert len(set(ids)) == len(ids) == 9
    assert all(hook.tries[i] == 2 for i in ids), hook.tries
    revert = hook.of_kind("revert")[0]
    assert revert["address"] == "Endpoint/churn"
    assert "check smoke failed: expected status 200, got 500" in revert["message"]
    text = metrics.render().decode()
    delivered = 'reconciler_notifications_total{outcome="delivered",sink="webhook"}'
    retried = metric(text, 'reconciler_notifications_total{outcome="retried",sink="webhook"}')
    assert metric(text, delivered) == 9
    # The refused connections of the first event, and one 503 for each of the nine.
    assert retried >= 9 + 2, retried
    assert metric(text, 'reconciler_notifications_total{outcome="failed",sink="webhook"}') == 0
