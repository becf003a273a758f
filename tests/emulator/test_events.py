"""EventBridge PutEvents as the emulator answers it through the real boto3 client: an
entry for a bus that exists is moto's (delivered to the rules' targets); an entry for a bus
that does not exist is accepted and delivered nowhere, as AWS is reported to answer
(reconciler/emulator/events.py has the sources), where moto would refuse the whole call."""

from __future__ import annotations

import json
from typing import Any

import pytest

ACCOUNT = "123456789012"


@pytest.fixture
def events(emulator: Any) -> Any:
    return emulator.client("events")


@pytest.fixture
def queue(emulator: Any, events: Any) -> tuple[Any, str]:
    """An SQS queue every event from source "test" on the default bus reaches."""
    sqs = emulator.client("sqs")
    url = sqs.create_queue(QueueName="seen")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(Name="all", EventPattern=json.dumps({"source": ["test"]}))
    events.put_targets(Rule="all", Targets=[{"Id": "q", "Arn": arn}])
    return sqs, url


def _entry(**extra: Any) -> dict[str, Any]:
    return {"Source": "test", "DetailType": "t", "Detail": '{"n": 1}', **extra}


def _received(sqs: Any, url: str) -> list[Any]:
    answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return [json.loads(m["Body"])["detail"] for m in answer.get("Messages", [])]


def test_an_event_for_a_bus_that_exists_is_delivered(events: Any, queue: Any) -> None:
    answer = events.put_events(Entries=[_entry()])
    assert answer["FailedEntryCount"] == 0 and answer["Entries"][0]["EventId"]
    assert _received(*queue) == [{"n": 1}]


def test_an_event_for_a_bus_that_does_not_exist_is_accepted_and_goes_nowhere(
    events: Any, queue: Any
) -> None:
    answer = events.put_events(
        Entries=[
            _entry(EventBusName="no-such-bus", Detail='{"n": 2}'),
            _entry(
                EventBusName=f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/gone",
                Detail='{"n": 3}',
            ),
            _entry(Detail='{"n": 4}'),  # the default bus, in the same call
        ]
    )
    assert answer["FailedEntryCount"] == 0
    assert all(entry["EventId"] for entry in answer["Entries"])
    assert len({entry["EventId"] for entry in answer["Entries"]}) == 3
    assert _received(*queue) == [{"n": 4}]


def test_an_entry_for_a_missing_bus_is_still_checked_as_an_entry(events: Any) -> None:
    answer = events.put_events(
        Entries=[
            {"Source": "test", "DetailType": "t", "EventBusName": "no-such-bus"},
            _entry(EventBusName="no-such-bus", Detail="{not json"),
        ]
    )
    assert answer["FailedEntryCount"] == 2
    assert [e["ErrorCode"] for e in answer["Entries"]] == ["InvalidArgument", "MalformedDetail"]
