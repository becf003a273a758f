"""Finding manifest files and reading them as text.

In:  a directory (``str`` or ``Path``).
Out: the ``*.yaml`` / ``*.yml`` files under it, recursively, in sorted order, each with the
     name shown in messages (relative to the current directory when under it, else
     absolute); and :class:`Problem` for what cannot be walked or read.

Hidden entries (``.git``, editor swap files) are skipped. Symlinked directories are followed,
since a checkout may link shared manifests in, but a link back to one of its own ancestors
would recurse forever: it is reported and skipped.
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass
from pathlib import Path

from reconciler.resources import Location, Problem

MANIFEST_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class ManifestFile:
    """A file to read: where it is, and the name messages give it."""

    path: Path
    display: str


def display_path(path: Path) -> str:
    """`path` relative to the current directory when it is under it, else absolute.

    The path is made absolute without resolving symlinks, so a file reached through a
    linked directory keeps the name the user sees in the tree.
    """
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def find_files(directory: str | Path) -> tuple[list[ManifestFile], list[Problem]]:
    """The manifest files under `directory` (sorted by path), and the problems met on the way.

    A missing directory, or one that is not a directory, is a problem without location.
    """
    root = Path(directory)
    if not root.exists():
        return [], [Problem(f"{display_path(root)}: directory does not exist")]
    if not root.is_dir():
        return [], [Problem(f"{display_path(root)}: not a directory")]
    files: list[ManifestFile] = []
    problems: list[Problem] = []
    _walk(root, [_identity(root)], files, problems)
    return files, problems


def _identity(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_dev, status.st_ino


def _walk(
    directory: Path,
    ancestors: list[tuple[int, int]],
    files: list[ManifestFile],
    problems: list[Problem],
) -> None:
    """Collect manifest files under `directory`; `ancestors` are the (device, inode) of the
    directories on the way down, which is what a looping symlink points back to."""
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError as err:
        problems.append(Problem(f"{display_path(directory)}: cannot list: {err.strerror or err}"))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()
            is_file = not is_dir and entry.is_file()
        except OSError:  # e.g. a symlink loop on the entry itself (ELOOP)
            is_dir = is_file = False
        if is_dir:
            try:
                identity = _identity(path)
            except OSError as err:
                problems.append(
                    Problem(f"{display_path(path)}: cannot open: {err.strerror or err}")
                )
                continue
            if identity in ancestors:
                problems.append(
                    Problem(
                        f"{display_path(path)}: symlink loop: it leads back to a directory "
                        "that contains it; remove the link"
                    )
                )
                continue
            _walk(path, [*ancestors, identity], files, problems)
        elif entry.name.endswith(MANIFEST_SUFFIXES):
            display = display_path(path)
            if is_file:
                files.append(ManifestFile(path, display))
            else:
                problems.append(
                    Problem("cannot read: broken symlink or not a file", Location(display, 1))
                )


def read_text(file: ManifestFile) -> str | Problem:
    """The file's text (UTF-8, an initial byte-order mark dropped), or the problem that
    prevents reading it: unreadable, binary (NUL bytes) or not UTF-8 — with the line."""
    try:
        data = file.path.read_bytes()
    except OSError as err:
        return Problem(f"cannot read: {err.strerror or err}", Location(file.display, 1))
    # A BOM is legal at the start of UTF-8 text; it holds no newline, so lines are unchanged.
    data = data.removeprefix(codecs.BOM_UTF8)
    nul = data.find(b"\0")
    if nul >= 0:
        return Problem(
            "binary file (NUL byte); manifests must be UTF-8 text",
            Location(file.display, data.count(b"\n", 0, nul) + 1),
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        return Problem(
            f"not UTF-8 text: byte 0x{data[err.start]:02x} cannot be decoded; "
            "save the file as UTF-8",
            Location(file.display, data.count(b"\n", 0, err.start) + 1),
        )
