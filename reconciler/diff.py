"""Compare the comparable essence of a desired spec and a live resource.

Both sides are brought to the kind's Create-request shape first (the kind module's
``live_spec`` turns a Describe answer into it: ``DesiredCopyCount`` → ``CopyCount``,
``DeployedImage.SpecifiedImage`` → ``Image``, ...). Then :func:`compare` walks both and
reports field changes, skipping:

- fields the user declared owned by someone else (``ignore-differences``);
- fields SageMaker fills in when the manifest leaves them out (``server_defaults``);
- order in lists where order carries no meaning (``unordered``, e.g. subnet ids).

The property that matters most: right after an apply the comparison is empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_INDEX = re.compile(r"\[\d+\]")


class _Absent:
    """A field that is not there (distinct from an explicit null)."""

    def __repr__(self) -> str:
        return "<absent>"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class FieldChange:
    """path: dotted path in the spec (``Specification.Container.Image``,
    ``ProductionVariants[0].InstanceType``); before/after: ABSENT when not set."""

    path: str
    before: Any
    after: Any

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "before": None if self.before is ABSENT else self.before,
            "after": None if self.after is ABSENT else self.after,
        }


def _pattern(path: str) -> str:
    return _INDEX.sub("[*]", path)


def _covered(path: str, prefixes: tuple[str, ...]) -> bool:
    """True when `path` is one of `prefixes` or lies beneath one (list indexes as [*])."""
    generic = _pattern(path)
    return any(
        p in (path, generic)
        or path.startswith(p + ".")
        or generic.startswith(p + ".")
        or path.startswith(p + "[")
        or generic.startswith(p + "[")
        for p in prefixes
    )


def _same(a: Any, b: Any) -> bool:
    # SageMaker answers 2.0 for a float field given as 2; booleans are not numbers.
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return bool(a == b)


def compare(
    desired: Any,
    live: Any,
    *,
    ignore: tuple[str, ...] = (),
    server_defaults: tuple[str, ...] = (),
    unordered: tuple[str, ...] = (),
    path: str = "",
) -> list[FieldChange]:
    """Changes that turn `live` into `desired`, as FieldChange(before=live, after=desired)."""
    if path and _covered(path, ignore):
        return []
    if isinstance(desired, dict) and isinstance(live, dict):
        changes: list[FieldChange] = []
        for key in list(desired) + [k for k in live if k not in desired]:
            child = f"{path}.{key}" if path else str(key)
            want, have = desired.get(key, ABSENT), live.get(key, ABSENT)
            if want is ABSENT and _covered(child, server_defaults):
                continue
            if want is ABSENT or have is ABSENT:
                if not _covered(child, ignore):
                    changes.append(FieldChange(child, have, want))
                continue
            changes.extend(
                compare(
                    want,
                    have,
                    ignore=ignore,
                    server_defaults=server_defaults,
                    unordered=unordered,
                    path=child,
                )
            )
        return changes
    if isinstance(desired, list) and isinstance(live, list):
        if _covered(path, unordered):
            key = repr
            if sorted(desired, key=key) == sorted(live, key=key):
                return []
            return [FieldChange(path, live, desired)]
        if len(desired) != len(live):
            return [FieldChange(path, live, desired)]
        changes = []
        for index, (want, have) in enumerate(zip(desired, live, strict=True)):
            changes.extend(
                compare(
                    want,
                    have,
                    ignore=ignore,
                    server_defaults=server_defaults,
                    unordered=unordered,
                    path=f"{path}[{index}]",
                )
            )
        return changes
    if _same(desired, live):
        return []
    return [FieldChange(path, live, desired)]
