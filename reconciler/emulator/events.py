"""EventBridge ``PutEvents`` where AWS and moto part: an entry for a bus that does not exist.

moto refuses the whole call (ResourceNotFoundException "Event bus X does not exist."). AWS
accepts such an entry, gives it an EventId and delivers it nowhere: aws/aws-cli issue #9186
(January 2025, ``"FailedEntryCount": 0`` for a bus that does not exist), localstack PR #8264
("AWS allows publishing an Event to a nonexistent custom EventBus, it will just accept
it"). In aws/aws-sdk issue #186 an AWS maintainer wrote (October 2024) that this "has been
corrected", and a user answered that nothing had changed; the newer report above agrees
with the user. UNVERIFIED beyond these reports: the emulator follows them. ResourceNotFound
is not among PutEvents' documented per-entry ErrorCodes either (PutEventsResultEntry, API
reference).

Every other call goes to moto unchanged (:class:`NotHandled`), and so does every entry for
a bus that exists.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from reconciler.emulator.sagemaker import Context, NotHandled

JsonDict = dict[str, Any]
SERVICE = "events"


def _backend(ctx: Context) -> Any:
    from moto.events.models import events_backends

    return events_backends[ctx.state.account][ctx.state.region]


def _bus_missing(ctx: Context, backend: Any, named: object) -> bool:
    """A bus of this account and region that does not exist (a bus of another account or
    region, named by ARN, is moto's to judge: cross-account delivery)."""
    name = str(named or "default")
    if name.startswith("arn:"):
        parts = name.split(":", 5)
        if len(parts) < 6 or (parts[3], parts[4]) != (ctx.state.region, ctx.state.account):
            return False
        name = parts[5].removeprefix("event-bus/")
    return name not in backend.event_buses


def _entry_problem(entry: JsonDict) -> JsonDict | None:
    """The per-entry error moto (models.EventsBackend.put_events) gives an entry whose bus
    it would have looked up, so that a missing bus changes nothing else."""
    for field in ("Source", "DetailType", "Detail"):
        if not entry.get(field):
            return {
                "ErrorCode": "InvalidArgument",
                "ErrorMessage": f"Parameter {field} is not valid. Reason: {field} is a "
                "required argument.",
            }
    try:
        json.loads(str(entry["Detail"]))
    except ValueError:
        return {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    return None


def put_events(ctx: Context, request: JsonDict) -> JsonDict:
    entries: list[JsonDict] = list(request.get("Entries") or [])
    backend = _backend(ctx)
    missing = [_bus_missing(ctx, backend, e.get("EventBusName")) for e in entries]
    if not any(missing):
        raise NotHandled
    results: list[JsonDict] = []
    for entry, gone in zip(entries, missing, strict=True):
        if gone:
            results.append(_entry_problem(entry) or {"EventId": str(uuid.uuid4())})
        else:
            results.extend(backend.put_events([entry]))
    failed = sum(1 for result in results if "ErrorCode" in result)
    return {"FailedEntryCount": failed, "Entries": results}


HANDLERS = {(SERVICE, "PutEvents"): put_events}
