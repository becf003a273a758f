"""``reconciler schema``: JSON Schemas of manifests and of the project file, for editors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from reconciler import schema
from reconciler.commands.common import EXIT_OK
from reconciler.service import UserError


def run(*, out: str | None, show: str | None) -> int:
    """Write both schemas into `out` (a directory), or print the one named by `show`."""
    documents = {
        "manifest": (schema.MANIFEST_SCHEMA, schema.manifest_schema),
        "project": (schema.PROJECT_SCHEMA, schema.project_schema),
    }
    if show is not None:
        sys.stdout.write(json.dumps(documents[show][1](), indent=1) + "\n")
        return EXIT_OK
    directory = Path(out or ".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for file_name, make in documents.values():
            path = directory / file_name
            path.write_text(json.dumps(make(), indent=1) + "\n", encoding="utf-8")
            print(f"wrote {path}")
    except OSError as err:
        raise UserError(f"cannot write the schemas to {directory}: {err.strerror or err}") from err
    return EXIT_OK
