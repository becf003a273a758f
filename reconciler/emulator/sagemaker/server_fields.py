"""How talkative Describe answers are: ``aws`` (what SageMaker fills in) or ``extra``.

SageMaker's Describe answers carry fields nobody asked for (defaults, derived values,
summaries); each kind module fills those in as AWS does, citing its source. The ``extra``
mode goes further on purpose: it adds *more* plausible server-filled fields — values a
future SageMaker release could start returning — so that tests prove the reconciler never
depends on the emulator's silence.

The extra fields are members of the current API model (botocore's ``service-2.json``):
the app keeps only what the operation's output shape defines, and botocore's parser drops
anything else on the client side, so a made-up name would never reach a client. A member
the manifest does not declare looks to a client exactly like a field AWS starts filling
in next year.

The mode is set with ``POST /_emulator/config {"server_fields": "extra"}`` or
``reconciler emulator --server-fields extra``; the default is ``aws``.

Hook for every kind: a kind module's Describe handler ends with
``return server_fields.finish(ctx, "Kind", response)``; the extras of a kind are a
function registered with :func:`extras_for` (clusters can register theirs the same way).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reconciler.emulator.sagemaker import Context

JsonDict = dict[str, Any]

MODES = ("aws", "extra")

# (answer, facts): facts are what the kind module knows beyond the answer (instance type, ...).
Extras = Callable[[JsonDict, JsonDict], None]
_EXTRAS: dict[str, Extras] = {}


def parse(text: str) -> str:
    """The mode named by `text`; ValueError for anything else."""
    mode = str(text).strip()
    if mode not in MODES:
        raise ValueError(f"invalid server_fields {text!r}: expected {' or '.join(MODES)}")
    return mode


def extras_for(kind: str) -> Callable[[Extras], Extras]:
    """Register the function that adds the extra-mode fields to a Describe answer of `kind`
    (it changes the answer in place; it must only add, never change what is there)."""

    def register(function: Extras) -> Extras:
        _EXTRAS[kind] = function
        return function

    return register


def finish(ctx: Context, kind: str, response: JsonDict, **facts: Any) -> JsonDict:
    """`response` as the emulator answers it in the current mode."""
    if ctx.control.server_fields != "extra" or kind not in _EXTRAS:
        return response
    answer = copy.deepcopy(response)
    _EXTRAS[kind](answer, facts)
    return answer


def add_missing(target: JsonDict, fields: JsonDict) -> None:
    """Set each field of `fields` that `target` does not have yet."""
    for name, value in fields.items():
        target.setdefault(name, copy.deepcopy(value))


# -- the extras of the hosting kinds ---------------------------------------------------------


def _container_extras(container: JsonDict) -> None:
    add_missing(
        container,
        {"ImageConfig": {"RepositoryAccessMode": "Platform"}, "Environment": {}},
    )


@extras_for("Model")
def _model_extras(answer: JsonDict, facts: JsonDict) -> None:
    add_missing(answer, {"DeploymentRecommendation": {"RecommendationStatus": "NOT_APPLICABLE"}})
    for container in [answer.get("PrimaryContainer"), *answer.get("Containers", [])]:
        if isinstance(container, dict):
            _container_extras(container)


def _variant_extras(variant: JsonDict) -> None:
    add_missing(variant, {"EnableSSMAccess": False})
    if "ServerlessConfig" not in variant:
        add_missing(
            variant,
            {
                "VariantInstanceProvisionTimeoutInSeconds": 3600,
                "ContainerStartupHealthCheckTimeoutInSeconds": 600,
                "ModelDataDownloadTimeoutInSeconds": 600,
                "RoutingConfig": {"RoutingStrategy": "RANDOM"},
            },
        )


@extras_for("EndpointConfig")
def _endpoint_config_extras(answer: JsonDict, facts: JsonDict) -> None:
    add_missing(answer, {"MetricsConfig": {"EnableEnhancedMetrics": False}})
    for variant in [
        *answer.get("ProductionVariants", []),
        *answer.get("ShadowProductionVariants", []),
    ]:
        _variant_extras(variant)


def _variant_summary_extras(summary: JsonDict) -> None:
    if "CurrentServerlessConfig" not in summary:
        add_missing(
            summary,
            {
                "RoutingConfig": {"RoutingStrategy": "RANDOM"},
                "ManagedInstanceScaling": {"Status": "DISABLED"},
            },
        )


@extras_for("Endpoint")
def _endpoint_extras(answer: JsonDict, facts: JsonDict) -> None:
    add_missing(answer, {"MetricsConfig": {"EnableEnhancedMetrics": False}})
    for summary in [
        *answer.get("ProductionVariants", []),
        *answer.get("ShadowProductionVariants", []),
    ]:
        _variant_summary_extras(summary)


def _ic_spec_extras(spec: JsonDict) -> None:
    add_missing(
        spec,
        {
            "StartupParameters": {
                "ModelDataDownloadTimeoutInSeconds": 3600,
                "ContainerStartupHealthCheckTimeoutInSeconds": 600,
            },
            "SchedulingConfig": {"PlacementStrategy": "SPREAD"},
            "DataCacheConfig": {"EnableCaching": False},
        },
    )
    container = spec.get("Container")
    if isinstance(container, dict):
        add_missing(container, {"Environment": {}})


@extras_for("InferenceComponent")
def _inference_component_extras(answer: JsonDict, facts: JsonDict) -> None:
    specs = [answer["Specification"]] if "Specification" in answer else []
    for spec in [*specs, *answer.get("Specifications", [])]:
        _ic_spec_extras(spec)
    runtime = answer.get("RuntimeConfig")
    if isinstance(runtime, dict) and facts.get("instance_type"):
        add_missing(
            runtime,
            {
                "PlacementStatus": [
                    {
                        "InstanceType": facts["instance_type"],
                        "CurrentCopyCount": runtime.get("CurrentCopyCount", 0),
                    }
                ]
            },
        )
