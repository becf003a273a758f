"""``reconciler iam-policy``: the least-privilege IAM policy, derived from the code.

In:  the actions the code calls (:func:`reconciler.permissions.required_actions`), and with
     ``--target`` the target (account, region, owner, lock table) and its manifests (the
     execution roles they pass, whether they adopt).
Out: an IAM policy document (JSON on stdout).

Without a target it is the policy of ``deploy/iam-policy.json`` (``--plan-only``:
``deploy/iam-policy-plan.json``), any account and region; tests/test_deploy.py holds the
files to this output. With a target, the same actions fenced to that target:

- resources: the target's account and region (``arn:aws:sagemaker:<region>:<account>:*``;
  the tag calls ``...:endpoint/*`` and the other types of ours, see :func:`resources_of`)
  where the action has resource-level permissions; ``*`` where it has none (the List
  calls, Application Auto Scaling's Describe calls, ``tag:GetResources``) and for
  DescribeAlarms, which lists every alarm;
- writes on existing resources require ``aws:ResourceTag/sagemaker-reconciler/owner`` =
  the target's owner; creates require that tag in ``aws:RequestTag`` (and what they use,
  such as CreateEndpoint's config, must not be another owner's); a call that may create or
  update (RegisterScalableTarget, PutMetricAlarm) is allowed either as a create (the owner
  tag in the request, and no owner tag on the resource) or as a write on ours; SageMaker's
  tags sent with a Create (``sagemaker:AddTags`` with ``sagemaker:TaggingAction``) must
  carry our owner; with ``adopt`` in the manifests, a resource with no owner tag may be
  given ours;
- tagging cannot change the owner tag: adding tags to ours may set the owner tag only to
  our owner, and removing tags never removes it (except from a resource of ours marked
  ``deletion-policy: retain``, which the reconciler releases by removing its ownership
  tags when its manifest goes, see reconciler.planning.planner);
- ``iam:PassRole`` only for the roles the manifests name in fields of botocore's
  ``RoleArn`` shape (ExecutionRoleArn, InstanceGroups[*].ExecutionRole, ClusterRole, ...),
  and only to SageMaker;
- the lease lock's DynamoDB calls on the target's lock table only (none without one).

Which condition keys each action takes is in :data:`ACTIONS` (the Service Authorization
Reference); a key an action does not take is never put on it. Why that matters: a key
an action does not take is absent from its request context, and a condition on an absent
key does not match (IAM User Guide, "IAM JSON policy elements: Condition operators": the
key not present in the request context, the values do not match) — an Allow with
``StringEquals`` on it never applies, so the action would always be denied — except under
``ForAllValues``, which "also returns true if there are no context keys in the request"
(IAM User Guide, "Multivalued context key examples"), so that condition would be ignored.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reconciler import permissions
from reconciler.commands.common import EXIT_OK
from reconciler.commands.targets import Context, load_checked
from reconciler.kinds import KINDS
from reconciler.resources import OWNER_TAG, RETAIN_TAG, JsonDict, Manifest

# The tag condition keys (IAM User Guide, "AWS global condition context keys").
RESOURCE_TAG = "aws:ResourceTag"
REQUEST_TAG = "aws:RequestTag"
TAG_KEYS = "aws:TagKeys"
# SageMaker's: the API action that triggers tag creation (Service Authorization Reference,
# "Actions, resources, and condition keys for Amazon SageMaker", sagemaker:AddTags).
TAGGING_ACTION = "sagemaker:TaggingAction"

# The lock table of deploy/dynamodb-lock-table.json: the untargeted policy's.
DEFAULT_LOCK_TABLE = "sagemaker-reconciler-locks"


@dataclass(frozen=True)
class ActionFacts:
    """What IAM knows of one action (Service Authorization Reference, the service's
    "Actions, resources, and condition keys" page: its Actions table, with the condition
    keys of the resource types it acts on from the Resource types table).

    resources: the ARN resource types it is authorized on (empty: no resource-level
               permissions, ``"*"`` only)
    keys:      the tag condition keys it takes (aws:ResourceTag/${TagKey} as
               ``aws:ResourceTag`` ...)
    """

    resources: tuple[str, ...]
    keys: frozenset[str] = frozenset()


def _facts(resources: Iterable[str], *keys: str) -> ActionFacts:
    return ActionFacts(tuple(resources), frozenset(keys))


# The resource types of our SageMaker kinds (model, endpoint-config, endpoint, ...).
_SM = tuple(info.arn_resource_type for info in KINDS.values() if info.service == "sagemaker")
_TARGET = ("scalable-target",)
_ALARM = ("alarm",)
_TABLE = ("table",)
_GROUP = ("model-package-group",)
_PACKAGE = ("model-package",)
_BUS = ("event-bus",)
_GROUP_READS = ("sagemaker:DescribeModelPackageGroup",)
_PACKAGE_READS = ("sagemaker:DescribeModelPackage",)
_REGISTRY_READS = ("sagemaker:ListModelPackages", *_GROUP_READS, *_PACKAGE_READS)
_R, _Q, _K = RESOURCE_TAG, REQUEST_TAG, TAG_KEYS

# Every action the code can call (tests/test_iam_policy.py checks this table against
# permissions.required_actions() and against parliament's copy of the reference).
# SageMaker: every resource type of ours lists aws:ResourceTag/${TagKey} in the Resource
# types table; the Create calls and AddTags take aws:RequestTag/${TagKey} and aws:TagKeys,
# DeleteTags aws:TagKeys; the List<Noun>s calls have no resource types.
# Application Auto Scaling: scalable-target lists aws:ResourceTag/${TagKey};
# RegisterScalableTarget and TagResource take aws:RequestTag and aws:TagKeys, UntagResource
# aws:TagKeys; the Describe calls have no resource types.
# CloudWatch: alarm lists aws:ResourceTag/${TagKey}; PutMetricAlarm and TagResource take
# aws:RequestTag and aws:TagKeys, UntagResource aws:TagKeys.
ACTIONS: dict[str, ActionFacts] = {
    **{
        f"sagemaker:{op}": _facts((), *())
        for op in (
            "ListModels",
            "ListEndpointConfigs",
            "ListEndpoints",
            "ListInferenceComponents",
            "ListClusters",
        )
    },
    **{
        f"sagemaker:{op}": _facts(_SM, _R)
        for op in (
            "DescribeModel",
            "DescribeEndpointConfig",
            "DescribeEndpoint",
            "DescribeInferenceComponent",
            "DescribeCluster",
            "DescribeClusterNode",
            "ListClusterNodes",
            "ListTags",
            "UpdateEndpoint",
            "UpdateInferenceComponent",
            "UpdateInferenceComponentRuntimeConfig",
            "UpdateCluster",
            "DeleteModel",
            "DeleteEndpointConfig",
            "DeleteEndpoint",
            "DeleteInferenceComponent",
            "DeleteCluster",
        )
    },
    **{
        # The reference lists aws:ResourceTag for the resource type a Create makes; a
        # resource being made has no tags yet, so a create is never conditioned on it.
        f"sagemaker:{op}": _facts(_SM, _R, _Q, _K)
        for op in (
            "CreateModel",
            "CreateEndpointConfig",
            "CreateEndpoint",
            "CreateInferenceComponent",
            "CreateCluster",
        )
    },
    "sagemaker:AddTags": _facts(_SM, _R, _Q, _K, TAGGING_ACTION),
    "sagemaker:DeleteTags": _facts(_SM, _R, _K),
    **{
        f"application-autoscaling:{op}": _facts(())
        for op in ("DescribeScalableTargets", "DescribeScalingPolicies", "DescribeScheduledActions")
    },
    **{
        f"application-autoscaling:{op}": _facts(_TARGET, _R)
        for op in (
            "ListTagsForResource",
            "DeregisterScalableTarget",
            "PutScalingPolicy",
            "DeleteScalingPolicy",
            "PutScheduledAction",
            "DeleteScheduledAction",
        )
    },
    "application-autoscaling:RegisterScalableTarget": _facts(_TARGET, _R, _Q, _K),
    "application-autoscaling:TagResource": _facts(_TARGET, _R, _Q, _K),
    "application-autoscaling:UntagResource": _facts(_TARGET, _R, _K),
    "cloudwatch:DescribeAlarms": _facts(_ALARM, _R),
    "cloudwatch:ListTagsForResource": _facts(_ALARM, _R),
    "cloudwatch:DeleteAlarms": _facts(_ALARM, _R),
    "cloudwatch:PutMetricAlarm": _facts(_ALARM, _R, _Q, _K),
    "cloudwatch:TagResource": _facts(_ALARM, _R, _Q, _K),
    "cloudwatch:UntagResource": _facts(_ALARM, _R, _K),
    "tag:GetResources": _facts(()),
    # Model registry references: the newest Approved version of a group (ListModelPackages
    # has no resource types; DescribeModelPackageGroup acts on model-package-group, which
    # lists aws:ResourceTag/${TagKey}).
    "sagemaker:ListModelPackages": _facts(()),
    "sagemaker:DescribeModelPackageGroup": _facts(_GROUP, _R),
    # A version pinned by hand (its ARN) is checked to be Approved: DescribeModelPackage
    # acts on model-package (aws:ResourceTag/${TagKey}).
    "sagemaker:DescribeModelPackage": _facts(_PACKAGE, _R),
    # Declared checks: InvokeEndpoint acts on endpoint (aws:ResourceTag/${TagKey}); only
    # our own endpoints are checked.
    "sagemaker:InvokeEndpoint": _facts(("endpoint",), _R),
    # The eventbridge notification sink: PutEvents acts on event-bus (which lists
    # aws:ResourceTag/${TagKey}); a bus is not ours, so no tag condition is used: the
    # target's policy allows its account's buses.
    "events:PutEvents": _facts(_BUS, _R),
    # ... which looks its bus up once as it starts (PutEvents accepts events for a bus
    # that does not exist): DescribeEventBus acts on event-bus too.
    "events:DescribeEventBus": _facts(_BUS, _R),
    # Scan: the replicas' presences (run --all-targets with a lock table, controller/sharing).
    **{f"dynamodb:{op}": _facts(_TABLE, _R) for op in ("GetItem", "PutItem", "DeleteItem", "Scan")},
}

# Reads that list a whole account: their resource is "*" even where IAM names a resource
# type (DescribeAlarms without AlarmNames lists every alarm; ListClusterNodes is kept with
# the List calls as deploy/iam-policy.json has it when no target is given).
_LISTS_EVERYTHING = ("cloudwatch:DescribeAlarms",)

# The verbs of the actions that write (tests/support/calls.py names the same for counting).
_TAG_ADD = ("AddTags", "TagResource")
_TAG_REMOVE = ("DeleteTags", "UntagResource")


def facts(action: str) -> ActionFacts:
    try:
        return ACTIONS[action]
    except KeyError:
        raise KeyError(
            f"{action}: the code calls it, but reconciler.commands.iam_policy.ACTIONS does not "
            "say which resources and condition keys IAM has for it"
        ) from None


def operation(action: str) -> str:
    return action.split(":", 1)[1]


def is_read(action: str) -> bool:
    return operation(action).startswith(permissions.READ_PREFIXES)


def is_create(action: str) -> bool:
    """A call that makes a resource: a kind's create operation (CreateModel,
    RegisterScalableTarget, PutMetricAlarm, PutScalingPolicy ...)."""
    return any(
        permissions.iam_action(info.service, info.create_operation) == action
        for info in KINDS.values()
    )


def is_upsert(action: str) -> bool:
    """A kind's create operation that also updates (its name is not ``Create<Noun>``:
    RegisterScalableTarget "registers or updates", PutMetricAlarm "creates or updates")."""
    return is_create(action) and not operation(action).startswith("Create")


# -- ARNs --------------------------------------------------------------------------------
def partition(region: str) -> str:
    """The ARN partition of a region (IAM User Guide, "IAM identifiers": aws, aws-cn,
    aws-us-gov)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


@dataclass(frozen=True)
class Where:
    """The account and region a policy's ARNs name ("*": any)."""

    region: str = "*"
    account: str = "*"
    partition: str = "aws"

    def arn(self, service: str, resource_type: str) -> str:
        """Every resource of `resource_type` (Service Authorization Reference, Resource
        types table: the ARN formats)."""
        head = f"arn:{self.partition}:{service}:{self.region}:{self.account}"
        if service == "cloudwatch":
            return f"{head}:{resource_type}:*"
        return f"{head}:{resource_type}/*"

    def account_arn(self, service: str) -> str:
        """Every resource of `service` in the account and region."""
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:*"

    def table(self, name: str) -> str:
        return f"arn:{self.partition}:dynamodb:{self.region}:{self.account}:table/{name}"


def _service(action: str) -> str:
    return action.split(":", 1)[0]


def resources_of(actions: Iterable[str], where: Where) -> list[str] | str:
    """The ARNs `actions` act on, by service: every resource type of theirs ("*" when none
    has resource-level permissions). A service's types are listed one by one when a call
    that adds or removes tags is among its actions (AddTags acts on any SageMaker
    resource: the types keep it to ours); otherwise each action names its own type
    (DeleteModel acts on models only; ListTags only reads), and one ARN for the whole
    account and region says as much in fewer characters (a managed policy holds 6,144)."""
    found: list[tuple[str, str]] = []
    tagging: set[str] = set()
    for action in sorted(actions):
        if operation(action) in (*_TAG_ADD, *_TAG_REMOVE):
            tagging.add(_service(action))
        for resource_type in facts(action).resources:
            if (_service(action), resource_type) not in found:
                found.append((_service(action), resource_type))
    if not found:
        return "*"
    order = (*_SM, *_GROUP, *_PACKAGE, *_TARGET, *_ALARM, *_TABLE, *_BUS)
    found.sort(key=lambda s_t: (_SERVICE_ORDER.index(s_t[0]), order.index(s_t[1])))
    arns: list[str] = []
    for service, resource_type in found:
        several = sum(1 for s_t in found if s_t[0] == service) > 1
        arn = (
            where.account_arn(service)
            if several and service not in tagging
            else where.arn(service, resource_type)
        )
        if arn not in arns:
            arns.append(arn)
    return arns[0] if len(arns) == 1 else arns


_SERVICE_ORDER = (
    "sagemaker",
    "application-autoscaling",
    "cloudwatch",
    "dynamodb",
    "events",
    "tag",
)


# -- statements ---------------------------------------------------------------------------
def _statement(
    sid: str, actions: Iterable[str], resource: list[str] | str, condition: JsonDict | None = None
) -> JsonDict:
    statement: JsonDict = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(actions),
        "Resource": resource,
    }
    if condition:
        statement["Condition"] = condition
    return statement


def untargeted(required: set[str], *, plan_only: bool) -> JsonDict:
    """The policy of deploy/iam-policy.json (plan_only: deploy/iam-policy-plan.json): any
    account and region, no tag conditions."""
    where = Where()
    actions = {a for a in required if a.split(":")[0] not in ("dynamodb", "events")}
    if plan_only:
        actions = {a for a in actions if a in permissions.read_only_actions()}
    statements: list[JsonDict] = []
    registry = {a for a in actions if a in _REGISTRY_READS}
    sagemaker = {a for a in actions if _service(a) == "sagemaker"} - registry
    lists = {a for a in sagemaker if operation(a).startswith("List") and a != "sagemaker:ListTags"}
    statements.append(_statement("ListResources", lists, "*"))
    rest = sagemaker - lists
    sid = "ReadHostingResources" if plan_only else "ManageHostingResources"
    statements.append(_statement(sid, rest, [where.arn("sagemaker", t) for t in _SM]))
    # Model registry references read groups that are not ours (no tags of ours on them).
    listed = registry - set(_GROUP_READS) - set(_PACKAGE_READS)
    statements.append(_statement("ListModelPackages", listed, "*"))
    statements.append(
        _statement(
            "ReadModelPackageGroups",
            registry & set(_GROUP_READS),
            [where.arn("sagemaker", t) for t in _GROUP],
        )
    )
    statements.append(
        _statement(
            "ReadModelPackages",
            registry & set(_PACKAGE_READS),
            [where.arn("sagemaker", t) for t in _PACKAGE],
        )
    )
    statements.append(
        _statement("ReadTagsInBatches", {a for a in actions if _service(a) == "tag"}, "*")
    )
    autoscaling = {a for a in actions if _service(a) == "application-autoscaling"}
    sid = "ReadAutoscaling" if plan_only else "ManageAutoscaling"
    # Which Application Auto Scaling actions IAM scopes to a target's ARN was left
    # unverified when deploy/iam-policy.json was written (deploy/README.md): "*".
    statements.append(_statement(sid, autoscaling, "*"))
    alarms = {a for a in actions if _service(a) == "cloudwatch"}
    statements.append(_statement("ListAlarms", alarms & set(_LISTS_EVERYTHING), "*"))
    sid = "ReadAlarmTags" if plan_only else "ManageAlarms"
    statements.append(
        _statement(sid, alarms - set(_LISTS_EVERYTHING), where.arn("cloudwatch", "alarm"))
    )
    if not plan_only:
        statements.append(_pass_role(["arn:aws:iam::*:role/*"]))
        lock = {a for a in required if _service(a) == "dynamodb"}
        statements.append(_statement("LeaseLock", lock, where.table(DEFAULT_LOCK_TABLE)))
        notify = {a for a in required if _service(a) == "events"}
        statements.append(
            _statement("NotifyThroughEventBridge", notify, where.arn("events", "event-bus"))
        )
    return {"Version": "2012-10-17", "Statement": [s for s in statements if s["Action"]]}


def _pass_role(roles: list[str]) -> JsonDict:
    # iam:PassRole takes iam:PassedToService (Service Authorization Reference, "Actions,
    # resources, and condition keys for AWS Identity and Access Management").
    return {
        "Sid": "PassExecutionRolesToSageMaker",
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": roles[0] if len(roles) == 1 else roles,
        "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
    }


@dataclass(frozen=True)
class Fence:
    """What a target's policy is fenced to."""

    where: Where
    owner: str
    lock_table: str | None
    roles: tuple[str, ...]
    adopts: bool


def targeted(
    required: set[str], fence: Fence, *, plan_only: bool, eventbridge: bool = False
) -> JsonDict:
    """The policy of one target: its account and region, its owner's resources, its roles
    and its lock table (see the module's docstring). One statement per kind of access,
    over every service (an action matches only ARNs of its own service), which keeps the
    document under IAM's 6,144 characters for a managed policy (IAM User Guide, "IAM and
    AWS STS quotas")."""
    owned = {f"{RESOURCE_TAG}/{OWNER_TAG}": fence.owner}
    requested = {f"{REQUEST_TAG}/{OWNER_TAG}": fence.owner}
    no_owner = {f"{RESOURCE_TAG}/{OWNER_TAG}": "true"}
    actions = {a for a in required if _service(a) not in ("dynamodb", "events")}
    notify = {a for a in required if _service(a) == "events"}
    if plan_only:
        actions &= permissions.read_only_actions()
    reads = {a for a in actions if is_read(a)}
    unscoped = {a for a in reads if not facts(a).resources or a in _LISTS_EVERYTHING}
    writes = actions - reads
    creates = {a for a in writes if is_create(a) and REQUEST_TAG in facts(a).keys}
    upserts = {a for a in creates if is_upsert(a)}
    new_only = creates - upserts
    adds = {a for a in writes if operation(a) in _TAG_ADD}
    removes = {a for a in writes if operation(a) in _TAG_REMOVE}
    on_ours = writes - new_only - adds - removes
    for action in on_ours:
        if RESOURCE_TAG not in facts(action).keys:
            raise ValueError(f"{action} writes, but IAM cannot condition it on its resource's tags")
    where = fence.where

    def statement(sid: str, chosen: set[str], condition: JsonDict | None = None) -> JsonDict:
        return _statement(sid, chosen, resources_of(chosen, where), condition)

    statements = [
        _statement("List", unscoped, "*"),
        statement("Read", reads - unscoped),
        # IfExists: the resource being made has no tags; the ones a create also acts on
        # (CreateEndpoint's config, CreateInferenceComponent's endpoint) must not be
        # another owner's.
        statement(
            "Create",
            new_only,
            {"StringEquals": requested, "StringEqualsIfExists": owned},
        ),
        # A call that creates or updates, as a create: the owner tag in the request, none on
        # the resource (Null "true": it carries no owner tag, as one not made yet).
        statement("Upsert", upserts, {"StringEquals": requested, "Null": no_owner}),
        statement("ChangeOwn", on_ours, {"StringEquals": owned}),
        # IfExists: a request without the owner tag passes; one with it must name us.
        statement("TagOwn", adds, {"StringEquals": owned, "StringEqualsIfExists": requested}),
        # Every key removed is not the owner tag (ForAllValues over aws:TagKeys; Null
        # "false": the request names keys, since ForAllValues also matches without them).
        statement(
            "UntagOwn",
            removes,
            {
                "StringEquals": owned,
                "ForAllValues:StringNotEquals": {TAG_KEYS: [OWNER_TAG]},
                "Null": {TAG_KEYS: "false"},
            },
        ),
        # deletion-policy retain: the reconciler releases what it keeps by removing its
        # ownership tags (reconciler.planning.planner, _ownership_tags).
        statement(
            "Release",
            removes,
            {"StringEquals": {**owned, f"{RESOURCE_TAG}/{RETAIN_TAG}": "retain"}},
        ),
    ]
    tag_on_create = {a for a in adds if TAGGING_ACTION in facts(a).keys}
    if tag_on_create:
        made = sorted(operation(a) for a in new_only if _service(a) == "sagemaker")
        # SageMaker authorizes the tags of a Create call as sagemaker:AddTags with
        # sagemaker:TaggingAction = that Create (unverified: see the README).
        statements.append(
            statement(
                "TagOnCreate", tag_on_create, {"StringEquals": {**requested, TAGGING_ACTION: made}}
            )
        )
    if fence.adopts:
        # adopt: a resource with no owner tag gets ours.
        statements.append(statement("Adopt", adds, {"StringEquals": requested, "Null": no_owner}))
    if not plan_only:
        if fence.roles:
            statements.append(_pass_role(list(fence.roles)))
        lock = {a for a in required if _service(a) == "dynamodb"}
        if fence.lock_table is not None:
            statements.append(_statement("LeaseLock", lock, where.table(fence.lock_table)))
        # An eventbridge notification sink puts events on a bus of the target's account
        # (only when asked: most targets have none, and a managed policy holds 6,144).
        if eventbridge:
            statements.append(_statement("Notify", notify, where.arn("events", "event-bus")))
    return {"Version": "2012-10-17", "Statement": [s for s in statements if s["Action"]]}


# -- what the manifests pass ------------------------------------------------------------
def role_paths(service: str, operation_name: str) -> list[tuple[str, ...]]:
    """The request paths of `operation_name` whose botocore shape is ``RoleArn`` (a role
    passed to the service: SageMaker's ExecutionRoleArn, InstanceGroups[*].ExecutionRole,
    ClusterRole); ``*`` stands for every list item."""
    model = permissions.service_model(service)
    found: list[tuple[str, ...]] = []

    def walk(shape: Any, path: tuple[str, ...], seen: frozenset[str]) -> None:
        if shape.name in seen:
            return
        seen = seen | {shape.name}
        if shape.type_name == "structure":
            for member, inner in shape.members.items():
                walk(inner, (*path, member), seen)
        elif shape.type_name == "list":
            walk(shape.member, (*path, "*"), seen)
        elif shape.type_name == "string" and shape.name == "RoleArn":
            found.append(path)

    walk(model.operation_model(operation_name).input_shape, (), frozenset())
    return found


def _values_at(value: object, path: tuple[str, ...]) -> list[str]:
    if not path:
        return [value] if isinstance(value, str) else []
    head, rest = path[0], path[1:]
    if head == "*":
        return (
            [v for item in value for v in _values_at(item, rest)] if isinstance(value, list) else []
        )
    return _values_at(value[head], rest) if isinstance(value, dict) and head in value else []


def passed_roles(manifests: Iterable[Manifest]) -> tuple[str, ...]:
    """The role ARNs the manifests pass to SageMaker, sorted."""
    roles: set[str] = set()
    for manifest in manifests:
        info = KINDS[manifest.kind]
        for path in role_paths(info.service, info.create_operation):
            roles.update(_values_at(manifest.spec, path))
    return tuple(sorted(roles))


def fence_of(context: Context) -> Fence:
    """The fence of a project target's context (its manifests loaded and checked)."""
    target = context.target
    assert target is not None
    manifests = load_checked(context).manifests
    return Fence(
        where=Where(target.region, target.account_id, partition(target.region)),
        owner=target.owner,
        lock_table=target.lock_table,
        roles=passed_roles(manifests),
        adopts=any(m.annotations.adopt for m in manifests),
    )


def policy(
    context: Context | None, *, plan_only: bool = False, eventbridge: bool = False
) -> JsonDict:
    """The policy for `context` (None or no target: the untargeted one)."""
    required = permissions.required_actions()
    if context is None or context.target is None:
        return untargeted(required, plan_only=plan_only)
    return targeted(required, fence_of(context), plan_only=plan_only, eventbridge=eventbridge)


# IAM's largest managed policy, in characters without white space (IAM User Guide, "IAM
# and AWS STS quotas": managed policy size 6,144; a role's inline policies 10,240 in all).
MANAGED_POLICY_LIMIT = 6144
INLINE_POLICY_LIMIT = 10240


def size(document: JsonDict) -> int:
    """The policy's size as IAM counts it (no white space)."""
    return len(json.dumps(document, separators=(",", ":")))


def run(*, context: Context, plan_only: bool, eventbridge: bool = False) -> int:
    document = policy(context, plan_only=plan_only, eventbridge=eventbridge)
    sys.stdout.write(json.dumps(document, indent=2) + "\n")
    length = size(document)
    if length > MANAGED_POLICY_LIMIT:
        where = "an inline policy of the role" if length <= INLINE_POLICY_LIMIT else "two policies"
        print(
            f"reconciler: the policy has {length} characters, more than a managed policy's "
            f"{MANAGED_POLICY_LIMIT}: attach it as {where}",
            file=sys.stderr,
        )
    return EXIT_OK
