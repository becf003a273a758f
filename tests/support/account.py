"""What the account holds, read through the SageMaker API as any client would."""

from __future__ import annotations

from tests.support.env import Env


def account_names(env: Env) -> set[str]:
    """Every hosting resource in the account, as Kind/physical-name."""
    sm = env.sagemaker()
    names = set()
    for op, key, field, kind in [
        ("list_models", "Models", "ModelName", "Model"),
        ("list_endpoint_configs", "EndpointConfigs", "EndpointConfigName", "EndpointConfig"),
        ("list_endpoints", "Endpoints", "EndpointName", "Endpoint"),
        (
            "list_inference_components",
            "InferenceComponents",
            "InferenceComponentName",
            "InferenceComponent",
        ),
        ("list_clusters", "ClusterSummaries", "ClusterName", "Cluster"),
    ]:
        for page in sm.get_paginator(op).paginate():
            names |= {f"{kind}/{item[field]}" for item in page[key]}
    return names
