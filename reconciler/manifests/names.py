"""Resource names: SageMaker's name pattern and the room left for the content-hash suffix.

In:  a manifest's kind and ``metadata.name`` (or any name, for annotations).
Out: the reason it is not a valid name, or ``None``.
"""

from __future__ import annotations

import re

from reconciler.kinds import KINDS
from reconciler.resources import Kind

NAME_PATTERN = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
_NAME = re.compile(NAME_PATTERN)
HASH_SUFFIX = "-<8 hex>"


def pattern_problem(name: str) -> str | None:
    """Why `name` is not a SageMaker resource name (``None`` when it is one)."""
    if _NAME.fullmatch(name):
        return None
    return (
        f"{name!r} is not a valid name: use letters, digits and hyphens, starting and ending "
        f"with a letter or digit, at most 63 characters ({NAME_PATTERN})"
    )


def name_problem(kind: Kind, name: str) -> str | None:
    """Why `name` cannot be the ``metadata.name`` of a `kind` (``None`` when it can)."""
    info = KINDS[kind]
    limit = info.max_name_length
    if len(name) > limit:
        if info.immutable:
            return (
                f"is {len(name)} characters long; {kind} names can be at most {limit}: that "
                f"leaves room for the {HASH_SUFFIX} content-hash suffix of its physical name "
                "within SageMaker's 63"
            )
        return f"is {len(name)} characters long; {kind} names can be at most {limit}"
    return pattern_problem(name)
