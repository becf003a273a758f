"""InferenceComponent's validation (``KindInfo.rules`` of
:mod:`reconciler.kinds.inference_component`): SageMaker's rules that the API model cannot
express, within one IC manifest, against the endpoint and config it names, and among
adapter ICs; and the capacity preflight (:mod:`reconciler.kinds.capacity`).

In:  IC :class:`Manifest` s (types were checked against the API model already, so values of
     the wrong type are skipped here, not reported twice), the other declared manifests.
Out: :class:`Problem` s at the line of the field concerned.

Every rule names its public source beside it; where the source says less than the rule (a
documented "omit" that we read as a refusal), the comment says so.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from reconciler.kinds.capacity import check_capacity
from reconciler.kinds.endpoint_config_rules import variants
from reconciler.kinds.validation import KindRules, ManifestLookup, exactly_one_of, problem
from reconciler.resources import JsonDict, Kind, Manifest, Problem, SpecPath

BASE = "BaseInferenceComponentName"


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
    # Source: CreateInferenceComponent API reference, Specifications: "You can use either this
    # parameter or the singular Specification parameter, but not both." Neither is required
    # by the API model (since Specifications exists), but an IC deploys something: our
    # emulator refuses it as SageMaker does (unverified wording).
    chosen = exactly_one_of(
        component,
        "Specification",
        "Specifications",
        both="give either Specification or Specifications (one per instance type), not both",
        neither="is required: an inference component needs Specification (or Specifications, "
        "one per instance type)",
    )
    if chosen:
        return chosen
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


def endpoint_problems(component: Manifest, index: ManifestLookup) -> list[Problem]:
    """Check an InferenceComponent against its endpoint's config, when both are manifests.

    Source: CreateInferenceComponent (API reference), VariantName: "The name of an existing
    production variant where you host the inference component"; a variant with a ModelName
    hosts that model, not components (the config rules in ``endpoint_config_rules``). The
    refusals' wording follows our emulator; AWS's texts are unverified.
    """
    endpoint = index.referenced(component, ("EndpointName",))
    if endpoint is None:
        return []  # the account's resources are checked by plan
    config = index.referenced(endpoint, ("EndpointConfigName",))
    if config is None:
        return []
    production = variants(config, ("ProductionVariants",))
    by_name = {variant.get("VariantName"): variant for _, variant in production}
    wanted = component.spec.get("VariantName")
    if isinstance(wanted, str) and wanted not in by_name:
        names = ", ".join(str(name) for name in by_name) or "none"
        return [
            problem(
                component,
                ("VariantName",),
                f"{endpoint.address} runs {config.address}, which has no variant {wanted!r} "
                f"(its variants: {names})",
            )
        ]
    hosting = [by_name[wanted]] if isinstance(wanted, str) else list(by_name.values())
    if hosting and all("ModelName" in variant for variant in hosting):
        return [
            problem(
                component,
                ("EndpointName",),
                f"{endpoint.address} cannot host inference components: the variants of "
                f"{config.address} have a ModelName (a config for inference components "
                "leaves ModelName out and sets ExecutionRoleArn)",
            )
        ]
    return []


# An adapter IC's edge to its base: (adapter, path of its BaseInferenceComponentName, base).
_Edge = tuple[Manifest, SpecPath, Manifest]


def _base_edges(components: list[Manifest], index: ManifestLookup) -> dict[str, list[_Edge]]:
    """Each IC manifest's edges to the IC manifests it names as base, by address."""
    edges: dict[str, list[_Edge]] = {}
    for component in components:
        found = edges.setdefault(component.address, [])
        for path, specification in specifications(component):
            name = specification.get(BASE)
            base = index.get(Kind.INFERENCE_COMPONENT, name) if isinstance(name, str) else None
            if base is not None:
                found.append((component, (*path, BASE), base))
    return edges


def _shortest_cycle(start: Manifest, edges: dict[str, list[_Edge]]) -> list[_Edge] | None:
    """The shortest chain of base edges from `start` back to itself, if there is one."""
    came_by: dict[str, _Edge] = {}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for edge in edges.get(here.address, []):
            base = edge[2]
            if base is start:
                chain = [edge]
                while chain[0][0] is not start:
                    chain.insert(0, came_by[chain[0][0].address])
                return chain
            if base.address not in came_by:
                came_by[base.address] = edge
                queue.append(base)
    return None


def adapter_problems(manifests: Sequence[Manifest], index: ManifestLookup) -> list[Problem]:
    """Adapter ICs whose base (a manifest) cannot be one: a reference cycle, an adapter, an
    IC on another endpoint.

    Sources: InferenceComponentSpecification (API reference), BaseInferenceComponentName:
    "The name of an existing inference component that is to contain the inference component
    that you're creating ... Before you can create an adapter inference component, you must
    have an existing inference component that contains the foundation model that you want
    to adapt." A base therefore exists first (no cycle can ever be created, the self-reference
    included), holds a model (is not an adapter), and contains the adapter (same endpoint).
    The refusals' wording follows our emulator (inference_components._check_specification);
    AWS's own texts are unverified.
    """
    components = [m for m in manifests if m.kind is Kind.INFERENCE_COMPONENT]
    edges = _base_edges(components, index)
    problems: list[Problem] = []
    for component in components:
        cycle = _shortest_cycle(component, edges)
        if cycle is not None:
            _, path, _ = cycle[0]
            if len(cycle) == 1:
                message = (
                    f"names {component.address} itself as its base: an adapter's base is "
                    "another inference component, one that hosts the model"
                )
            else:
                chain = " → ".join(f"{a.name} ({a.location_of(p)})" for a, p, _ in cycle)
                message = (
                    f"reference cycle among adapter inference components: {chain} → "
                    f"{component.name}; each names the next as its base, so none can be "
                    "created first"
                )
            problems.append(problem(component, path, message))
            continue
        for _, path, base in edges[component.address]:
            if is_adapter(base):
                problems.append(
                    problem(
                        component,
                        path,
                        f"{base.address} is an adapter and cannot be a base: name the "
                        "inference component that hosts the model it adapts",
                    )
                )
            mine, theirs = component.spec.get("EndpointName"), base.spec.get("EndpointName")
            if isinstance(mine, str) and isinstance(theirs, str) and mine.lower() != theirs.lower():
                problems.append(
                    problem(
                        component,
                        path,
                        f"{base.address} runs on endpoint {theirs!r}, not on {mine!r}: an "
                        "adapter runs on its base's endpoint",
                    )
                )
    return problems


RULES = KindRules(
    document=inference_component_problems,
    across=endpoint_problems,
    fleet=adapter_problems,
    preflight=check_capacity,
)
