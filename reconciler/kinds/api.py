"""The AWS calls of one kind of resource, for the observer, the executor and status.

:class:`KindApi` does what is the same for every kind (list, describe, create with tags,
delete, tags); a kind whose calls differ subclasses it in its own module. Every call goes
through the :class:`~reconciler.aws.Gateway` to the kind's service (``KindInfo.service``),
whose clients' standard retry mode handles throttling; these methods add only what AWS
semantics require: "already exists" after an interrupted run is success, "not found" on
delete is success.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.apimodel import format_path
from reconciler.errors import AwsError
from reconciler.gateway import Gateway
from reconciler.kinds.base import KindInfo
from reconciler.resources import JsonDict, SpecPath


@dataclass(frozen=True)
class UpdateCall:
    """One update the plan asks for.

    operation: the kind's update operation (UpdateEndpoint, UpdateInferenceComponent, ...)
    spec:      the resolved desired spec
    ignore:    fields owned elsewhere (ignore-differences), which the update must not reset
    dropped:   fields the last apply declared and the manifest no longer does
    request:   the whole request, when the plan built it (a cluster's UpdateCluster)
    """

    operation: str
    spec: JsonDict
    ignore: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    request: JsonDict | None = None


@dataclass(frozen=True)
class Revert:
    """A revert a kind sent after a change's checks failed (:meth:`KindApi.revert`).

    operation:   the call made (``UpdateEndpoint``, ``UpdateInferenceComponentRuntimeConfig``)
    reverted_to: what the resource went back to, by name: the EndpointConfig it ran, the
                 model of an inference component's specification
    spec:        what the resource is once the revert took effect, in the Create-request
                 shape: what :meth:`KindApi.rolled_back` compares the settled resource with
                 (SageMaker may roll a revert back, as any update)
    summary:     what it went back to, in words (``EndpointConfig churn-1a2b3c4d``,
                 ``2 copies``)
    """

    operation: str
    reverted_to: str
    spec: JsonDict
    summary: str


@dataclass(frozen=True)
class Pin:
    """An account reference of a spec (``KindInfo.account_references``) as the account
    answers it now.

    path:         where in the spec
    written:      the reference as the manifest writes it
    value:        what it resolves to, put in the resolved spec (None: nothing it may name
                  now; the same as `written` for a reference taken as written)
    problem:      why the plan must not deploy it, in words: the plan is refused (always
                  when value is None)
    only_for_new: the problem refuses only a plan that would make a new resource of this
                  spec (its change a create or a replace): when the live resource already
                  has this very spec, the plan warns of the problem and goes on, leaving
                  it alone (what runs was made when the reference was fine)
    warning:      what the plan should say of it without refusing anything (a fact the
                  account would not tell)
    """

    path: SpecPath
    written: str
    value: str | None
    problem: str = ""
    only_for_new: bool = False
    warning: str = ""

    def to_json(self) -> JsonDict:
        return {"field": format_path(self.path), "written": self.written, "resolved": self.value}


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

    def details(self, aws: Gateway, name: str, declared: JsonDict | None) -> JsonDict | None:
        """The kind's details for status (a cluster's nodes); None when it is gone."""
        return None

    def details_health(self, health: str, details: JsonDict) -> str:
        """Health as the details lower it (a failed node degrades a cluster)."""
        return health

    def reads_account(self, spec: JsonDict) -> bool:
        """Whether planning `spec` needs :meth:`pins` (an account reference is written)."""
        return any(r.found_in(spec) for r in self.info.account_references)

    def pins(self, aws: Gateway, spec: JsonDict) -> list[Pin]:
        """Each account reference of `spec` (``KindInfo.account_references``) resolved by
        reading the account now (none for kinds without such references)."""
        return []

    def call(self, aws: Gateway, operation: str, **params: Any) -> JsonDict:
        return aws.call(self.info.service, operation, **params)

    def list_items(self, aws: Gateway) -> list[JsonDict]:
        """Every resource of the kind: its List call's items, 100 a page."""
        items: list[JsonDict] = []
        for page in aws.pages(
            self.info.service,
            self.info.list_operation,
            **self.info.list_request,
            PaginationConfig={"PageSize": self.info.page_size},
        ):
            items.extend(page[self.info.items_key])
        return items

    def tags(self, aws: Gateway, arn: str) -> dict[str, str]:
        """Its tags (ListTags, every page)."""
        tags: dict[str, str] = {}
        for page in aws.pages(self.info.service, "ListTags", ResourceArn=arn):
            tags.update({t["Key"]: t.get("Value", "") for t in page["Tags"]})
        return tags

    def create_request(self, name: str, spec: JsonDict, tags: dict[str, str]) -> JsonDict:
        request = {k: v for k, v in spec.items() if k not in self.info.update_only}
        request[self.info.name_field] = name
        if tags:
            request["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
        return request

    def create(self, aws: Gateway, name: str, spec: JsonDict, tags: dict[str, str]) -> None:
        """Create it; finding it already there (an interrupted earlier run) is fine."""
        try:
            self.call(aws, self.info.create_operation, **self.create_request(name, spec, tags))
        except AwsError as err:
            if not err.already_exists:
                raise

    def describe(self, aws: Gateway, name: str) -> JsonDict | None:
        """Its Describe answer, or None when it does not exist."""
        try:
            return self.call(aws, self.describe_operation, **self.info.key_of(name))
        except AwsError as err:
            if err.not_found:
                return None
            raise

    def status(self, description: JsonDict) -> str | None:
        return str(description[self.status_key]) if self.status_key else None

    def delete(self, aws: Gateway, name: str) -> None:
        """Delete it; finding it gone already is fine."""
        try:
            self.call(aws, self.delete_operation, **self.info.key_of(name))
        except AwsError as err:
            if not err.not_found:
                raise

    def arn(self, description: JsonDict) -> str:
        return str(description[self.info.arn_key])

    def add_tags(self, aws: Gateway, arn: str, tags: dict[str, str]) -> None:
        if tags:
            self.call(
                aws,
                "AddTags",
                ResourceArn=arn,
                Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())],
            )

    def remove_tags(self, aws: Gateway, arn: str, keys: list[str]) -> None:
        if keys:
            self.call(aws, "DeleteTags", ResourceArn=arn, TagKeys=list(keys))

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

    def revert(self, aws: Gateway, name: str, before: JsonDict, call: UpdateCall) -> Revert | None:
        """Put the resource back as `before` (its Describe answer from before this apply's
        update) after its checks failed. `call` is that update, as :meth:`update` received
        it (its operation "" when an earlier apply made it): the revert undoes what it
        changed, deployed as it was (the manifest's deployment options), and leaves alone
        what it left alone (a count in ``call.ignore``, owned by a scaler). The revert
        sent, or None when nothing was sent: nothing to undo, or no way back (kinds with
        checks override this)."""
        return None

    def update(self, aws: Gateway, name: str, call: UpdateCall) -> None:
        """Run one of the kind's update operations (kinds with updates override this)."""
        raise NotImplementedError(f"{self.info.kind} has no update operation {call.operation}")
