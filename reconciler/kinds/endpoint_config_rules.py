"""EndpointConfig's validation: SageMaker's rules within one EndpointConfig manifest that
the API model cannot express (``KindInfo.rules`` of :mod:`reconciler.kinds.endpoint_config`).

In:  one EndpointConfig :class:`Manifest` (types were checked against the API model already,
     so values of the wrong type are skipped here, not reported twice).
Out: :class:`Problem` s at the line of the field concerned.

Every rule names its public source beside it; where the source says less than the rule (a
documented "omit" or "instead of" that we read as a refusal), the comment says so.
"""

from __future__ import annotations

from collections.abc import Iterator

from reconciler.apimodel import format_path
from reconciler.kinds.validation import KindRules, is_int, problem
from reconciler.resources import JsonDict, Manifest, Problem, SpecPath

VARIANT_LISTS = ("ProductionVariants", "ShadowProductionVariants")


def _variant_lists(
    config: Manifest, fields: tuple[str, ...] = VARIANT_LISTS
) -> Iterator[tuple[str, list[object]]]:
    for field in fields:
        variants = config.spec.get(field)
        if isinstance(variants, list):
            yield field, variants


def variants(
    config: Manifest, fields: tuple[str, ...] = VARIANT_LISTS
) -> Iterator[tuple[SpecPath, JsonDict]]:
    """Every production and shadow variant (or those of `fields`; mappings only), with its
    path."""
    for field, found in _variant_lists(config, fields):
        for index, variant in enumerate(found):
            if isinstance(variant, dict):
                yield (field, index), variant


def endpoint_config_problems(config: Manifest) -> list[Problem]:
    """Variant names, shadow variants, model and IC-hosting variants, serverless variants,
    the role a config for inference components needs."""
    problems = _variant_name_problems(config)
    problems += _shadow_problems(config)
    problems += _hosting_mix_problems(config)
    for path, variant in variants(config):
        problems += _serverless_problems(config, path, variant)
        problems += _managed_scaling_problems(config, path, variant)
    problems += _serverless_config_problems(config)
    problems += _execution_role_problems(config)
    return problems


def _execution_role_problems(config: Manifest) -> list[Problem]:
    """An EndpointConfig hosting inference components (a variant without ModelName) must
    give SageMaker an ExecutionRoleArn.

    Source: terraform-provider-aws aws_sagemaker_endpoint_configuration, execution_role_arn:
    "Required when model_name is not specified in production_variants to support Inference
    Components" (as its Pulumi bridge documents it); our emulator refuses it so too. AWS's
    error text is unverified.
    """
    if "ExecutionRoleArn" in config.spec:
        return []
    for path, variant in variants(config, ("ProductionVariants",)):
        if "ModelName" not in variant:
            return [
                problem(
                    config,
                    path,
                    "has no ModelName, so this config hosts inference components, which needs "
                    "spec.ExecutionRoleArn (SageMaker refuses the config without it)",
                )
            ]
    return []


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
        format_path(path) for path, variant in variants(config) if "ServerlessConfig" in variant
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
    for path, variant in variants(config):
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
    every = list(variants(config))
    without = [path for path, variant in every if "ModelName" not in variant]
    if not without or len(without) == len(every):
        return []
    with_model = next(path for path, variant in every if "ModelName" in variant)
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
        is_int(memory)
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
    if is_int(most) and is_int(provisioned) and provisioned > most:
        problems.append(
            problem(
                config,
                (*path, "ServerlessConfig", "ProvisionedConcurrency"),
                f"must be at most MaxConcurrency ({most}), got {provisioned}",
            )
        )
    return problems


RULES = KindRules(document=endpoint_config_problems)
