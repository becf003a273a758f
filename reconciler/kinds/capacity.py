"""Capacity preflight: do the inference components declared for an endpoint fit on the
instances its endpoint config gives them?

What goes in
    The manifests of a directory (:class:`~reconciler.resources.Manifest`), as loaded.
What comes out
    One :class:`~reconciler.resources.Problem` per endpoint variant whose inference
    components (ICs) cannot all be placed, naming the numbers; nothing when everything fits
    or when we cannot tell.

Pure: no AWS, only the packaged table ``reconciler/data/instance_types.json`` (vCPUs, memory
in MiB and accelerator devices per ``ml.*`` instance type; see ``reconciler/data/README.md``
for its sources). Called by validation and by plan before any API call, so an apply does not
create an endpoint only to see its ICs wait forever for capacity SageMaker will never have.

What is checked, per ``EndpointConfig`` manifest and per production variant that hosts ICs
(no ``ModelName``), for every ``Endpoint`` manifest whose ``spec.EndpointConfigName`` is that
config's ``metadata.name``:

* the ICs on it are the ``InferenceComponent`` manifests whose ``spec.EndpointName`` is the
  endpoint's name and whose ``spec.VariantName`` is the variant's (an IC without
  ``VariantName`` belongs to the variant when the config has only one);
* an IC needs ``RuntimeConfig.CopyCount`` copies of its
  ``Specification.ComputeResourceRequirements`` (``NumberOfAcceleratorDevicesRequired``,
  ``NumberOfCpuCoresRequired``, ``MinMemoryRequiredInMb``); an adapter IC
  (``BaseInferenceComponentName``) runs inside its base IC's copies and needs nothing. With
  ``Specifications`` (one per instance type) the entry for the variant's instance type
  counts;
* the variant has ``InitialInstanceCount`` instances, or ``ManagedInstanceScaling
  .MaxInstanceCount`` when managed instance scaling is ``ENABLED`` (the most it can grow to),
  each with the capacity of its ``InstanceType``.

Three conditions, each necessary for SageMaker to place the copies, so a problem reported
here is certain (a variant that passes may still not pack, since placement is bin packing):

* for each resource, the sum over ICs of copies x requirement is at most instances x
  capacity;
* no single copy needs more than one instance has (a copy never spans instances);
* copies of one IC, alone on the variant, fit: at most ``floor(capacity / requirement)``
  copies per instance.

CPU cores are compared with the instance's vCPUs and ``MinMemoryRequiredInMb`` with its
memory in MiB. SageMaker documents no per-instance reservation for its own agents, so the
full numbers are used: the check may pass a request that fails by a small margin, never the
reverse.

Conventions
    * One Problem per endpoint and variant, however many resources overflow; its message
      starts with ``Endpoint/<name> variant <name>:`` and joins the clauses with ``; ``, e.g.
      ``needs 6 accelerators, ml.g5.12xlarge x 1 has 4 (llama-chat 2 x 1, mistral 4 x 1)``
      (each IC as ``requirement x copies``).
    * The Problem is addressed to the IC that tips the variant over: in manifest order
      (file, line), the first IC at which the running total exceeds the capacity (for the
      other conditions, the IC that does not fit). It is located at that IC's
      ``RuntimeConfig.CopyCount`` line, the number to lower.
    * ICs whose ``ignore-differences`` annotation includes ``RuntimeConfig.CopyCount``
      (autoscaled) are counted with the copy count written in the manifest, and marked
      ``[autoscaled]`` in the message; the autoscaler may ask for more later.

Not checked (nothing is reported, rather than a guess): instance types missing from the table
(:func:`unknown_instance_types` lists them so the CLI can warn), variants with
``InstancePools`` or without a numeric instance count, the accelerator dimension of variants
with ``AcceleratorPartitionLayouts`` (MIG partitions), ICs on endpoints or endpoint configs
that are not manifests (plan checks the live ones), and ICs with no usable requirements or
copy count (spec validation reports those).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from reconciler.kinds.endpoint import SCALED_VARIANTS
from reconciler.kinds.scalable_target import COPY_COUNT as SCALED_COPIES
from reconciler.kinds.validation import is_int
from reconciler.resources import JsonDict, Kind, Manifest, Problem

__all__ = [
    "Count",
    "InstanceCapacity",
    "Packing",
    "Usage",
    "check_capacity",
    "load_instance_types",
    "packings",
    "unknown_instance_types",
]

COPY_COUNT_PATH = ("RuntimeConfig", "CopyCount")
COPY_COUNT_FIELD = "spec.RuntimeConfig.CopyCount"
AUTOSCALED_FIELD = "RuntimeConfig.CopyCount"


# Sums of requirements such as 0.25 CPU cores are exact in binary floating point; the
# tolerance only guards against other fractions.
_EPSILON = 1e-9


@dataclass(frozen=True)
class InstanceCapacity:
    """What one instance of a type offers to inference components.

    vcpus:        virtual CPUs (compared with ``NumberOfCpuCoresRequired``)
    memory_mib:   memory in MiB (compared with ``MinMemoryRequiredInMb``)
    accelerators: GPUs, Inferentia or Trainium chips, or Gaudi cards (compared with
                  ``NumberOfAcceleratorDevicesRequired``); 0 for CPU instances
    """

    vcpus: int
    memory_mib: int
    accelerators: int


def load_instance_types() -> dict[str, InstanceCapacity]:
    """The packaged table: ``ml.*`` instance type → its capacity.

    The file is read once per process; each call returns a new dict.
    """
    return dict(_instance_types())


@functools.cache
def _instance_types() -> Mapping[str, InstanceCapacity]:
    text = resources.files("reconciler").joinpath("data/instance_types.json").read_text("utf-8")
    document = json.loads(text)
    table: dict[str, InstanceCapacity] = {}
    for name, row in document["instance_types"].items():
        numbers = {key: row.get(key) for key in ("vcpus", "memory_mib", "accelerators")}
        # A malformed row is a packaging bug: fail loudly rather than check against it.
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in numbers.values()):
            raise ValueError(f"instance_types.json: {name}: vcpus, memory_mib, accelerators")
        table[name] = InstanceCapacity(**numbers)
    return table


# --- what is asked of a variant -------------------------------------------------------


@dataclass(frozen=True)
class _Dimension:
    """One resource: how an IC asks for it and how an instance offers it."""

    requirement: str  # member of ComputeResourceRequirements
    capacity: str  # attribute of InstanceCapacity
    singular: str
    plural: str


_ACCELERATORS = _Dimension(
    "NumberOfAcceleratorDevicesRequired", "accelerators", "accelerator", "accelerators"
)
_CPU = _Dimension("NumberOfCpuCoresRequired", "vcpus", "CPU core", "CPU cores")
_MEMORY = _Dimension("MinMemoryRequiredInMb", "memory_mib", "MiB of memory", "MiB of memory")
_DIMENSIONS = (_ACCELERATORS, _CPU, _MEMORY)


@dataclass(frozen=True)
class _Placement:
    """One IC on a variant: its manifest, its copies and what one copy needs."""

    manifest: Manifest
    copies: int
    needs: Mapping[_Dimension, float]
    autoscaled: bool

    def label(self, dimension: _Dimension) -> str:
        mark = " [autoscaled]" if self.autoscaled else ""
        return f"{self.manifest.name} {_number(self.needs[dimension])} x {self.copies}{mark}"


@dataclass(frozen=True)
class _Variant:
    """A production variant that hosts ICs, with what its instances offer in total."""

    name: str
    instance_type: str
    instance_count: int
    capacity: InstanceCapacity
    dimensions: tuple[_Dimension, ...]

    @property
    def fleet(self) -> str:
        return f"{self.instance_type} x {self.instance_count}"


def check_capacity(manifests: Sequence[Manifest]) -> list[Problem]:
    """Problems for the endpoint variants whose ICs cannot fit (see the module docstring).

    One Problem per endpoint and variant, addressed to and located at (the
    ``RuntimeConfig.CopyCount`` line of) the IC that tips it over; in manifest order.
    """
    table = _instance_types()
    endpoints = _by_spec_field(manifests, Kind.ENDPOINT, "EndpointConfigName")
    scaled = _scaled_copies(manifests)
    components = _by_spec_field(manifests, Kind.INFERENCE_COMPONENT, "EndpointName")
    problems: list[Problem] = []
    for config in _ordered(m for m in manifests if m.kind == Kind.ENDPOINT_CONFIG):
        variants = _production_variants(config)
        for raw in variants:
            variant = _hosting_variant(raw, table)
            if variant is None:
                continue
            for endpoint in endpoints.get(config.name, []):
                placements = [
                    placement
                    for ic in components.get(endpoint.name, [])
                    if _on_variant(ic, variant.name, len(variants))
                    and (placement := _placement(ic, variant.instance_type)) is not None
                ]
                problem = _check_variant(endpoint, variant, placements)
                if problem is not None:
                    problems.append(problem)
                    continue
                problems.extend(_at_the_bounds(endpoint, variant, placements, scaled))
    return problems


def _scaled_copies(manifests: Sequence[Manifest]) -> dict[str, Manifest]:
    """IC name → the declared ScalableTarget on its copy count (issue 14: the scaler may
    take it up to MaxCapacity)."""
    found: dict[str, Manifest] = {}
    for target in manifests:
        if target.kind is not Kind.SCALABLE_TARGET:
            continue
        resource = str(target.spec.get("ResourceId", ""))
        if target.spec.get("ScalableDimension") == SCALED_COPIES and resource.startswith(
            "inference-component/"
        ):
            found.setdefault(resource.split("/", 1)[1], target)
    return found


def _at_the_bounds(
    endpoint: Manifest,
    variant: _Variant,
    placements: list[_Placement],
    scaled: dict[str, Manifest],
) -> list[Problem]:
    """A problem when the copies fit at the manifests' counts but not at the scaling
    bounds: every scaled IC at its target's MaxCapacity, on the variant's most instances
    (managed instance scaling's MaxInstanceCount, or its fixed count). Such a MaxCapacity
    can never be reached; the problem is located at it and names both manifests."""
    grown: list[_Placement] = []
    scaling: list[tuple[Manifest, Manifest]] = []  # (target, the IC it scales)
    for placement in placements:
        target = scaled.get(placement.manifest.name)
        maximum = target.spec.get("MaxCapacity") if target is not None else None
        if target is not None and is_int(maximum) and maximum > placement.copies:
            grown.append(dataclasses.replace(placement, copies=maximum, autoscaled=True))
            scaling.append((target, placement.manifest))
        else:
            grown.append(placement)
    if not scaling:
        return []
    problem = _check_variant(endpoint, variant, grown)
    if problem is None:
        return []
    target = scaling[0][0]
    who = ", ".join(f"{t.address} scales {ic.address}" for t, ic in scaling)
    return [
        Problem(
            message=f"MaxCapacity {target.spec['MaxCapacity']} can never be reached ({who}): "
            f"at the scaling bounds, {problem.message}",
            location=target.location_of(("MaxCapacity",)),
            address=target.address,
            field="spec.MaxCapacity",
        )
    ]


def unknown_instance_types(manifests: Iterable[Manifest]) -> list[str]:
    """Instance types of IC-hosting variants that the table does not know, sorted: their
    capacity is not checked, which the CLI should say."""
    table = _instance_types()
    unknown: set[str] = set()
    for config in manifests:
        if config.kind != Kind.ENDPOINT_CONFIG:
            continue
        for raw in _production_variants(config):
            instance_type = raw.get("InstanceType")
            if (
                _hosts_components(raw)
                and isinstance(instance_type, str)
                and instance_type not in table
            ):
                unknown.add(instance_type)
    return sorted(unknown)


# --- gathering ----------------------------------------------------------------------------


def _ordered(manifests: Iterable[Manifest]) -> list[Manifest]:
    return sorted(manifests, key=lambda m: (m.location, m.name))


def _by_spec_field(
    manifests: Iterable[Manifest], kind: Kind, field: str
) -> dict[str, list[Manifest]]:
    """Manifests of `kind`, grouped by the string in `spec[field]`, in manifest order."""
    groups: dict[str, list[Manifest]] = {}
    for manifest in _ordered(m for m in manifests if m.kind == kind):
        value = manifest.spec.get(field)
        if isinstance(value, str):
            groups.setdefault(value, []).append(manifest)
    return groups


def _production_variants(config: Manifest) -> list[JsonDict]:
    variants = config.spec.get("ProductionVariants")
    if not isinstance(variants, list):
        return []
    return [v if isinstance(v, dict) else {} for v in variants]


def _hosts_components(variant: JsonDict) -> bool:
    """Variants without a model host inference components; pools mix instance types."""
    return "ModelName" not in variant and "InstancePools" not in variant


def _hosting_variant(raw: JsonDict, table: Mapping[str, InstanceCapacity]) -> _Variant | None:
    name, instance_type = raw.get("VariantName"), raw.get("InstanceType")
    if not _hosts_components(raw) or not isinstance(name, str):
        return None
    if not isinstance(instance_type, str) or instance_type not in table:
        return None
    count = _instance_count(raw)
    if count is None:
        return None
    # With MIG partitions an IC takes a slice of one accelerator: whole devices do not add up.
    dimensions = tuple(
        d
        for d in _DIMENSIONS
        if not (d is _ACCELERATORS and raw.get("AcceleratorPartitionLayouts"))
    )
    return _Variant(name, instance_type, count, table[instance_type], dimensions)


def _instance_count(variant: JsonDict) -> int | None:
    """Instances the variant can have: the managed-scaling maximum when enabled (copies
    only have to fit once it has grown), else the initial count; None when unknown."""
    scaling = variant.get("ManagedInstanceScaling")
    if isinstance(scaling, dict) and scaling.get("Status") == "ENABLED":
        count = scaling.get("MaxInstanceCount")
    else:
        count = variant.get("InitialInstanceCount")
    return count if is_int(count) and count >= 0 else None


def _on_variant(ic: Manifest, variant: str, variant_count: int) -> bool:
    named = ic.spec.get("VariantName")
    return named == variant if named is not None else variant_count == 1


def _placement(ic: Manifest, instance_type: str) -> _Placement | None:
    runtime = ic.spec.get("RuntimeConfig")
    copies = runtime.get("CopyCount") if isinstance(runtime, dict) else None
    specification = _specification(ic.spec, instance_type)
    if not is_int(copies) or copies < 0 or specification is None:
        return None
    requirements = specification.get("ComputeResourceRequirements")
    if specification.get("BaseInferenceComponentName") is not None:
        needs = dict.fromkeys(_DIMENSIONS, 0.0)  # an adapter runs inside its base's copies
    elif isinstance(requirements, dict):
        needs = {d: _amount(requirements.get(d.requirement)) for d in _DIMENSIONS}
    else:
        return None
    autoscaled = any(
        path.removeprefix("spec.") == AUTOSCALED_FIELD for path in ic.annotations.ignore_differences
    )
    return _Placement(ic, copies, needs, autoscaled)


def _specification(spec: JsonDict, instance_type: str) -> JsonDict | None:
    """The IC's specification for `instance_type`: ``Specification``, or the entry of
    ``Specifications`` for that type (the only entry when it names no type)."""
    single = spec.get("Specification")
    if isinstance(single, dict):
        return single
    entries = spec.get("Specifications")
    if not isinstance(entries, list):
        return None
    candidates: list[JsonDict] = [e for e in entries if isinstance(e, dict)]
    for candidate in candidates:
        if candidate.get("InstanceType") == instance_type:
            return candidate
    if len(candidates) == 1 and "InstanceType" not in candidates[0]:
        return candidates[0]
    return None


# --- checking -----------------------------------------------------------------------------


def _check_variant(
    endpoint: Manifest, variant: _Variant, placements: list[_Placement]
) -> Problem | None:
    clauses: list[str] = []
    culprits: list[_Placement] = []
    overflowing: set[_Dimension] = set()

    # The sum over ICs must fit the sum over instances.
    for dimension in variant.dimensions:
        have = variant.instance_count * _capacity(variant, dimension)
        need = sum(p.copies * p.needs[dimension] for p in placements)
        if need <= have + _EPSILON:
            continue
        overflowing.add(dimension)
        contributors = ", ".join(p.label(dimension) for p in placements if p.needs[dimension])
        clauses.append(
            f"needs {_amount_of(need, dimension)}, {variant.fleet} has {_number(have)} "
            f"({contributors})"
        )
        culprits.append(_tipping(placements, dimension, have))

    # A copy lives on one instance: it must fit one, and copies of an IC must pack.
    for placement in placements:
        for dimension in variant.dimensions:
            clause = _packing(variant, placement, dimension, dimension in overflowing)
            if clause is not None:
                clauses.append(clause)
                culprits.append(placement)

    if not clauses:
        return None
    culprit = culprits[0].manifest
    return Problem(
        message=f"{endpoint.address} variant {variant.name}: " + "; ".join(clauses),
        location=culprit.location_of(COPY_COUNT_PATH),
        address=culprit.address,
        field=COPY_COUNT_FIELD,
    )


def _packing(
    variant: _Variant, placement: _Placement, dimension: _Dimension, overflowing: bool
) -> str | None:
    """A clause when one copy exceeds an instance, or (unless the total already overflows
    in this dimension) when the IC's copies alone cannot be spread over the instances."""
    need, have = placement.needs[dimension], _capacity(variant, dimension)
    if need <= 0:
        return None
    if need > have + _EPSILON:
        return (
            f"one copy of {placement.manifest.name} needs {_amount_of(need, dimension)}, "
            f"one {variant.instance_type} has {_number(have)}"
        )
    per_instance = math.floor((have + _EPSILON) / need)
    most = per_instance * variant.instance_count
    if overflowing or placement.copies <= most:
        return None
    return (
        f"{placement.manifest.name} needs {placement.copies} copies of "
        f"{_amount_of(need, dimension)}, one {variant.instance_type} has {_number(have)} "
        f"(room for {per_instance}), so {variant.fleet} holds at most {most}"
    )


def _tipping(placements: list[_Placement], dimension: _Dimension, have: float) -> _Placement:
    """The first IC, in manifest order, at which the running total exceeds `have`."""
    total = 0.0
    for placement in placements:
        total += placement.copies * placement.needs[dimension]
        if total > have + _EPSILON:
            return placement
    raise AssertionError("the total does not exceed the capacity")


def _capacity(variant: _Variant, dimension: _Dimension) -> int:
    value: int = getattr(variant.capacity, dimension.capacity)
    return value


def _amount(value: Any) -> float:
    """A requirement as written; absent or not a number (spec validation says so) is 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value) if math.isfinite(value) and value > 0 else 0.0


def _number(value: float) -> str:
    """6.0 → "6", 0.5 → "0.5"."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _amount_of(value: float, dimension: _Dimension) -> str:
    unit = dimension.singular if value == 1 else dimension.plural
    return f"{_number(value)} {unit}"


# --- the packing of a variant, for people ------------------------------------------------
# The same arithmetic as the check, as numbers to show (``reconciler status``, the markdown
# plan): per IC-hosting variant, what its ICs use of its instances now and at the scaling
# bounds.


@dataclass(frozen=True)
class Count:
    """A count a scaler owns, keyed by (address, taken path) — the copies of an IC
    (``RuntimeConfig.CopyCount``) or the instances of a variant
    (``ScaledVariants.<variant>.DesiredInstanceCount``).

    now:  its live value (None: not known; the manifest's count is used)
    most: the most the scaler may set it to (None: not known; ``now`` is used)
    by:   the scaler's address ("": not known)
    """

    now: int | None
    most: int | None
    by: str = ""


@dataclass(frozen=True)
class Usage:
    """One resource of a variant: what its ICs use of what its instances have.

    resource:  ``gpu`` (accelerator devices), ``cpu`` (cores) or ``mem`` (MiB)
    used / available: totals over copies and over instances
    """

    resource: str
    used: float
    available: float

    @property
    def over(self) -> bool:
        return self.used > self.available + _EPSILON


@dataclass(frozen=True)
class Packing:
    """How the ICs on one endpoint variant pack its instances.

    endpoint / variant / instance_type: which variant (the Endpoint manifest's name)
    instances / now:       its instance count now and the usage at the ICs' copies now
    most_instances / at_most: the same with every scaled count at its most (MaxCapacity
                           copies of each scaled IC, a scaled variant's MaxCapacity
                           instances, managed instance scaling's MaxInstanceCount)
    addresses:             the Endpoint, EndpointConfig and IC manifests it is made of, and
                           the scalers of its counts (a plan shows the packings its changes
                           touch: a new MaxCapacity changes the packing at the bounds)
    """

    endpoint: str
    variant: str
    instance_type: str
    instances: int
    now: tuple[Usage, ...]
    most_instances: int
    at_most: tuple[Usage, ...]
    addresses: tuple[str, ...]

    def to_json(self) -> JsonDict:
        """For ``status --json``: memory in MiB, as SageMaker counts it."""

        def usages(rows: tuple[Usage, ...]) -> dict[str, JsonDict]:
            return {u.resource: {"used": u.used, "available": u.available} for u in rows}

        return {
            "endpoint": self.endpoint,
            "variant": self.variant,
            "instance_type": self.instance_type,
            "instances": self.instances,
            "now": usages(self.now),
            "max_instances": self.most_instances,
            "at_max": usages(self.at_most),
        }

    @property
    def scales(self) -> bool:
        """The bounds differ from now (else there is nothing more to show)."""
        return self.most_instances != self.instances or self.at_most != self.now


_RESOURCE_NAMES = {_ACCELERATORS: "gpu", _CPU: "cpu", _MEMORY: "mem"}


def packings(
    manifests: Sequence[Manifest], counts: Mapping[tuple[str, str], Count] | None = None
) -> list[Packing]:
    """Every IC-hosting variant of the declared endpoints with the ICs declared on it, in
    manifest order (endpoint configs, then endpoints); `counts`: the live and most values
    of scaled counts. Variants the capacity check skips (unknown instance type, pools, no
    numeric count) are left out; so are ICs without usable requirements."""
    counts = counts or {}
    table = _instance_types()
    endpoints = _by_spec_field(manifests, Kind.ENDPOINT, "EndpointConfigName")
    components = _by_spec_field(manifests, Kind.INFERENCE_COMPONENT, "EndpointName")
    found: list[Packing] = []
    for config in _ordered(m for m in manifests if m.kind == Kind.ENDPOINT_CONFIG):
        variants = _production_variants(config)
        for raw in variants:
            variant = _hosting_variant(raw, table)
            initial = raw.get("InitialInstanceCount")
            if variant is None or not is_int(initial) or initial < 0:
                continue
            for endpoint in endpoints.get(config.name, []):
                path = f"{SCALED_VARIANTS}.{variant.name}.DesiredInstanceCount"
                scaled = counts.get((endpoint.address, path), Count(None, None))
                instances = scaled.now if scaled.now is not None else initial
                # Managed instance scaling's most is already the check's count.
                most_instances = scaled.most if scaled.most is not None else variant.instance_count
                most_instances = max(most_instances, instances)
                ics = [
                    (ic, placement)
                    for ic in components.get(endpoint.name, [])
                    if _on_variant(ic, variant.name, len(variants))
                    and (placement := _placement(ic, variant.instance_type)) is not None
                ]
                now: list[tuple[_Placement, int]] = []
                most: list[tuple[_Placement, int]] = []
                scalers = [scaled.by] if scaled.by else []
                for ic, placement in ics:
                    copies = counts.get((ic.address, AUTOSCALED_FIELD), Count(None, None))
                    current = copies.now if copies.now is not None else placement.copies
                    now.append((placement, current))
                    most.append((placement, max(copies.most or 0, current)))
                    scalers += [copies.by] if copies.by else []
                found.append(
                    Packing(
                        endpoint=endpoint.name,
                        variant=variant.name,
                        instance_type=variant.instance_type,
                        instances=instances,
                        now=_usage(variant, instances, now),
                        most_instances=most_instances,
                        at_most=_usage(variant, most_instances, most),
                        addresses=(
                            endpoint.address,
                            config.address,
                            *(ic.address for ic, _ in ics),
                            *scalers,
                        ),
                    )
                )
    return found


def _usage(
    variant: _Variant, instances: int, copies: list[tuple[_Placement, int]]
) -> tuple[Usage, ...]:
    """Per resource of the variant, the copies' total need and the instances' total; a
    resource neither offered nor asked for (accelerators on a CPU instance) is left out."""
    rows = []
    for dimension in variant.dimensions:
        available = float(instances * _capacity(variant, dimension))
        used = sum(count * placement.needs[dimension] for placement, count in copies)
        if available or used:
            rows.append(Usage(_RESOURCE_NAMES[dimension], used, available))
    return tuple(rows)
