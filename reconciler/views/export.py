"""Exported manifests as YAML: one ``---`` document per resource, keys in the order of the
Create request, as a person would write them."""

from __future__ import annotations

import yaml

from reconciler.exporting import Exported


def render(items: list[Exported]) -> str:
    return "".join(
        "---\n"
        + yaml.safe_dump(item.document, sort_keys=False, default_flow_style=False, width=100)
        for item in items
    )
