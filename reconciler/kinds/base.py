"""What a kind module declares about its SageMaker resource type (static knowledge only).

The generic layers (loading, validation, planning, execution) read a kind's facts from its
:class:`KindInfo` and never special-case a kind by name; adding a kind is adding a module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from reconciler.apimodel import input_shape
from reconciler.diff import (
    ABSENT,
    FieldChange,
    compare,
    covered,
    drop_defaults,
    leaves,
    sort_unordered,
)
from reconciler.kinds.validation import KindRules
from reconciler.resources import JsonDict, Kind, SpecPath

# A reference path may contain "*" for "every item of this list".
ReferencePattern = tuple[str, ...]


@dataclass(frozen=True)
class Reference:
    """A spec field that names another resource.

    path:   where, e.g. ("ProductionVariants", "*", "ModelName")
    kind:   the kind it names
    within: when the name is part of the field's value, a regular expression the whole
            value matches, whose group ``name`` is the name (an Application Auto Scaling
            ResourceId ``inference-component/<name>``); a value that does not match names
            nothing of this kind
    derive: when the name is made of several fields (a scaling policy names its scalable
            target by ServiceNamespace, ResourceId and ScalableDimension): the name from
            the whole spec (None: it names none); `path` is then the field that says
            where it lives, and the reference is never rewritten (the fields it is made
            of carry references of their own)
    arn_at_apply: the field holds the named resource's ARN, which exists only once that
            resource does (a scaling policy's PolicyARN, made by PutScalingPolicy): the
            manifest writes ``<Kind>/<name>`` (the pattern in `within`), the resolved spec
            and the plan keep ``<Kind>/<physical name>``, the plan compares the live value
            with the named resource's live ARN (a resource created or replaced by the same
            plan has no ARN yet: the field is rewritten), and apply reads the ARN with the
            named kind's Describe just before it creates or updates the referrer
            (reconciler.execution.executor): the ARN is read, never built
    """

    path: ReferencePattern
    kind: Kind
    within: str | None = None
    derive: Callable[[JsonDict], str | None] | None = None
    arn_at_apply: bool = False

    def name_in(self, value: str) -> str | None:
        """The name `value` gives (None: the value names nothing of this kind)."""
        if self.within is None:
            return value
        match = re.fullmatch(self.within, value)
        return match.group("name") if match else None

    def renamed(self, value: str, name: str) -> str:
        """`value` naming `name` instead (the physical name, or the logical one)."""
        if self.within is None:
            return name
        match = re.fullmatch(self.within, value)
        assert match is not None
        return value[: match.start("name")] + name + value[match.end("name") :]

    def written(self, name: str) -> str:
        """How a manifest names `name` in an ``arn_at_apply`` field, where the live value
        is an ARN: ``<Kind>/<name>`` (what `within` reads back)."""
        assert self.arn_at_apply, "only a field that holds ARNs once applied is written so"
        value = f"{self.kind}/{name}"
        assert self.name_in(value) == name, f"{self.within} does not read {value}"
        return value

    def put(self, spec: JsonDict, path: SpecPath, name: str) -> None:
        """Make the reference at `path` of `spec` name `name`."""
        if self.derive is not None:
            return
        holder: Any = spec
        for part in path[:-1]:
            holder = holder[part]
        holder[path[-1]] = self.renamed(holder[path[-1]], name)

    def find_in(self, spec: JsonDict) -> list[tuple[SpecPath, str]]:
        """Every (path, name) this reference pattern matches in `spec`."""
        if self.derive is not None:
            derived = self.derive(spec) if self.path[0] in spec else None
            return [] if derived is None else [(self.path, derived)]
        found: list[tuple[SpecPath, str]] = []
        for path, value in self.values_in(spec):
            name = self.name_in(value)
            if name is not None:
                found.append((path, name))
        return found

    def values_in(self, spec: JsonDict) -> list[tuple[SpecPath, str]]:
        """Every (path, string value) at this reference's path, whatever it names (an
        ``arn_at_apply`` field of a live resource holds ARNs)."""
        return values_at(spec, self.path)

    def matches(self, spec_path: SpecPath) -> bool:
        return len(spec_path) == len(self.path) and all(
            (want == "*" and isinstance(got, int)) or want == got
            for want, got in zip(self.path, spec_path, strict=True)
        )


@dataclass(frozen=True)
class NamedValue:
    """A value that names a resource without being a reference: an alarm's metric
    dimension ``{Name: InferenceComponentName, Value: <name>}``. An overlay's namePrefix /
    nameSuffix renames it with the document it names; it is never resolved, ordered on or
    checked to exist (CloudWatch takes an alarm on the metric of a resource that does not
    exist yet: PutMetricAlarm names a metric, not a resource).

    path:  the mappings that may hold it ("*": every list item), e.g. ("Dimensions", "*")
    key:   the field of such a mapping that holds the name ("Value")
    when:  (field, value) the mapping must have for `key` to be a name ("Name",
           "InferenceComponentName")
    kind:  the kind it names
    """

    path: ReferencePattern
    key: str
    when: tuple[str, str]
    kind: Kind


@dataclass(frozen=True)
class AccountReference:
    """A spec field whose value may name something in the account that the plan resolves
    to a pinned value before anything else is decided (a Model container's
    ``model-package-group/<group>:latest-approved``, resolved to the ARN of the group's
    newest Approved version by the kind's :meth:`~reconciler.kinds.api.KindApi.pins`):
    the resolved spec holds the pinned value, so it is hashed, compared and sent like any
    value written in the manifest.

    path:     where (``*`` for every list item)
    prefix:   a value starting with it is such a reference; any other value is taken as
              written (a version ARN pins the version by hand)
    spelling: a regular expression the whole reference must match, whose group ``name``
              is what it names
    example:  the spelling in words, for messages
    """

    path: ReferencePattern
    prefix: str
    spelling: str
    example: str

    def found_in(self, spec: JsonDict) -> list[tuple[SpecPath, str]]:
        """Every (path, value) of `spec` written as such a reference (well spelled or not)."""
        return [(p, v) for p, v in values_at(spec, self.path) if v.startswith(self.prefix)]

    def name_in(self, value: str) -> str | None:
        """What a reference names (None: it is not spelled as `spelling` asks)."""
        match = re.fullmatch(self.spelling, value)
        return match.group("name") if match else None

    def matches(self, spec_path: SpecPath) -> bool:
        return len(spec_path) == len(self.path) and all(
            (want == "*" and isinstance(got, int)) or want == got
            for want, got in zip(self.path, spec_path, strict=True)
        )


def values_at(spec: JsonDict, pattern: ReferencePattern) -> list[tuple[SpecPath, str]]:
    """Every (path, string value) of `spec` at `pattern` (``*``: every item of a list)."""
    found: list[tuple[SpecPath, str]] = []

    def walk(value: object, rest: ReferencePattern, path: SpecPath) -> None:
        if not rest:
            if isinstance(value, str):
                found.append((path, value))
            return
        head, tail = rest[0], rest[1:]
        if head == "*":
            if isinstance(value, list):
                for index, item in enumerate(value):
                    walk(item, tail, (*path, index))
        elif isinstance(value, dict) and head in value:
            walk(value[head], tail, (*path, head))

    walk(spec, pattern, ())
    return found


class PlannedSpecs(Protocol):
    """What a plan knows of other resources, for a kind's rules that look beyond itself."""

    def desired(self, kind: Kind, name: str) -> JsonDict | None:
        """The resolved desired spec of the resource of `kind` with this physical name."""
        ...

    def live(self, kind: Kind, name: str) -> JsonDict | None:
        """The live resource of `kind` with this physical name, in its Create-request
        shape (None: not there, or not described)."""
        ...


@dataclass(frozen=True)
class UpdatePlan:
    """How a kind changes in place for a diff: the update operations to call, why (in
    words), and anything the user should know (fields the update cannot change, which keep
    their live values). No operations: nothing the kind's update can do."""

    operations: list[str]
    reason: str = ""
    warnings: list[str] = field(default_factory=list)


def one_call(operation: str) -> Callable[[list[FieldChange]], UpdatePlan]:
    """``plan_update`` of a kind whose update is `operation` for any diff (a register or
    put that takes the whole spec again), its reason the top-level fields that changed."""

    def plan(diff: list[FieldChange]) -> UpdatePlan:
        fields = sorted({c.path.split(".")[0].split("[")[0] for c in diff})
        return UpdatePlan([operation], ", ".join(fields) + " changed")

    return plan


@dataclass(frozen=True)
class UpdateInput:
    """What a kind builds an update request from, at plan time.

    operation:   the update operation (one of its UpdatePlan's)
    name:        the physical name
    spec:        the resolved desired spec
    description: the Describe answer the plan read
    ignore:      fields owned elsewhere (ignore-differences), which the update must not reset
    dropped:     diff paths the last apply declared and the manifest no longer does
    """

    operation: str
    name: str
    spec: JsonDict
    description: JsonDict
    ignore: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()


@dataclass(frozen=True)
class DestructiveReplace:
    """A kind whose replacement destroys more than the resource (a cluster and its nodes):
    planned only when the manifest allows it (``allow-replace``), in these words.

    refusal: what the problem says the change does ("replaces the cluster, which ...")
    warning: what the plan warns when allowed ("destroys it and all its nodes ...")
    effect:  the reason's tail, with ``{name}`` ("destroys {name} and its nodes")
    loss:    what apply's confirmation says is lost ("its nodes, running jobs and ...")
    """

    refusal: str
    warning: str
    effect: str
    loss: str


@dataclass(frozen=True)
class KindInfo:
    """Static facts of a kind.

    name_field:        the request member holding the name (left out of ``spec``)
    create_operation:  its Create operation; the spec is that request's shape
    update_only:       extra spec fields from other requests: field → (operation, member)
    immutable:         no Update API: the physical name is ``<name>-<hash8>``
    arn_resource_type: the resource type in its ARN ("endpoint-config")
    service:           the botocore service name its calls go to (the IAM prefix differs
                       for some: reconciler.permissions)
    references:        fields that name other resources (edges of the dependency graph)
    named_values:      values that name a resource but are no edge (:class:`NamedValue`:
                       renamed by an overlay's prefix, nothing more)
    create_only:       spec fields that cannot change without replacing the resource; dotted
                       paths with [*] for list items reach inside ("InstanceGroups[*].InstanceType")
    create_only_for:   when AWS's rule depends on the spec (a cluster's orchestrator): spec →
                       its create-only fields, used instead of ``create_only``
    write_only:        spec fields sent on create/update but not read back (never compared)
    live_spec:         Describe answer → the Create-request shape, for comparison
    unordered:         list fields whose order carries no meaning: sets in diffs, in content
                       hashes and in create-only fingerprints
    keyed:             list fields whose items are matched by a key field, not by position
                       (list path → key field, e.g. "InstanceGroups" → "InstanceGroupName")
    merge_keys:        further list fields whose items an overlay's patch merges by a key
                       field (list path → key field, e.g. "ProductionVariants" →
                       "VariantName"), where diffs still compare by position since the
                       order means something (a model's serial containers); with ``keyed``,
                       :attr:`patch_keys` (reconciler.manifests.overlays)
    list_key:          the key of the items in its List answer (default ``<Noun>s``)
    status_key:        Describe/List field with the status (None: the kind has no status)
    ready / failed / transitional: the settled healthy status; statuses meaning the last
                       create/update failed; statuses in which it must not be written
    change_markers:    List-item fields that change whenever the resource does (a Describe
                       kept from the last pass is reused while they stay the same)
    timeout:           how long SageMaker may take to settle it (seconds)
    plan_update:       a mutable kind's choice of update operations for a diff
    update_request:    builds an update's whole request from the Describe the plan read,
                       when it depends on the live resource (a cluster's groups to send
                       and to delete); None: apply builds it from the desired spec
    destructive_replace: set when replacing it destroys more than it (see the class)
    identity:          for a kind with no name of its own (an Application Auto Scaling
                       target is its ServiceNamespace, ResourceId and ScalableDimension):
                       its physical name from its spec or its List item (None: the value
                       of ``name_field``, which is the manifest's name)
    list_call / describe_call / delete_call / arn_field: the operations and the ARN field,
                       for kinds whose API does not follow SageMaker's ``List<Noun>s``,
                       ``Describe<Noun>``, ``Delete<Noun>``, ``<Noun>Arn``
    batched_tags:      its tags can be read in pages from the Resource Groups Tagging API
                       (False: one tag call per resource)
    owned_through:     for a kind that cannot be tagged (a scaling policy): the kind whose
                       tags say whose it is (its scalable target); it is ours when that is
    takes_over:        fields of other resources that become someone else's once this is
                       declared: spec → [(kind, name, dotted field path)] (a scalable target
                       takes over the copy count of the inference component it scales, so
                       the reconciler never resets it)
    scaled_count:      for a kind whose fields another resource takes over: (Describe
                       answer, taken path) → what the path counts, in words, and its live
                       value (``("copies", 3)``), or None when the path is not a count
    scaling_bounds:    for a kind that takes fields over: spec → the (least, most) it may
                       set them to (a scalable target's MinCapacity, MaxCapacity)
    list_request / page_size: what its List call is sent besides paging (Application Auto
                       Scaling's ServiceNamespace), and the largest page it allows
    tag_calls:         the operations that add and remove its tags (its API's ``update``-side
                       calls; ignored for a kind ``owned_through`` another, which has none)
    export_name:       its physical name → the metadata.name ``export`` gives it, for kinds
                       whose physical name is no manifest name (None: the physical name)
    key:               its physical name → the request members that identify it in Describe
                       and Delete calls (None: ``{name_field: name}``)
    moves_out:         (spec, what the plan knows) → why this resource must be removed before
                       its host's update and put back after it, which SageMaker would refuse
                       while it exists (a scalable target on a variant whose instance type
                       the endpoint's new config changes); None: it may stay
    server_defaults:   what SageMaker fills in when a field is omitted: dotted path ([*] for
                       list items) → the value it answers, or a test ``(value, holder, spec)
                       -> bool`` for defaults that depend on other fields (holder: the
                       object that holds the field; spec: the whole spec). ``export`` leaves
                       these out, and a replace's diff against the version it supersedes
                       does not show them; they decide nothing (an undeclared live field is
                       never drift, see diff.py) but for a kind ``dropped_from_live``
    dropped_from_live: for a kind that cannot carry the record of the last apply (it cannot
                       be tagged) and whose put keeps what a put leaves out (a scaling
                       policy): a live field of its Create request that the manifest does
                       not declare and whose value is not a server default is taken as one
                       declared before and dropped since (or set outside git) — the record,
                       read off the live resource; only replacing the resource unsets it
    account_references: fields whose value may name something in the account that the
                       plan resolves to a pinned value first (:class:`AccountReference`;
                       its KindApi's ``pins`` reads them)
    rules:             its validation beyond the API model: per manifest, against the other
                       declared manifests, over all of them, and the preflight (see
                       :class:`~reconciler.kinds.validation.KindRules`)
    invoked_as:        for a kind that serves inferences, whose manifests may declare
                       ``checks:``: (physical name, resolved spec) → the SageMaker Runtime
                       InvokeEndpoint members that address it (an inference component:
                       its EndpointName and InferenceComponentName); None: no checks
    check_targets:     which of an invocation's targeting fields its checks may set
                       (``target_variant``, ``inference_component``)
    before_version:    for a kind with checks that moves onto a new version of what it
                       references (an endpoint onto a new EndpointConfig): (its live
                       Describe answer, the path of that reference, the name of the
                       version it moved off) → the Describe answer it had before, to
                       revert to when a rollout's checks never finished; None (or the
                       hook returning None): it cannot be told, and is not reverted
    """

    kind: Kind
    name_field: str
    create_operation: str
    arn_resource_type: str
    service: str = "sagemaker"
    immutable: bool = False
    update_only: dict[str, tuple[str, str]] = field(default_factory=dict)
    references: tuple[Reference, ...] = ()
    named_values: tuple[NamedValue, ...] = ()
    create_only: tuple[str, ...] = ()
    create_only_for: Callable[[JsonDict], tuple[str, ...]] | None = None
    write_only: tuple[str, ...] = ()
    live_spec: Callable[[JsonDict], JsonDict] = lambda description: dict(description)
    unordered: tuple[str, ...] = ()
    keyed: dict[str, str] = field(default_factory=dict)
    merge_keys: dict[str, str] = field(default_factory=dict)
    server_defaults: dict[str, object] = field(default_factory=dict)
    list_key: str = ""
    status_key: str | None = None
    ready: str = "InService"
    failed: tuple[str, ...] = ("Failed",)
    transitional: tuple[str, ...] = ()
    change_markers: tuple[str, ...] = ()
    # Models and configs settle at once; kinds with long transitions say how long.
    timeout: float = 300.0
    plan_update: Callable[[list[FieldChange]], UpdatePlan] | None = None
    update_request: Callable[[UpdateInput], JsonDict] | None = None
    destructive_replace: DestructiveReplace | None = None
    identity: Callable[[JsonDict], str] | None = None
    list_call: str = ""
    describe_call: str = ""
    delete_call: str = ""
    arn_field: str = ""
    batched_tags: bool = True
    owned_through: Kind | None = None
    takes_over: Callable[[JsonDict], list[tuple[Kind, str, str]]] | None = None
    scaled_count: Callable[[JsonDict, str], tuple[str, int | None] | None] | None = None
    scaling_bounds: Callable[[JsonDict], tuple[int | None, int | None]] | None = None
    moves_out: Callable[[JsonDict, PlannedSpecs], str | None] | None = None
    list_request: dict[str, Any] = field(default_factory=dict)
    page_size: int = 100
    key: Callable[[str], JsonDict] | None = None
    export_name: Callable[[str], str] | None = None
    tag_calls: tuple[str, str] = ("AddTags", "DeleteTags")
    dropped_from_live: bool = False
    rules: KindRules = field(default_factory=KindRules)
    account_references: tuple[AccountReference, ...] = ()
    invoked_as: Callable[[str, JsonDict], JsonDict] | None = None
    check_targets: tuple[str, ...] = ()
    before_version: Callable[[JsonDict, SpecPath, str], JsonDict | None] | None = None

    @property
    def patch_keys(self) -> dict[str, str]:
        """The list fields an overlay's patch merges item by item: list path (``[*]`` for
        list items on the way) → the field whose value identifies an item."""
        return {**self.merge_keys, **self.keyed}

    @property
    def noun(self) -> str:
        """The kind's name in its API operations: ``EndpointConfig`` in CreateEndpointConfig."""
        return self.create_operation.removeprefix("Create")

    @property
    def list_operation(self) -> str:
        return self.list_call or f"List{self.noun}s"

    @property
    def items_key(self) -> str:
        return self.list_key or f"{self.noun}s"

    @property
    def describe_operation(self) -> str:
        return self.describe_call or f"Describe{self.noun}"

    @property
    def delete_operation(self) -> str:
        return self.delete_call or f"Delete{self.noun}"

    @property
    def arn_key(self) -> str:
        """The Describe/List field with its ARN: ``ModelName`` → ``ModelArn``."""
        return self.arn_field or self.name_field.removesuffix("Name") + "Arn"

    @property
    def listed_whole(self) -> bool:
        """Its List call is its Describe call (Application Auto Scaling's, CloudWatch's
        Describe*): each listed item is the whole resource, described already."""
        return self.list_operation == self.describe_operation

    def key_of(self, name: str) -> JsonDict:
        """The request members that identify the resource with this physical name."""
        return self.key(name) if self.key is not None else {self.name_field: name}

    def name_of(self, item: JsonDict) -> str:
        """The physical name of a listed (or described) resource."""
        if self.identity is not None:
            return self.identity(item)
        return str(item[self.name_field])

    def physical_name(self, name: str, spec: JsonDict) -> str:
        """The physical name of a mutable resource whose manifest is `name` with the
        resolved `spec` (immutable kinds add their content hash to `name`)."""
        if self.identity is None:
            return name
        return self.identity({**spec, self.name_field: name} if self.name_field else spec)

    @property
    def tagging_type(self) -> str:
        """Its resource type in the Resource Groups Tagging API (``sagemaker:endpoint``)."""
        return f"{self.service}:{self.arn_resource_type}"

    @property
    def max_name_length(self) -> int:
        """63 for SageMaker names; 54 when the name gets a ``-<8 hex>`` suffix."""
        return 54 if self.immutable else 63

    def comparable(self, spec: JsonDict) -> JsonDict:
        """The part of a desired spec that a Describe answer can confirm."""
        skip = set(self.update_only) | set(self.write_only)
        return {k: v for k, v in spec.items() if k not in skip}

    def differences(
        self,
        spec: JsonDict,
        description: JsonDict,
        ignore: tuple[str, ...] = (),
        dropped: Callable[[str], bool] | None = None,
    ) -> list[FieldChange]:
        """What it takes to turn the described live resource into `spec` (both sides in the
        Create-request shape; unordered and keyed lists respected): the declared fields that
        differ, and the live fields `dropped` says were declared at the last apply (for a
        kind ``dropped_from_live``, when no record says: those set beyond the manifest)."""
        if dropped is None and self.dropped_from_live:
            dropped = self.set_beyond(spec, description, ignore)
        return compare(
            self.comparable(spec),
            self.live_spec(description),
            ignore=ignore,
            unordered=self.unordered,
            keyed=self.keyed,
            dropped=dropped if dropped is not None else _never_declared,
        )

    def set_beyond(
        self, spec: JsonDict, description: JsonDict, ignore: tuple[str, ...] = ()
    ) -> Callable[[str], bool]:
        """Which live leaf paths are set beyond what `spec` declares: fields of the Create
        request with a value that is not the server's default (an empty list or map is
        no value). A field of the answer that is no request member (one a newer API
        release answers) is never one of them."""
        live = drop_defaults(self.live_spec(description), self.server_defaults)
        beyond = tuple(
            change.path
            for change in compare(
                self.comparable(spec),
                live,
                ignore=ignore,
                server_defaults=(),
                unordered=self.unordered,
                keyed=self.keyed,
            )
            if change.after is ABSENT
            and not (isinstance(change.before, dict | list) and not change.before)
            and self.is_request_member(change.path)
        )
        return lambda leaf: covered(leaf, beyond) if beyond else False

    def is_request_member(self, path: str) -> bool:
        """`path` (a diff path: dotted, list steps in brackets) names a member of the
        kind's Create request."""
        shape: Any = input_shape(self.create_operation, self.service)
        for part in re.sub(r"\[[^\]]*\]", "", path).split("."):
            while getattr(shape, "type_name", "") == "list":
                shape = shape.member
            members = getattr(shape, "members", None)
            if members is None or part not in members:
                return False
            shape = members[part]
        return True

    def shown_differences(
        self, spec: JsonDict, description: JsonDict, ignore: tuple[str, ...] = ()
    ) -> list[FieldChange]:
        """For display: `spec` against the whole described resource, minus the fields
        SageMaker is known to fill in (a replace's diff against the version it supersedes)."""
        return compare(
            self.comparable(spec),
            drop_defaults(self.live_spec(description), self.server_defaults),
            ignore=ignore,
            server_defaults=(),
            unordered=self.unordered,
            keyed=self.keyed,
        )

    def declared_paths(self, spec: JsonDict) -> list[str]:
        """The leaf paths of `spec` a Describe answer can confirm (what the record of the
        last apply remembers, so that dropping one of them is still a change)."""
        return [path for path, _ in leaves(self.comparable(spec), self.keyed)]

    def canonical(self, spec: JsonDict) -> JsonDict:
        """`spec` with its unordered lists sorted: the form that is hashed, so that
        reordering subnets or security groups changes no name and no fingerprint."""
        canonical: JsonDict = sort_unordered(spec, self.unordered)
        return canonical

    def referenced(self, spec: JsonDict) -> set[tuple[Kind, str]]:
        """(kind, lower-cased name) of every resource `spec` (Create shape, or a List item)
        names."""
        return {(r.kind, n.lower()) for r in self.references for _, n in r.find_in(spec)}

    def hosts(self, spec: JsonDict) -> set[tuple[Kind, str]]:
        """The resources it lives on: references in create-only fields (an inference
        component's endpoint). It cannot move off them; it goes with them."""
        fields = self.create_only_fields(spec)
        return {
            (r.kind, n.lower())
            for r in self.references
            for path, n in r.find_in(spec)
            if covered(".".join(str(p) for p in path), fields)
        }

    def create_only_fields(self, spec: JsonDict | None = None) -> tuple[str, ...]:
        """The create-only fields of a resource with this (desired) `spec`."""
        if self.create_only_for is not None and spec is not None:
            return self.create_only_for(spec)
        return self.create_only

    def create_only_changes(
        self, changes: list[FieldChange], spec: JsonDict | None = None
    ) -> list[FieldChange]:
        """The changes that touch a create-only field of a resource with this (desired)
        `spec` (each means replacing the resource)."""
        fields = self.create_only_fields(spec)
        return [c for c in changes if covered(c.path, fields) and c.after is not ABSENT]

    def dropped_create_only(
        self, changes: list[FieldChange], spec: JsonDict | None = None
    ) -> list[FieldChange]:
        """Create-only fields the manifest no longer declares: nothing can unset them short
        of replacing the resource, which dropping a field never asks for — they keep their
        live values."""
        fields = self.create_only_fields(spec)
        return [c for c in changes if covered(c.path, fields) and c.after is ABSENT]


def put_value(spec: JsonDict, path: SpecPath, value: object) -> None:
    """Set the field at `path` of `spec` (every step of it there already) to `value`."""
    holder: Any = spec
    for part in path[:-1]:
        holder = holder[part]
    holder[path[-1]] = value


def _never_declared(path: str) -> bool:
    return False


def without(description: JsonDict, *fields: str) -> JsonDict:
    """A Describe answer minus the fields that are not part of the spec."""
    return {k: v for k, v in description.items() if k not in fields and k != "ResponseMetadata"}


VPC_UNORDERED = ("VpcConfig.SecurityGroupIds", "VpcConfig.Subnets")
