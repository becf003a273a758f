"""Where events go: the sinks a user configures, and how one delivery attempt is made.

A sink is given as ``TYPE:WHERE`` (``--notify``, repeatable, or ``RECONCILER_NOTIFY``,
whitespace-separated):

- ``slack:https://hooks.slack.com/services/...`` — a Slack-compatible incoming webhook:
  ``POST`` of ``{"text": ...}`` as JSON (Slack, "Sending messages using incoming
  webhooks", docs.slack.dev: ``curl -X POST -H 'Content-type: application/json' --data
  '{"text":"Hello, World!"}' <webhook URL>``). A bare ``https://hooks.slack.com/...``
  URL is taken as ``slack:`` too.
- ``webhook:https://...`` — a generic JSON webhook: ``POST`` of :meth:`Event.to_json`.
  Any other bare http(s) URL is taken as ``webhook:``.
- ``eventbridge:`` or ``eventbridge:BUS`` (a bus name or ARN; default bus when empty) —
  EventBridge ``PutEvents`` through the gateway (``aws.call("events", "PutEvents")``).

A webhook URL carries its secret in its path (Slack's does): it is never printed or
logged. :func:`redact` gives what may be shown — scheme and host only — and every error
about a sink names that form. Only http and https are accepted (urllib would also open
``file:`` and ``ftp:``).

One attempt either returns or raises :class:`DeliveryError`, saying whether a later
attempt may succeed (timeouts, connection errors, 5xx, 408, 429 — with Retry-After when
the receiver sends one) or not (any other 4xx: Slack answers 400 ``invalid_payload``, 403
``action_prohibited``, 404 ``channel_not_found``, 410 ``channel_is_archived`` — "Improving
error conditions for Incoming Webhooks", api.slack.com/changelog/2016-05-17; and 429 with
``Retry-After`` when rate limited — api.slack.com/docs/rate-limits).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import structlog

from reconciler import __version__
from reconciler.errors import AwsError, PermanentError, ReconcilerError
from reconciler.gateway import Gateway
from reconciler.notify.events import Event

log = structlog.get_logger("reconciler.notify")

# Seconds one HTTP attempt may take (connect and answer) before it counts as failed.
HTTP_TIMEOUT = 5.0
SLACK_HOSTS = ("hooks.slack.com",)
# The Source of our EventBridge events (a custom source; EventBridge matches rules on it).
EVENT_SOURCE = "sagemaker-reconciler"
# PutEventsResultEntry.ErrorCode values worth another attempt: the EventBridge API
# reference lists InternalFailure and ThrottlingException as the retryable ones.
EVENTBRIDGE_RETRYABLE = ("InternalFailure", "ThrottlingException")
# Slack's webhook error strings are short snake_case words (invalid_payload,
# no_service, ...): such a body is logged; any other body is not (it could echo anything).
_ERROR_WORD = re.compile(r"^[a-z_]{1,64}$")


class SinkError(PermanentError):
    """A ``--notify`` value that cannot be used (the message never holds its URL)."""


class DeliveryError(Exception):
    """One attempt failed. reason: words for the log (never the URL); retryable: a later
    attempt may succeed; retry_after: seconds the receiver asked us to wait, if it did."""

    def __init__(self, reason: str, *, retryable: bool, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


class Sink(Protocol):
    """kind: the metric label (slack, webhook, eventbridge); shown: what logs may say."""

    kind: str
    shown: str

    def start(self) -> None:
        """Once, on the sink's own delivery thread, before its first delivery: a check of
        where events go that only logs what it finds (it must hold up nothing else)."""
        ...

    def deliver(self, event: Event) -> None:
        """One attempt; raises DeliveryError."""
        ...


def redact(url: str) -> str:
    """What may be shown of `url`: ``https://hooks.slack.com/…`` (no user, path or query)."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<unparseable URL>"
    return f"{parts.scheme or '?'}://{host}{port}/…"


@dataclass(frozen=True)
class SinkSpec:
    """A parsed ``--notify`` value: kind (slack, webhook, eventbridge) and where (a URL,
    or a bus name/ARN; "" for the default bus)."""

    kind: str
    where: str

    @property
    def shown(self) -> str:
        if self.kind == "eventbridge":
            return f"eventbridge:{self.where or 'default'}"
        return f"{self.kind}:{redact(self.where)}"

    def build(self, aws: Gateway | None) -> Sink:
        if self.kind == "eventbridge":
            if aws is None:
                raise SinkError("an eventbridge sink needs AWS access")
            return EventBridgeSink(aws, self.where)
        if self.kind == "slack":
            return SlackSink(self.where)
        return WebhookSink(self.where)


def build_sinks(specs: Sequence[SinkSpec], aws: Gateway | None) -> list[Sink]:
    """The sinks of `specs`, no call made: each checks where its events go as it starts
    (:meth:`Sink.start`, on its own delivery thread), so that a slow or failing check
    holds up neither apply nor the controller's start (its health server)."""
    return [spec.build(aws) for spec in specs]


def _say(level: str, event: str, **fields: object) -> None:
    with contextlib.suppress(Exception):  # a log stream closed under us
        getattr(log, level)(event, **fields)


def _check_url(url: str, where: str) -> str:
    try:
        parts = urllib.parse.urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        valid = False
    if not valid:
        raise SinkError(f"{where}: {redact(url)} is not an http(s) URL with a host")
    return url


def parse(values: list[str], *, source: str = "--notify") -> list[SinkSpec]:
    """The sinks `values` name (each ``TYPE:WHERE`` or a bare http(s) URL). Raises
    SinkError naming the value by position, never by its text."""
    specs = []
    for number, value in enumerate(values, start=1):
        where = f"{source} value {number}"
        text = value.strip()
        kind, _, rest = text.partition(":")
        if kind in ("slack", "webhook"):
            specs.append(SinkSpec(kind, _check_url(rest, where)))
        elif kind == "eventbridge":
            specs.append(SinkSpec("eventbridge", rest))
        elif kind in ("http", "https"):
            host = urllib.parse.urlsplit(text).hostname if "//" in text else None
            slack = host in SLACK_HOSTS
            specs.append(SinkSpec("slack" if slack else "webhook", _check_url(text, where)))
        else:
            raise SinkError(
                f"{where}: expected slack:URL, webhook:URL, eventbridge[:BUS] or an http(s) URL"
            )
    return specs


def from_options(values: list[str] | None, environment: str | None) -> list[SinkSpec]:
    """``--notify`` values when given, else ``RECONCILER_NOTIFY`` (whitespace-separated)."""
    if values:
        return parse(values)
    return parse((environment or "").split(), source="RECONCILER_NOTIFY")


# -- the sinks ------------------------------------------------------------------------
class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not followed: urllib would repeat a POST as a bodiless GET
    (to wherever it points), which a receiver might answer 200 without having got
    anything."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


# Proxies from the environment (HTTPS_PROXY, NO_PROXY) as urllib's default opener has them.
_OPENER = urllib.request.build_opener(_NoRedirects)


def post_json(url: str, document: object, *, timeout: float = HTTP_TIMEOUT) -> None:
    """POST `document` as JSON; 2xx is success. Errors say what happened, not where."""
    body = json.dumps(document).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": f"sagemaker-reconciler/{__version__}",
        },
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read(4096)
    except urllib.error.HTTPError as err:
        status = err.code
        answer = err.read(200).decode(errors="replace").strip() if err.fp else ""
        said = f" {answer}" if _ERROR_WORD.match(answer) else ""
        retry_after = _seconds(err.headers.get("Retry-After") if err.headers else None)
        raise DeliveryError(
            f"HTTP {status}{said}",
            retryable=status >= 500 or status in (408, 429),  # not a 3xx: see _NoRedirects
            retry_after=retry_after,
        ) from None
    except urllib.error.URLError as err:
        raise DeliveryError(_os_reason(err.reason), retryable=True) from None
    except (TimeoutError, http.client.HTTPException, OSError) as err:
        # Never str(err): some of these quote the URL.
        raise DeliveryError(_os_reason(err), retryable=True) from None


def _os_reason(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, OSError) and reason.strerror:
        return f"{type(reason).__name__}: {reason.strerror}"
    return type(reason).__name__


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: ignored, our own backoff applies


class SlackSink:
    kind = "slack"

    def __init__(self, url: str) -> None:
        self._url = url
        self.shown = f"slack:{redact(url)}"

    def payload(self, event: Event) -> dict[str, str]:
        # Slack reads &, < and > as control characters: "you should replace the character
        # with its corresponding HTML entity" (Slack, "Formatting text for app surfaces",
        # Escaping text; api.slack.com/reference/surfaces/formatting#escaping).
        text = event.text().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return {"text": text}

    def start(self) -> None:
        return None  # a webhook cannot be checked without posting to it

    def deliver(self, event: Event) -> None:
        post_json(self._url, self.payload(event))

    def __repr__(self) -> str:
        return f"SlackSink({self.shown})"


class WebhookSink:
    kind = "webhook"

    def __init__(self, url: str) -> None:
        self._url = url
        self.shown = f"webhook:{redact(url)}"

    def start(self) -> None:
        return None  # a webhook cannot be checked without posting to it

    def deliver(self, event: Event) -> None:
        post_json(self._url, event.to_json())

    def __repr__(self) -> str:
        return f"WebhookSink({self.shown})"


class EventBridgeSink:
    """One ``PutEvents`` entry per event: Source ``sagemaker-reconciler``, DetailType
    ``sagemaker-reconciler <kind>``, Detail the event document (EventBridge API reference,
    PutEventsRequestEntry: Source, DetailType and Detail are required; Detail is a JSON
    object as a string; Time RFC 3339; EventBusName a name or ARN, the default bus when
    absent). PutEvents can succeed as a call and fail an entry: FailedEntryCount and the
    entry's ErrorCode say so ("Sending events with PutEvents", EventBridge user guide)."""

    kind = "eventbridge"

    def __init__(self, aws: Gateway, bus: str = "") -> None:
        self.aws = aws
        self.bus = bus
        self.shown = f"eventbridge:{bus or 'default'}"

    def entry(self, event: Event) -> dict[str, object]:
        entry: dict[str, object] = {
            "Source": EVENT_SOURCE,
            "DetailType": f"{EVENT_SOURCE} {event.kind}",
            "Detail": json.dumps(event.to_json()),
            "Time": datetime.fromisoformat(event.time.replace("Z", "+00:00")),
        }
        if self.bus:
            entry["EventBusName"] = self.bus
        return entry

    def start(self) -> None:
        """Look the bus up (:meth:`missing_bus`) and warn when it does not exist
        (``notification_sink_unusable``); a lookup that fails is logged
        (``notification_sink_unchecked``) and delivery goes on as configured."""
        try:
            why = self.missing_bus()
        except ReconcilerError as err:
            # Say, events:DescribeEventBus not granted, or credentials for another account
            # than the target's (the gateway's WrongAccount): PutEvents will tell.
            _say("warning", "notification_sink_unchecked", sink=self.shown, reason=str(err))
            return
        if why is not None:
            _say("warning", "notification_sink_unusable", sink=self.shown, reason=why)

    def missing_bus(self) -> str | None:
        """Why events sent here would go nowhere, if they would: the named bus does not
        exist. PutEvents does not say so — it accepts an entry for a bus that does not
        exist (aws/aws-cli issue #9186; reconciler/emulator/events.py has the sources) —
        so the bus is looked up once, as the sink starts. None when it exists or when it
        is the default bus (every account has it). Raises ReconcilerError when the lookup
        fails otherwise (an AwsError, or the gateway's own errors)."""
        if not self.bus:
            return None
        try:
            self.aws.call("events", "DescribeEventBus", Name=self.bus)
        except AwsError as err:
            if not err.not_found:
                raise
            return (
                f"event bus {self.bus} does not exist: EventBridge accepts events for it "
                "and delivers them nowhere"
            )
        return None

    def deliver(self, event: Event) -> None:
        try:
            answer = self.aws.call("events", "PutEvents", Entries=[self.entry(event)])
        except AwsError as err:
            raise DeliveryError(f"PutEvents: {err}", retryable=err.temporary) from None
        if answer.get("FailedEntryCount"):
            (result,) = answer.get("Entries") or [{}]
            code = str(result.get("ErrorCode", ""))
            raise DeliveryError(
                f"PutEvents entry failed: {code}: {result.get('ErrorMessage', '')}",
                retryable=code in EVENTBRIDGE_RETRYABLE,
            )
