"""Secret values never leave the planner: Environment values whose key looks secret (or is
annotated ``sagemaker-reconciler/sensitive``) are replaced by ``(sensitive)`` in every
field change, so that no view — human, JSON, markdown — and no log can print them."""

from __future__ import annotations

import re
from typing import Any

from reconciler.diff import ABSENT, FieldChange

SENSITIVE = "(sensitive)"
_SECRET_KEY = re.compile(
    r"TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|PRIVATE|AUTH|API_?KEY|(^|_)KEY($|_)", re.I
)


def is_sensitive_key(key: str, extra: tuple[str, ...] = ()) -> bool:
    return key in extra or bool(_SECRET_KEY.search(key))


def _mask_value(value: Any, in_environment: bool, extra: tuple[str, ...]) -> Any:
    """`value` with secret Environment values masked, at any depth."""
    if isinstance(value, dict):
        masked = {}
        for key, item in value.items():
            if in_environment and is_sensitive_key(str(key), extra):
                masked[key] = SENSITIVE
            else:
                masked[key] = _mask_value(item, key == "Environment", extra)
        return masked
    if isinstance(value, list):
        return [_mask_value(item, False, extra) for item in value]
    return value


def mask_spec(spec: dict[str, Any], extra: tuple[str, ...] = ()) -> dict[str, Any]:
    result: dict[str, Any] = _mask_value(spec, False, extra)
    return result


def _mask_at(path: str, value: Any, extra: tuple[str, ...]) -> Any:
    if value is ABSENT:
        return value
    parts = path.split(".")
    if len(parts) >= 2 and parts[-2] == "Environment":
        return SENSITIVE if is_sensitive_key(parts[-1], extra) else value
    return _mask_value(value, parts[-1] == "Environment", extra)


def mask_changes(changes: list[FieldChange], extra: tuple[str, ...] = ()) -> list[FieldChange]:
    return [
        FieldChange(c.path, _mask_at(c.path, c.before, extra), _mask_at(c.path, c.after, extra))
        for c in changes
    ]
