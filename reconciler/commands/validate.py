"""``reconciler validate``: check the manifests without any AWS call."""

from __future__ import annotations

from reconciler.commands.common import EXIT_ERROR, EXIT_OK, problems_of, report


def run(*, directory: str) -> int:
    problems, valid = problems_of(directory)
    if problems:
        report(problems)
        return EXIT_ERROR
    print(f"{len(valid.manifests)} resources in {len(valid.files)} files are valid")
    return EXIT_OK
