"""Physical names and content hashes.

Models and EndpointConfigs have no Update API, so their physical name carries a hash of
their resolved spec: ``<metadata.name>-<first 8 hex of sha256(canonical JSON)>``. Any change
gives a new name (create new, repoint, delete old), and a ``git revert`` converges back to
the old name. The same hash, as the ``spec-hash`` tag, tells the planner that an existing
immutable resource matches without describing it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> str:
    """One text per value: sorted keys, no whitespace, floats that are whole as ints
    (2.0 and 2 mean the same to SageMaker and must hash the same)."""
    return json.dumps(_canonical(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def content_hash(value: Any) -> str:
    """First 8 hex digits of the sha256 of the canonical JSON of `value`."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()[:8]
