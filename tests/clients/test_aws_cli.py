"""The AWS CLI (v1) against the emulator: hosting created the way AWS's docs show it
(create-model, create-endpoint-config, create-endpoint, wait, create-inference-component),
then adopted and managed by the reconciler; and the protocol details the CLI exposes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.clients.conftest import Clients
from tests.clients.flow import adopt_then_manage, export_and_adopt

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecution"
IMAGE = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
    "huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04"
)
ARN = "arn:aws:sagemaker:us-east-1:123456789012"


def create_ic_hosting(clients: Clients, *, upto: str = "inference-component") -> None:
    """The developer guide's inference-component walkthrough, with the CLI (stopping after
    `upto`: "model", "endpoint-config", "endpoint" or "inference-component")."""
    clients.aws(
        "sagemaker",
        "create-model",
        "--model-name",
        "llama-model",
        "--execution-role-arn",
        ROLE,
        "--primary-container",
        json.dumps({"Image": IMAGE, "Environment": {"HF_MODEL_ID": "meta-llama/Llama-3.1-8B"}}),
    )
    if upto == "model":
        return
    clients.aws(
        "sagemaker",
        "create-endpoint-config",
        "--endpoint-config-name",
        "llama-config",
        "--execution-role-arn",
        ROLE,
        "--production-variants",
        "VariantName=AllTraffic,InstanceType=ml.g5.12xlarge,InitialInstanceCount=1",
    )
    if upto == "endpoint-config":
        return
    clients.aws(
        "sagemaker",
        "create-endpoint",
        "--endpoint-name",
        "llama",
        "--endpoint-config-name",
        "llama-config",
    )
    clients.aws("sagemaker", "wait", "endpoint-in-service", "--endpoint-name", "llama")
    if upto == "endpoint":
        return
    clients.aws(
        "sagemaker",
        "create-inference-component",
        "--inference-component-name",
        "llama-chat",
        "--endpoint-name",
        "llama",
        "--variant-name",
        "AllTraffic",
        "--specification",
        json.dumps(
            {
                "ModelName": "llama-model",
                "ComputeResourceRequirements": {
                    "NumberOfAcceleratorDevicesRequired": 1,
                    "MinMemoryRequiredInMb": 8192,
                },
            }
        ),
        "--runtime-config",
        "CopyCount=1",
    )


def test_cli_hosting_is_adopted_then_managed(clients: Clients, tmp_path: Path) -> None:
    create_ic_hosting(clients)
    out = tmp_path / "exported"
    export_and_adopt(
        clients,
        out,
        {
            ("Model", "llama-model"),
            ("EndpointConfig", "llama-config"),
            ("Endpoint", "llama"),
            ("InferenceComponent", "llama-chat"),
        },
    )
    adopt_then_manage(clients, out, "llama-chat")
    described = clients.aws(
        "sagemaker", "describe-inference-component", "--inference-component-name", "llama-chat"
    ).json()
    assert described["RuntimeConfig"]["CurrentCopyCount"] == 2


def _list_status(clients: Clients) -> str:
    listed = clients.aws("sagemaker", "list-inference-components").json()
    return str(listed["InferenceComponents"][0]["InferenceComponentStatus"])


def test_cli_polling_with_list_sees_an_update_settle(clients: Clients) -> None:
    """A resource polled only through List settles (describes:N counts List polls)."""
    create_ic_hosting(clients)
    statuses = [_list_status(clients)]  # one poll ends the create (describes:1)
    clients.control.set_transitions("describes:2")
    clients.aws(
        "sagemaker",
        "update-inference-component-runtime-config",
        "--inference-component-name",
        "llama-chat",
        "--desired-runtime-config",
        "CopyCount=2",
    )
    statuses += [_list_status(clients) for _ in range(2)]
    assert statuses == ["InService", "Updating", "InService"]


def test_cli_tagging_api_on_sagemaker_resources(clients: Clients) -> None:
    create_ic_hosting(clients, upto="endpoint")
    model = f"{ARN}:model/llama-model"
    tagged = clients.aws(
        "resourcegroupstaggingapi",
        "tag-resources",
        "--resource-arn-list",
        model,
        f"{ARN}:endpoint/llama",
        "--tags",
        "cost-center=42",
    ).json()
    assert tagged["FailedResourcesMap"] == {}

    everything = clients.aws("resourcegroupstaggingapi", "get-resources").json()
    by_arn = {m["ResourceARN"]: m["Tags"] for m in everything["ResourceTagMappingList"]}
    assert by_arn == {
        model: [{"Key": "cost-center", "Value": "42"}],
        f"{ARN}:endpoint/llama": [{"Key": "cost-center", "Value": "42"}],
    }
    one = clients.aws(
        "resourcegroupstaggingapi", "get-resources", "--resource-arn-list", model
    ).json()
    assert [m["ResourceARN"] for m in one["ResourceTagMappingList"]] == [model]

    clients.aws(
        "resourcegroupstaggingapi",
        "untag-resources",
        "--resource-arn-list",
        model,
        "--tag-keys",
        "cost-center",
    )
    listed = clients.aws("sagemaker", "list-tags", "--resource-arn", model).json()
    assert listed["Tags"] == []


def test_cli_sees_an_injected_iam_fault_as_its_error_code(clients: Clients) -> None:
    """IAM answers in XML: the CLI must show the code, not a parse failure."""
    clients.control.add_fault("GetRole", "AccessDenied", status=403)
    done = clients.aws("iam", "get-role", "--role-name", "SageMakerExecution", check=False)
    assert done.code != 0
    assert "An error occurred (AccessDenied) when calling the GetRole operation" in done.err


def test_cli_search_finds_endpoints(clients: Clients) -> None:
    create_ic_hosting(clients, upto="endpoint")
    found = clients.aws(
        "sagemaker",
        "search",
        "--resource",
        "Endpoint",
        "--search-expression",
        json.dumps({"Filters": [{"Name": "EndpointName", "Operator": "Equals", "Value": "llama"}]}),
    ).json()
    assert [r["Endpoint"]["EndpointName"] for r in found["Results"]] == ["llama"]
