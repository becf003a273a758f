"""``reconciler plan``: manifests + the live account → what apply would do.

Reads the manifests (refusing bad input before any AWS call), reads the account, plans,
and renders the plan (human, JSON or markdown). ``--out`` saves the plan with a
fingerprint of every resource it observed, so that ``apply PLANFILE`` can refuse a plan
the account has moved away from.
"""

from __future__ import annotations

import json
import sys

from reconciler.aws import AwsGateway
from reconciler.commands.common import EXIT_CHANGES, EXIT_ERROR, EXIT_OK
from reconciler.commands.targets import Context, load_all, load_checked, with_the_others
from reconciler.errors import ReconcilerError
from reconciler.gateway import Gateway
from reconciler.planning import saved as saved_plan
from reconciler.planning.changes import Plan
from reconciler.service import UserError, ValidManifests, observe_and_plan, packings_of
from reconciler.views import human, markdown


def make_plan(
    context: Context,
    *,
    prune: bool = True,
    parallelism: int = 10,
    aws: Gateway | None = None,
    loaded: ValidManifests | None = None,
) -> tuple[Plan, ValidManifests]:
    """Load (unless `loaded` is given), observe and plan; returns the plan and the
    manifests it was made of (their digest included). Raises UserError for bad input or
    an unreadable account."""
    if loaded is None:
        loaded = load_checked(context)
    result = observe_and_plan(
        manifests=loaded.manifests,
        aws=aws or AwsGateway(context.settings),
        owner=context.owner,
        prune=prune,
        parallelism=parallelism,
    )
    return result, loaded


def run(
    *,
    contexts: list[Context],
    output_format: str,
    out: str | None,
    detailed_exitcode: bool,
    graph: bool = False,
) -> int:
    """One plan per context: a target's plan, or the one plan without targets. Several
    targets: each is planned even when another fails, one section each. `graph`: the
    markdown plan carries the change graph (a Mermaid diagram)."""
    if graph and output_format != "markdown":
        raise UserError(
            "--graph draws the change graph in the markdown plan: add --format markdown"
        )
    if out is not None and len(contexts) > 1:
        raise UserError("--out saves one target's plan: pass --target instead of --all-targets")
    if len(contexts) == 1 and contexts[0].target is None:
        return _one(contexts[0], output_format, out, detailed_exitcode, graph)
    failed = changed = False
    documents: dict[str, object] = {}
    # Bad input in any target stops them all before any AWS call (the targets are also
    # checked against each other).
    everything = load_all(with_the_others(contexts))
    for context in contexts:
        target = context.target
        assert target is not None
        if output_format == "human":
            sys.stdout.write(
                f"Target {target.name} (account {target.account_id}, {target.region}):\n"
            )
        elif output_format == "markdown":
            sys.stdout.write(
                f"## Target `{target.name}` (account {target.account_id}, {target.region})\n\n"
            )
        try:
            result, loaded = make_plan(context, loaded=everything[target.name][1])
        except ReconcilerError as err:
            print(f"reconciler: target {target.name}: {err}", file=sys.stderr)
            documents[target.name] = {"target": target.name, "error": str(err)}
            if output_format != "json":
                sys.stdout.write(f"Not planned: {err}\n\n")
            failed = True
            continue
        if result.problems:
            _print_problems(result)
            failed = True
        changed = changed or result.has_changes
        if output_format == "json":
            documents[target.name] = _json(result, context)
        else:
            sys.stdout.write(_render(result, loaded, output_format, graph) + "\n")
        if out is not None:  # one target (checked above)
            saved_plan.write(
                out, result, directory=context.directory, digest=loaded.digest, target=target.name
            )
    if output_format == "json":
        sys.stdout.write(json.dumps({"format_version": "1", "targets": documents}, indent=2) + "\n")
    if failed:
        return EXIT_ERROR
    return EXIT_CHANGES if detailed_exitcode and changed else EXIT_OK


def _one(
    context: Context, output_format: str, out: str | None, detailed_exitcode: bool, graph: bool
) -> int:
    result, loaded = make_plan(context)
    if result.problems:
        _print_problems(result)
        return EXIT_ERROR
    if output_format == "json":
        sys.stdout.write(json.dumps(_json(result, context), indent=2) + "\n")
    else:
        sys.stdout.write(_render(result, loaded, output_format, graph))
    if out is not None:
        saved_plan.write(
            out, result, directory=context.directory, digest=loaded.digest, target=context.name
        )
    if detailed_exitcode and result.has_changes:
        return EXIT_CHANGES
    return EXIT_OK


def _print_problems(result: Plan) -> None:
    for problem in sorted(result.problems, key=str):
        print(problem, file=sys.stderr)
    print(
        f"reconciler: the plan cannot be applied: {len(result.problems)} problem(s)",
        file=sys.stderr,
    )


def _json(result: Plan, context: Context) -> dict[str, object]:
    document: dict[str, object] = result.to_json(with_codes=True)
    if context.target is not None:
        document["target"] = context.target.name
    return document


def _render(result: Plan, loaded: ValidManifests, output_format: str, graph: bool) -> str:
    if output_format == "markdown":
        # The markdown plan shows how the variants its changes touch are packed.
        return markdown.render(result, packings_of(loaded.manifests, result), graph=graph)
    return human.render(result)
