"""boto3 clients for the reconciler: region and credentials from the standard chain, the
endpoint from ``--endpoint-url`` or boto3's own ``AWS_ENDPOINT_URL[_SAGEMAKER]``, and
botocore's standard retry mode (throttling and transient errors are retried there, never
by loops of our own)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config


@dataclass(frozen=True)
class AwsSettings:
    """endpoint_url: None lets boto3 resolve it (AWS_ENDPOINT_URL..., or AWS itself).
    max_attempts: botocore retry attempts per call (standard mode).
    max_connections: HTTP pool size; at least the number of parallel calls."""

    endpoint_url: str | None = None
    region: str | None = None
    max_attempts: int = 10
    max_connections: int = 20


def sagemaker_client(settings: AwsSettings) -> Any:
    return client(settings, "sagemaker")


def client(settings: AwsSettings, service: str) -> Any:
    config = Config(
        retries={"mode": "standard", "max_attempts": settings.max_attempts},
        max_pool_connections=settings.max_connections,
        user_agent_extra="sagemaker-reconciler",
    )
    # AWS_REGION is what the AWS SDKs and Lambda/ECS set; botocore itself reads only
    # AWS_DEFAULT_REGION and profiles, so honour it here before the rest of the chain.
    region = settings.region or os.environ.get("AWS_REGION") or None
    session = boto3.session.Session(region_name=region)
    kwargs: dict[str, Any] = {"config": config}
    if settings.endpoint_url:
        kwargs["endpoint_url"] = settings.endpoint_url
    # boto3-stubs types client() per service name; ours is chosen at run time.
    return session.client(service, **kwargs)  # type: ignore[call-overload]
