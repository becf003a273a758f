"""SageMaker Search over the endpoints and models the emulator keeps (moto's Search does
not see them); other resource types still go to moto."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.factories import assert_error, create_model, create_model_config


def _endpoint(sm: Any, name: str, *, tags: list[dict[str, str]] | None = None) -> None:
    create_model(sm, f"{name}-model")
    create_model_config(sm, f"{name}-config", f"{name}-model")
    sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config", Tags=tags or [])


def _names(response: dict[str, Any], key: str, field: str) -> list[str]:
    return [record[key][field] for record in response["Results"]]


def test_search_sees_our_endpoints(sm: Any) -> None:
    _endpoint(sm, "llama", tags=[{"Key": "team", "Value": "ml"}])
    _endpoint(sm, "mistral")

    found = sm.search(Resource="Endpoint")

    # Default order: LastModifiedTime, descending.
    assert _names(found, "Endpoint", "EndpointName") == ["mistral", "llama"]
    assert found["TotalHits"] == {"Value": 2, "Relation": "EqualTo"}
    llama = found["Results"][1]["Endpoint"]
    assert llama["EndpointStatus"] == "InService"
    assert llama["EndpointConfigName"] == "llama-config"
    assert llama["Tags"] == [{"Key": "team", "Value": "ml"}]


@pytest.mark.parametrize(
    ("search_filter", "expected"),
    [
        ({"Name": "EndpointName", "Operator": "Equals", "Value": "llama"}, ["llama"]),
        ({"Name": "EndpointName", "Value": "llama"}, ["llama"]),  # Equals by default
        ({"Name": "EndpointName", "Operator": "Contains", "Value": "tra"}, ["mistral"]),
        ({"Name": "EndpointName", "Operator": "NotEquals", "Value": "llama"}, ["mistral"]),
        ({"Name": "EndpointName", "Operator": "In", "Value": "llama,other"}, ["llama"]),
        ({"Name": "Tags.team", "Operator": "Equals", "Value": "ml"}, ["llama"]),
        ({"Name": "Tags.team", "Operator": "Exists"}, ["llama"]),
        ({"Name": "Tags.team", "Operator": "NotExists"}, ["mistral"]),
        (
            {"Name": "CreationTime", "Operator": "GreaterThan", "Value": "2000-01-01T00:00:00"},
            ["mistral", "llama"],
        ),
        (
            {"Name": "CreationTime", "Operator": "LessThan", "Value": "2000-01-01T00:00:00"},
            [],
        ),
    ],
)
def test_search_filters_endpoints(
    sm: Any, search_filter: dict[str, str], expected: list[str]
) -> None:
    _endpoint(sm, "llama", tags=[{"Key": "team", "Value": "ml"}])
    _endpoint(sm, "mistral")
    found = sm.search(Resource="Endpoint", SearchExpression={"Filters": [search_filter]})
    assert _names(found, "Endpoint", "EndpointName") == expected


def test_search_or_of_sub_expressions(sm: Any) -> None:
    for name in ("llama", "mistral", "qwen"):
        _endpoint(sm, name)
    found = sm.search(
        Resource="Endpoint",
        SearchExpression={
            "Operator": "Or",
            "SubExpressions": [
                {"Filters": [{"Name": "EndpointName", "Value": "llama"}]},
                {"Filters": [{"Name": "EndpointName", "Value": "qwen"}]},
            ],
        },
        SortBy="EndpointName",
        SortOrder="Ascending",
    )
    assert _names(found, "Endpoint", "EndpointName") == ["llama", "qwen"]


def test_search_pages(sm: Any) -> None:
    for name in ("a1", "a2", "a3"):
        _endpoint(sm, name)
    pages = list(
        sm.get_paginator("search").paginate(
            Resource="Endpoint", SortBy="EndpointName", SortOrder="Ascending", MaxResults=2
        )
    )
    assert [_names(p, "Endpoint", "EndpointName") for p in pages] == [["a1", "a2"], ["a3"]]


def test_search_sees_our_models(sm: Any) -> None:
    create_model(sm, "llama-model", Tags=[{"Key": "team", "Value": "ml"}])
    create_model(sm, "mistral-model")
    found = sm.search(
        Resource="Model",
        SearchExpression={"Filters": [{"Name": "Model.ModelName", "Value": "llama-model"}]},
    )
    models = [record["Model"]["Model"] for record in found["Results"]]
    assert [m["ModelName"] for m in models] == ["llama-model"]
    assert models[0]["Tags"] == [{"Key": "team", "Value": "ml"}]
    assert len(sm.search(Resource="Model")["Results"]) == 2


def test_search_polls_like_describe(emulator: Any, sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    emulator.control.set_transitions("describes:2")
    sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
    statuses = [
        sm.search(Resource="Endpoint")["Results"][0]["Endpoint"]["EndpointStatus"] for _ in range(2)
    ]
    assert statuses == ["Creating", "InService"]


def test_unsupported_nested_filters_are_refused_not_ignored(sm: Any) -> None:
    _endpoint(sm, "llama")
    with pytest.raises(ClientError) as exc:
        sm.search(
            Resource="Endpoint",
            SearchExpression={
                "NestedFilters": [
                    {
                        "NestedPropertyName": "ProductionVariants",
                        "Filters": [{"Name": "ProductionVariants.VariantName", "Value": "x"}],
                    }
                ]
            },
        )
    assert_error(exc.value, "ValidationException", contains="not supported")


def test_search_of_other_resource_types_still_goes_to_moto(sm: Any) -> None:
    _endpoint(sm, "llama")
    assert sm.search(Resource="TrainingJob")["Results"] == []
