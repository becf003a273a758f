"""The project file: one repository, many targets (environments, accounts, regions).

In:  ``reconciler.yaml`` at the repository root (found from the current directory upwards,
     or named by ``--project`` / ``RECONCILER_PROJECT``).
Out: a :class:`Project` — its targets, each with where it runs (region, the account it must
     reach, the role to assume), who it is (owner), what it applies (a manifest directory or
     an overlay, with the variables substituted into it), its lock table and run options —
     or the problems found, each ``file:line: field: message`` like a manifest's.

The format (DESIGN.md, "Targets")::

    targets:
      staging:
        region: us-east-1
        account_id: "111111111111"
        role_arn: arn:aws:iam::111111111111:role/sagemaker-reconciler   # optional
        plan_role_arn: arn:aws:iam::111111111111:role/reconciler-plan    # optional: read-only
        owner: platform-staging                                          # default: the target's name
        manifests: overlays/staging
    promotion: [staging, prod]                                           # optional: apply order in CI

Paths in it are relative to the file's directory. No AWS call is made here: whether the
credentials reach ``account_id`` is checked by the AWS edge before the first call
(:class:`reconciler.aws.AwsSettings`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from pydantic_core import ErrorDetails

from reconciler.apimodel import format_path
from reconciler.manifests.files import display_path
from reconciler.manifests.wording import quoting_hint, show, unknown
from reconciler.manifests.yamldoc import Document, parse
from reconciler.resources import Location, Problem

PROJECT_FILE = "reconciler.yaml"
PROJECT_ENV = "RECONCILER_PROJECT"

# STS AssumeRole's RoleSessionName: 2-64 of [\w+=,.@-]; ExternalId: 2-1224 of [\w+=,.@:/-]
# (AWS STS API reference, AssumeRole, Request Parameters).
_SESSION_NAME = r"^[\w+=,.@-]+$"
_EXTERNAL_ID = r"^[\w+=,.@:/-]+$"
# An IAM role ARN (IAM User Guide, "IAM identifiers": arn:partition:iam::account:role/path/name).
_ROLE_ARN = r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$"
# A commercial region name such as us-east-1, eu-central-2, us-gov-west-1, ap-southeast-7.
_REGION = r"^[a-z]{2}(-[a-z]+)+-\d+$"
# DynamoDB table names: 3-255 of [a-zA-Z0-9_.-] (DynamoDB developer guide, "Naming rules").
_TABLE = r"^[a-zA-Z0-9_.-]{3,255}$"
# A target's name is used in session names, metrics labels and GitHub environments.
_TARGET_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DURATION = r"^(\d+(\.\d+)?[hms]?)+$"

Text = Annotated[str, StringConstraints(min_length=1)]


class _Run(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    interval: Annotated[str, StringConstraints(pattern=_DURATION)] | None = None
    mode: Literal["heal", "detect"] | None = None
    parallelism: Annotated[int, Field(ge=1, le=100)] | None = None
    max_deletes: Annotated[int, Field(ge=0)] | None = None


class _Target(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    region: Annotated[str, StringConstraints(pattern=_REGION)]
    account_id: Annotated[str, StringConstraints(pattern=r"^\d{12}$")]
    role_arn: Annotated[str, StringConstraints(pattern=_ROLE_ARN)] | None = None
    plan_role_arn: Annotated[str, StringConstraints(pattern=_ROLE_ARN)] | None = None
    session_name: (
        Annotated[str, StringConstraints(pattern=_SESSION_NAME, min_length=2, max_length=64)] | None
    ) = None
    external_id: (
        Annotated[str, StringConstraints(pattern=_EXTERNAL_ID, min_length=2, max_length=1224)]
        | None
    ) = None
    owner: Annotated[str, StringConstraints(pattern=r"^[\w.:/=+@-]{1,128}$")] | None = None
    manifests: Text
    lock_table: Annotated[str, StringConstraints(pattern=_TABLE)] | None = None
    variables: dict[str, str] = Field(default_factory=dict)
    run: _Run = Field(default_factory=_Run)


class _Project(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    targets: dict[str, _Target] = Field(min_length=1)
    promotion: list[str] = Field(default_factory=list)


_FIELDS: dict[int, tuple[str, ...]] = {
    0: tuple(_Project.model_fields),
    2: tuple(_Target.model_fields),
    3: tuple(_Run.model_fields),
}


@dataclass(frozen=True)
class RunOptions:
    """The controller's options for a target (None: the command line's, or its default)."""

    interval: str | None = None
    mode: str | None = None
    parallelism: int | None = None
    max_deletes: int | None = None


@dataclass(frozen=True)
class Target:
    """One place the manifests are applied to.

    manifests:    the manifest directory (or overlay), as a path usable from the current
                  directory
    plan_role_arn: the role the commands that only read (plan, status) assume instead of
                  role_arn, so that CI's pull-request plans never hold a role that writes
    session_name: the STS session name when a role is assumed
    location:     where the target is declared (for messages)
    """

    name: str
    region: str
    account_id: str
    owner: str
    manifests: str
    location: Location
    role_arn: str | None = None
    session_name: str | None = None
    external_id: str | None = None
    lock_table: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    plan_role_arn: str | None = None
    run: RunOptions = RunOptions()

    @property
    def role_session_name(self) -> str:
        return self.session_name or f"sagemaker-reconciler-{self.name}"[:64]


@dataclass(frozen=True)
class Project:
    """targets: in the order the file declares them, or the promotion order when given
    (the targets it leaves out come after, in file order)."""

    path: str
    targets: tuple[Target, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.targets)

    def target(self, name: str) -> Target:
        for target in self.targets:
            if target.name == name:
                return target
        raise KeyError(name)


def find(start: str | Path | None = None) -> Path | None:
    """The project file: ``$RECONCILER_PROJECT``, or ``reconciler.yaml`` in `start` (the
    current directory) or a parent of it, up to the repository root (a ``.git`` entry)."""
    named = os.environ.get(PROJECT_ENV)
    if named:
        return Path(named)
    here = Path(start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / PROJECT_FILE
        if candidate.is_file():
            return candidate
        if (directory / ".git").exists():
            return None
    return None


def load(path: str | Path) -> tuple[Project | None, list[Problem]]:
    """The project in `path`, or None and every problem found."""
    file = Path(path)
    shown = display_path(file)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as err:
        return None, [
            Problem(f"cannot read the project file: {err.strerror or err}", Location(shown, 1))
        ]
    documents, problems = parse(text, shown)
    if problems:
        return None, problems
    if len(documents) != 1:
        count = len(documents)
        line = documents[1].line if count > 1 else 1
        return None, [
            Problem(f"a project file holds one YAML document, found {count}", Location(shown, line))
        ]
    (document,) = documents
    problems = [
        Problem(issue.message, Location(shown, issue.line), None, format_path(issue.path))
        for issue in document.issues
    ]
    if problems:
        return None, problems
    return _read(document, file.parent)


def _read(document: Document, base: Path) -> tuple[Project | None, list[Problem]]:
    value = document.value
    if not isinstance(value, dict):
        message = f"a project file is a mapping with 'targets', got {show(value)}"
        return None, [Problem(message, document.location_of(()))]
    try:
        parsed = _Project.model_validate(value)
    except ValidationError as err:
        return None, [_problem(document, error) for error in err.errors()]
    problems: list[Problem] = []

    def problem(path: tuple[str | int, ...], message: str) -> None:
        problems.append(Problem(message, document.location_of(path), None, format_path(path)))

    targets: dict[str, Target] = {}
    for name, declared in parsed.targets.items():
        at = ("targets", name)
        if not _TARGET_NAME.match(name):
            problem(
                at, "a target's name is 1-63 lower-case letters, digits and '-' (not first or last)"
            )
        for role_field, role in (
            ("role_arn", declared.role_arn),
            ("plan_role_arn", declared.plan_role_arn),
        ):
            if role is not None and role.split(":")[4] != declared.account_id:
                problem(
                    (*at, role_field),
                    f"the role is in account {role.split(':')[4]}, "
                    f"but account_id is {declared.account_id}",
                )
        for variable in declared.variables:
            if not _VARIABLE.match(variable):
                problem(
                    (*at, "variables", variable),
                    "a variable's name is letters, digits and '_', not starting with a digit",
                )
        directory = base / declared.manifests
        if not directory.is_dir():
            problem((*at, "manifests"), f"no such directory: {display_path(directory)}")
        targets[name] = Target(
            name=name,
            region=declared.region,
            account_id=declared.account_id,
            owner=declared.owner or name,
            manifests=display_path(directory),
            location=document.location_of(at),
            role_arn=declared.role_arn,
            plan_role_arn=declared.plan_role_arn,
            session_name=declared.session_name,
            external_id=declared.external_id,
            lock_table=declared.lock_table,
            variables=dict(declared.variables),
            run=RunOptions(**declared.run.model_dump()),
        )
    seen: set[str] = set()
    for index, name in enumerate(parsed.promotion):
        if name not in targets:
            problem(("promotion", index), unknown("target", name, list(targets)))
        elif name in seen:
            problem(("promotion", index), f"target {name!r} is listed twice")
        seen.add(name)
    owners: dict[tuple[str, str, str], str] = {}
    for target in targets.values():
        key = (target.account_id, target.region, target.owner)
        if key in owners:
            problem(
                ("targets", target.name, "owner"),
                f"targets {owners[key]!r} and {target.name!r} share account {target.account_id}, "
                f"region {target.region} and owner {target.owner!r}: each would prune the other's resources",
            )
        owners.setdefault(key, target.name)
    if problems:
        return None, problems
    ordered = [targets[n] for n in parsed.promotion if n in targets]
    ordered += [t for n, t in targets.items() if n not in parsed.promotion]
    return Project(str(document.file), tuple(ordered)), []


def _problem(document: Document, error: ErrorDetails) -> Problem:
    path = tuple(error["loc"])
    return Problem(_reword(error), document.location_of(path), None, format_path(path))


def _reword(error: ErrorDetails) -> str:
    kind, loc, given = error["type"], tuple(error["loc"]), error.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return unknown("field", str(loc[-1]), _FIELDS.get(len(loc) - 1, ()))
    if kind == "string_type":
        return f"expected a string, got {show(given)}{quoting_hint(given)}"
    if kind in ("dict_type", "model_type"):
        return f"expected a mapping, got {show(given)}"
    if kind == "list_type":
        return f"expected a list, got {show(given)}"
    if kind in ("int_type", "int_parsing"):
        return f"expected a whole number, got {show(given)}"
    if kind == "too_short":
        return "must not be empty"
    if kind == "string_too_short":
        return f"must be at least {error.get('ctx', {}).get('min_length', 1)} characters"
    if kind == "string_too_long":
        return f"must be at most {error.get('ctx', {}).get('max_length')} characters"
    if kind == "literal_error":
        return f"expected one of {error.get('ctx', {}).get('expected', '')}, got {show(given)}"
    if kind == "string_pattern_mismatch":
        return f"{show(given)} is not {_PATTERNS.get(str(loc[-1]), 'valid here')}"
    return str(error["msg"])


_PATTERNS: dict[str, str] = {
    "region": "an AWS region name (e.g. us-east-1)",
    "account_id": 'a 12-digit AWS account id (quote it: "111111111111")',
    "role_arn": "an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
    "plan_role_arn": "an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
    "session_name": "an STS session name (2-64 of letters, digits and +=,.@-)",
    "external_id": "an STS external id (2-1224 of letters, digits and +=,.@:/-)",
    "owner": "an owner id (1-128 of letters, digits and _.:/=+@-)",
    "lock_table": "a DynamoDB table name (3-255 of letters, digits and _.-)",
    "interval": "a duration (e.g. 90s, 5m, 1h)",
}
