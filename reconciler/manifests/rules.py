"""SageMaker's rules within one manifest that the API model cannot express: which fields go
together, which exclude each other, which values the service refuses although the shape
allows them. Each is what SageMaker refuses at create time, so validate says it first, at
the field's line, before any write.

In:  one :class:`Manifest` (its spec as written; types were checked against the API model
     already, so values of the wrong type are skipped here, not reported twice).
Out: :class:`Problem` s at the line of the field concerned.

Every rule names its public source beside it; where the source says less than the rule (a
documented "omit" or "instead of" that we read as a refusal), the comment says so. Rules that
need another manifest (an adapter's base, reference cycles) are in ``checks``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeGuard

from reconciler.apimodel import format_path
from reconciler.resources import JsonDict, Kind, Manifest, Problem, SpecPath

BASE = "BaseInferenceComponentName"


def problem(manifest: Manifest, path: SpecPath, message: str) -> Problem:
    """A problem at `path` of `manifest.spec` (the line of its deepest written prefix)."""
    dotted = format_path(path)
    return Problem(
        message,
        manifest.location_of(path),
        manifest.address,
        f"spec.{dotted}" if dotted else "spec",
    )


# --------------------------------------------------------------------------- Model


def model_problems(model: Manifest) -> list[Problem]:
    """A Model has one container (PrimaryContainer) or an inference pipeline (Containers):
    exactly one of the two.

    Source: the CreateModel API reference lists both as optional; SageMaker expects "either a
    single primary container, xor a list of container definitions" (aws/amazon-sagemaker-
    operator-for-k8s pull request 164, which made its Model reconciler follow that rule).
    The maximum of 15 Containers is botocore's ContainerDefinitionList ``max`` (checked by
    the API model, with the other list bounds).
    """
    spec = model.spec
    if "PrimaryContainer" in spec and "Containers" in spec:
        return [
            problem(
                model,
                ("Containers",),
                "give either PrimaryContainer (one container) or Containers (an inference "
                "pipeline), not both",
            )
        ]
    if "PrimaryContainer" not in spec and "Containers" not in spec:
        return [
            problem(
                model,
                ("PrimaryContainer",),
                "is required: a Model needs PrimaryContainer (one container) or Containers "
                "(an inference pipeline)",
            )
        ]
    return []


# --------------------------------------------------------------------------- EndpointConfig


def _variant_lists(config: Manifest) -> Iterator[tuple[str, list[object]]]:
    for field in ("ProductionVariants", "ShadowProductionVariants"):
        variants = config.spec.get(field)
        if isinstance(variants, list):
            yield field, variants


def _variants(config: Manifest) -> Iterator[tuple[SpecPath, JsonDict]]:
    """Every production and shadow variant (mappings only), with its path."""
    for field, variants in _variant_lists(config):
        for index, variant in enumerate(variants):
            if isinstance(variant, dict):
                yield (field, index), variant


def endpoint_config_problems(config: Manifest) -> list[Problem]:
    """Variant names, shadow variants, model and IC-hosting variants, serverless variants."""
    problems = _variant_name_problems(config)
    problems += _shadow_problems(config)
    problems += _hosting_mix_problems(config)
    for path, variant in _variants(config):
        problems += _serverless_problems(config, path, variant)
        problems += _managed_scaling_problems(config, path, variant)
    problems += _serverless_config_problems(config)
    return problems


def _managed_scaling_problems(config: Manifest, path: SpecPath, variant: JsonDict) -> list[Problem]:
    """Managed instance scaling is for variants that host inference components.

    Source: AWS's answer to a CreateEndpointConfig whose variant has a ModelName and
    ManagedInstanceScaling, recorded in hashicorp/terraform-provider-aws pull request 45926
    (acceptance test managedInstanceScalingZero): "ValidationException: ManagedInstanceScaling
    is only supported for inference component endpoints."; pull request 48767 fixed those
    tests by dropping model_name.
    """
    if "ModelName" not in variant or "ManagedInstanceScaling" not in variant:
        return []
    return [
        problem(
            config,
            (*path, "ManagedInstanceScaling"),
            "is only supported on variants that host inference components (no ModelName); "
            "scale a model variant with Application Auto Scaling instead",
        )
    ]


def _serverless_config_problems(config: Manifest) -> list[Problem]:
    """A config with serverless variants takes no DataCaptureConfig or AsyncInferenceConfig.

    Source: aws-controllers-k8s/sagemaker-controller pull request 193 (serverless support),
    manual tests: "[Serverless] Async Config - Validation Exception", "[Serverless] Data
    Capture - Validation Exception" — as cited by our emulator's endpoint_configs (read
    second-hand; AWS's message is not recorded there).
    """
    serverless = [
        format_path(path) for path, variant in _variants(config) if "ServerlessConfig" in variant
    ]
    if not serverless:
        return []
    return [
        problem(
            config,
            (field,),
            f"is not supported with serverless variants ({', '.join(serverless)})",
        )
        for field in ("DataCaptureConfig", "AsyncInferenceConfig")
        if field in config.spec
    ]


def _variant_name_problems(config: Manifest) -> list[Problem]:
    """Variant names are unique within a config, production and shadow variants together:
    an endpoint's variants are addressed by name alone (InvokeEndpoint's TargetVariant,
    UpdateEndpointWeightsAndCapacities' DesiredWeightsAndCapacities.VariantName,
    DescribeEndpoint's ProductionVariants and ShadowProductionVariants summaries).

    Source: SageMaker refuses a variant name that already exists (mlflow/mlflow pull request
    6486, review thread: "Sagemaker will error out if the variant name already exists").
    Compared case-insensitively as SageMaker compares its names, and as our emulator does;
    that AWS also refuses names differing only in case is unverified.
    """
    problems = []
    seen: dict[str, tuple[SpecPath, str]] = {}
    for path, variant in _variants(config):
        name = variant.get("VariantName")
        if not isinstance(name, str):
            continue
        if name.lower() not in seen:
            seen[name.lower()] = (path, name)
            continue
        earlier, earlier_name = seen[name.lower()]
        case = "" if earlier_name == name else f" as {earlier_name!r} (names are case-insensitive)"
        problems.append(
            problem(
                config,
                (*path, "VariantName"),
                f"variant name {name!r} is already used by {format_path(earlier)}{case}; "
                "variant names must be unique across ProductionVariants and "
                "ShadowProductionVariants",
            )
        )
    return problems


def _shadow_problems(config: Manifest) -> list[Problem]:
    """With ShadowProductionVariants, exactly one production and one shadow variant.

    Source: CreateEndpointConfig API reference, ShadowProductionVariants: "If you use this
    field, you can only specify one variant for ProductionVariants and one variant for
    ShadowProductionVariants."
    """
    lists = dict(_variant_lists(config))
    shadows = lists.get("ShadowProductionVariants")
    if not shadows:
        return []
    problems = []
    for field, count in (
        ("ProductionVariants", len(lists.get("ProductionVariants", []))),
        ("ShadowProductionVariants", len(shadows)),
    ):
        if count > 1:
            problems.append(
                problem(
                    config,
                    (field,),
                    f"has {count} variants; a config with ShadowProductionVariants has exactly "
                    "one production and one shadow variant",
                )
            )
    return problems


def _hosting_mix_problems(config: Manifest) -> list[Problem]:
    """Either every variant names a model, or none does (a config whose variants have no
    ModelName hosts inference components).

    Source: the CreateEndpointConfig/ProductionVariant API reference describe ModelName as
    optional only for endpoints that host inference components; that SageMaker refuses a
    mix is the rule our emulator follows (endpoint_configs._check_variants) and is
    unverified against a public error text.
    """
    variants = list(_variants(config))
    without = [path for path, variant in variants if "ModelName" not in variant]
    if not without or len(without) == len(variants):
        return []
    with_model = next(path for path, variant in variants if "ModelName" in variant)
    return [
        problem(
            config,
            path,
            f"has no ModelName but {format_path(with_model)} has one: either every variant "
            "names a model, or none does (a config for inference components)",
        )
        for path in without
    ]


# Serverless memory sizes: botocore's ProductionVariantServerlessConfig.MemorySizeInMB
# ("Valid values are in 1 GB increments: 1024 MB, 2048 MB, 3072 MB, 4096 MB, 5120 MB, or
# 6144 MB"); min/max are checked by the API model, the step here.
SERVERLESS_MEMORY_STEP = 1024
SERVERLESS_MEMORY_MIN, SERVERLESS_MEMORY_MAX = 1024, 6144


def _serverless_problems(config: Manifest, path: SpecPath, variant: JsonDict) -> list[Problem]:
    """A serverless variant has no instances, and its memory comes in 1 GB steps.

    Sources: ProductionVariant.ServerlessConfig (API reference): "Specifies a serverless
    endpoint configuration instead of an instance-based endpoint configuration" — so no
    InstanceType and no InitialInstanceCount beside it (we read "instead of" as exclusive;
    the refusal's wording is unverified); VolumeSizeInGB is "the ML storage volume attached
    to individual inference instance", which a serverless variant has not (SageMaker refuses
    it with ServerlessConfig: issue 12, item 2; aws-controllers-k8s/sagemaker-controller pull
    request 193, manual tests: "Including VolumeSizeInGB in spec: Validation exception", as
    cited by our emulator); the memory step is also refused by moto
    (validate_serverless_config) and terraform-provider-aws (IntInSlice), as cited by our
    emulator; ProvisionedConcurrency "should be less than or equal to MaxConcurrency"
    (ProductionVariantServerlessConfig).
    """
    serverless = variant.get("ServerlessConfig")
    if not isinstance(serverless, dict):
        return []
    problems = []
    for field in ("InstanceType", "InitialInstanceCount", "VolumeSizeInGB"):
        if field in variant:
            problems.append(
                problem(
                    config,
                    (*path, field),
                    f"a serverless variant (ServerlessConfig) takes no {field}: SageMaker "
                    "provisions its compute itself",
                )
            )
    memory = serverless.get("MemorySizeInMB")
    if (
        _is_int(memory)
        and SERVERLESS_MEMORY_MIN <= memory <= SERVERLESS_MEMORY_MAX  # else the model says so
        and memory % SERVERLESS_MEMORY_STEP
    ):
        problems.append(
            problem(
                config,
                (*path, "ServerlessConfig", "MemorySizeInMB"),
                f"must be a multiple of {SERVERLESS_MEMORY_STEP} (1 GB steps: 1024, 2048, "
                f"3072, 4096, 5120 or 6144), got {memory}",
            )
        )
    most, provisioned = serverless.get("MaxConcurrency"), serverless.get("ProvisionedConcurrency")
    if _is_int(most) and _is_int(provisioned) and provisioned > most:
        problems.append(
            problem(
                config,
                (*path, "ServerlessConfig", "ProvisionedConcurrency"),
                f"must be at most MaxConcurrency ({most}), got {provisioned}",
            )
        )
    return problems


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


# --------------------------------------------------------------------------- InferenceComponent


def specifications(component: Manifest) -> list[tuple[SpecPath, JsonDict]]:
    """The IC's specification(s) (mappings only), each with its path."""
    found: list[tuple[SpecPath, JsonDict]] = []
    single = component.spec.get("Specification")
    if isinstance(single, dict):
        found.append((("Specification",), single))
    several = component.spec.get("Specifications")
    if isinstance(several, list):
        found += [
            (("Specifications", index), item)
            for index, item in enumerate(several)
            if isinstance(item, dict)
        ]
    return found


def is_adapter(component: Manifest) -> bool:
    """An adapter IC: its specification(s) name a base inference component."""
    specs = specifications(component)
    return bool(specs) and all(BASE in spec for _, spec in specs)


def inference_component_problems(component: Manifest) -> list[Problem]:
    """Specification or Specifications; what an adapter may give, what a model IC must."""
    spec = component.spec
    if "Specification" in spec and "Specifications" in spec:
        # Source: CreateInferenceComponent API reference, Specifications: "You can use either
        # this parameter or the singular Specification parameter, but not both."
        return [
            problem(
                component,
                ("Specifications",),
                "give either Specification or Specifications (one per instance type), not both",
            )
        ]
    if "Specification" not in spec and "Specifications" not in spec:
        # Neither is required by the API model (since Specifications exists), but an IC
        # deploys something: our emulator refuses it as SageMaker does (unverified wording).
        return [
            problem(
                component,
                ("Specification",),
                "is required: an inference component needs Specification (or Specifications, "
                "one per instance type)",
            )
        ]
    problems = []
    for path, specification in specifications(component):
        problems += _specification_problems(component, path, specification)
    if is_adapter(component):
        problems += _adapter_problems(component)
    elif "RuntimeConfig" not in spec:
        # Required for every IC but an adapter (whose copies are its base's): the API model
        # required RuntimeConfig before adapters existed (ACK sagemaker-controller's
        # InferenceComponent reference, generated from it: "runtimeConfig Required"); botocore
        # now makes it optional for adapters. Our emulator refuses a model IC without it.
        problems.append(
            problem(
                component,
                ("RuntimeConfig",),
                "is required (RuntimeConfig.CopyCount: how many copies to run), except on an "
                "adapter inference component",
            )
        )
    return problems


def _specification_problems(
    component: Manifest, path: SpecPath, specification: JsonDict
) -> list[Problem]:
    if BASE in specification:
        if "ComputeResourceRequirements" in specification:
            # Source: InferenceComponentSpecification (API reference), ComputeResource-
            # Requirements: "Omit this parameter if your request is meant to create an
            # adapter inference component ... it uses the compute resources of the base
            # inference component." (A documented "omit"; the refusal is unverified.)
            return [
                problem(
                    component,
                    (*path, "ComputeResourceRequirements"),
                    "an adapter inference component (BaseInferenceComponentName) runs on its "
                    "base's compute resources: leave ComputeResourceRequirements out",
                )
            ]
        return []
    problems = []
    if "ModelName" not in specification and "Container" not in specification:
        # Source: InferenceComponentSpecification: the model comes from ModelName or from a
        # Container (image and artifacts), an adapter's from its base; our emulator refuses
        # a specification with none of them, as SageMaker does (wording unverified).
        problems.append(
            problem(
                component,
                (*path, "ModelName"),
                "is required: a specification deploys a ModelName or a Container (or, for an "
                "adapter, names its BaseInferenceComponentName)",
            )
        )
    if "ComputeResourceRequirements" not in specification:
        # The compute an IC reserves on the instances (InferenceComponentSpecification:
        # "The compute resources allocated to run the model"); only adapters omit it. Our
        # emulator refuses it missing (unverified wording).
        problems.append(
            problem(
                component,
                (*path, "ComputeResourceRequirements"),
                "is required (at least MinMemoryRequiredInMb), except on an adapter inference "
                "component",
            )
        )
    return problems


def _adapter_problems(component: Manifest) -> list[Problem]:
    """An adapter runs inside its base's copies, on its base's variant."""
    problems = []
    if "RuntimeConfig" in component.spec:
        # An adapter has no copies of its own (API reference: "The adapter inference component
        # uses the compute resources that you assigned to the base inference component");
        # SageMaker refuses RuntimeConfig on it (our emulator's rule; wording unverified).
        problems.append(
            problem(
                component,
                ("RuntimeConfig",),
                "an adapter inference component (BaseInferenceComponentName) runs in its "
                "base's copies: leave RuntimeConfig out",
            )
        )
    if "VariantName" in component.spec:
        # The adapter is placed on its base's variant; SageMaker refuses VariantName on an
        # adapter (issue 12, item 2). AWS's adapter examples (ML blog "Easily deploy and
        # manage hundreds of LoRA adapters with SageMaker efficient multi-adapter inference",
        # as cited by our emulator) create adapters without it; no public page states the
        # refusal itself: unverified.
        problems.append(
            problem(
                component,
                ("VariantName",),
                "an adapter inference component (BaseInferenceComponentName) runs on its "
                "base's variant: leave VariantName out",
            )
        )
    return problems


# --------------------------------------------------------------------------- Cluster


def cluster_problems(cluster: Manifest) -> list[Problem]:
    """An instance group's MinInstanceCount is at most its InstanceCount.

    Source: ClusterInstanceGroupSpecification (API reference), MinInstanceCount: "the
    minimum number of instances required for an instance group to become InService. If this
    threshold isn't met within 3 hours, the instance group rolls back" — more than the group
    asks for can never be met. Whether CreateCluster refuses it at once or only rolls back
    after 3 hours is unverified; either way the manifest cannot converge.
    """
    problems = []
    groups = cluster.spec.get("InstanceGroups")
    for index, group in enumerate(groups if isinstance(groups, list) else []):
        if not isinstance(group, dict):
            continue
        count, least = group.get("InstanceCount"), group.get("MinInstanceCount")
        if _is_int(count) and _is_int(least) and least > count:
            problems.append(
                problem(
                    cluster,
                    ("InstanceGroups", index, "MinInstanceCount"),
                    f"must be at most InstanceCount ({count}), got {least}: the group could "
                    "never become InService",
                )
            )
    return problems


def manifest_problems(manifest: Manifest) -> list[Problem]:
    """Every rule of this module for `manifest`'s kind."""
    if manifest.kind is Kind.MODEL:
        return model_problems(manifest)
    if manifest.kind is Kind.ENDPOINT_CONFIG:
        return endpoint_config_problems(manifest)
    if manifest.kind is Kind.INFERENCE_COMPONENT:
        return inference_component_problems(manifest)
    if manifest.kind is Kind.CLUSTER:
        return cluster_problems(manifest)
    return []
