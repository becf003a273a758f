"""``reconciler validate``: check the manifests without any AWS call."""

from __future__ import annotations

from reconciler.commands.common import EXIT_ERROR, EXIT_OK, problems_of, report
from reconciler.commands.targets import Context, load_all, with_the_others


def run(*, contexts: list[Context]) -> int:
    """The manifests of the one context without targets, or of each target (checked
    against each other, and against every other target of the project)."""
    if len(contexts) == 1 and contexts[0].project is None:
        problems, valid = problems_of(contexts[0].directory)
        if problems:
            report(problems)
            return EXIT_ERROR
        print(f"{len(valid.manifests)} resources in {len(valid.files)} files are valid")
        return EXIT_OK
    chosen = {c.name for c in contexts}
    for name, (_, valid) in load_all(with_the_others(contexts)).items():
        if name in chosen:
            files = len(valid.files)
            print(f"target {name}: {len(valid.manifests)} resources in {files} files are valid")
    return EXIT_OK
