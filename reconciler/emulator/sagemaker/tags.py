"""AddTags / ListTags / DeleteTags for the resources the emulator owns.

Tags live in ``RegionState.tags`` keyed by ARN; an ARN is present there exactly while its
resource exists, so a tag call on a deleted or never-created resource is refused the way
SageMaker refuses it. ARNs of other SageMaker resource types go to moto.

The Resource Groups Tagging API (GetResources, TagResources, UntagResources) is answered
here for every service: our resources from our state, everything else from moto's
backends, so that a client sees one account.
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator.errors import AwsError, validation
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


def _invalid_parameter(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def _owned(arn: str) -> bool:
    """An ARN of a resource type the emulator keeps itself (the rest is moto's)."""
    parts = arn.split(":", 5)
    return (
        len(parts) == 6
        and parts[0] == "arn"
        and parts[2] == "sagemaker"
        and parts[5].split("/", 1)[0] in OWNED_RESOURCE_TYPES
    )


def _moto_tagging(ctx: Context) -> Any:
    from moto.resourcegroupstaggingapi.models import resourcegroupstaggingapi_backends

    return resourcegroupstaggingapi_backends[ctx.state.account][ctx.state.region]


def _moto_mappings(
    ctx: Context, type_filters: list[str], tag_filters: list[JsonDict], arns: list[str]
) -> list[JsonDict]:
    """What moto's backends hold for the same query (every other service's resources, and
    SageMaker types we do not emulate). moto's generator is private API; moto is pinned to
    5.2.x by tests/emulator/test_moto_surface.py."""
    generator = _moto_tagging(ctx)._get_resources_generator(
        tag_filters=tag_filters or None,
        resource_type_filters=type_filters or None,
        resource_arn_list=arns or None,
    )
    return [
        {"ResourceARN": r.arn, "Tags": [{"Key": k, "Value": v} for k, v in r.tags.items()]}
        for r in generator
        if not _owned(r.arn)
    ]


def get_resources(ctx: Context, request: JsonDict) -> JsonDict:
    """The Resource Groups Tagging API's GetResources over every service: our SageMaker
    resources first, then what moto holds, in one paginated listing. As on AWS, only
    resources that carry tags are listed.

    The parameter rules are the API reference's (GetResources, "ResourceARNList"): it may
    not be combined with ResourceTypeFilters, TagFilters or any pagination parameter, and
    an ARN that does not exist is left out without an error."""
    type_filters: list[str] = request.get("ResourceTypeFilters") or []
    tag_filters: list[JsonDict] = request.get("TagFilters") or []
    wanted_arns: list[str] = request.get("ResourceARNList") or []
    if wanted_arns:
        clashing: list[str] = [
            name
            for name in ("ResourceTypeFilters", "TagFilters", "ResourcesPerPage", "TagsPerPage")
            if name in request
        ]
        if request.get("PaginationToken"):
            clashing.append("PaginationToken")
        if clashing:
            raise _invalid_parameter(
                f"ResourceARNList cannot be specified together with {', '.join(clashing)}"
            )
    size = request.get("ResourcesPerPage", 50)
    if not 1 <= size <= 100:  # the API reference's range for ResourcesPerPage
        raise _invalid_parameter("ResourcesPerPage must be between 1 and 100")
    wanted = set(wanted_arns)
    ours_wanted = not type_filters or any(
        f == "sagemaker" or f.startswith("sagemaker:") for f in type_filters
    )
    matching = [
        {"ResourceARN": arn, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        for arn, tags in ctx.state.tags.items()
        if ours_wanted
        and tags
        and _type_matches(arn, type_filters)
        and (not wanted or arn in wanted)
        and _tags_match(tags, tag_filters)
    ]
    # moto is asked unless the filters name only types we keep (the reconciler's own reads).
    only_ours = type_filters and all(
        f.removeprefix("sagemaker:") in OWNED_RESOURCE_TYPES for f in type_filters
    )
    if not only_ours:
        matching += _moto_mappings(ctx, type_filters, tag_filters, wanted_arns)
    token = request.get("PaginationToken") or None
    chunk, next_token = page(matching, {"MaxResults": size, "NextToken": token})
    # AWS ends the listing with an empty token, not a missing one.
    return {"ResourceTagMappingList": list(chunk), "PaginationToken": next_token or ""}


def _failure(message: str) -> JsonDict:
    """One entry of FailedResourcesMap (the FailureInfo shape)."""
    return {"StatusCode": 400, "ErrorCode": "InvalidParameterException", "ErrorMessage": message}


def _split(ctx: Context, arns: list[str]) -> tuple[list[str], list[str], JsonDict]:
    """The ARNs of our resources, the ARNs that are moto's, and failures for ARNs of ours
    that name no resource."""
    ours, others, failed = [], [], {}
    for arn in arns:
        if not _owned(arn):
            others.append(arn)
        elif arn not in ctx.state.tags:
            failed[arn] = _failure(f"Resource does not exist: {arn}")
        else:
            ours.append(arn)
    return ours, others, failed


def tag_resources(ctx: Context, request: JsonDict) -> JsonDict:
    """The tagging API's TagResources: our SageMaker resources here (the same rules as
    AddTags), every other ARN through moto. A resource that cannot be tagged is reported in
    FailedResourcesMap; the call itself succeeds (API reference, TagResources)."""
    tags = [{"Key": k, "Value": v} for k, v in request["Tags"].items()]
    ours, others, failed = _split(ctx, request["ResourceARNList"])
    for arn in ours:
        try:
            ctx.state.tags[arn] = _merge(ctx.state.tags[arn], tags)
        except AwsError as err:
            failed[arn] = _failure(err.message)
    if others:
        failed.update(_moto_tagging(ctx).tag_resources(others, request["Tags"]))
    return {"FailedResourcesMap": failed}


def untag_resources(ctx: Context, request: JsonDict) -> JsonDict:
    """The tagging API's UntagResources, split between us and moto as TagResources is."""
    ours, others, failed = _split(ctx, request["ResourceARNList"])
    for arn in ours:
        for key in request["TagKeys"]:
            ctx.state.tags[arn].pop(key, None)
    if others:
        failed.update(_moto_tagging(ctx).untag_resources(others, request["TagKeys"]))
    return {"FailedResourcesMap": failed}


def _distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def get_tag_keys(ctx: Context, request: JsonDict) -> JsonDict:
    """The tagging API's GetTagKeys: every key in use, ours and moto's, once each."""
    ours = [key for tags in ctx.state.tags.values() for key in tags]
    theirs = list(_moto_tagging(ctx)._get_tag_keys_generator())
    chunk, next_token = page(
        _distinct(ours + theirs), {"MaxResults": 500, "NextToken": request.get("PaginationToken")}
    )
    return {"TagKeys": list(chunk), "PaginationToken": next_token or ""}


def get_tag_values(ctx: Context, request: JsonDict) -> JsonDict:
    """The tagging API's GetTagValues: every value of one key, ours and moto's, once each."""
    key = request["Key"]
    ours = [tags[key] for tags in ctx.state.tags.values() if key in tags]
    theirs = list(_moto_tagging(ctx)._get_tag_values_generator(key))
    chunk, next_token = page(
        _distinct(ours + theirs), {"MaxResults": 500, "NextToken": request.get("PaginationToken")}
    )
    return {"TagValues": list(chunk), "PaginationToken": next_token or ""}
