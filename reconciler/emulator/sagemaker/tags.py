"""AddTags / ListTags / DeleteTags for the resources the emulator owns.

Tags live in ``RegionState.tags`` keyed by ARN; an ARN is present there exactly while its
resource exists, so a tag call on a deleted or never-created resource is refused the way
SageMaker refuses it. ARNs of other SageMaker resource types go to moto.
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator.errors import validation
from reconciler.emulator.sagemaker import Context, NotHandled, operation
from reconciler.emulator.sagemaker.listing import page

JsonDict = dict[str, Any]

MAX_TAGS = 50
OWNED_RESOURCE_TYPES = {"model", "endpoint-config", "endpoint", "inference-component", "cluster"}


def _resource_type(arn: str) -> str:
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sagemaker":
        raise validation(f"Invalid resource ARN {arn!r}")
    return parts[5].split("/", 1)[0]


def _merge(current: dict[str, str], tags: list[JsonDict]) -> dict[str, str]:
    """Tags after adding `tags` (AddTags overwrites a key's value), checked as AWS does."""
    merged = dict(current)
    for tag in tags:
        key = tag["Key"]
        if key.lower().startswith("aws:"):
            raise validation(
                f"Tag key '{key}' is not allowed: keys starting with 'aws:' are reserved for AWS use."
            )
        merged[key] = tag.get("Value", "")
    if len(merged) > MAX_TAGS:
        raise validation(
            f"Too many tags: a resource can have at most {MAX_TAGS} tags, this request would leave {len(merged)}."
        )
    return merged


def register(ctx: Context, arn: str, tags: list[JsonDict] | None) -> None:
    """Give a newly created resource its tags (validated before the resource is stored)."""
    ctx.state.tags[arn] = _merge({}, tags or [])


def check(tags: list[JsonDict] | None) -> None:
    """Refuse a create whose Tags AWS would refuse, before anything is stored."""
    _merge({}, tags or [])


def forget(ctx: Context, arn: str) -> None:
    ctx.state.tags.pop(arn, None)


def _tags_of(ctx: Context, arn: str) -> dict[str, str]:
    if _resource_type(arn) not in OWNED_RESOURCE_TYPES:
        raise NotHandled
    if arn not in ctx.state.tags:
        raise validation(f"Resource does not exist: {arn}")
    return ctx.state.tags[arn]


@operation("AddTags")
def add_tags(ctx: Context, request: JsonDict) -> JsonDict:
    arn = request["ResourceArn"]
    ctx.state.tags[arn] = _merge(_tags_of(ctx, arn), request["Tags"])
    return {"Tags": request["Tags"]}


@operation("ListTags")
def list_tags(ctx: Context, request: JsonDict) -> JsonDict:
    current = _tags_of(ctx, request["ResourceArn"])
    items = [{"Key": k, "Value": v} for k, v in current.items()]
    chunk, next_token = page(
        items, {"MaxResults": request.get("MaxResults") or MAX_TAGS, **request}
    )
    response: JsonDict = {"Tags": list(chunk)}
    if next_token:
        response["NextToken"] = next_token
    return response


@operation("DeleteTags")
def delete_tags(ctx: Context, request: JsonDict) -> JsonDict:
    current = _tags_of(ctx, request["ResourceArn"])
    for key in request["TagKeys"]:
        current.pop(key, None)
    return {}


def _type_matches(arn: str, filters: list[str]) -> bool:
    """ResourceTypeFilters: "sagemaker" (any SageMaker type) or "sagemaker:endpoint"."""
    if not filters:
        return True
    resource_type = _resource_type(arn)
    return any(f in ("sagemaker", f"sagemaker:{resource_type}") for f in filters)


def _tags_match(tags: dict[str, str], filters: list[JsonDict]) -> bool:
    """TagFilters: every filter's key present, with one of its values when it lists any."""
    for tag_filter in filters:
        key = tag_filter.get("Key")
        if key not in tags:
            return False
        values = tag_filter.get("Values") or []
        if values and tags[key] not in values:
            return False
    return True


def get_resources(ctx: Context, request: JsonDict) -> JsonDict:
    """The Resource Groups Tagging API's GetResources, for SageMaker resources: many
    resources' tags per call. As on AWS, only resources that carry tags are listed."""
    type_filters = request.get("ResourceTypeFilters") or []
    if any(not f.startswith("sagemaker") for f in type_filters) or not type_filters:
        raise NotHandled  # other services: moto's business
    wanted_arns = set(request.get("ResourceARNList") or [])
    tag_filters = request.get("TagFilters") or []
    matching = [
        {"ResourceARN": arn, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        for arn, tags in ctx.state.tags.items()
        if tags
        and _type_matches(arn, type_filters)
        and (not wanted_arns or arn in wanted_arns)
        and _tags_match(tags, tag_filters)
    ]
    size = request.get("ResourcesPerPage") or 50
    token = request.get("PaginationToken") or None
    chunk, next_token = page(matching, {"MaxResults": size, "NextToken": token})
    # AWS ends the listing with an empty token, not a missing one.
    return {"ResourceTagMappingList": list(chunk), "PaginationToken": next_token or ""}
