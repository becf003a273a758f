"""CloudWatch alarms as the emulator answers them through the real boto3 client: the state
of a new and of a re-put alarm, Tags on a re-put, tagging, DeleteAlarms, and the
``/_emulator/alarm-state`` control."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from reconciler.emulator.control_client import ControlError
from tests.support.factories import assert_error

ALARM = {
    "AlarmName": "ic-step-scaling-alarm",
    "AlarmDescription": "Alarm when SM IC endpoint invoked that has 0 instances.",
    "ComparisonOperator": "GreaterThanThreshold",
    "DatapointsToAlarm": 1,
    "Dimensions": [{"Name": "InferenceComponentName", "Value": "llama-chat"}],
    "EvaluationPeriods": 1,
    "MetricName": "NoCapacityInvocationFailures",
    "Namespace": "AWS/SageMaker",
    "Period": 60,
    "Statistic": "Sum",
    "Threshold": 1.0,
}
ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ic-step-scaling-alarm"


@pytest.fixture
def cw(emulator: Any) -> Any:
    return emulator.client("cloudwatch")


def _alarm(cw: Any, name: str = "ic-step-scaling-alarm") -> dict[str, Any]:
    [alarm] = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"]
    return dict(alarm)


def test_a_new_alarm_has_insufficient_data(cw: Any) -> None:
    cw.put_metric_alarm(**ALARM)
    alarm = _alarm(cw)
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"
    assert alarm["AlarmArn"] == ARN
    assert alarm["ActionsEnabled"] is True
    assert alarm["AlarmActions"] == alarm["OKActions"] == alarm["InsufficientDataActions"] == []
    assert {k: alarm[k] for k in ALARM} == ALARM
    assert {"StateReason", "StateUpdatedTimestamp", "AlarmConfigurationUpdatedTimestamp"} <= set(
        alarm
    )


def test_a_re_put_overwrites_the_configuration_keeps_the_state_and_ignores_tags(
    emulator: Any, cw: Any
) -> None:
    cw.put_metric_alarm(**ALARM, Tags=[{"Key": "team", "Value": "ml"}])
    emulator.control.set_alarm_state("ic-step-scaling-alarm", "ALARM", "Threshold crossed")
    before = _alarm(cw)
    assert (before["StateValue"], before["StateReason"]) == ("ALARM", "Threshold crossed")

    changed = {k: v for k, v in ALARM.items() if k not in ("AlarmDescription", "DatapointsToAlarm")}
    cw.put_metric_alarm(**{**changed, "Threshold": 3.0}, Tags=[{"Key": "owner", "Value": "me"}])
    after = _alarm(cw)
    assert after["Threshold"] == 3.0
    # Completely overwritten: what the re-put left out is gone.
    assert "AlarmDescription" not in after and "DatapointsToAlarm" not in after
    assert (after["StateValue"], after["StateReason"]) == ("ALARM", "Threshold crossed")
    assert after["StateUpdatedTimestamp"] == before["StateUpdatedTimestamp"]
    assert cw.list_tags_for_resource(ResourceARN=ARN)["Tags"] == [{"Key": "team", "Value": "ml"}]


def test_tag_untag_list_and_delete(cw: Any) -> None:
    cw.put_metric_alarm(**ALARM)
    assert cw.list_tags_for_resource(ResourceARN=ARN)["Tags"] == []
    cw.tag_resource(ResourceARN=ARN, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    cw.tag_resource(ResourceARN=ARN, Tags=[{"Key": "a", "Value": "3"}])
    assert {t["Key"]: t["Value"] for t in cw.list_tags_for_resource(ResourceARN=ARN)["Tags"]} == {
        "a": "3",
        "b": "2",
    }
    cw.untag_resource(ResourceARN=ARN, TagKeys=["b"])
    assert cw.list_tags_for_resource(ResourceARN=ARN)["Tags"] == [{"Key": "a", "Value": "3"}]
    with pytest.raises(ClientError) as err:
        cw.tag_resource(ResourceARN=ARN + "-other", Tags=[{"Key": "a", "Value": "1"}])
    assert_error(err.value, "ResourceNotFoundException")

    # The known names are deleted even when others are unknown.
    cw.delete_alarms(AlarmNames=["ic-step-scaling-alarm", "never-made"])
    assert cw.describe_alarms()["MetricAlarms"] == []
    # Made again, it starts over: INSUFFICIENT_DATA.
    cw.put_metric_alarm(**ALARM)
    assert _alarm(cw)["StateValue"] == "INSUFFICIENT_DATA"


def test_alarm_state_control(emulator: Any, cw: Any) -> None:
    cw.put_metric_alarm(**ALARM)
    emulator.control.set_alarm_state("ic-step-scaling-alarm", "OK")
    assert _alarm(cw)["StateValue"] == "OK"
    assert [a["AlarmName"] for a in cw.describe_alarms(StateValue="OK")["MetricAlarms"]] == [
        "ic-step-scaling-alarm"
    ]
    with pytest.raises(ControlError, match="StateValue"):
        emulator.control.set_alarm_state("ic-step-scaling-alarm", "RED")
    with pytest.raises(ControlError, match="no alarm named"):
        emulator.control.set_alarm_state("never-made", "ALARM")
    assert _alarm(cw)["StateValue"] == "OK"
