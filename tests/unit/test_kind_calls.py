"""Each kind's AWS calls, through a fake of the project's gateway (no boto3, no emulator):
the requests a create, an update, a delete and the status details send, and what "not
found", "already exists" and other answers mean to each of them."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.apimodel import service_model
from reconciler.errors import AwsError
from reconciler.kinds import APIS, KINDS
from reconciler.kinds.api import UpdateCall
from reconciler.resources import Kind
from tests.support.gateway import FakeGateway, aws_error, not_found

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecution"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1"


def test_every_kind_calls_operations_its_service_has() -> None:
    for kind, info in KINDS.items():
        model = service_model(info.service)
        for operation in (
            info.create_operation,
            info.list_operation,
            info.describe_operation,
            info.delete_operation,
        ):
            assert operation in model.operation_names, (kind, operation)
        assert APIS[kind].info is info


def test_a_create_sends_the_spec_the_name_and_sorted_tags() -> None:
    aws = FakeGateway({"CreateModel": {"ModelArn": "arn"}})
    APIS[Kind.MODEL].create(
        aws,
        "m-1a2b3c4d",
        {"ExecutionRoleArn": ROLE, "PrimaryContainer": {"Image": IMAGE}},
        {"team": "ml", "app": "chat"},
    )
    assert aws.calls == [
        (
            "sagemaker",
            "CreateModel",
            {
                "ExecutionRoleArn": ROLE,
                "PrimaryContainer": {"Image": IMAGE},
                "ModelName": "m-1a2b3c4d",
                "Tags": [{"Key": "app", "Value": "chat"}, {"Key": "team", "Value": "ml"}],
            },
        )
    ]


def test_a_create_that_finds_the_resource_there_already_succeeds() -> None:
    exists = aws_error("CreateEndpointConfig", "ResourceInUse", "exists", already_exists=True)
    aws = FakeGateway({"CreateEndpointConfig": exists})
    APIS[Kind.ENDPOINT_CONFIG].create(aws, "c-1", {"ProductionVariants": []}, {})
    assert aws.operations() == ["CreateEndpointConfig"]


def test_any_other_create_error_is_raised_as_aws_said_it() -> None:
    denied = aws_error("CreateEndpoint", "AccessDeniedException", "no")
    aws = FakeGateway({"CreateEndpoint": denied})
    with pytest.raises(AwsError, match="AccessDeniedException: no"):
        APIS[Kind.ENDPOINT].create(aws, "e", {"EndpointConfigName": "c"}, {})


SAGEMAKER_KINDS = [k for k, info in KINDS.items() if info.service == "sagemaker"]


@pytest.mark.parametrize("kind", SAGEMAKER_KINDS)
def test_describe_answers_none_for_a_missing_resource(kind: Kind) -> None:
    info = KINDS[kind]
    aws = FakeGateway({info.describe_operation: not_found(info.describe_operation)})
    assert APIS[kind].describe(aws, "gone") is None
    assert aws.requests(info.describe_operation) == [{info.name_field: "gone"}]


@pytest.mark.parametrize("kind", SAGEMAKER_KINDS)
def test_deleting_what_is_gone_already_succeeds(kind: Kind) -> None:
    info = KINDS[kind]
    aws = FakeGateway({info.delete_operation: not_found(info.delete_operation)})
    APIS[kind].delete(aws, "gone")
    assert aws.operations() == [info.delete_operation]


def test_listing_reads_every_page_100_at_a_time() -> None:
    pages = [
        {"Endpoints": [{"EndpointName": "a"}, {"EndpointName": "b"}]},
        {"Endpoints": [{"EndpointName": "c"}]},
    ]
    aws = FakeGateway({"ListEndpoints": pages})
    items = APIS[Kind.ENDPOINT].list_items(aws)
    assert [i["EndpointName"] for i in items] == ["a", "b", "c"]
    assert aws.requests("ListEndpoints") == [{"PaginationConfig": {"PageSize": 100}}]


def test_tags_are_read_from_every_page() -> None:
    pages = [
        {"Tags": [{"Key": "a", "Value": "1"}]},
        {"Tags": [{"Key": "b", "Value": "2"}, {"Key": "c"}]},
    ]
    aws = FakeGateway({"ListTags": pages})
    assert APIS[Kind.MODEL].tags(aws, "arn:m") == {"a": "1", "b": "2", "c": ""}


def test_tag_changes_send_nothing_when_there_is_nothing_to_change() -> None:
    aws = FakeGateway()
    APIS[Kind.MODEL].add_tags(aws, "arn", {})
    APIS[Kind.MODEL].remove_tags(aws, "arn", [])
    assert aws.calls == []


def test_an_endpoint_update_sends_its_config_and_deployment_options() -> None:
    aws = FakeGateway({"UpdateEndpoint": {}})
    spec = {
        "EndpointConfigName": "c-2",
        "DeploymentConfig": {
            "RollingUpdatePolicy": {"MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 50}}
        },
        "RetainAllVariantProperties": True,
    }
    APIS[Kind.ENDPOINT].update(aws, "e", UpdateCall("UpdateEndpoint", spec))
    assert aws.requests("UpdateEndpoint") == [{"EndpointName": "e", **spec}]


def test_an_endpoint_update_rolled_back_by_sagemaker_says_why() -> None:
    api = APIS[Kind.ENDPOINT]
    described = {"EndpointConfigName": "c-1", "FailureReason": "health check failed"}
    assert api.rolled_back(described, {"EndpointConfigName": "c-2"}) == "health check failed"
    assert api.rolled_back({"EndpointConfigName": "c-2"}, {"EndpointConfigName": "c-2"}) is None


def _component(copies: int) -> dict[str, Any]:
    return {
        "EndpointName": "e",
        "VariantName": "AllTraffic",
        "Specification": {
            "ModelName": "m",
            "ComputeResourceRequirements": {"MinMemoryRequiredInMb": 1024},
        },
        "RuntimeConfig": {"CopyCount": copies},
    }


def test_a_copy_count_change_is_only_the_runtime_config_call() -> None:
    aws = FakeGateway({"UpdateInferenceComponentRuntimeConfig": {}})
    call = UpdateCall("UpdateInferenceComponentRuntimeConfig", _component(3))
    APIS[Kind.INFERENCE_COMPONENT].update(aws, "ic", call)
    assert aws.calls == [
        (
            "sagemaker",
            "UpdateInferenceComponentRuntimeConfig",
            {"InferenceComponentName": "ic", "DesiredRuntimeConfig": {"CopyCount": 3}},
        )
    ]


def test_a_specification_update_keeps_a_copy_count_owned_by_autoscaling() -> None:
    aws = FakeGateway({"UpdateInferenceComponent": {}})
    spec = _component(1)
    call = UpdateCall("UpdateInferenceComponent", spec, ignore=("RuntimeConfig.CopyCount",))
    APIS[Kind.INFERENCE_COMPONENT].update(aws, "ic", call)
    (request,) = aws.requests("UpdateInferenceComponent")
    assert request == {"InferenceComponentName": "ic", "Specification": spec["Specification"]}
    # Without an owner elsewhere, the manifest's copy count goes with the update.
    aws = FakeGateway({"UpdateInferenceComponent": {}})
    APIS[Kind.INFERENCE_COMPONENT].update(aws, "ic", UpdateCall("UpdateInferenceComponent", spec))
    assert aws.requests("UpdateInferenceComponent")[0]["RuntimeConfig"] == {"CopyCount": 1}


ROLLING = {"MaximumBatchSize": {"Type": "COPY_COUNT", "Value": 1}, "WaitIntervalInSeconds": 0}
ROLLBACK = {"Alarms": [{"AlarmName": "errors"}]}


def test_an_endpoint_revert_is_deployed_as_its_update_was_without_rollback_alarms() -> None:
    aws = FakeGateway({"UpdateEndpoint": {}})
    spec = {
        "EndpointConfigName": "c-2",
        "DeploymentConfig": {"RollingUpdatePolicy": ROLLING, "AutoRollbackConfiguration": ROLLBACK},
    }
    call = UpdateCall(
        "UpdateEndpoint", spec, ignore=("ScaledVariants.AllTraffic.DesiredInstanceCount",)
    )
    reverted = APIS[Kind.ENDPOINT].revert(aws, "e", {"EndpointConfigName": "c-1"}, call)
    assert aws.requests("UpdateEndpoint") == [
        {
            "EndpointName": "e",
            "EndpointConfigName": "c-1",
            "DeploymentConfig": {"RollingUpdatePolicy": ROLLING},
            "RetainAllVariantProperties": True,
        }
    ]
    assert reverted is not None
    assert (reverted.operation, reverted.reverted_to) == ("UpdateEndpoint", "c-1")
    assert reverted.spec == {"EndpointConfigName": "c-1"}


def _reverted_request(spec: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    aws = FakeGateway({"UpdateEndpoint": {}})
    call = UpdateCall("UpdateEndpoint", {"EndpointConfigName": "c-2", **spec})
    APIS[Kind.ENDPOINT].revert(aws, "e", {"EndpointConfigName": "c-1", **before}, call)
    [request] = aws.requests("UpdateEndpoint")
    return {k: v for k, v in request.items() if k not in ("EndpointName", "EndpointConfigName")}


def test_a_revert_does_not_retain_a_deployment_config_whose_alarms_it_strips() -> None:
    # RetainDeploymentConfig reuses the last deployment config, the update's: its alarms
    # would come back. The revert sends false instead (the API's default) ...
    alarms_only = {"AutoRollbackConfiguration": ROLLBACK}
    request = _reverted_request(
        {"RetainDeploymentConfig": True, "DeploymentConfig": alarms_only}, {}
    )
    assert request == {"RetainDeploymentConfig": False}
    rolling = {"RollingUpdatePolicy": ROLLING, "AutoRollbackConfiguration": ROLLBACK}
    request = _reverted_request({"RetainDeploymentConfig": True, "DeploymentConfig": rolling}, {})
    assert request == {
        "DeploymentConfig": {"RollingUpdatePolicy": ROLLING},
        "RetainDeploymentConfig": False,
    }
    # ... also when the config retained is only the endpoint's LastDeploymentConfig.
    last = {"LastDeploymentConfig": rolling}
    request = _reverted_request({"RetainDeploymentConfig": True}, last)
    assert request == {
        "DeploymentConfig": {"RollingUpdatePolicy": ROLLING},
        "RetainDeploymentConfig": False,
    }


def test_a_revert_retains_a_deployment_config_without_alarms() -> None:
    last = {"LastDeploymentConfig": {"RollingUpdatePolicy": ROLLING}}
    assert _reverted_request({"RetainDeploymentConfig": True}, last) == {
        "RetainDeploymentConfig": True
    }
    assert (
        _reverted_request({}, {"LastDeploymentConfig": {"AutoRollbackConfiguration": ROLLBACK}})
        == {}
    )


def _described(model: str, copies: int) -> dict[str, Any]:
    """DescribeInferenceComponent's shape of `_component`."""
    component = _component(copies)
    component["Specification"]["ModelName"] = model
    component["RuntimeConfig"] = {"DesiredCopyCount": copies, "CurrentCopyCount": copies}
    return component


def test_a_copy_count_change_is_reverted_to_the_old_count_only() -> None:
    aws = FakeGateway({"UpdateInferenceComponentRuntimeConfig": {}})
    call = UpdateCall("UpdateInferenceComponentRuntimeConfig", _component(3))
    reverted = APIS[Kind.INFERENCE_COMPONENT].revert(aws, "ic", _described("m", 2), call)
    assert aws.calls == [
        (
            "sagemaker",
            "UpdateInferenceComponentRuntimeConfig",
            {"InferenceComponentName": "ic", "DesiredRuntimeConfig": {"CopyCount": 2}},
        )
    ]
    assert reverted is not None and reverted.spec == {"RuntimeConfig": {"CopyCount": 2}}
    assert (reverted.reverted_to, reverted.summary) == ("m", "2 copies")
    # A count owned by a scaler is never touched: nothing to undo, nothing sent.
    aws = FakeGateway()
    owned = UpdateCall(call.operation, call.spec, ignore=("RuntimeConfig.CopyCount",))
    assert APIS[Kind.INFERENCE_COMPONENT].revert(aws, "ic", _described("m", 2), owned) is None
    assert aws.calls == []


def test_a_specification_change_is_reverted_with_the_count_it_changed_too() -> None:
    api = APIS[Kind.INFERENCE_COMPONENT]
    spec = {**_component(3), "DeploymentConfig": {"RollingUpdatePolicy": ROLLING}}
    spec["Specification"]["ModelName"] = "m-2"
    aws = FakeGateway({"UpdateInferenceComponent": {}})
    reverted = api.revert(
        aws, "ic", _described("m-1", 2), UpdateCall("UpdateInferenceComponent", spec)
    )
    (request,) = aws.requests("UpdateInferenceComponent")
    assert request["Specification"]["ModelName"] == "m-1"
    assert request["RuntimeConfig"] == {"CopyCount": 2}
    assert request["DeploymentConfig"] == {"RollingUpdatePolicy": ROLLING}
    assert reverted is not None and reverted.reverted_to == "m-1"
    assert reverted.summary == "model m-1 and 2 copies"
    # A count a scaler owns is left as it is, whatever the manifest says.
    aws = FakeGateway({"UpdateInferenceComponent": {}})
    call = UpdateCall("UpdateInferenceComponent", spec, ignore=("RuntimeConfig.CopyCount",))
    reverted = api.revert(aws, "ic", _described("m-1", 2), call)
    (request,) = aws.requests("UpdateInferenceComponent")
    assert "RuntimeConfig" not in request and request["Specification"]["ModelName"] == "m-1"
    assert reverted is not None and reverted.summary == "model m-1"


def test_cluster_details_count_nodes_per_group_and_describe_the_ones_not_running() -> None:
    nodes = [
        {
            "ClusterNodeSummaries": [
                {
                    "InstanceGroupName": "workers",
                    "InstanceId": "i-1",
                    "InstanceStatus": {"Status": "Running"},
                },
                {
                    "InstanceGroupName": "workers",
                    "InstanceId": "i-2",
                    "InstanceStatus": {"Status": "Pending"},
                },
            ]
        },
        {
            "ClusterNodeSummaries": [
                {
                    "InstanceGroupName": "controller",
                    "InstanceId": "i-3",
                    "InstanceStatus": {"Status": "Running"},
                },
            ]
        },
    ]
    described = {
        "NodeDetails": {"InstanceStatus": {"Status": "Failure", "Message": "health check"}}
    }
    aws = FakeGateway({"ListClusterNodes": nodes, "DescribeClusterNode": described})
    declared = {"InstanceGroups": [{"InstanceGroupName": "workers", "InstanceCount": 3}]}
    api = APIS[Kind.CLUSTER]
    details = api.details(aws, "c", declared)
    assert details == {
        "groups": {
            "workers": {"wanted": 3, "total": 2, "running": 1},
            "controller": {"total": 1, "running": 1},
        },
        "not_running": [
            {
                "instance_group": "workers",
                "instance_id": "i-2",
                "status": "Failure",
                "message": "health check",
            }
        ],
    }
    assert aws.requests("DescribeClusterNode") == [{"ClusterName": "c", "NodeId": "i-2"}]
    assert api.details_health("Healthy", details) == "Degraded"


def test_cluster_details_of_a_cluster_that_is_gone_are_none() -> None:
    aws = FakeGateway({"ListClusterNodes": not_found("ListClusterNodes")})
    assert APIS[Kind.CLUSTER].details(aws, "c", None) is None
