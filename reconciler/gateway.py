"""The reconciler's own API to AWS: what the kinds, the observer, the executor and status
call, never a boto3 client.

A :class:`Gateway` calls an operation of a service (the botocore service name and the
API's operation name) with a request and answers a plain dict, or raises
:class:`~reconciler.errors.AwsError` classed as not found / already exists / busy,
temporary or permanent. :class:`reconciler.aws.AwsGateway` is the one that talks to AWS
(boto3); tests use fakes of their own that record the calls. This module is pure, so the
planning layers can name the type without loading boto3.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from reconciler.resources import JsonDict


class Gateway(Protocol):
    def call(self, service: str, operation: str, **request: Any) -> JsonDict:
        """Call `operation` of `service`; its answer (no ``ResponseMetadata``)."""
        ...

    def pages(self, service: str, operation: str, **request: Any) -> Iterator[JsonDict]:
        """Every page of a paginated `operation` (``PaginationConfig`` as botocore's)."""
        ...

    def pool_size(self, service: str) -> int:
        """How many calls to `service` may be in flight at once without the HTTP pool
        opening and discarding extra connections."""
        ...
