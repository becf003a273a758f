"""What the commands share: exit codes, the user-error type, loading valid manifests."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

from reconciler.capacity import check_capacity
from reconciler.manifests import load
from reconciler.resources import Manifest, Problem

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2


class UserError(Exception):
    """An error the user can act on; printed as ``reconciler: <message>``, exit code 1."""


class InvalidManifests(UserError):
    """The manifests have problems (already printed, one per line)."""


@dataclass
class ValidManifests:
    """manifests: every declared resource; files: the files read; digest: sha256 over the
    files' paths and contents (a saved plan records it to notice later edits)."""

    manifests: list[Manifest]
    files: list[str]
    digest: str


def _digest(files: list[str]) -> str:
    sha = hashlib.sha256()
    for name in sorted(files):
        sha.update(name.encode() + b"\0")
        try:
            sha.update(Path(name).read_bytes())
        except OSError:
            sha.update(b"<unreadable>")
        sha.update(b"\0")
    return sha.hexdigest()


def problems_of(directory: str) -> tuple[list[Problem], ValidManifests]:
    """Every problem of the manifests in `directory` (no AWS call)."""
    loaded = load(directory)
    problems = list(loaded.problems)
    if not problems:
        problems.extend(check_capacity(loaded.manifests))
    return problems, ValidManifests(loaded.manifests, loaded.files, _digest(loaded.files))


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
