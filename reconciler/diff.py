"""Compare the comparable essence of a desired spec and a live resource.

Both sides are brought to the kind's Create-request shape first (the kind module's
``live_spec`` turns a Describe answer into it: ``DesiredCopyCount`` → ``CopyCount``,
``DeployedImage.SpecifiedImage`` → ``Image``, ...). Then :func:`compare` walks both and
reports field changes, skipping:

- fields the user declared owned by someone else (``ignore-differences``);
- fields SageMaker fills in when the manifest leaves them out (``server_defaults``);
- order in lists where order carries no meaning (``unordered``, e.g. subnet ids).

Lists whose items carry their own identity (``keyed``: a cluster's instance groups, by
``InstanceGroupName``) are matched item by item on that key, not by position, and their
paths name the item: ``InstanceGroups[workers].InstanceCount``. An item only on one side
is one change of the whole item (added: before absent; removed: after absent).

The property that matters most: right after an apply the comparison is empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# A list step in a path: a position ([0]) or, in keyed lists, an item's key ([workers]).
_INDEX = re.compile(r"\[[^\]]*\]")


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


def covered(path: str, prefixes: tuple[str, ...]) -> bool:
    """True when `path` is one of `prefixes` or lies beneath one. A prefix may name list
    items as written, as ``[*]``, or step into a list directly (``InstanceGroups.
    InstanceCount`` is that field of every group), as manifest validation allows."""
    forms = (path, _pattern(path), _INDEX.sub("", path))
    return any(
        form == p or form.startswith(p + ".") or form.startswith(p + "[")
        for form in forms
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
    keyed: dict[str, str] | None = None,
    path: str = "",
) -> list[FieldChange]:
    """Changes that turn `live` into `desired`, as FieldChange(before=live, after=desired).

    keyed: list path (``[*]`` for positions) → the item field that identifies an item
    """
    if path and covered(path, ignore):
        return []
    options: dict[str, Any] = {
        "ignore": ignore,
        "server_defaults": server_defaults,
        "unordered": unordered,
        "keyed": keyed,
    }
    if isinstance(desired, dict) and isinstance(live, dict):
        changes: list[FieldChange] = []
        for key in list(desired) + [k for k in live if k not in desired]:
            child = f"{path}.{key}" if path else str(key)
            want, have = desired.get(key, ABSENT), live.get(key, ABSENT)
            if want is ABSENT and covered(child, server_defaults):
                continue
            if want is ABSENT or have is ABSENT:
                if not covered(child, ignore):
                    changes.append(FieldChange(child, have, want))
                continue
            changes.extend(compare(want, have, **options, path=child))
        return changes
    if isinstance(desired, list) and isinstance(live, list):
        key = (keyed or {}).get(_pattern(path))
        if key is not None:
            wanted, present = _by_key(desired, key), _by_key(live, key)
            if wanted is not None and present is not None:
                return _compare_keyed(wanted, present, options, path)
        if covered(path, unordered):
            if sorted(desired, key=repr) == sorted(live, key=repr):
                return []
            return [FieldChange(path, live, desired)]
        if len(desired) != len(live):
            return [FieldChange(path, live, desired)]
        changes = []
        for index, (want, have) in enumerate(zip(desired, live, strict=True)):
            changes.extend(compare(want, have, **options, path=f"{path}[{index}]"))
        return changes
    if _same(desired, live):
        return []
    return [FieldChange(path, live, desired)]


def _by_key(items: list[Any], key: str) -> dict[str, Any] | None:
    """The items by their `key` field; None when an item lacks it or two share it (then
    the list is compared by position, which still reports every difference)."""
    found: dict[str, Any] = {}
    for item in items:
        name = item.get(key) if isinstance(item, dict) else None
        if not isinstance(name, str) or name in found:
            return None
        found[name] = item
    return found


def _compare_keyed(
    desired: dict[str, Any], live: dict[str, Any], options: dict[str, Any], path: str
) -> list[FieldChange]:
    changes: list[FieldChange] = []
    for name in list(desired) + [n for n in live if n not in desired]:
        child = f"{path}[{name}]"
        if name in desired and name in live:
            changes.extend(compare(desired[name], live[name], **options, path=child))
        elif not covered(child, options["ignore"]):
            changes.append(FieldChange(child, live.get(name, ABSENT), desired.get(name, ABSENT)))
    return changes
