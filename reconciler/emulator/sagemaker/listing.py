"""Shared behaviour of SageMaker's List* calls: filters, sorting and pagination.

List calls take the same filter vocabulary (NameContains, CreationTime{Before,After},
LastModifiedTime{Before,After}, StatusEquals), SortBy/SortOrder, and MaxResults/NextToken
pagination. Default page size is 10, as in AWS; the NextToken is opaque to clients.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from reconciler.emulator.errors import validation
from reconciler.emulator.lifecycle import settle
from reconciler.emulator.state import Resource

R = TypeVar("R", bound=Resource)
JsonDict = dict[str, Any]

DEFAULT_PAGE_SIZE = 10


def _timestamp(value: Any) -> dt.datetime:
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value, dt.UTC)
    if isinstance(value, str):
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    raise validation(f"Invalid timestamp {value!r}")


def filter_common(items: Iterable[R], request: JsonDict) -> list[R]:
    """Apply the filters every SageMaker List call shares; settles due transitions first
    so that listed statuses are current. A List is a poll like a Describe (the SageMaker
    Python SDK and the AWS CLI's waiters poll List or Describe), so it counts towards a
    ``describes:N`` transition of every resource it reads."""
    result = []
    name_contains = request.get("NameContains")
    created_before = request.get("CreationTimeBefore")
    created_after = request.get("CreationTimeAfter")
    modified_before = request.get("LastModifiedTimeBefore")
    modified_after = request.get("LastModifiedTimeAfter")
    status = request.get("StatusEquals")
    for item in items:
        settle(item, described=True)
        if name_contains and name_contains.lower() not in item.name.lower():
            continue
        if created_before is not None and not item.creation_time < _timestamp(created_before):
            continue
        if created_after is not None and not item.creation_time > _timestamp(created_after):
            continue
        if modified_before is not None and not item.last_modified_time < _timestamp(
            modified_before
        ):
            continue
        if modified_after is not None and not item.last_modified_time > _timestamp(modified_after):
            continue
        if status is not None and item.status != status:
            continue
        result.append(item)
    return result


SORT_KEYS: dict[str, Callable[[Resource], Any]] = {
    "Name": lambda r: r.name.lower(),
    "NAME": lambda r: r.name.lower(),
    "CreationTime": lambda r: r.creation_time,
    "CREATION_TIME": lambda r: r.creation_time,
    "Status": lambda r: r.status,
}


def sort(items: list[R], request: JsonDict, *, default_by: str = "CreationTime") -> list[R]:
    by = request.get("SortBy") or default_by
    order = request.get("SortOrder") or "Descending"
    key = SORT_KEYS.get(by)
    if key is None:
        raise validation(f"Invalid SortBy value {by!r}")
    return sorted(items, key=key, reverse=order in ("Descending", "DESCENDING"))


def page(items: Sequence[Any], request: JsonDict) -> tuple[Sequence[Any], str | None]:
    """One page of `items` and the NextToken for the next, if there is one."""
    size = request.get("MaxResults") or DEFAULT_PAGE_SIZE
    token = request.get("NextToken")
    start = 0
    if token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("offset:"))
        except (ValueError, UnicodeDecodeError) as err:
            raise validation(f"Invalid pagination token {token!r}") from err
    end = start + size
    next_token = None
    if end < len(items):
        next_token = base64.urlsafe_b64encode(f"offset:{end}".encode()).decode()
    return items[start:end], next_token


def list_response(
    items: list[R], request: JsonDict, key: str, summary: Callable[[R], JsonDict]
) -> JsonDict:
    """Sort, paginate and summarise already filtered items into a List* response."""
    chunk, next_token = page(sort(items, request), request)
    response: JsonDict = {key: [summary(item) for item in chunk]}
    if next_token:
        response["NextToken"] = next_token
    return response
