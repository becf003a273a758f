"""The emulator's own Application Auto Scaling, for ServiceNamespace ``sagemaker``.

moto's Application Auto Scaling is too far from AWS for SageMaker (it refuses the
inference-component dimension, drops tags, does not cascade a deregister, answers
ValidationException where AWS answers ObjectNotFoundException; see the research notes of
issue 14, §7), so the emulator answers ``X-Amz-Target: AnyScaleFrontendService.<Op>``
(JSON 1.1) itself when the request names ServiceNamespace ``sagemaker``; a request for any
other namespace goes to moto unchanged (the handler raises :class:`NotHandled`).

Each module registers its operations with :func:`operation`, as the SageMaker package
does; the state lives in :class:`~reconciler.emulator.state.RegionState`.
"""

from __future__ import annotations

import base64
import importlib
import pkgutil
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar

from reconciler.emulator.errors import AwsError, validation
from reconciler.emulator.sagemaker import Context, Handler, NotHandled

JsonDict = dict[str, Any]
T = TypeVar("T")

SERVICE = "application-autoscaling"
NAMESPACE = "sagemaker"

OPERATIONS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for the Application Auto Scaling operation `name`."""

    def register(handler: Handler) -> Handler:
        OPERATIONS[name] = handler
        return handler

    return register


def load_all() -> dict[str, Handler]:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return OPERATIONS


class OnTarget(Protocol):
    """A policy or scheduled action, as a Describe filters it."""

    name: str
    resource_id: str
    dimension: str


Placed = TypeVar("Placed", bound=OnTarget)


def selected(items: Iterable[Placed], request: JsonDict, names_member: str) -> list[Placed]:
    """The items a Describe asks for: by the names in `names_member`, ResourceId and
    ScalableDimension, each an exact match when given (moto tests substrings; the AAS
    model's filters name one resource and one dimension)."""
    names = request.get(names_member)
    resource_id = request.get("ResourceId")
    dimension = request.get("ScalableDimension")
    return [
        item
        for item in items
        if (not names or item.name in names)
        and (resource_id is None or item.resource_id == resource_id)
        and (dimension is None or item.dimension == dimension)
    ]


def ours(request: JsonDict) -> None:
    """Pass a request for another namespace (ecs, dynamodb, ...) on to moto."""
    if request.get("ServiceNamespace") != NAMESPACE:
        raise NotHandled


def slr_arn(ctx: Context) -> str:
    """The SageMaker service-linked role Application Auto Scaling uses, whatever RoleARN was
    sent. Source: AAS User Guide, application-auto-scaling-service-linked-roles.md
    ("Service-linked role ARN reference"); a legacy role passed in is ignored in favour of
    the SLR (AAS docs quoted in terraform-provider-aws#5023)."""
    from reconciler.emulator.state import partition

    return (
        f"arn:{partition(ctx.state.region)}:iam::{ctx.state.account}:role/aws-service-role/"
        "sagemaker.application-autoscaling.amazonaws.com/"
        "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"
    )


def not_found(message: str) -> AwsError:
    """ObjectNotFoundException: "For any operation that depends on the existence of a
    scalable target, this exception is thrown if the scalable target ... does not exist.
    For any operation that deletes or deregisters a resource, this exception is thrown if
    the resource cannot be found." (AAS model, ObjectNotFoundException)."""
    return AwsError("ObjectNotFoundException", message)


def page(items: Sequence[T], request: JsonDict, default: int) -> tuple[list[T], str | None]:
    """One page of `items` (MaxResults, NextToken; the token is opaque to clients: the
    offset of the next item, base64-encoded). Our own wording for a bad token."""
    size = request.get("MaxResults") or default
    # The documented maximum is the default for every Describe call here ("This value can
    # be between 1 and 10" / "1 and 50", botocore's AAS model docs; the model itself has no
    # max, so the service checks it). The wording is the usual AWS constraint message,
    # unverified for this service.
    if size > default:
        raise validation(
            f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy "
            f"constraint: Member must have value less than or equal to {default}"
        )
    start = 0
    token = request.get("NextToken")
    if token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode())
        except ValueError:
            raise validation("Invalid NextToken provided.") from None
        if not 0 <= start <= len(items):
            raise validation("Invalid NextToken provided.")
    end = start + size
    next_token = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else None
    return list(items[start:end]), next_token
