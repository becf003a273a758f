"""Model: immutable (no Update API), content-hashed physical name."""

from __future__ import annotations

from reconciler.kinds.base import KindInfo
from reconciler.resources import Kind

INFO = KindInfo(
    kind=Kind.MODEL,
    name_field="ModelName",
    create_operation="CreateModel",
    arn_resource_type="model",
    immutable=True,
)
