"""One module per kind, and the registry: :data:`REGISTRY` lists the kind modules in
dependency order (a kind after the kinds it names); :data:`KINDS` maps each
:class:`Kind` to its facts and :data:`APIS` to its calls."""

from __future__ import annotations

from reconciler.diff import covered
from reconciler.kinds import (
    alarm,
    cluster,
    endpoint,
    endpoint_config,
    inference_component,
    model,
    scalable_target,
    scaling_policy,
    scheduled_action,
)
from reconciler.kinds.api import KindApi
from reconciler.kinds.base import KindInfo, Reference
from reconciler.resources import Kind

# Adding a kind: its module here, in dependency order. (One kind reference goes back: an
# endpoint names its rollback alarms, which may name scaling policies on that endpoint;
# the resources' own references order them, kind order only orders what is shown.)
REGISTRY = (
    model,
    endpoint_config,
    endpoint,
    inference_component,
    scalable_target,
    scaling_policy,
    scheduled_action,
    alarm,
    cluster,
)

KINDS: dict[Kind, KindInfo] = {module.INFO.kind: module.INFO for module in REGISTRY}
APIS: dict[Kind, KindApi] = {module.INFO.kind: module.API for module in REGISTRY}

# Kinds other resources live on (the target of a create-only reference: an endpoint, for
# its inference components).
HOSTING_KINDS: frozenset[Kind] = frozenset(
    r.kind
    for info in KINDS.values()
    for r in info.references
    if covered(".".join(r.path).replace(".*", "[*]"), info.create_only)
)

__all__ = ["APIS", "HOSTING_KINDS", "KINDS", "REGISTRY", "KindApi", "KindInfo", "Reference"]
