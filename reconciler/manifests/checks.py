"""Checks that need more than one field, or more than one manifest: what the API model
cannot say but SageMaker refuses at create time.

In:  the usable manifests and their :class:`ManifestIndex`.
Out: :class:`Problem` s, each at the line of the field concerned.

- one manifest per kind and name (SageMaker names are case-insensitive);
- an EndpointConfig whose variants have no ModelName hosts inference components and needs
  ExecutionRoleArn;
- an InferenceComponent on an Endpoint manifest whose EndpointConfig is a manifest too: the
  variant it names must exist there, and that config must be one that hosts components;
- a Cluster's instance groups have unique names (they are diffed and updated by name);
- adapter inference components: no reference cycle among them (an IC naming itself as its
  base included), a base that is not itself an adapter, on the adapter's endpoint;
- the rules within one manifest of ``rules`` (containers, variants, specifications, ...).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from reconciler.apimodel import format_path
from reconciler.manifests.references import ManifestIndex
from reconciler.manifests.rules import BASE, is_adapter, manifest_problems, specifications
from reconciler.resources import Kind, Manifest, Problem, SpecPath


def duplicate_problems(manifests: list[Manifest]) -> list[Problem]:
    """A problem at every manifest whose kind and name an earlier one already has."""
    first: dict[tuple[Kind, str], Manifest] = {}
    problems: list[Problem] = []
    for manifest in sorted(manifests, key=lambda m: m.location):
        key = (manifest.kind, manifest.name.lower())
        earlier = first.setdefault(key, manifest)
        if earlier is manifest:
            continue
        message = f"defined twice: at {earlier.location} and at {manifest.location}"
        if earlier.name != manifest.name:
            message += (
                f" ({earlier.name!r} and {manifest.name!r}: SageMaker names are case-insensitive)"
            )
        problems.append(Problem(message, manifest.location, manifest.address, "metadata.name"))
    return problems


def _problem(manifest: Manifest, path: SpecPath, message: str) -> Problem:
    return Problem(
        message, manifest.location_of(path), manifest.address, f"spec.{format_path(path)}"
    )


def _variants(config: Manifest) -> Iterator[tuple[int, dict[str, object]]]:
    variants = config.spec.get("ProductionVariants")
    if isinstance(variants, list):
        for index, variant in enumerate(variants):
            if isinstance(variant, dict):
                yield index, variant


def config_problems(config: Manifest) -> list[Problem]:
    """An EndpointConfig hosting inference components (a variant without ModelName) must
    give SageMaker an ExecutionRoleArn."""
    if "ExecutionRoleArn" in config.spec:
        return []
    for index, variant in _variants(config):
        if "ModelName" not in variant:
            return [
                _problem(
                    config,
                    ("ProductionVariants", index),
                    "has no ModelName, so this config hosts inference components, which needs "
                    "spec.ExecutionRoleArn (SageMaker refuses the config without it)",
                )
            ]
    return []


def inference_component_problems(component: Manifest, index: ManifestIndex) -> list[Problem]:
    """Check an InferenceComponent against its endpoint's config, when both are manifests."""
    endpoint = index.referenced(component, ("EndpointName",))
    if endpoint is None:
        return []  # the account's resources are checked by plan
    config = index.referenced(endpoint, ("EndpointConfigName",))
    if config is None:
        return []
    variants = {variant.get("VariantName"): variant for _, variant in _variants(config)}
    wanted = component.spec.get("VariantName")
    if isinstance(wanted, str) and wanted not in variants:
        names = ", ".join(str(name) for name in variants) or "none"
        return [
            _problem(
                component,
                ("VariantName",),
                f"{endpoint.address} runs {config.address}, which has no variant {wanted!r} "
                f"(its variants: {names})",
            )
        ]
    hosting = [variants[wanted]] if isinstance(wanted, str) else list(variants.values())
    if hosting and all("ModelName" in variant for variant in hosting):
        return [
            _problem(
                component,
                ("EndpointName",),
                f"{endpoint.address} cannot host inference components: the variants of "
                f"{config.address} have a ModelName (a config for inference components "
                "leaves ModelName out and sets ExecutionRoleArn)",
            )
        ]
    return []


def cluster_problems(cluster: Manifest) -> list[Problem]:
    """Instance group names are a cluster's keys: each may appear once per list."""
    problems = []
    for field in ("InstanceGroups", "RestrictedInstanceGroups"):
        groups = cluster.spec.get(field)
        seen: dict[str, int] = {}
        for index, group in enumerate(groups if isinstance(groups, list) else []):
            name = group.get("InstanceGroupName") if isinstance(group, dict) else None
            if not isinstance(name, str):
                continue
            if name in seen:
                problems.append(
                    _problem(
                        cluster,
                        (field, index, "InstanceGroupName"),
                        f"instance group {name!r} is declared twice "
                        f"(also {field}[{seen[name]}]); group names must be unique",
                    )
                )
            else:
                seen[name] = index
    return problems


# An adapter IC's edge to its base: (adapter, path of its BaseInferenceComponentName, base).
_Edge = tuple[Manifest, SpecPath, Manifest]


def _base_edges(components: list[Manifest], index: ManifestIndex) -> dict[str, list[_Edge]]:
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


def adapter_problems(manifests: list[Manifest], index: ManifestIndex) -> list[Problem]:
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
            problems.append(_problem(component, path, message))
            continue
        for _, path, base in edges[component.address]:
            if is_adapter(base):
                problems.append(
                    _problem(
                        component,
                        path,
                        f"{base.address} is an adapter and cannot be a base: name the "
                        "inference component that hosts the model it adapts",
                    )
                )
            mine, theirs = component.spec.get("EndpointName"), base.spec.get("EndpointName")
            if isinstance(mine, str) and isinstance(theirs, str) and mine.lower() != theirs.lower():
                problems.append(
                    _problem(
                        component,
                        path,
                        f"{base.address} runs on endpoint {theirs!r}, not on {mine!r}: an "
                        "adapter runs on its base's endpoint",
                    )
                )
    return problems


def cross_document_problems(manifests: list[Manifest], index: ManifestIndex) -> list[Problem]:
    """Every check of this module over `manifests`."""
    problems = duplicate_problems(manifests)
    problems += adapter_problems(manifests, index)
    for manifest in manifests:
        problems += manifest_problems(manifest)
        if manifest.kind is Kind.ENDPOINT_CONFIG:
            problems += config_problems(manifest)
        elif manifest.kind is Kind.INFERENCE_COMPONENT:
            problems += inference_component_problems(manifest, index)
        elif manifest.kind is Kind.CLUSTER:
            problems += cluster_problems(manifest)
    return problems
