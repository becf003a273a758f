"""Tags on the resources the emulator owns: AddTags / ListTags / DeleteTags and the limits
AWS enforces."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.factories import (
    ARN_PREFIX,
    assert_error,
    create_cluster,
    create_ic_config,
    create_model,
    create_model_config,
)

TAGS = [{"Key": "team", "Value": "ml"}, {"Key": "env", "Value": "dev"}]


def _model(sm: Any, tags: list[dict[str, str]]) -> str:
    return str(create_model(sm, "llama-model", Tags=tags)["ModelArn"])


def _endpoint_config(sm: Any, tags: list[dict[str, str]]) -> str:
    return str(create_ic_config(sm, "shared-gpu-config", Tags=tags)["EndpointConfigArn"])


def _endpoint(sm: Any, tags: list[dict[str, str]]) -> str:
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    return str(
        sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config", Tags=tags)[
            "EndpointArn"
        ]
    )


def _cluster(sm: Any, tags: list[dict[str, str]]) -> str:
    return str(create_cluster(sm, Tags=tags)["ClusterArn"])


CREATORS: dict[str, Callable[[Any, list[dict[str, str]]], str]] = {
    "model": _model,
    "endpoint-config": _endpoint_config,
    "endpoint": _endpoint,
    "cluster": _cluster,
}


def _tag_map(sm: Any, arn: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}


@pytest.mark.parametrize("kind", list(CREATORS))
def test_tags_given_at_create_are_listed(sm: Any, kind: str) -> None:
    arn = CREATORS[kind](sm, TAGS)
    assert sm.list_tags(ResourceArn=arn)["Tags"] == TAGS


@pytest.mark.parametrize("kind", list(CREATORS))
def test_resource_created_without_tags_has_none(sm: Any, kind: str) -> None:
    arn = CREATORS[kind](sm, [])
    assert sm.list_tags(ResourceArn=arn)["Tags"] == []


def test_add_tags_overwrites_existing_keys(sm: Any) -> None:
    arn = _model(sm, TAGS)
    sm.add_tags(
        ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}, {"Key": "owner", "Value": "ana"}]
    )
    tags = sm.list_tags(ResourceArn=arn)["Tags"]
    keys = [t["Key"] for t in tags]
    assert sorted(keys) == ["env", "owner", "team"]  # no duplicate "env"
    assert _tag_map(sm, arn) == {"team": "ml", "env": "prod", "owner": "ana"}


def test_add_tags_answers_the_tags_it_added(sm: Any) -> None:
    arn = _model(sm, [])
    response = sm.add_tags(ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}])
    assert response["Tags"] == [{"Key": "env", "Value": "prod"}]


def test_delete_tags(sm: Any) -> None:
    arn = _model(sm, [*TAGS, {"Key": "owner", "Value": "ana"}])
    sm.delete_tags(ResourceArn=arn, TagKeys=["team", "owner", "not-there"])
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]


def test_describe_does_not_return_tags(sm: Any) -> None:
    _model(sm, TAGS)
    assert "Tags" not in sm.describe_model(ModelName="llama-model")


@pytest.mark.parametrize(
    "arn",
    [
        f"{ARN_PREFIX}:endpoint/never-created",
        f"{ARN_PREFIX}:model/never-created",
        f"{ARN_PREFIX}:inference-component/never-created",
    ],
)
def test_list_tags_of_unknown_resource_is_a_validation_error(sm: Any, arn: str) -> None:
    with pytest.raises(ClientError) as exc:
        sm.list_tags(ResourceArn=arn)
    assert_error(exc.value, "ValidationException", "Resource does not exist", status=400)


def test_list_tags_of_unknown_training_job_is_a_validation_error(sm: Any) -> None:
    with pytest.raises(ClientError) as exc:
        sm.list_tags(ResourceArn=f"{ARN_PREFIX}:training-job/never-created")
    assert_error(exc.value, "ValidationException", "Resource does not exist", status=400)


def test_tags_of_other_kinds_still_go_to_moto(sm: Any) -> None:
    arn = sm.create_notebook_instance(
        NotebookInstanceName="nb",
        InstanceType="ml.t2.medium",
        RoleArn="arn:aws:iam::123456789012:role/SageMakerExecution",
        Tags=TAGS,
    )["NotebookInstanceArn"]
    assert _tag_map(sm, arn) == {"team": "ml", "env": "dev"}


@pytest.mark.parametrize("key", ["aws:createdBy", "AWS:team", "Aws:cost-center"])
def test_aws_prefixed_keys_are_refused(sm: Any, key: str) -> None:
    arn = _model(sm, TAGS)
    with pytest.raises(ClientError) as exc:
        sm.add_tags(ResourceArn=arn, Tags=[{"Key": key, "Value": "x"}])
    assert_error(exc.value, "ValidationException")
    assert sm.list_tags(ResourceArn=arn)["Tags"] == TAGS


def test_aws_prefixed_key_at_create_refuses_the_create(sm: Any) -> None:
    with pytest.raises(ClientError) as exc:
        create_model(sm, "llama-model", Tags=[{"Key": "aws:team", "Value": "x"}])
    assert_error(exc.value, "ValidationException")
    assert sm.list_models()["Models"] == []


def _many(count: int, prefix: str = "k") -> list[dict[str, str]]:
    return [{"Key": f"{prefix}{i}", "Value": str(i)} for i in range(count)]


def test_fifty_tags_are_allowed(sm: Any) -> None:
    arn = _model(sm, _many(50))
    assert len(sm.list_tags(ResourceArn=arn)["Tags"]) == 50
    # Overwriting an existing key does not count as one more.
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "k0", "Value": "new"}])
    assert _tag_map(sm, arn)["k0"] == "new"


def test_more_than_fifty_tags_in_one_request_are_refused(sm: Any) -> None:
    arn = _model(sm, [])
    with pytest.raises(ClientError) as exc:
        sm.add_tags(ResourceArn=arn, Tags=_many(51))
    assert_error(exc.value, "ValidationException", status=400)
    assert sm.list_tags(ResourceArn=arn)["Tags"] == []


def test_more_than_fifty_tags_on_a_resource_are_refused(sm: Any) -> None:
    arn = _model(sm, _many(45))
    with pytest.raises(ClientError) as exc:
        sm.add_tags(ResourceArn=arn, Tags=_many(6, prefix="extra"))
    assert_error(exc.value, "ValidationException")
    assert len(sm.list_tags(ResourceArn=arn)["Tags"]) == 45


def test_more_than_fifty_tags_at_create_refuse_the_create(sm: Any) -> None:
    with pytest.raises(ClientError) as exc:
        create_model(sm, "llama-model", Tags=_many(51))
    assert_error(exc.value, "ValidationException")
    assert sm.list_models()["Models"] == []


@pytest.mark.parametrize("kind", ["model", "endpoint-config", "endpoint"])
def test_tags_disappear_with_the_resource(sm: Any, kind: str) -> None:
    arn = CREATORS[kind](sm, TAGS)
    delete = {
        "model": lambda: sm.delete_model(ModelName="llama-model"),
        "endpoint-config": lambda: sm.delete_endpoint_config(
            EndpointConfigName="shared-gpu-config"
        ),
        "endpoint": lambda: sm.delete_endpoint(EndpointName="llama"),
    }
    delete[kind]()
    with pytest.raises(ClientError) as exc:
        sm.list_tags(ResourceArn=arn)
    assert_error(exc.value, "ValidationException", "Resource does not exist")
    with pytest.raises(ClientError) as exc:
        sm.add_tags(ResourceArn=arn, Tags=TAGS)
    assert_error(exc.value, "ValidationException")


def test_recreated_resource_starts_without_the_old_tags(sm: Any) -> None:
    arn = _model(sm, TAGS)
    sm.delete_model(ModelName="llama-model")
    assert _model(sm, []) == arn
    assert sm.list_tags(ResourceArn=arn)["Tags"] == []


def test_cluster_tags_disappear_with_the_cluster(sm: Any) -> None:
    arn = _cluster(sm, TAGS)
    sm.delete_cluster(ClusterName="training-cluster")
    with pytest.raises(ClientError) as exc:
        sm.list_tags(ResourceArn=arn)
    assert_error(exc.value, "ValidationException")


# -- the Resource Groups Tagging API over every service ----------------------------------------


def _notebook(sm: Any, tags: list[dict[str, str]]) -> str:
    """A resource moto keeps (SageMaker notebook instances are not ours)."""
    return str(
        sm.create_notebook_instance(
            NotebookInstanceName="nb",
            InstanceType="ml.t2.medium",
            RoleArn="arn:aws:iam::123456789012:role/SageMakerExecution",
            Tags=tags,
        )["NotebookInstanceArn"]
    )


def _mappings(response: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {
        item["ResourceARN"]: {t["Key"]: t["Value"] for t in item["Tags"]}
        for item in response["ResourceTagMappingList"]
    }


def test_get_resources_without_a_type_filter_lists_ours_and_moto_resources(
    emulator: Any, sm: Any
) -> None:
    model = _model(sm, TAGS)
    notebook = _notebook(sm, [{"Key": "team", "Value": "nb"}])
    tagging = emulator.client("resourcegroupstaggingapi")

    found = _mappings(tagging.get_resources())

    assert found == {model: {"team": "ml", "env": "dev"}, notebook: {"team": "nb"}}
    # Tag filters apply across both.
    only_ml = _mappings(tagging.get_resources(TagFilters=[{"Key": "team", "Values": ["ml"]}]))
    assert only_ml == {model: {"team": "ml", "env": "dev"}}


def test_get_resources_by_arn_list(emulator: Any, sm: Any) -> None:
    model = _model(sm, TAGS)
    config = _endpoint_config(sm, [{"Key": "team", "Value": "cfg"}])
    notebook = _notebook(sm, [{"Key": "team", "Value": "nb"}])
    tagging = emulator.client("resourcegroupstaggingapi")

    found = _mappings(
        tagging.get_resources(
            ResourceARNList=[model, notebook, f"{ARN_PREFIX}:endpoint/never-created"]
        )
    )

    # The config is not asked for; an ARN that does not exist is left out, not an error.
    assert config not in found
    assert found == {model: {"team": "ml", "env": "dev"}, notebook: {"team": "nb"}}


def test_get_resources_refuses_arn_list_with_type_filters(emulator: Any, sm: Any) -> None:
    model = _model(sm, TAGS)
    tagging = emulator.client("resourcegroupstaggingapi")
    with pytest.raises(ClientError) as exc:
        tagging.get_resources(ResourceARNList=[model], ResourceTypeFilters=["sagemaker:model"])
    assert_error(exc.value, "InvalidParameterException", contains="ResourceTypeFilters", status=400)


def test_get_resources_pages_through_ours_and_moto_resources(emulator: Any, sm: Any) -> None:
    arns = {CREATORS[kind](sm, TAGS) for kind in ("model", "endpoint-config", "cluster")}
    arns.add(_notebook(sm, TAGS))
    tagging = emulator.client("resourcegroupstaggingapi")
    pages = list(tagging.get_paginator("get_resources").paginate(ResourcesPerPage=1))
    assert {a for p in pages for a in _mappings(p)} == arns
    assert all(len(p["ResourceTagMappingList"]) == 1 for p in pages[:-1])


def test_tag_resources_and_untag_resources_on_sagemaker_arns(emulator: Any, sm: Any) -> None:
    model = _model(sm, TAGS)
    config = _endpoint_config(sm, [])
    notebook = _notebook(sm, [])
    missing = f"{ARN_PREFIX}:endpoint/never-created"
    tagging = emulator.client("resourcegroupstaggingapi")

    tagged = tagging.tag_resources(
        ResourceARNList=[model, config, notebook, missing], Tags={"cost-center": "42"}
    )

    assert set(tagged["FailedResourcesMap"]) == {missing}
    assert _tag_map(sm, model) == {"team": "ml", "env": "dev", "cost-center": "42"}
    assert _tag_map(sm, config) == {"cost-center": "42"}
    assert _tag_map(sm, notebook) == {"cost-center": "42"}

    untagged = tagging.untag_resources(
        ResourceARNList=[model, notebook], TagKeys=["cost-center", "team"]
    )

    assert untagged["FailedResourcesMap"] == {}
    assert _tag_map(sm, model) == {"env": "dev"}
    assert _tag_map(sm, notebook) == {}
    assert _tag_map(sm, config) == {"cost-center": "42"}


def test_tag_resources_keeps_the_fifty_tag_limit(emulator: Any, sm: Any) -> None:
    model = _model(sm, _many(50))
    tagging = emulator.client("resourcegroupstaggingapi")
    answer = tagging.tag_resources(ResourceARNList=[model], Tags={"one-more": "x"})
    assert answer["FailedResourcesMap"][model]["ErrorCode"] == "InvalidParameterException"
    assert "one-more" not in _tag_map(sm, model)


def test_tag_keys_and_values_cover_ours_and_moto_resources(emulator: Any, sm: Any) -> None:
    _model(sm, TAGS)
    _notebook(sm, [{"Key": "team", "Value": "nb"}, {"Key": "notebook", "Value": "yes"}])
    tagging = emulator.client("resourcegroupstaggingapi")
    assert sorted(tagging.get_tag_keys()["TagKeys"]) == ["env", "notebook", "team"]
    assert sorted(tagging.get_tag_values(Key="team")["TagValues"]) == ["ml", "nb"]
