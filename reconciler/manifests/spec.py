"""A manifest's ``spec`` against the SageMaker API model bundled with botocore.

In:  a :class:`Manifest` (kind and spec), or a kind and a dotted field path.
Out: :class:`Problem` s with the ``file:line`` of each offending field; or whether a dotted
     path names a field of the kind's spec.

A spec is the kind's Create request minus the name field (from ``metadata.name``) and
``Tags`` (from ``metadata.tags``), plus the kind's update-only options (``KindInfo.update_only``,
e.g. an InferenceComponent's ``DeploymentConfig``). It is checked like botocore would check
those requests: the create part against the Create input shape, each update-only option
against its member shape in the Update request. Every field the installed botocore knows is
accepted, so API additions need no code change here.
"""

from __future__ import annotations

import functools
import re

from botocore.model import ListShape, MapShape, Shape, StructureShape

from reconciler.apimodel import Path, ShapeProblem, input_shape, show_value, validate
from reconciler.kinds import KINDS
from reconciler.kinds.validation import problem as _problem
from reconciler.manifests.wording import unknown
from reconciler.planning.sensitive import SENSITIVE, is_sensitive_key
from reconciler.resources import Kind, Manifest, Problem

TAGS_FIELD = "Tags"


@functools.cache
def spec_members(kind: Kind) -> dict[str, Shape]:
    """The top-level fields a `kind`'s spec may hold, with their shapes (in API order)."""
    info = KINDS[kind]
    members = {
        name: shape
        for name, shape in input_shape(info.create_operation, info.service).members.items()
        if name not in (info.name_field, TAGS_FIELD)
    }
    for name, (operation, member) in info.update_only.items():
        members[name] = input_shape(operation, info.service).members[member]
    return members


def spec_problems(manifest: Manifest) -> list[Problem]:
    """Everything wrong with `manifest.spec`, each at the line of the field concerned."""
    info = KINDS[manifest.kind]
    problems: list[Problem] = []
    shape_problems: list[ShapeProblem] = []
    create_part = {}
    for key, value in manifest.spec.items():
        if info.name_field and key == info.name_field:
            problems.append(
                _problem(
                    manifest,
                    (key,),
                    "the name comes from metadata.name; set the name in metadata.name",
                )
            )
        elif key == TAGS_FIELD:
            problems.append(
                _problem(
                    manifest,
                    (key,),
                    "set tags in metadata.tags (a map), which the reconciler keeps in sync",
                )
            )
        elif key in info.update_only:
            operation, member = info.update_only[key]
            member_shape = input_shape(operation, info.service).members[member]
            shape_problems += validate(value, member_shape, path=(key,))
        else:
            create_part[key] = value
    shape_problems += validate(
        create_part,
        input_shape(info.create_operation, info.service),
        ignore_members=frozenset({info.name_field}),
    )
    allowed = tuple(spec_members(manifest.kind))
    for reference in info.account_references:
        for path, value in reference.found_in(manifest.spec):
            if reference.name_in(value) is None:
                problems.append(
                    _problem(
                        manifest,
                        path,
                        f"{value!r} is not a reference the plan can resolve: write "
                        f"{reference.example}, or a package version's ARN",
                    )
                )
    for found in shape_problems:
        if found.code == "pattern" and any(
            r.matches(found.path) and value.startswith(r.prefix)
            for r in info.account_references
            for path, value in r.found_in(manifest.spec)
            if path == found.path
        ):
            # An account reference is no API value until the plan pins it (checked above);
            # its type and length are still the API model's.
            continue
        message = found.message
        if found.code == "unknown-field" and len(found.path) == 1:
            # Suggest among what a spec may hold (update-only options included, name and
            # Tags left out), not among the Create request's members.
            message = unknown("field", str(found.path[0]), allowed)
        problems.append(_problem(manifest, found.path, _hide_secret(manifest, found.path, message)))
    return problems


def _hide_secret(manifest: Manifest, path: Path, message: str) -> str:
    """A message about a secret Environment value must not repeat the value."""
    if len(path) < 2 or path[-2] != "Environment" or not isinstance(path[-1], str):
        return message
    if not is_sensitive_key(path[-1], manifest.annotations.sensitive):
        return message
    value: object = manifest.spec
    for part in path:
        try:
            value = value[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return message
    return message.replace(show_value(value), SENSITIVE).replace(str(value), SENSITIVE)


_NAME = r"[A-Za-z0-9_-]+"
_INDEX = r"\[(?:\d+|\*)\]"
_FIELD_PATH = re.compile(rf"{_NAME}(?:{_INDEX})*(?:\.{_NAME}(?:{_INDEX})*)*")
_STEP = re.compile(rf"({_NAME})|{_INDEX}")


def field_path_problem(kind: Kind, dotted: str) -> str | None:
    """Why `dotted` (``RuntimeConfig.CopyCount``, ``ProductionVariants[0].InstanceType``)
    names no field of `kind`'s spec; ``None`` when it does.

    A list may be stepped into with ``[n]`` / ``[*]`` or directly (``ProductionVariants.
    InstanceType`` means that field of every variant); a map accepts any key.
    """
    if not _FIELD_PATH.fullmatch(dotted):
        return f"{dotted!r} is not a dotted field path (e.g. RuntimeConfig.CopyCount)"
    shape: Shape | None = None  # None: the spec itself
    done: list[str] = []
    for step in _STEP.finditer(dotted):
        name = step.group(1)
        if name is None:  # [n] or [*]
            if not isinstance(shape, ListShape):
                return f"{'.'.join(done)} is not a list"
            shape = shape.member
            continue
        while isinstance(shape, ListShape):  # a name right after a list: every item's
            shape = shape.member
        if isinstance(shape, MapShape):
            shape = shape.value  # any key
            done.append(name)
            continue
        if shape is None:
            members = spec_members(kind)
        elif isinstance(shape, StructureShape):
            if shape.is_document_type:
                return None  # free-form JSON below: any path
            members = dict(shape.members)
        else:
            return f"{'.'.join(done)} has no fields ({shape.type_name})"
        if name not in members:
            where = f"in {'.'.join(done)}: " if done else ""
            return where + unknown("field", name, tuple(members))
        shape = members[name]
        done.append(name)
    return None
