"""Endpoint: runs an EndpointConfig; UpdateEndpoint moves it to another one.

What can be compared is the config it runs: DeploymentConfig and the Retain* options are
instructions for a deployment, not state (LastDeploymentConfig only records the last one).
"""

from __future__ import annotations

from reconciler.gateway import Gateway
from reconciler.kinds import endpoint_rules
from reconciler.kinds.api import KindApi, Revert, UpdateCall
from reconciler.kinds.base import KindInfo, Reference, UpdatePlan
from reconciler.resources import JsonDict, Kind, SpecPath

# Where the variants a scalable target scales are named among the fields taken over from
# an endpoint (kinds.scalable_target): ``ScaledVariants.<variant>.DesiredInstanceCount``.
# No such spec field exists; the endpoint's update reads it.
SCALED_VARIANTS = "ScaledVariants"


def before_version(live: JsonDict, path: SpecPath, superseded: str) -> JsonDict | None:
    """The endpoint as it was before it moved off config `superseded`: the config is all
    an endpoint's spec is (UpdateEndpoint takes EndpointConfigName and deployment options,
    which are instructions, not state)."""
    if path != ("EndpointConfigName",):
        return None
    return {**live, "EndpointConfigName": superseded}


# Statuses in which the endpoint is working on something: wait, never write.
TRANSITIONAL = ("Creating", "Updating", "SystemUpdating", "RollingBack", "Deleting")


def live_spec(description: JsonDict) -> JsonDict:
    return {"EndpointConfigName": description["EndpointConfigName"]}


def scaled_count(description: JsonDict, path: str) -> tuple[str, int | None] | None:
    """A variant's instance count a scalable target scales
    (``ScaledVariants.<variant>.DesiredInstanceCount``), as the account has it now: the
    variant's ``DesiredInstanceCount`` in DescribeEndpoint ProductionVariants (what the
    scaler last set; ``CurrentInstanceCount`` trails it while instances start)."""
    parts = path.split(".")
    if len(parts) != 3 or parts[0] != SCALED_VARIANTS:
        return None
    count = next(
        (
            v.get("DesiredInstanceCount")
            for v in description.get("ProductionVariants") or []
            if isinstance(v, dict) and v.get("VariantName") == parts[1]
        ),
        None,
    )
    return f"{parts[1]} instances", count if isinstance(count, int) else None


INFO = KindInfo(
    kind=Kind.ENDPOINT,
    name_field="EndpointName",
    create_operation="CreateEndpoint",
    status_key="EndpointStatus",
    failed=("Failed", "UpdateRollbackFailed"),
    transitional=TRANSITIONAL,
    # SageMaker bumps LastModifiedTime on every update (ListEndpoints summary).
    change_markers=("LastModifiedTime", "EndpointStatus"),
    # An endpoint can take most of an hour to create on large accelerated instances.
    timeout=3600.0,
    plan_update=lambda diff: UpdatePlan(["UpdateEndpoint"], "EndpointConfigName changed"),
    arn_resource_type="endpoint",
    update_only={
        "RetainAllVariantProperties": ("UpdateEndpoint", "RetainAllVariantProperties"),
        "ExcludeRetainedVariantProperties": ("UpdateEndpoint", "ExcludeRetainedVariantProperties"),
        "RetainDeploymentConfig": ("UpdateEndpoint", "RetainDeploymentConfig"),
    },
    references=(
        Reference(("EndpointConfigName",), Kind.ENDPOINT_CONFIG),
        # The alarms that roll a deployment back, by name (SageMaker's Alarm shape is
        # {AlarmName}; CloudFormation AWS::SageMaker::Endpoint Alarm): a declared Alarm is
        # put before the endpoint's create or update that names it.
        Reference(
            ("DeploymentConfig", "AutoRollbackConfiguration", "Alarms", "*", "AlarmName"),
            Kind.ALARM,
        ),
    ),
    # No create-only fields: UpdateEndpoint takes every CreateEndpoint member but Tags
    # (EndpointConfigName, DeploymentConfig; botocore sagemaker service-2.json), and tags
    # change with AddTags/DeleteTags.
    write_only=("DeploymentConfig",),
    live_spec=live_spec,
    scaled_count=scaled_count,
    # Overlay patches merge rollback alarms by name (UpdateEndpoint AutoRollbackConfig).
    merge_keys={"DeploymentConfig.AutoRollbackConfiguration.Alarms": "AlarmName"},
    # SageMaker Runtime InvokeEndpoint addresses an endpoint by EndpointName; a check may
    # pick a variant (TargetVariant) or an inference component on it (InvokeEndpoint API
    # reference, botocore sagemaker-runtime InvokeEndpointInput).
    invoked_as=lambda name, spec: {"EndpointName": name},
    check_targets=("target_variant", "inference_component"),
    before_version=before_version,
    rules=endpoint_rules.RULES,
)


def deployment_options(call: UpdateCall) -> JsonDict:
    """What UpdateEndpoint carries beside the config: the manifest's DeploymentConfig and
    update-only options, and RetainAllVariantProperties when a variant is scaled."""
    spec = call.spec
    options = {k: spec[k] for k in ("DeploymentConfig", *INFO.update_only) if k in spec}
    if any(path.startswith(SCALED_VARIANTS + ".") for path in call.ignore):
        # A variant's instance count is its scaler's (a declared scalable target): the
        # new config must not reset it. RetainAllVariantProperties keeps the live counts
        # and weights (UpdateEndpoint; "The default is false").
        options.setdefault("RetainAllVariantProperties", True)
    return options


def without_auto_rollback(deployment: object) -> JsonDict | None:
    """A DeploymentConfig for a revert: the same traffic shifting, but no
    AutoRollbackConfiguration. Its alarms watch the endpoint ("If any alarms are tripped
    during a deployment, SageMaker rolls back the deployment", AutoRollbackConfig API
    reference), and while the revert deploys they still see the failing version that the
    revert replaces, or are the very alarm whose state failed the checks: SageMaker would
    roll the revert back onto the version that failed. (The same holds for an inference
    component's InferenceComponentDeploymentConfig, whose other member, RollingUpdatePolicy,
    is kept.)"""
    if not isinstance(deployment, dict):
        return None
    kept = {k: v for k, v in deployment.items() if k != "AutoRollbackConfiguration"}
    return kept or None


def revert_deployment(spec: JsonDict, before: JsonDict) -> JsonDict:
    """The DeploymentConfig and RetainDeploymentConfig a revert sends: the deployment the
    manifest asks for, without its rollback alarms (:func:`without_auto_rollback`).

    RetainDeploymentConfig=true "Specifies whether to reuse the last deployment
    configuration" (UpdateEndpoint API reference), and the last one is the forward
    update's, alarms included: retained, it would bring back the very alarms stripped
    here. So whenever the config to reuse carries alarms, the revert sends
    RetainDeploymentConfig=false ("The default value is false (the configuration is not
    reused)"; sent rather than left out so that the call says so) with the stripped config
    itself, if anything of it is left. With no DeploymentConfig in the manifest, the config
    reused is the endpoint's LastDeploymentConfig (DescribeEndpoint), as the update found
    it."""
    declared = spec.get("DeploymentConfig")
    retain = bool(spec.get("RetainDeploymentConfig"))
    reused = before.get("LastDeploymentConfig") if declared is None and retain else declared
    deployment = without_auto_rollback(reused)
    if deployment == reused:
        # No alarms to strip: the revert deploys as the update did.
        return {} if declared is None else {"DeploymentConfig": declared}
    options: JsonDict = {} if deployment is None else {"DeploymentConfig": deployment}
    if retain:
        options["RetainDeploymentConfig"] = False
    return options


class EndpointApi(KindApi):
    def update(self, aws: Gateway, name: str, call: UpdateCall) -> None:
        # UpdateEndpoint carries the new config plus the manifest's deployment options.
        self.call(
            aws,
            "UpdateEndpoint",
            EndpointName=name,
            EndpointConfigName=call.spec["EndpointConfigName"],
            **deployment_options(call),
        )

    def revert(self, aws: Gateway, name: str, before: JsonDict, call: UpdateCall) -> Revert | None:
        # The config live before this apply still exists: retirement waits for the checks
        # (reconciler.execution.executor). UpdateEndpoint back onto it is a blue/green
        # update like any other: the endpoint keeps serving throughout. It is deployed as
        # the update was (a scaled variant keeps its live instance count), without the
        # alarms that would roll it back onto the failing version.
        previous = str(before["EndpointConfigName"])
        options = deployment_options(call)
        options.pop("DeploymentConfig", None)
        options.update(revert_deployment(call.spec, before))
        self.call(aws, "UpdateEndpoint", EndpointName=name, EndpointConfigName=previous, **options)
        return Revert(
            "UpdateEndpoint",
            previous,
            {"EndpointConfigName": previous},
            f"EndpointConfig {previous}",
        )

    def rolled_back(
        self, description: JsonDict, spec: JsonDict, ignore: tuple[str, ...] = ()
    ) -> str | None:
        """The failure reason when an update ended InService on another config than asked."""
        if description.get("EndpointConfigName") != spec["EndpointConfigName"]:
            return str(
                description.get("FailureReason") or "the endpoint runs another configuration"
            )
        return None


API = EndpointApi(INFO)
