"""Endpoint's validation (``KindInfo.rules`` of :mod:`reconciler.kinds.endpoint`): what its
``checks:`` invoke must exist on the config it runs, when that config is a manifest.

In:  an Endpoint :class:`Manifest` (its ``checks``, read by ``manifests.declared_checks``)
     and the other declared manifests.
Out: :class:`Problem` s at the file and line of the invocation concerned, so that a check that could
     only fail is refused by validate, before apply has changed anything.

Sources:
- InvokeEndpoint on an endpoint made for inference components, without the component
  header, is refused: "Inference Component Name header is required for endpoints to which
  you plan to deploy inference components" (quoted in langchain-ai/langchain#16150 and
  BerriAI/litellm#37766; the emulator's ``runtime`` module answers the same).
- TargetVariant: "Specify the production variant to send the inference request to"
  (InvokeEndpoint API reference); a variant the config lacks cannot answer.
- InferenceComponentName: "the name of the inference component to invoke" (InvokeEndpoint
  API reference); a config whose variants name a model hosts no components.
"""

from __future__ import annotations

from reconciler.kinds.endpoint_config import hosts_inference_components
from reconciler.kinds.endpoint_config_rules import variants
from reconciler.kinds.validation import KindRules, ManifestLookup
from reconciler.resources import (
    CHECKED_COMPONENT_KIND,
    Invocation,
    Manifest,
    Problem,
)


def check_problems(endpoint: Manifest, lookup: ManifestLookup) -> list[Problem]:
    """The endpoint's invocations against the variants of its config's manifest, each
    reported where the invocation is written (a patch's file when an overlay added it)."""
    checks = endpoint.checks
    if checks is None or not checks.invocations:
        return []
    config = lookup.referenced(endpoint, ("EndpointConfigName",))
    if config is None:
        return []  # a config of the account's: what it hosts is known at apply
    return [
        Problem(
            message,
            call.location or endpoint.location,
            endpoint.address,
            f"checks.invocations[{index}].{field}",
        )
        for index, call in enumerate(checks.invocations)
        for field, message in _targeting(call, config, lookup)
    ]


def _targeting(call: Invocation, config: Manifest, lookup: ManifestLookup) -> list[tuple[str, str]]:
    """(field, message) for what `call` targets that `config` cannot answer."""
    found: list[tuple[str, str]] = []
    names = [v.get("VariantName") for _, v in variants(config, ("ProductionVariants",))]
    variant, component = call.target_variant, call.inference_component
    if variant is not None and variant not in names:
        listed = ", ".join(str(name) for name in names) or "none"
        found.append(
            (
                "targetVariant",
                f"{config.address} has no variant {variant!r} (its variants: {listed})",
            )
        )
    hosts_components = hosts_inference_components(config.spec)
    if component is None and hosts_components:
        found.append(
            (
                "inferenceComponent",
                f"is required: {config.address} hosts inference components, and "
                "InvokeEndpoint refuses such an endpoint without one; or declare the check "
                "on the InferenceComponent manifest",
            )
        )
    elif component is not None and not hosts_components:
        found.append(
            (
                "inferenceComponent",
                f"cannot be set: the variants of {config.address} host models (ModelName), "
                "not inference components",
            )
        )
    elif component is not None and lookup.get(CHECKED_COMPONENT_KIND, component):
        # An endpoint's checks run once it is ready, before the components it hosts are
        # created or updated (they depend on it): the check would invoke the component as
        # it was, or not at all.
        found.append(
            (
                "inferenceComponent",
                f"{CHECKED_COMPONENT_KIND}/{component} is declared: declare this check on its "
                f"manifest (an Endpoint's checks run before its {CHECKED_COMPONENT_KIND}s are "
                "created or updated)",
            )
        )
    return found


RULES = KindRules(across=check_problems)
