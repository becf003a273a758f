"""One module per kind; :data:`KINDS` maps each :class:`Kind` to its facts."""

from __future__ import annotations

from reconciler.diff import covered
from reconciler.kinds import cluster, endpoint, endpoint_config, inference_component, model
from reconciler.kinds.api import KindApi
from reconciler.kinds.base import KindInfo, Reference
from reconciler.resources import Kind

KINDS: dict[Kind, KindInfo] = {
    info.kind: info
    for info in (
        model.INFO,
        endpoint_config.INFO,
        endpoint.INFO,
        inference_component.INFO,
        cluster.INFO,
    )
}

# Kinds other resources live on (the target of a create-only reference: an endpoint, for
# its inference components).
HOSTING_KINDS: frozenset[Kind] = frozenset(
    r.kind
    for info in KINDS.values()
    for r in info.references
    if covered(".".join(r.path).replace(".*", "[*]"), info.create_only)
)

APIS: dict[Kind, KindApi] = {
    module.INFO.kind: module.API
    for module in (model, endpoint_config, endpoint, inference_component, cluster)
}

__all__ = ["APIS", "HOSTING_KINDS", "KINDS", "KindApi", "KindInfo", "Reference"]
