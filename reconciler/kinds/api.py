"""The SageMaker calls that change one kind of resource, for the executor.

:class:`KindApi` does what is the same for every kind (create with tags, delete, describe,
status, tags); a kind whose update differs subclasses it in its own module. Every call
goes through the boto3 client, whose standard retry mode handles throttling; these
methods add only what AWS semantics require: "already exists" after an interrupted run
is success, "not found" on delete is success.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from reconciler.kinds.base import KindInfo
from reconciler.resources import JsonDict


def snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def pool_size(client: Any) -> int:
    """The boto3 client's HTTP connection pool size (botocore's default: 10)."""
    config = getattr(getattr(client, "meta", None), "config", None)
    size = getattr(config, "max_pool_connections", None)
    return size if isinstance(size, int) and size > 0 else 10


def error_code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


def error_message(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Message", ""))


def is_not_found(err: ClientError) -> bool:
    return error_code(err) == "ResourceNotFound" or error_message(err).startswith("Could not find")


def is_busy(err: ClientError) -> bool:
    """SageMaker refusing to change a resource that is in the middle of something."""
    message = error_message(err)
    return (
        error_code(err) in ("ConflictException",)
        or "in-progress" in message
        or "IN_PROGRESS" in message
        or "only when InService" in message
    )


def is_already_there(err: ClientError) -> bool:
    return error_code(err) == "ResourceInUse" or error_message(err).startswith(
        "Cannot create already existing"
    )


@dataclass(frozen=True)
class UpdateCall:
    """One update the plan asks for.

    operation: the kind's update operation (UpdateEndpoint, UpdateInferenceComponent, ...)
    spec:      the resolved desired spec
    ignore:    fields owned elsewhere (ignore-differences), which the update must not reset
    dropped:   fields the last apply declared and the manifest no longer does
    """

    operation: str
    spec: JsonDict
    ignore: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()


class KindApi:
    """Calls for one kind; its statuses and their meaning are the kind's facts
    (:class:`KindInfo`), read through here for the executor's convenience."""

    def __init__(self, info: KindInfo) -> None:
        self.info = info
        self.describe_operation = info.describe_operation
        self.delete_operation = info.delete_operation

    @property
    def status_key(self) -> str | None:
        return self.info.status_key

    @property
    def ready(self) -> str:
        return self.info.ready

    @property
    def failed(self) -> tuple[str, ...]:
        return self.info.failed

    @property
    def transitional(self) -> tuple[str, ...]:
        return self.info.transitional

    # What `reconciler status` shows beside the status, under this key (None: nothing).
    details_key: str | None = None

    def details(self, client: Any, name: str, declared: JsonDict | None) -> JsonDict | None:
        """The kind's details for status (a cluster's nodes); None when it is gone."""
        return None

    def details_health(self, health: str, details: JsonDict) -> str:
        """Health as the details lower it (a failed node degrades a cluster)."""
        return health

    def call(self, client: Any, operation: str, **params: Any) -> JsonDict:
        answer: JsonDict = getattr(client, snake(operation))(**params)
        answer.pop("ResponseMetadata", None)
        return answer

    def create_request(self, name: str, spec: JsonDict, tags: dict[str, str]) -> JsonDict:
        request = {k: v for k, v in spec.items() if k not in self.info.update_only}
        request[self.info.name_field] = name
        if tags:
            request["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
        return request

    def create(self, client: Any, name: str, spec: JsonDict, tags: dict[str, str]) -> None:
        """Create it; finding it already there (an interrupted earlier run) is fine."""
        try:
            self.call(client, self.info.create_operation, **self.create_request(name, spec, tags))
        except ClientError as err:
            if not is_already_there(err):
                raise

    def describe(self, client: Any, name: str) -> JsonDict | None:
        """Its Describe answer, or None when it does not exist."""
        try:
            return self.call(client, self.describe_operation, **{self.info.name_field: name})
        except ClientError as err:
            if is_not_found(err):
                return None
            raise

    def status(self, description: JsonDict) -> str | None:
        return str(description[self.status_key]) if self.status_key else None

    def delete(self, client: Any, name: str) -> None:
        """Delete it; finding it gone already is fine."""
        try:
            self.call(client, self.delete_operation, **{self.info.name_field: name})
        except ClientError as err:
            if not is_not_found(err):
                raise

    def arn(self, description: JsonDict) -> str:
        return str(description[self.info.arn_key])

    def add_tags(self, client: Any, arn: str, tags: dict[str, str]) -> None:
        if tags:
            self.call(
                client,
                "AddTags",
                ResourceArn=arn,
                Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())],
            )

    def remove_tags(self, client: Any, arn: str, keys: list[str]) -> None:
        if keys:
            self.call(client, "DeleteTags", ResourceArn=arn, TagKeys=list(keys))

    def satisfied(self, description: JsonDict, spec: JsonDict, ignore: tuple[str, ...]) -> bool:
        """True when the live resource already is what `spec` asks for (an earlier call
        took effect although its answer was lost)."""
        return not self.info.differences(spec, description, ignore)

    def rolled_back(
        self, description: JsonDict, spec: JsonDict, ignore: tuple[str, ...] = ()
    ) -> str | None:
        """Why an update that settled did not take effect (SageMaker rolled it back), or
        None when the live resource is what `spec` asks for."""
        if self.satisfied(description, spec, ignore):
            return None
        reason = description.get("FailureReason") or description.get("FailureMessage")
        return str(
            reason or f"the {self.info.kind} does not match the requested spec after the update"
        )

    def update(self, client: Any, name: str, call: UpdateCall) -> None:
        """Run one of the kind's update operations (kinds with updates override this)."""
        raise NotImplementedError(f"{self.info.kind} has no update operation {call.operation}")
