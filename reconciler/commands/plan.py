"""``reconciler plan``: manifests + the live account → what apply would do.

Reads the manifests (refusing bad input before any AWS call), reads the account, plans,
and renders the plan (human, JSON or markdown). ``--out`` saves the plan with a
fingerprint of every resource it observed, so that ``apply PLANFILE`` can refuse a plan
the account has moved away from.
"""

from __future__ import annotations

import json
import sys

from reconciler.aws import AwsGateway, AwsSettings
from reconciler.commands.common import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, load_valid
from reconciler.gateway import Gateway
from reconciler.planning import saved as saved_plan
from reconciler.planning.changes import Plan
from reconciler.service import ValidManifests, observe_and_plan, packings_of
from reconciler.views import human, markdown


def make_plan(
    *,
    directory: str,
    owner: str,
    settings: AwsSettings,
    prune: bool = True,
    parallelism: int = 10,
    aws: Gateway | None = None,
) -> tuple[Plan, ValidManifests]:
    """Load, observe and plan; returns the plan and the manifests it was made of (their
    digest included). Raises UserError for bad input or an unreadable account."""
    loaded = load_valid(directory)
    result = observe_and_plan(
        manifests=loaded.manifests,
        aws=aws or AwsGateway(settings),
        owner=owner,
        prune=prune,
        parallelism=parallelism,
    )
    return result, loaded


def run(
    *,
    directory: str,
    output_format: str,
    out: str | None,
    detailed_exitcode: bool,
    owner: str,
    settings: AwsSettings,
) -> int:
    result, loaded = make_plan(directory=directory, owner=owner, settings=settings)
    digest = loaded.digest
    if result.problems:
        for problem in sorted(result.problems, key=str):
            print(problem, file=sys.stderr)
        print(
            f"reconciler: the plan cannot be applied: {len(result.problems)} problem(s)",
            file=sys.stderr,
        )
        return EXIT_ERROR
    if output_format == "json":
        sys.stdout.write(json.dumps(result.to_json(with_codes=True), indent=2) + "\n")
    elif output_format == "markdown":
        # The markdown plan shows how the variants its changes touch are packed.
        sys.stdout.write(markdown.render(result, packings_of(loaded.manifests, result)))
    else:
        sys.stdout.write(human.render(result))
    if out is not None:
        saved_plan.write(out, result, directory=directory, digest=digest)
    if detailed_exitcode and result.has_changes:
        return EXIT_CHANGES
    return EXIT_OK
