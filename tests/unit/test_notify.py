"""Notifications, piece by piece: what a --notify value means, what may be shown of a
URL, the Slack payload, and the delivery rules (bounded retries, Retry-After, no retry
on a 4xx, a full queue, a bounded close) — and the seam verified apply reports a revert
through."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import structlog.testing

from reconciler.errors import AwsError
from reconciler.notify import events
from reconciler.notify.delivery import Notifier, RetryPolicy
from reconciler.notify.events import Event, EventKind, Origin
from reconciler.notify.sinks import (
    DeliveryError,
    SinkError,
    SinkSpec,
    SlackSink,
    build_sinks,
    from_options,
    parse,
    post_json,
    redact,
)
from reconciler.notify.watch import notifying_progress
from tests.support.receiver import SECRET, free_port, receiving, wait_until

ORIGIN = Origin("team-a", "manifests/prod", "apply")
QUICK = RetryPolicy(attempts=4, initial=0.01, max_delay=0.05, deadline=5.0)


def an_event() -> Event:
    return events.apply_result(ORIGIN, {"created": 1, "failed": 0}, [])


class FakeSink:
    """Fails with `errors` in turn, then accepts; records what it accepted and when."""

    kind = "fake"
    shown = "fake:…"

    def __init__(self, *errors: DeliveryError, delay: float = 0.0) -> None:
        self.errors = list(errors)
        self.delay = delay
        self.attempts: list[float] = []
        self.accepted: list[Event] = []

    def start(self) -> None:
        return None

    def deliver(self, event: Event) -> None:
        self.attempts.append(time.monotonic())
        if self.delay:
            time.sleep(self.delay)
        if self.errors:
            raise self.errors.pop(0)
        self.accepted.append(event)


def counted() -> tuple[list[tuple[str, str]], Any]:
    seen: list[tuple[str, str]] = []
    return seen, lambda sink, outcome: seen.append((sink, outcome))


# -- configuration ----------------------------------------------------------------------
def test_a_sink_is_named_by_its_type_or_guessed_from_a_bare_url() -> None:
    specs = parse(
        [
            "slack:https://chat.example.com/hooks/x",
            "webhook:https://events.example.com/in",
            "https://hooks.slack.com/services/T0/B0/x",
            "http://127.0.0.1:9000/any",
            "eventbridge:",
            "eventbridge:ml-events",
        ]
    )
    assert [s.kind for s in specs] == [
        "slack",
        "webhook",
        "slack",
        "webhook",
        "eventbridge",
        "eventbridge",
    ]
    assert [s.shown for s in specs][-2:] == ["eventbridge:default", "eventbridge:ml-events"]


def test_the_environment_variable_is_read_only_without_notify_options() -> None:
    env = "webhook:https://a.example.com/x https://b.example.com/y"
    assert [s.where for s in from_options(None, env)] == [
        "https://a.example.com/x",
        "https://b.example.com/y",
    ]
    assert [s.where for s in from_options(["https://c.example.com/z"], env)] == [
        "https://c.example.com/z"
    ]
    assert from_options(None, None) == []


@pytest.mark.parametrize(
    "value",
    [
        f"slack:file:///etc/{SECRET}",
        f"webhook:https:///{SECRET}",
        f"sms:+15551234/{SECRET}",
        f"hooks.slack.com/services/{SECRET}",
        f"https://hooks.slack.com:99999/{SECRET}",
    ],
)
def test_a_bad_value_is_refused_by_position_without_its_secret(value: str) -> None:
    with pytest.raises(SinkError) as raised:
        parse(["webhook:https://ok.example.com/x", value], source="RECONCILER_NOTIFY")
    assert str(raised.value).startswith("RECONCILER_NOTIFY value 2: ")
    assert SECRET not in str(raised.value)


def test_only_scheme_and_host_of_a_url_are_ever_shown() -> None:
    url = f"https://user:pass@hooks.slack.com:8443/services/{SECRET}?token=x#y"
    assert redact(url) == "https://hooks.slack.com:8443/…"
    spec = SinkSpec("slack", url)
    assert spec.shown == "slack:https://hooks.slack.com:8443/…"
    sink = spec.build(None)
    assert SECRET not in repr(sink) and "pass" not in repr(sink) and SECRET not in sink.shown


# -- payloads ---------------------------------------------------------------------------
def test_slack_gets_text_only_with_its_control_characters_escaped() -> None:
    event = events.held(ORIGIN, "Endpoint/a&b", "held: <spec> failed", "abc123")
    payload = SlackSink("https://hooks.slack.com/services/x").payload(event)
    assert list(payload) == ["text"]
    assert payload["text"].splitlines()[0] == (
        "⚠️ [held] Endpoint/a&amp;b: held: &lt;spec&gt; failed"
    )
    assert "owner team-a · manifests/prod" in payload["text"]


EVIDENCE = (
    "check smoke failed: expected status 200, got 500 (status 500, 3 ms, body 'model crashed')"
)


def one_event_of_each_kind() -> list[Event]:
    """Every kind, built by its constructor, with details as the code that emits it fills
    them (a revert's from the executor's ``reverted`` progress event, through watch.py)."""
    outcomes = [
        {"address": "Endpoint/churn", "result": "failed", "detail": "rolled back: bad image"},
        {"address": "Model/churn", "result": "created", "detail": "not in the account"},
    ]
    return [
        events.apply_result(ORIGIN, {"created": 1, "failed": 1}, outcomes),
        events.rollback(ORIGIN, "Endpoint/churn", "UpdateEndpoint", "churn", "bad image"),
        events.revert(
            ORIGIN,
            "Endpoint/churn",
            f"reverted with UpdateEndpoint: {EVIDENCE}",
            {"failures": [EVIDENCE], "operation": "UpdateEndpoint", "reverted_to": "churn-1a2b"},
        ),
        events.held(ORIGIN, "Endpoint/churn", "held: this spec failed before", "abc123"),
        events.drift(ORIGIN, [{"address": "Endpoint/churn", "action": "update", "reason": "r"}]),
        events.degraded(ORIGIN, "Endpoint/churn", "Failed", "no capacity", "Healthy"),
    ]


def test_every_event_kind_renders_as_a_slack_message() -> None:
    """Slack gets every kind (a failing text() loses the event: notification_failed)."""
    sink = SlackSink("https://hooks.slack.com/services/x")
    rendered = {str(e.kind): sink.payload(e)["text"] for e in one_event_of_each_kind()}
    assert set(rendered) == {str(kind) for kind in EventKind}
    for kind, text in rendered.items():
        assert text.startswith(("✅", "⚠️", "❌")) and f"[{kind}]" in text, text
        assert "owner team-a · manifests/prod" in text
    # A revert lists each failed check with its evidence, and what it went back to.
    revert = rendered["revert"].splitlines()
    assert f"• {EVIDENCE}" in revert
    assert "• reverted with UpdateEndpoint to churn-1a2b" in revert
    # An apply lists its failures by address; drift its changes with their reasons.
    assert "• Endpoint/churn: rolled back: bad image" in rendered["apply_result"].splitlines()
    assert "• Endpoint/churn: update (r)" in rendered["drift"].splitlines()


def test_an_apply_that_skipped_checks_says_which_in_its_details_and_its_text() -> None:
    event = events.apply_result(ORIGIN, {"updated": 1}, [], checks_skipped=["Endpoint/churn"])
    assert event.details["checks_skipped"] == ["Endpoint/churn"]
    assert "• checks skipped (--skip-checks): Endpoint/churn" in event.text().splitlines()
    assert "checks_skipped" not in events.apply_result(ORIGIN, {"updated": 1}, []).details


def test_a_revert_s_details_as_any_emitter_fills_them_still_render() -> None:
    """Items of a details list may be strings or mappings; neither breaks the text."""
    event = events.revert(
        ORIGIN,
        "InferenceComponent/chat",
        "reverted",
        {"failures": ["check a failed: x", {"address": "InferenceComponent/chat", "detail": "y"}]},
    )
    lines = event.text().splitlines()
    assert "• check a failed: x" in lines and "• InferenceComponent/chat: y" in lines


def test_the_event_document_follows_the_schema() -> None:
    event = events.drift(
        ORIGIN,
        [{"address": f"Model/m{i}", "action": "update", "reason": "r"} for i in range(60)],
    )
    doc = event.to_json()
    assert list(doc) == [
        "schema",
        "id",
        "kind",
        "severity",
        "time",
        "owner",
        "target",
        "command",
        "address",
        "message",
        "details",
    ]
    assert doc["schema"] == "sagemaker-reconciler/event/v1" and doc["kind"] == "drift"
    assert len(doc["details"]["changes"]) == 50 and doc["details"]["truncated"] == 10


# -- delivery ---------------------------------------------------------------------------
def test_retryable_failures_are_retried_with_growing_pauses_then_delivered() -> None:
    seen, count = counted()
    sink = FakeSink(
        DeliveryError("HTTP 503", retryable=True), DeliveryError("timed out", retryable=True)
    )
    policy = RetryPolicy(attempts=5, initial=0.05, max_delay=1.0, deadline=5.0)
    notifier = Notifier([sink], policy=policy, count=count)
    notifier.emit(an_event())
    assert notifier.close(5.0) == 0
    assert len(sink.accepted) == 1 and len(sink.attempts) == 3
    first, second = (b - a for a, b in zip(sink.attempts, sink.attempts[1:], strict=False))
    assert first >= 0.04 and second > first  # 0.05 s, then 0.1 s (±20%)
    assert seen == [("fake", "retried"), ("fake", "retried"), ("fake", "delivered")]


def test_a_refusal_that_retrying_cannot_fix_is_not_retried() -> None:
    seen, count = counted()
    sink = FakeSink(DeliveryError("HTTP 404 channel_not_found", retryable=False))
    notifier = Notifier([sink], policy=QUICK, count=count)
    notifier.emit(an_event())
    notifier.close(5.0)
    assert len(sink.attempts) == 1 and sink.accepted == []
    assert seen == [("fake", "failed")]


def test_attempts_are_bounded() -> None:
    seen, count = counted()
    sink = FakeSink(*[DeliveryError("HTTP 500", retryable=True)] * 10)
    notifier = Notifier([sink], policy=QUICK, count=count)
    notifier.emit(an_event())
    notifier.close(5.0)
    assert len(sink.attempts) == 4
    assert seen == [("fake", "retried")] * 3 + [("fake", "failed")]


def test_a_retry_after_is_waited_for_and_the_deadline_bounds_the_total() -> None:
    sink = FakeSink(DeliveryError("HTTP 429", retryable=True, retry_after=0.3))
    notifier = Notifier([sink], policy=QUICK)
    notifier.emit(an_event())
    notifier.close(5.0)
    assert sink.attempts[1] - sink.attempts[0] >= 0.3 * 0.99
    # A Retry-After past the deadline: given up at once, not waited for.
    seen, count = counted()
    late = FakeSink(DeliveryError("HTTP 429", retryable=True, retry_after=60))
    policy = RetryPolicy(attempts=5, initial=0.01, max_delay=120, deadline=1.0)
    notifier = Notifier([late], policy=policy, count=count)
    started = time.monotonic()
    notifier.emit(an_event())
    notifier.close(5.0)
    assert time.monotonic() - started < 1.0 and seen == [("fake", "failed")]


def test_a_slow_sink_delays_neither_emit_nor_the_other_sinks_and_close_is_bounded() -> None:
    slow, fast = FakeSink(delay=2.0), FakeSink()
    notifier = Notifier([slow, fast], policy=QUICK)
    started = time.monotonic()
    for _ in range(3):
        notifier.emit(an_event())
    assert time.monotonic() - started < 0.1
    abandoned = notifier.close(0.5)
    assert time.monotonic() - started < 1.0
    assert len(fast.accepted) == 3
    assert abandoned == 3  # the slow sink's three: one in flight, two queued


def test_a_full_queue_drops_instead_of_blocking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reconciler.notify.delivery.QUEUE_SIZE", 2)
    seen, count = counted()
    gate = threading.Event()

    class Stuck(FakeSink):
        def deliver(self, event: Event) -> None:
            gate.wait(5)
            super().deliver(event)

    sink = Stuck()
    notifier = Notifier([sink], policy=QUICK, count=count)
    for _ in range(5):
        notifier.emit(an_event())  # one in flight, two queued, two dropped
    time.sleep(0.2)
    gate.set()
    notifier.close(5.0)
    assert len(sink.accepted) in (2, 3)
    assert seen.count(("fake", "dropped")) == 5 - len(sink.accepted)


def test_revert_is_the_seam_verified_apply_reports_through() -> None:
    sink = FakeSink()
    notifier = Notifier([sink], policy=QUICK)
    passed: list[str] = []
    hook = notifying_progress(lambda e, a, f: passed.append(e), notifier, ORIGIN)
    hook(
        "reverted",
        "Endpoint/chat",
        {
            "message": "check smoke failed: HTTP 500; UpdateEndpoint back to chat-1a2b",
            "check": "smoke",
            "evidence": {"status": 500},
            "reverted_to": "chat-1a2b",
        },
    )
    hook("done", "Endpoint/chat", {})
    notifier.close(5.0)
    assert passed == ["reverted", "done"]  # the wrapped hook still sees everything
    (event,) = sink.accepted
    assert event.kind is EventKind.REVERT and event.address == "Endpoint/chat"
    assert event.message.startswith("Endpoint/chat: check smoke failed")
    assert event.details == {
        "check": "smoke",
        "evidence": {"status": 500},
        "reverted_to": "chat-1a2b",
    }


# -- HTTP -------------------------------------------------------------------------------
def test_http_failures_are_described_without_the_url() -> None:
    refused = f"http://127.0.0.1:{free_port()}/hooks/{SECRET}"
    with pytest.raises(DeliveryError) as raised:
        post_json(refused, {"text": "x"}, timeout=2)
    assert raised.value.retryable and "Connection refused" in raised.value.reason
    assert SECRET not in raised.value.reason and "127.0.0.1" not in raised.value.reason

    with receiving() as receiver:
        with pytest.raises(DeliveryError) as raised:
            post_json(receiver.url + "-revoked", {"text": "x"})
        assert raised.value.reason == "HTTP 404 no_service"
        assert not raised.value.retryable

    with receiving(fail_first=1) as receiver:
        with pytest.raises(DeliveryError) as raised:
            post_json(receiver.url, {"text": "x"})
        assert raised.value.reason == "HTTP 503" and raised.value.retryable  # body not a word
        post_json(receiver.url, {"text": "x"})
        assert receiver.bodies == [{"text": "x"}]


def test_a_receiver_slower_than_the_timeout_is_a_retryable_timeout() -> None:
    with receiving(delay=2.0) as receiver:
        started = time.monotonic()
        with pytest.raises(DeliveryError) as raised:
            post_json(receiver.url, {"text": "x"}, timeout=0.3)
        assert time.monotonic() - started < 1.5
    assert raised.value.reason == "timed out" and raised.value.retryable


def test_a_redirect_is_a_failure_not_a_bodiless_get() -> None:
    with receiving() as receiver:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Moved(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.send_response(302)
                self.send_header("Location", receiver.url)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        server = ThreadingHTTPServer(("127.0.0.1", 0), Moved)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with pytest.raises(DeliveryError) as raised:
                post_json(f"http://127.0.0.1:{server.server_port}/x", {"text": "x"})
        finally:
            server.shutdown()
            server.server_close()
        assert raised.value.reason == "HTTP 302" and not raised.value.retryable
        assert receiver.requests == 0


class SlowEvents:
    """A gateway whose DescribeEventBus answers "not found" only once released (botocore's
    retries and timeouts against an unreachable endpoint); PutEvents at once."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls: list[str] = []

    def call(self, service: str, operation: str, **request: Any) -> dict[str, Any]:
        self.calls.append(operation)
        if operation == "DescribeEventBus":
            self.release.wait(10)
            raise AwsError(
                operation, "ResourceNotFoundException", "no bus", temporary=False, not_found=True
            )
        return {"FailedEntryCount": 0, "Entries": [{"EventId": "1"}]}


def test_a_slow_bus_lookup_holds_up_nothing_but_its_own_sink() -> None:
    aws = SlowEvents()
    started = time.monotonic()
    with structlog.testing.capture_logs() as logged:
        sinks = build_sinks(parse(["eventbridge:ml-events"]), aws)  # type: ignore[arg-type]
        other = FakeSink()
        notifier = Notifier([*sinks, other], policy=QUICK)
        notifier.emit(an_event())
        # Startup went on at once, and the other sink delivered while the lookup waits.
        assert time.monotonic() - started < 1.0
        assert wait_until(lambda: len(other.accepted) == 1)
        assert aws.calls == ["DescribeEventBus"]
        aws.release.set()
        assert notifier.close(5) == 0
    # The lookup came first on the sink's own thread, then its delivery.
    assert aws.calls == ["DescribeEventBus", "PutEvents"]
    (unusable,) = [e for e in logged if e["event"] == "notification_sink_unusable"]
    assert unusable["reason"].startswith("event bus ml-events does not exist")
