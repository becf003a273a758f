"""The policy annotations of a manifest (``metadata.annotations`` keys under
``sagemaker-reconciler/``).

In:  the string-valued annotations as written and the manifest's kind.
Out: :class:`Annotations` (defaults where a value is wrong) and the problems, as
     ``(annotation key, message)`` pairs the caller places at the key's line.

Annotations under other prefixes belong to the user and are left alone; an unknown key under
ours is an error, since a misspelt ``deletion-policy`` would otherwise silently delete.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from botocore.model import Shape

from reconciler.apimodel import service_model, validate
from reconciler.kinds import KINDS
from reconciler.manifests.names import pattern_problem
from reconciler.manifests.spec import field_path_problem
from reconciler.manifests.wording import did_you_mean, unknown
from reconciler.resources import ANNOTATION_PREFIX, Annotations, DeletionPolicy, Kind

DELETION_POLICY = ANNOTATION_PREFIX + "deletion-policy"
ADOPT = ANNOTATION_PREFIX + "adopt"
IGNORE_DIFFERENCES = ANNOTATION_PREFIX + "ignore-differences"
ALLOW_REPLACE = ANNOTATION_PREFIX + "allow-replace"
PHYSICAL_NAME = ANNOTATION_PREFIX + "physical-name"
SENSITIVE = ANNOTATION_PREFIX + "sensitive"
KNOWN = (DELETION_POLICY, ADOPT, IGNORE_DIFFERENCES, ALLOW_REPLACE, PHYSICAL_NAME, SENSITIVE)

Report = Callable[[str], None]


def parse_annotations(
    raw: Mapping[str, str], kind: Kind
) -> tuple[Annotations, list[tuple[str, str]]]:
    """Parse our annotations in `raw`; problems are ``(key, message)``."""
    problems: list[tuple[str, str]] = []
    values: dict[str, Any] = {}  # Annotations field -> parsed value
    for key, value in raw.items():

        def report(message: str, key: str = key) -> None:
            problems.append((key, message))

        if key in _PARSERS:
            attribute, parser = _PARSERS[key]
            parsed = parser(value, kind, report)
            if parsed is not None:
                values[attribute] = parsed
        elif key.startswith(ANNOTATION_PREFIX):
            report(unknown("annotation", key, KNOWN))
        else:
            _check_prefix_typo(key, report)
    return Annotations(**values), problems


def _check_prefix_typo(key: str, report: Report) -> None:
    """``sagemaker-reconciller/adopt`` is surely ours misspelt, not the user's own."""
    prefix, slash, rest = key.partition("/")
    ours = ANNOTATION_PREFIX.rstrip("/")
    if slash and ANNOTATION_PREFIX + rest in KNOWN and did_you_mean(prefix, [ours], cutoff=0.85):
        report(f"unknown annotation {key!r}; did you mean {ANNOTATION_PREFIX + rest!r}?")


def _deletion_policy(value: str, kind: Kind, report: Report) -> DeletionPolicy | None:
    choices = [policy.value for policy in DeletionPolicy]
    if value in choices:
        return DeletionPolicy(value)
    report(unknown("deletion policy", value, choices))
    return None


def _flag(value: str, kind: Kind, report: Report) -> bool | None:
    if value in ("true", "false"):
        return value == "true"
    report(f'expected "true" or "false", got {value!r}')
    return None


def _items(value: str) -> list[str]:
    """Comma-separated items, blanks trimmed, empty ones (a trailing comma) dropped."""
    return [item.strip() for item in value.split(",") if item.strip()]


def _ignore_differences(value: str, kind: Kind, report: Report) -> tuple[str, ...]:
    paths = _items(value)
    for path in paths:
        problem = field_path_problem(kind, path)
        if problem is not None:
            report(problem)
    return tuple(paths)


def _physical_name(value: str, kind: Kind, report: Report) -> str | None:
    if not KINDS[kind].immutable:
        immutable = " and ".join(k.value for k, info in KINDS.items() if info.immutable)
        report(
            f"applies only to {immutable} (whose physical name otherwise carries a content "
            f"hash); {kind} resources are always named metadata.name"
        )
        return None
    problem = pattern_problem(value)
    if problem is not None:
        report(problem)
        return None
    return value


@functools.cache
def _environment_key() -> Shape:
    return service_model().shape_for("EnvironmentKey")


def _sensitive(value: str, kind: Kind, report: Report) -> tuple[str, ...]:
    keys = _items(value)
    for key in keys:
        for problem in validate(key, _environment_key()):
            report(f"{key!r} is not an Environment key: {problem.message}")
    return tuple(keys)


_PARSERS: dict[str, tuple[str, Callable[[str, Kind, Report], object]]] = {
    DELETION_POLICY: ("deletion_policy", _deletion_policy),
    ADOPT: ("adopt", _flag),
    IGNORE_DIFFERENCES: ("ignore_differences", _ignore_differences),
    ALLOW_REPLACE: ("allow_replace", _flag),
    PHYSICAL_NAME: ("physical_name", _physical_name),
    SENSITIVE: ("sensitive", _sensitive),
}
