"""The observer through a fake of the project's gateway: what it lists, whose tags it reads
(in batches, falling back to one ListTags each), what it describes, and how a failure to
read the account is classed."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler import cli
from reconciler.kinds import KINDS
from reconciler.observe import ObserveError, Observer
from reconciler.resources import ADDRESS_TAG, OWNER_TAG, SPEC_HASH_TAG, Kind
from tests.support.gateway import FakeGateway, Untouchable, aws_error

ARN = "arn:aws:sagemaker:us-east-1:123456789012"


def _lists(**found: list[str]) -> dict[str, Any]:
    """Empty List answers for every kind, with `found` names for some (by noun)."""
    answers: dict[str, Any] = {}
    for info in KINDS.values():
        names = found.get(info.noun, [])
        items = [
            {
                info.name_field: n,
                info.arn_key: f"{ARN}:{info.arn_resource_type}/{n.lower()}",
                "CreationTime": "t",
            }
            for n in names
        ]
        answers[info.list_operation] = [{info.items_key: items}]
    return answers


def _observe(aws: FakeGateway, **kwargs: Any) -> Any:
    return Observer(aws, **kwargs).observe(
        list(KINDS),
        wanted={(Kind.ENDPOINT, "e"), (Kind.MODEL, "m-1")},
        owner="team",
        expected_hashes={(Kind.MODEL, "m-1"): "h1"},
    )


def test_ours_matching_by_hash_are_not_described_and_mutable_ones_are() -> None:
    ours = {OWNER_TAG: "team", ADDRESS_TAG: "Model/m", SPEC_HASH_TAG: "h1"}
    aws = FakeGateway(
        {
            **_lists(Model=["m-1"], Endpoint=["e"]),
            "ListTags": lambda request: {
                "Tags": [{"Key": k, "Value": v} for k, v in ours.items()]
                if "model/" in request["ResourceArn"]
                else []
            },
            "DescribeEndpoint": {"EndpointName": "e", "EndpointStatus": "InService"},
        }
    )
    state = _observe(aws)
    model, endpoint = state.get(Kind.MODEL, "M-1"), state.get(Kind.ENDPOINT, "e")
    assert model is not None and model.owner == "team" and model.description is None
    assert endpoint is not None and endpoint.status == "InService"
    assert "DescribeModel" not in aws.operations()
    assert aws.requests("DescribeEndpoint") == [{"EndpointName": "e"}]


def test_tags_are_read_in_batches_from_the_tagging_api() -> None:
    aws = FakeGateway(
        {
            **_lists(Endpoint=["e"]),
            "GetResources": [
                {
                    "ResourceTagMappingList": [
                        {
                            "ResourceARN": f"{ARN}:endpoint/e",
                            "Tags": [{"Key": OWNER_TAG, "Value": "team"}],
                        }
                    ]
                }
            ],
            "DescribeEndpoint": {"EndpointName": "e", "EndpointStatus": "InService"},
        }
    )
    state = _observe(aws, batched_tags=True)
    assert state.get(Kind.ENDPOINT, "e").owner == "team"  # type: ignore[union-attr]
    assert "ListTags" not in aws.operations()
    (request,) = aws.requests("GetResources")
    assert set(request["ResourceTypeFilters"]) == {
        info.tagging_type for info in KINDS.values() if info.batched_tags
    }
    assert aws.calls[-1][0] == "sagemaker"
    assert [s for s, op, _ in aws.calls if op == "GetResources"] == ["resourcegroupstaggingapi"]


def test_without_the_tagging_api_every_resource_gets_one_list_tags() -> None:
    aws = FakeGateway(
        {
            **_lists(Endpoint=["e"]),
            "GetResources": aws_error("GetResources", "AccessDeniedException", "no"),
            "ListTags": {"Tags": [{"Key": OWNER_TAG, "Value": "team"}]},
            "DescribeEndpoint": {"EndpointName": "e", "EndpointStatus": "InService"},
        }
    )
    state = _observe(aws, batched_tags=True)
    assert state.get(Kind.ENDPOINT, "e").owner == "team"  # type: ignore[union-attr]
    assert aws.requests("ListTags") == [{"ResourceArn": f"{ARN}:endpoint/e"}]


@pytest.mark.parametrize(
    ("code", "temporary"), [("ThrottlingException", True), ("AccessDeniedException", False)]
)
def test_an_account_that_cannot_be_read_is_one_classed_error(code: str, temporary: bool) -> None:
    answers = _lists()
    answers["ListEndpoints"] = aws_error("ListEndpoints", code, "m", temporary=temporary)
    with pytest.raises(ObserveError) as caught:
        _observe(FakeGateway(answers))
    assert caught.value.error.temporary is temporary
    assert str(caught.value) == f"ListEndpoints: {code}: m"


def test_a_resource_gone_between_list_and_describe_is_left_out() -> None:
    aws = FakeGateway(
        {
            **_lists(Endpoint=["e"]),
            "ListTags": {"Tags": []},
            "DescribeEndpoint": aws_error(
                "DescribeEndpoint", "ValidationException", "Could not find endpoint", not_found=True
            ),
        }
    )
    assert _observe(aws).get(Kind.ENDPOINT, "e") is None


def test_bad_manifests_never_reach_an_aws_client(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every client the commands make is one that fails the test if touched: refusing bad
    # input must happen before any AWS call, for plan and apply alike.
    monkeypatch.setattr("reconciler.aws.client", lambda settings, service: Untouchable())
    (tmp_path / "bad.yaml").write_text(
        "apiVersion: sagemaker-reconciler/v1\nkind: Endpoint\nmetadata:\n  name: e\n"
        "spec:\n  EndpointConfigName: c\n  Colour: blue\n"
    )
    for command in (["plan", str(tmp_path)], ["apply", str(tmp_path), "--auto-approve"]):
        assert cli.main(command) == 1
        err = capsys.readouterr().err
        assert "bad.yaml:7" in err and "Colour" in err, err


def test_a_list_that_answers_whole_resources_is_not_described_again() -> None:
    target = {
        "ServiceNamespace": "sagemaker",
        "ResourceId": "inference-component/chat",
        "ScalableDimension": "sagemaker:inference-component:DesiredCopyCount",
        "MinCapacity": 0,
        "MaxCapacity": 4,
        "ScalableTargetARN": "arn:aws:application-autoscaling:us-east-1:123456789012:"
        "scalable-target/0123456789abcdef0123456789abcdef0123",
    }
    answers = _lists()
    answers["DescribeScalableTargets"] = [{"ScalableTargets": [target]}]
    answers["ListTagsForResource"] = {"Tags": {OWNER_TAG: "team"}}
    aws = FakeGateway(answers)
    state = _observe(aws)
    (found,) = state.of_kind(Kind.SCALABLE_TARGET)
    assert found.owner == "team" and found.description == target
    assert aws.operations().count("DescribeScalableTargets") == 1  # the List, nothing more
