"""SageMaker ``Search`` over the resources the emulator keeps: endpoints and models.

moto answers Search from its own backend, which does not hold our resources; of the
resource types botocore's ``ResourceType`` enum lists for Search, the emulator keeps
``Endpoint`` and ``Model`` (endpoint configs and inference components are not searchable
on AWS either). Every other type goes to moto unchanged.

A record is what Describe answers plus the resource's ``Tags`` (the ``Endpoint`` and
``ModelDashboardModel.Model`` shapes of botocore's ``SearchRecord``). Supported, after the
API reference (Search, SearchExpression, Filter):

- ``Filters`` on a record's top-level fields (``EndpointName``, ``EndpointStatus``,
  ``CreationTime``, ...) and on tags as ``Tags.<key>``; for models the name may carry the
  ``Model.`` prefix (``Model.ModelName``) — unverified which spelling AWS expects, so both
  are accepted;
- every operator of the ``Operator`` enum: Equals (the default when only a Value is
  given), NotEquals, Contains and In on text, GreaterThan[OrEqualTo]/LessThan[OrEqualTo]
  on numbers and timestamps (ISO 8601), Exists and NotExists;
- ``SubExpressions`` and the expression's ``Operator`` (And, the default, or Or);
- ``SortBy`` a top-level field (default ``LastModifiedTime``; models have none, so their
  ``CreationTime``), ``SortOrder`` (default Descending), ``MaxResults``/``NextToken``.

Not supported, answered with a ValidationException that says so: ``NestedFilters``,
filters on fields inside lists or structures other than tags. ``Model`` records carry no
``Endpoints``, ``MonitoringSchedules`` or ``ModelCard``; ``CrossAccountFilterOption`` and
``VisibilityConditions`` are ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from reconciler.emulator.errors import AwsError, validation
from reconciler.emulator.sagemaker import OPERATIONS, Context, NotHandled, operation
from reconciler.emulator.sagemaker.listing import page

JsonDict = dict[str, Any]

_MISSING = object()


def _tags(ctx: Context, arn: str) -> list[JsonDict]:
    return [{"Key": k, "Value": v} for k, v in ctx.state.tags.get(arn, {}).items()]


def _described(ctx: Context, operation_name: str, request: JsonDict) -> JsonDict | None:
    """The Describe answer for one resource (a poll, like any read), or None when it is
    gone (a Deleting endpoint that finished while we read it)."""
    try:
        return OPERATIONS[operation_name](ctx, request) or {}
    except AwsError:
        return None


def _endpoint_records(ctx: Context) -> list[JsonDict]:
    records = []
    for endpoint in ctx.state.endpoints:
        found = _described(ctx, "DescribeEndpoint", {"EndpointName": endpoint.name})
        if found is not None:
            records.append({**found, "Tags": _tags(ctx, found["EndpointArn"])})
    return records


def _model_records(ctx: Context) -> list[JsonDict]:
    records = []
    for model in ctx.state.models:
        found = _described(ctx, "DescribeModel", {"ModelName": model.name})
        if found is not None:
            records.append({**found, "Tags": _tags(ctx, found["ModelArn"])})
    return records


# Resource → (records, the SearchRecord built from one, the record's own property prefix,
# the default sort field). A model's record sits in ModelDashboardModel.Model.
_RESOURCES: dict[
    str, tuple[Callable[[Context], list[JsonDict]], Callable[[JsonDict], JsonDict], str, str]
] = {
    "Endpoint": (_endpoint_records, lambda r: {"Endpoint": r}, "Endpoint.", "LastModifiedTime"),
    "Model": (_model_records, lambda r: {"Model": {"Model": r}}, "Model.", "CreationTime"),
}


def _property(record: JsonDict, name: str, prefix: str) -> Any:
    """The value of property `name` on `record`, or _MISSING."""
    name = name.removeprefix(prefix)
    if name.startswith("Tags."):
        key = name.removeprefix("Tags.")
        return next((t["Value"] for t in record.get("Tags", []) if t["Key"] == key), _MISSING)
    if "." in name:
        raise validation(
            f"Search filter on '{name}': this emulator supports top-level properties and "
            "Tags.<key> only"
        )
    value = record.get(name)
    return _MISSING if value is None else value


def _comparable(actual: Any, wanted: str) -> tuple[Any, Any]:
    """Both sides as the same type: timestamps and numbers compare as such (the Filter
    Value documentation: ISO 8601 for timestamps, a decimal for numbers)."""
    if isinstance(actual, dt.datetime):
        try:
            parsed = dt.datetime.fromisoformat(wanted.replace("Z", "+00:00"))
        except ValueError as err:
            raise validation(f"Search value {wanted!r} is not an ISO 8601 timestamp") from err
        return actual, parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    if isinstance(actual, bool):
        return str(actual).lower(), wanted.lower()
    if isinstance(actual, int | float):
        try:
            return actual, float(wanted)
        except ValueError as err:
            raise validation(f"Search value {wanted!r} is not a number") from err
    return str(actual), wanted


def _filter_matches(record: JsonDict, search_filter: JsonDict, prefix: str) -> bool:
    actual = _property(record, search_filter["Name"], prefix)
    operator = search_filter.get("Operator") or "Equals"
    if operator == "Exists":
        return actual is not _MISSING
    if operator == "NotExists":
        return actual is _MISSING
    if "Value" not in search_filter:
        raise validation(f"Search filter on '{search_filter['Name']}' needs a Value")
    wanted = str(search_filter["Value"])
    if actual is _MISSING:
        return operator == "NotEquals"
    if operator == "In":
        return str(actual) in [v.strip() for v in wanted.split(",")]
    if operator == "Contains":
        return wanted in str(actual)
    left, right = _comparable(actual, wanted)
    if operator == "Equals":
        return bool(left == right)
    if operator == "NotEquals":
        return bool(left != right)
    if isinstance(left, str):
        raise validation(f"Operator {operator} is not supported for text properties")
    comparisons: dict[str, Callable[[Any, Any], bool]] = {
        "GreaterThan": lambda a, b: a > b,
        "GreaterThanOrEqualTo": lambda a, b: a >= b,
        "LessThan": lambda a, b: a < b,
        "LessThanOrEqualTo": lambda a, b: a <= b,
    }
    return comparisons[operator](left, right)


def _expression_matches(record: JsonDict, expression: JsonDict, prefix: str) -> bool:
    if expression.get("NestedFilters"):
        raise validation("Search NestedFilters are not supported by this emulator")
    results = [_filter_matches(record, f, prefix) for f in expression.get("Filters") or []]
    results += [
        _expression_matches(record, sub, prefix) for sub in expression.get("SubExpressions") or []
    ]
    if not results:
        return True
    return any(results) if expression.get("Operator") == "Or" else all(results)


@operation("Search")
def search(ctx: Context, request: JsonDict) -> JsonDict:
    resource = request["Resource"]
    if resource not in _RESOURCES:
        raise NotHandled  # training jobs, experiments, ...: moto's
    records_of, search_record, prefix, default_sort = _RESOURCES[resource]
    expression = request.get("SearchExpression") or {}
    records = [r for r in records_of(ctx) if _expression_matches(r, expression, prefix)]
    sort_by = request.get("SortBy") or default_sort
    descending = (request.get("SortOrder") or "Descending") == "Descending"
    present = [r for r in records if _property(r, sort_by, prefix) is not _MISSING]
    absent = [r for r in records if _property(r, sort_by, prefix) is _MISSING]
    present.sort(key=lambda r: _property(r, sort_by, prefix), reverse=descending)
    chunk, next_token = page(present + absent, request)
    response: JsonDict = {
        "Results": [search_record(record) for record in chunk],
        "TotalHits": {"Value": len(records), "Relation": "EqualTo"},
    }
    if next_token:
        response["NextToken"] = next_token
    return response
