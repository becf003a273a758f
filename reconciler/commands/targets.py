"""Which target a command works on: the command line alone, or a target of the project file.

In:  what the command line says (``--target``, ``--all-targets``, ``--project``, DIR,
     ``--owner``, ``--region``, ``--endpoint-url``, ``--lock-table``).
Out: one :class:`Context` per target to work on — the manifests, the owner, the AWS
     settings (region, role, the account the credentials must reach), the lock table — or a
     :class:`~reconciler.service.UserError` naming what is wrong.

Without ``--target`` / ``--all-targets`` nothing of the project file is read and every
command works as it did before there were targets. With one, the target decides what the
command line would otherwise say; saying it differently on the command line as well is an
error (so that ``--owner`` cannot quietly point one target at another's resources).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from reconciler import project as projects
from reconciler.aws import AwsSettings
from reconciler.commands.common import load_valid, report
from reconciler.manifests.wording import unknown
from reconciler.project import Project, RunOptions, Target
from reconciler.resources import Problem
from reconciler.service import UserError, ValidManifests, physical_names, problems_of

DEFAULT_DIRECTORY = "manifests"
DEFAULT_OWNER = "default"


@dataclass(frozen=True)
class Context:
    """What one command works on.

    target:    the project target (None: the command line alone)
    variables: substituted into the manifests (the target's)
    """

    directory: str
    owner: str
    settings: AwsSettings
    lock_table: str | None = None
    target: Target | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
    project: Project | None = None

    @property
    def name(self) -> str | None:
        return None if self.target is None else self.target.name

    @property
    def substitutions(self) -> dict[str, str] | None:
        """The values of ``${VAR}`` in the manifests: the target's (None without a target:
        a plain directory is read as it is, an overlay's references need defaults)."""
        return None if self.target is None else dict(self.variables)

    @property
    def run(self) -> RunOptions:
        return RunOptions() if self.target is None else self.target.run


@dataclass(frozen=True)
class Selection:
    """target / all_targets / project: the options that choose targets; read_only: the
    command only reads (a target's plan_role_arn is assumed instead of its role_arn); the
    rest are the command line's own values (None: not given)."""

    target: str | None = None
    all_targets: bool = False
    project: str | None = None
    directory: str | None = None
    owner: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    lock_table: str | None = None
    read_only: bool = False


def contexts(selection: Selection) -> list[Context]:
    """The contexts `selection` names: one without a target, the named target's, or every
    target's in promotion order. Raises UserError (after printing a project's problems)."""
    if selection.target is None and not selection.all_targets:
        owner = selection.owner or os.environ.get("RECONCILER_OWNER") or DEFAULT_OWNER
        return [
            Context(
                directory=selection.directory or DEFAULT_DIRECTORY,
                owner=owner,
                settings=AwsSettings(endpoint_url=selection.endpoint_url, region=selection.region),
                lock_table=selection.lock_table or os.environ.get("RECONCILER_LOCK_TABLE"),
            )
        ]
    if selection.target is not None and selection.all_targets:
        raise UserError("--target and --all-targets: give one of them")
    project = load_project(selection.project)
    if selection.all_targets:
        chosen = list(project.targets)
    else:
        assert selection.target is not None
        try:
            chosen = [project.target(selection.target)]
        except KeyError:
            raise UserError(
                f"{project.path}: {unknown('target', selection.target, list(project.names))}"
            ) from None
    return [_context(target, selection, project) for target in chosen]


def load_project(path: str | None) -> Project:
    """The project file at `path` (default: found from the current directory up)."""
    found = projects.find() if path is None else path
    if found is None:
        raise UserError(
            f"no project file: --target needs a {projects.PROJECT_FILE} in this directory or "
            f"a parent of it up to the repository root (or --project FILE, or {projects.PROJECT_ENV})"
        )
    project, problems = projects.load(found)
    if project is None:
        report(problems)
        raise UserError(f"{len(problems)} problem(s) in the project file; nothing was done")
    return project


def _context(target: Target, selection: Selection, project: Project) -> Context:
    for option, given, declared in (
        ("DIR", selection.directory, target.manifests),
        ("--owner", selection.owner, target.owner),
        ("--region", selection.region, target.region),
        ("--lock-table", selection.lock_table, target.lock_table),
    ):
        if option == "--lock-table" and declared is None:
            continue  # a target without a table of its own: the replicas' shared one
        if given is not None and given != declared:
            raise UserError(
                f"target {target.name!r} sets {option} ({declared or 'none'}); "
                f"the command line says {given}: leave it out, or change the project file"
            )
    settings = AwsSettings(
        endpoint_url=selection.endpoint_url,
        region=target.region,
        role_arn=(target.plan_role_arn if selection.read_only else None) or target.role_arn,
        session_name=target.role_session_name,
        external_id=target.external_id,
        account_id=target.account_id,
        target=target.name,
    )
    return Context(
        directory=target.manifests,
        owner=target.owner,
        settings=settings,
        lock_table=target.lock_table or selection.lock_table,
        target=target,
        variables=dict(target.variables),
        project=project,
    )


def clash_problems(loaded: Mapping[str, tuple[Context, ValidManifests]]) -> list[Problem]:
    """Targets that reach the same account and region and would both own a resource of
    the same physical name: one would overwrite or prune the other's."""
    problems: list[Problem] = []
    names = {
        target: physical_names(manifests.manifests, context.owner)
        for target, (context, manifests) in loaded.items()
    }
    seen: dict[tuple[str, str], list[str]] = {}
    for target, (context, _) in loaded.items():
        key = (context.settings.account_id or "", context.settings.region or "")
        for other in seen.get(key, []):
            for resource in sorted(names[target].keys() & names[other].keys()):
                mine = names[target][resource]
                problems.append(
                    Problem(
                        f"targets {other!r} and {target!r} both declare {resource[0]} "
                        f"{resource[1]!r} in account {key[0]}, region {key[1]}: give one of "
                        "them a name prefix or suffix in its overlay",
                        mine.location,
                        mine.address,
                    )
                )
        seen.setdefault(key, []).append(target)
    return problems


def load_checked(context: Context) -> ValidManifests:
    """The context's manifests, checked — and, for a project's target, checked against
    every other target of the project (raises UserError after printing the problems)."""
    if context.project is None:
        return load_valid(context.directory)
    return load_all(with_the_others([context]))[context.name or ""][1]


def with_the_others(chosen: list[Context]) -> list[Context]:
    """`chosen` (a project's targets) and every other target of the project, in the
    project's order: what two targets may not share is checked over all of them."""
    project = chosen[0].project
    assert project is not None
    by_name = {c.name: c for c in chosen}
    return [by_name.get(t.name) or _context(t, Selection(), project) for t in project.targets]


def load_all(chosen: list[Context]) -> dict[str, tuple[Context, ValidManifests]]:
    """Every target's manifests, checked, and the targets checked against each other;
    raises UserError after printing every problem."""
    loaded: dict[str, tuple[Context, ValidManifests]] = {}
    problems: list[Problem] = []
    for context in chosen:
        found, manifests = problems_of(context.directory, variables=context.substitutions)
        problems.extend(found)
        loaded[context.name or ""] = (context, manifests)
    if not problems:
        problems.extend(clash_problems(loaded))
    if problems:
        report(problems)
        raise UserError(
            f"{len(problems)} problem(s) in the targets' manifests; nothing was changed"
        )
    return loaded


def check_apart(chosen: list[Context]) -> None:
    """That targets do not share resources, among those whose manifests are valid now
    (``run --all-targets`` at start: a target with bad manifests fails its own passes, it
    does not stop the others). Raises UserError after printing the clashes."""
    valid: dict[str, tuple[Context, ValidManifests]] = {}
    for context in with_the_others(chosen):
        found, manifests = problems_of(context.directory, variables=context.substitutions)
        if not found:
            valid[context.name or ""] = (context, manifests)
    problems = clash_problems(valid)
    if problems:
        report(problems)
        raise UserError(f"{len(problems)} resource(s) shared by targets; nothing was started")
