"""Live state: what the account holds, read with List (paginated), ListTags and Describe.

Called by the plan/apply commands before planning; returns a :class:`LiveState` the pure
planner reads. What is read:

- every resource of each managed kind, from its List call (100 per page): name, ARN,
  status and times;
- the tags of every listed resource (ownership decides what we may touch and prune);
- a Describe of the resources whose content must be compared: mutable kinds (Endpoint,
  InferenceComponent, Cluster) that are desired or ours, and immutable kinds only when
  their ``spec-hash`` tag does not already prove they match (``expected_hashes``).

Reads go through the gateway (reconciler.gateway) to each kind's service, in parallel (a
bounded thread pool), and rely on botocore's retry mode for throttling. ARNs are read, never built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import structlog

from reconciler.diff import plain
from reconciler.errors import AwsError, ReconcilerError, from_aws
from reconciler.gateway import Gateway
from reconciler.kinds import APIS, KINDS
from reconciler.naming import content_hash
from reconciler.resources import ADDRESS_TAG, OWNER_TAG, SPEC_HASH_TAG, JsonDict, Kind


class ObserveError(Exception):
    """Reading the account failed (after botocore's retries); `error` is it, classed
    (reconciler.errors: temporary or permanent)."""

    def __init__(self, error: ReconcilerError) -> None:
        super().__init__(str(error))
        self.error = error


log = structlog.get_logger("reconciler.observe")

# The Resource Groups Tagging API (botocore service name), for batched tag reads.
TAGGING = "resourcegroupstaggingapi"


@dataclass
class LiveResource:
    """One resource in the account.

    name:        its physical name
    summary:     its List item
    tags:        its tags (ListTags)
    description: its Describe answer (without ResponseMetadata), None when not read
    """

    kind: Kind
    name: str
    arn: str
    summary: JsonDict
    tags: dict[str, str] = field(default_factory=dict)
    description: JsonDict | None = None

    @property
    def status(self) -> str | None:
        key = KINDS[self.kind].status_key
        source = self.description or self.summary
        value = source.get(key) if key else None
        return str(value) if value is not None else None

    @property
    def owner(self) -> str | None:
        return self.tags.get(OWNER_TAG)

    @property
    def address(self) -> str | None:
        return self.tags.get(ADDRESS_TAG)

    @property
    def spec_hash(self) -> str | None:
        return self.tags.get(SPEC_HASH_TAG)

    def fingerprint(self) -> str:
        """Changes whenever anything we read of the resource changes."""
        return content_hash(
            plain(
                {
                    "arn": self.arn,
                    "summary": self.summary,
                    "tags": self.tags,
                    "description": self.description,
                }
            )
        )


@dataclass
class LiveState:
    """Everything observed, by kind and lower-cased physical name (SageMaker names are
    case-insensitive)."""

    resources: dict[tuple[Kind, str], LiveResource] = field(default_factory=dict)

    def get(self, kind: Kind, name: str) -> LiveResource | None:
        return self.resources.get((kind, name.lower()))

    def add(self, resource: LiveResource) -> None:
        self.resources[(resource.kind, resource.name.lower())] = resource

    def of_kind(self, kind: Kind) -> list[LiveResource]:
        return [r for (k, _), r in self.resources.items() if k == kind]

    def owned_by(self, owner: str) -> list[LiveResource]:
        return [r for r in self.resources.values() if r.owner == owner]


def owned_through_parents(state: LiveState) -> None:
    """Resources that cannot be tagged (scaling policies) are whose their parent is:
    they get its owner tag and, for an address, their kind and name."""
    for resource in list(state.resources.values()):
        info = KINDS[resource.kind]
        if info.owned_through is None:
            continue
        resource.tags = {}
        parent_names = [
            name
            for r in info.references
            if r.kind is info.owned_through
            for _, name in r.find_in(resource.summary)
        ]
        parent = state.get(info.owned_through, parent_names[0]) if parent_names else None
        if parent is not None and parent.owner is not None:
            resource.tags = {
                OWNER_TAG: parent.owner,
                ADDRESS_TAG: f"{resource.kind}/{resource.summary.get(info.name_field, '')}",
            }


class DescriptionCache:
    """Describe answers kept across passes (``run`` mode), keyed by what the List call
    says of each resource: a resource whose LastModifiedTime and status (CreationTime for
    the immutable kinds) are unchanged is not described again. Clusters are always read
    (their list summary carries no modification time)."""

    def __init__(self) -> None:
        self._entries: dict[tuple[Kind, str], tuple[tuple[Any, ...], JsonDict]] = {}

    @staticmethod
    def marker(resource: LiveResource) -> tuple[Any, ...] | None:
        keys = KINDS[resource.kind].change_markers
        if not keys:
            return None
        return tuple(resource.summary.get(k) for k in keys)

    def get(self, resource: LiveResource) -> JsonDict | None:
        marker = self.marker(resource)
        entry = self._entries.get((resource.kind, resource.name.lower()))
        if marker is None or entry is None or entry[0] != marker:
            return None
        return entry[1]

    def keep(self, state: LiveState) -> None:
        """Remember this pass's descriptions; forget resources that are gone."""
        entries = {}
        for key, resource in state.resources.items():
            marker = self.marker(resource)
            if marker is not None and resource.description is not None:
                entries[key] = (marker, resource.description)
        self._entries = entries


class Observer:
    """Reads live state through the gateway with `parallelism` concurrent calls.

    batched_tags: read tags in pages of 100 from the Resource Groups Tagging API (False:
                  one ListTags per resource)
    cache:        descriptions kept across passes (None: describe what must be compared)
    """

    def __init__(
        self,
        aws: Gateway,
        *,
        parallelism: int = 10,
        batched_tags: bool = False,
        cache: DescriptionCache | None = None,
    ) -> None:
        self.aws = aws
        self.parallelism = max(1, parallelism)
        self.batched_tags = batched_tags
        self.cache = cache

    def list_kind(self, kind: Kind) -> list[LiveResource]:
        info, api = KINDS[kind], APIS[kind]
        items = self.aws_call(info.list_operation, lambda: api.list_items(self.aws))
        # A List that answers whole resources (Application Auto Scaling's and CloudWatch's
        # Describe* calls) is their description too: no second call per resource.
        return [
            LiveResource(
                kind,
                info.name_of(i),
                i[info.arn_key],
                i,
                description=i if info.listed_whole else None,
            )
            for i in items
        ]

    def read_tags(self, resource: LiveResource) -> None:
        api = APIS[resource.kind]
        try:
            resource.tags = self.aws_call(
                f"ListTags {resource.arn}", lambda: api.tags(self.aws, resource.arn)
            )
        except _Gone:
            resource.tags = {}

    def describe(self, resource: LiveResource) -> bool:
        """Fill `resource.description`; False when the resource is gone meanwhile."""
        info, api = KINDS[resource.kind], APIS[resource.kind]
        answer = self.aws_call(
            f"{info.describe_operation} {resource.name}",
            lambda: api.describe(self.aws, resource.name),
        )
        if answer is None:
            return False
        resource.description = answer
        return True

    def aws_call(self, what: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except AwsError as err:
            if err.not_found:
                raise _Gone from err
            raise ObserveError(from_aws(err, what)) from err

    def describe_all(self, resources: Iterable[LiveResource]) -> None:
        self._parallel(self.describe, resources)

    def read_all_tags(self, resources: Iterable[LiveResource]) -> None:
        self._parallel(self.read_tags, resources)

    def _parallel(
        self, fn: Callable[[LiveResource], Any], items: Iterable[LiveResource]
    ) -> list[Any]:
        items = list(items)
        if not items:
            return []
        with ThreadPoolExecutor(max_workers=min(self.parallelism, len(items))) as pool:
            return list(pool.map(fn, items))

    def observe(
        self,
        kinds: Iterable[Kind],
        *,
        wanted: set[tuple[Kind, str]],
        owner: str,
        expected_hashes: dict[tuple[Kind, str], str],
        addresses: frozenset[str] = frozenset(),
    ) -> LiveState:
        """Read the account.

        wanted:          (kind, lower-cased physical name) of every desired resource
        owner:           our owner id; resources with this owner tag are read in full
        expected_hashes: desired spec hash of immutable resources, by (kind, lower name)
        addresses:       desired addresses; our immutable resources carrying one of them
                         under another name (superseded versions) are described so the
                         plan can show what changed
        """
        state = LiveState()
        kinds = list(kinds)
        for resources in self._parallel_kinds(kinds):
            for resource in resources:
                state.add(resource)
        self.read_tags_of(state, kinds, wanted=wanted, owner=owner)

        def needs_description(key: tuple[Kind, str], resource: LiveResource) -> bool:
            ours = resource.owner == owner
            if not KINDS[resource.kind].immutable:
                return key in wanted or ours
            if key not in wanted:
                return ours and resource.address in addresses
            return not (ours and resource.spec_hash == expected_hashes.get(key))

        to_describe = []
        for key, resource in state.resources.items():
            if resource.description is not None or not needs_description(key, resource):
                continue
            cached = self.cache.get(resource) if self.cache is not None else None
            if cached is not None:
                resource.description = cached
            else:
                to_describe.append(resource)
        gone = [
            r
            for r, ok in zip(to_describe, self._parallel(self.describe, to_describe), strict=True)
            if not ok
        ]
        for resource in gone:
            state.resources.pop((resource.kind, resource.name.lower()), None)
        if self.cache is not None:
            self.cache.keep(state)
        return state

    def read_tags_of(
        self, state: LiveState, kinds: list[Kind], *, wanted: set[tuple[Kind, str]], owner: str
    ) -> None:
        """Tags of every listed resource: in pages of 100 from the tagging API when
        ``batched_tags``, else one ListTags each.

        The tagging API is eventually consistent and lists only tagged resources, so a
        resource under a desired name that looks untagged, or not ours, is confirmed
        with ListTags before the plan acts on it (normally none)."""
        self._read_tags(state, kinds, wanted=wanted, owner=owner)
        owned_through_parents(state)

    def _read_tags(
        self, state: LiveState, kinds: list[Kind], *, wanted: set[tuple[Kind, str]], owner: str
    ) -> None:
        tagged = [r for r in state.resources.values() if KINDS[r.kind].owned_through is None]
        # Kinds the tagging API does not list are read one at a time.
        self._parallel(self.read_tags, [r for r in tagged if not KINDS[r.kind].batched_tags])
        resources = [r for r in tagged if KINDS[r.kind].batched_tags]
        if not self.batched_tags or not resources:
            self._parallel(self.read_tags, resources)
            return
        types = sorted({KINDS[k].tagging_type for k in kinds if KINDS[k].batched_tags})
        try:
            by_arn: dict[str, dict[str, str]] = {}
            for page in self.aws.pages(
                TAGGING, "GetResources", ResourceTypeFilters=types, ResourcesPerPage=100
            ):
                for item in page["ResourceTagMappingList"]:
                    by_arn[item["ResourceARN"].lower()] = {
                        t["Key"]: t.get("Value", "") for t in item["Tags"]
                    }
        except ReconcilerError as err:
            # No tagging permission or endpoint: fall back to one ListTags per resource.
            log.warning("tagging_api_unavailable", error=str(err))
            self.batched_tags = False
            self._parallel(self.read_tags, resources)
            return
        doubtful = []
        for resource in resources:
            resource.tags = by_arn.get(resource.arn.lower(), {})
            key = (resource.kind, resource.name.lower())
            if key in wanted and resource.owner != owner:
                doubtful.append(resource)
        self._parallel(self.read_tags, doubtful)

    def _parallel_kinds(self, kinds: list[Kind]) -> list[list[LiveResource]]:
        if not kinds:
            return []
        with ThreadPoolExecutor(max_workers=min(self.parallelism, len(kinds))) as pool:
            return list(pool.map(self.list_kind, kinds))


class _Gone(Exception):
    """The resource disappeared between being listed and being read."""
