"""``reconciler render``: print the final manifests a directory declares, as YAML — an
overlay rendered from its bases, with its patches, names, tags and ``${VAR}`` values — so
that what plan and apply will read can be reviewed (``kustomize build``'s role). No AWS
call.

The documents go to stdout, one YAML document each, headed by a comment naming the file
and line the document starts at; problems go to stderr as ``path:line: message`` and the
exit code is 1. When rendering itself fails (a patch naming no document, an unset
variable, an overlay cycle) nothing is printed; when the rendered manifests are invalid
(validate's problems), they are printed, so that the problem can be seen in place.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

import yaml

from reconciler.commands.common import EXIT_ERROR, EXIT_OK, report
from reconciler.manifests import load, preflight_problems, render
from reconciler.manifests.yamldoc import Document


def run(*, directory: str, variables: Mapping[str, object] | None = None) -> int:
    """`variables`: the values of ``${VAR}`` references (a target's; None: no target)."""
    rendered = render(directory, variables)
    if rendered.problems:
        report(rendered.problems)
        return EXIT_ERROR
    loaded = load(directory, variables)
    problems = list(loaded.problems)
    if not problems:
        problems += preflight_problems(loaded.manifests)
    sys.stdout.write(to_yaml(rendered.documents))
    if problems:
        report(problems)
        return EXIT_ERROR
    return EXIT_OK


def to_yaml(documents: list[Document]) -> str:
    """The documents as one YAML stream, in the order they were rendered."""
    parts = []
    for document in documents:
        text = yaml.safe_dump(
            document.value, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
        )
        parts.append(f"---\n# {document.file}:{document.line}\n{text}")
    return "".join(parts)
