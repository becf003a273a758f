"""One module per kind; :data:`KINDS` maps each :class:`Kind` to its facts."""

from __future__ import annotations

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

APIS: dict[Kind, KindApi] = {
    module.INFO.kind: module.API
    for module in (model, endpoint_config, endpoint, inference_component, cluster)
}

__all__ = ["APIS", "KINDS", "KindApi", "KindInfo", "Reference"]
