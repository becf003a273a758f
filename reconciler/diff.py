"""Compare the comparable essence of a desired spec and a live resource.

Both sides are brought to the kind's Create-request shape first (the kind module's
``live_spec`` turns a Describe answer into it: ``DesiredCopyCount`` → ``CopyCount``,
``DeployedImage.SpecifiedImage`` → ``Image``, ...). Then :func:`compare` walks both and
reports field changes.

What counts (DESIGN.md, "What counts as drift"): the fields the manifest declares. A live
field the manifest leaves out — a server default, a field a newer API release fills in —
is never drift, whatever its name, unless the manifest declared it at the last apply and
has since dropped it: the caller says which paths those are (``dropped``, a predicate over
leaf paths, answered from the record of the last apply, see
:mod:`reconciler.planning.applied`). Besides, :func:`compare` skips:

- fields the user declared owned by someone else (``ignore-differences``);
- order in lists where order carries no meaning (``unordered``, e.g. subnet ids).

For rendering only (never for deciding), ``server_defaults`` selects the old, whole-object
comparison in which every undeclared live field is a change except the listed defaults:
it shows what a content-hash replace changes against the version it supersedes.

Lists whose items carry their own identity (``keyed``: a cluster's instance groups, by
``InstanceGroupName``) are matched item by item on that key, not by position, and their
paths name the item: ``InstanceGroups[workers].InstanceCount``. An item only on one side
is one change of the whole item (added: before absent; removed: after absent). A declared
list is declared as a whole: an item only in the live list is a change.

The property that matters most: right after an apply the comparison is empty, whatever
else SageMaker answers.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

JsonDict = dict[str, Any]

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
            "before": None if self.before is ABSENT else _plain(self.before),
            "after": None if self.after is ABSENT else _plain(self.after),
        }


def _plain(value: Any) -> Any:
    """`value` with every datetime (a timestamp AWS answered) as its ISO 8601 text, so that
    the plan is JSON."""
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


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
    if isinstance(b, _dt.datetime):
        # A timestamp member comes back a datetime; the manifest writes it as an ISO 8601
        # string, a YAML timestamp or epoch seconds: the same second is the same value.
        wanted = _instant(a)
        return wanted is not None and wanted == _instant(b)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return bool(a == b)


def _instant(value: Any) -> _dt.datetime | None:
    """The UTC second a timestamp value names, as botocore sends it: a datetime or ISO 8601
    string without a zone is UTC (botocore ``parse_to_aware_datetime``); None: no timestamp."""
    if isinstance(value, int | float):
        moment = _dt.datetime.fromtimestamp(value, _dt.UTC)
    elif isinstance(value, _dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = _dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.UTC)
    return moment.astimezone(_dt.UTC).replace(microsecond=0)


def _empty(value: Any) -> bool:
    # SageMaker leaves empty maps and lists out of its answers (unverified field by field;
    # an empty Environment is the common case): declaring {} is declaring nothing.
    return isinstance(value, dict | list) and not value


def _never(path: str) -> bool:
    return False


def compare(
    desired: Any,
    live: Any,
    *,
    ignore: tuple[str, ...] = (),
    dropped: Callable[[str], bool] = _never,
    unordered: tuple[str, ...] = (),
    keyed: dict[str, str] | None = None,
    server_defaults: tuple[str, ...] | None = None,
    path: str = "",
) -> list[FieldChange]:
    """Changes that turn `live` into `desired`, as FieldChange(before=live, after=desired).

    dropped:         leaf paths that were declared at the last apply (a live field the
                     manifest no longer declares is a change only when this says so)
    keyed:           list path (``[*]`` for positions) → the item field that identifies an item
    server_defaults: rendering only — compare the whole live object, skipping these
    """
    if path and covered(path, ignore):
        return []
    options: dict[str, Any] = {
        "ignore": ignore,
        "dropped": dropped,
        "unordered": unordered,
        "keyed": keyed,
        "server_defaults": server_defaults,
    }
    if isinstance(desired, dict) and isinstance(live, dict):
        changes: list[FieldChange] = []
        for key in list(desired) + [k for k in live if k not in desired]:
            child = f"{path}.{key}" if path else str(key)
            want, have = desired.get(key, ABSENT), live.get(key, ABSENT)
            if covered(child, ignore):
                continue
            if want is ABSENT:
                if server_defaults is not None:
                    if not covered(child, server_defaults):
                        changes.append(FieldChange(child, have, want))
                else:
                    changes.extend(
                        FieldChange(leaf, value, ABSENT)
                        for leaf, value in leaves(have, keyed, child)
                        if dropped(leaf)
                    )
                continue
            if have is ABSENT:
                if not _empty(want):
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


def _step(items: list[Any], key: str | None) -> list[tuple[str, Any]]:
    """The path steps of a list's items: ``[<key>]`` in a keyed list whose items all carry
    distinct keys, ``[<index>]`` otherwise (as :func:`compare` names them)."""
    by_key = _by_key(items, key) if key is not None else None
    if by_key is not None:
        return [(f"[{name}]", item) for name, item in by_key.items()]
    return [(f"[{index}]", item) for index, item in enumerate(items)]


def leaves(
    value: Any, keyed: dict[str, str] | None = None, path: str = ""
) -> Iterator[tuple[str, Any]]:
    """Every (leaf path, value) of `value`, in :func:`compare`'s path format: mappings are
    walked key by key, list items by position or key; a scalar, a list of scalars or an
    empty mapping or list is a leaf."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from leaves(item, keyed, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
        for step, item in _step(value, (keyed or {}).get(_pattern(path))):
            yield from leaves(item, keyed, path + step)
    else:
        yield path, value


def sort_unordered(value: Any, unordered: tuple[str, ...], path: str = "") -> Any:
    """A copy of `value` in which every list at an `unordered` path (``[*]`` and list
    steps as :func:`covered` reads them) is sorted, so that equal sets hash equal."""
    if isinstance(value, dict):
        return {
            key: sort_unordered(item, unordered, f"{path}.{key}" if path else str(key))
            for key, item in value.items()
        }
    if isinstance(value, list):
        if path and covered(path, unordered) and not any(isinstance(i, dict | list) for i in value):
            return sorted(value, key=repr)
        return [sort_unordered(item, unordered, f"{path}[{i}]") for i, item in enumerate(value)]
    return value


def _is_default(default: object, value: object, holder: JsonDict, spec: JsonDict) -> bool:
    if callable(default):
        return bool(default(value, holder, spec))
    return value == default


def drop_defaults(spec: JsonDict, defaults: dict[str, object]) -> JsonDict:
    """`spec` without the fields whose value is what SageMaker fills in (`defaults`: the
    kind's ``server_defaults``). An object left empty only because its fields were all
    defaults goes too; one that was empty to begin with stays unless it is a default."""

    def walk(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            result = {}
            for key, item in value.items():
                child = f"{path}.{key}" if path else key
                generic = re.sub(r"\[\d+\]", "[*]", child)
                if generic in defaults and _is_default(defaults[generic], item, value, spec):
                    continue
                kept = walk(item, child)
                if isinstance(item, dict) and item and not kept:
                    continue
                result[key] = kept
            return result
        if isinstance(value, list):
            return [walk(item, f"{path}[{i}]") for i, item in enumerate(value)]
        return value

    result: JsonDict = walk(spec, "")
    return result
