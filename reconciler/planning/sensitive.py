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


def _mask_value(
    value: Any,
    in_environment: bool,
    extra: tuple[str, ...],
    replacement: str = SENSITIVE,
    path: str = "",
    found: list[str] | None = None,
) -> Any:
    """`value` with secret Environment values replaced, at any depth; the dotted path of
    each one replaced is added to `found`."""
    if isinstance(value, dict):
        masked = {}
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if in_environment and is_sensitive_key(str(key), extra):
                masked[key] = replacement
                if found is not None:
                    found.append(child)
            else:
                masked[key] = _mask_value(
                    item, key == "Environment", extra, replacement, child, found
                )
        return masked
    if isinstance(value, list):
        return [
            _mask_value(item, False, extra, replacement, f"{path}[{i}]", found)
            for i, item in enumerate(value)
        ]
    return value


def mask_spec(
    spec: dict[str, Any],
    extra: tuple[str, ...] = (),
    *,
    replacement: str = SENSITIVE,
    found: list[str] | None = None,
) -> dict[str, Any]:
    """`spec` with its secret Environment values replaced by `replacement` (the plan's
    ``(sensitive)``, export's placeholder); `found` collects their paths."""
    result: dict[str, Any] = _mask_value(spec, False, extra, replacement, "", found)
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
