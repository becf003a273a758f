"""What the commands share: exit codes, printing problems, loading valid manifests (the
errors and the pass itself are the reconcile service's, :mod:`reconciler.service`)."""

from __future__ import annotations

import sys

from reconciler.resources import Problem
from reconciler.service import (
    InvalidManifests,
    UserError,
    ValidManifests,
    problems_of,
)

__all__ = [
    "EXIT_CHANGES",
    "EXIT_ERROR",
    "EXIT_OK",
    "InvalidManifests",
    "UserError",
    "ValidManifests",
    "load_valid",
    "problems_of",
    "report",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2


def report(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def load_valid(directory: str) -> ValidManifests:
    """The manifests, or InvalidManifests after printing every problem."""
    problems, valid = problems_of(directory)
    if problems:
        report(problems)
        raise InvalidManifests(f"{len(problems)} problem(s) in the manifests; nothing was changed")
    return valid
