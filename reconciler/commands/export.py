"""``reconciler export``: manifests for resources that exist in the account, to bring them
under git without downtime (the manifests are annotated ``adopt``).

``--kind`` and ``--name`` filter; an Endpoint named by ``--name`` brings everything it
uses: its config, the config's models, its inference components and their models.
Layouts: ``stream`` (one multi-document YAML, to stdout or ``--out FILE``),
``per-resource`` (``DIR/<kind>/<name>.yaml``), ``per-endpoint`` (``DIR/<endpoint>.yaml`` with
what it uses; the rest in ``DIR/others.yaml``). An ``--out`` that ends in ``/`` or is an
existing directory is a directory for every layout: the stream layout then writes a file
per resource, as ``per-resource`` does, since a directory gives it no file name.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from reconciler.aws import AwsGateway, AwsSettings
from reconciler.commands.common import EXIT_OK, UserError
from reconciler.exporting import Exported, brought_by, kinds_brought, logical_name, to_manifest
from reconciler.kinds import HOSTING_KINDS, KINDS
from reconciler.observe import LiveResource, ObserveError, Observer
from reconciler.resources import JsonDict, Kind
from reconciler.views import export as export_view

EXPORTED_KINDS = tuple(KINDS)


def _spec(resource: LiveResource) -> JsonDict:
    info = KINDS[resource.kind]
    return info.live_spec(resource.description) if resource.description else resource.summary


def _select(resources: dict[tuple[Kind, str], LiveResource], name: str) -> set[tuple[Kind, str]]:
    """`name` and what each resource so named brings along (an endpoint: what it uses)."""
    specs = {key: _spec(resource) for key, resource in resources.items()}
    chosen: set[tuple[Kind, str]] = set()
    for key in [k for k in resources if k[1] == name.lower()]:
        chosen |= brought_by(specs, key)
    return {key for key in chosen if key in resources}


def _target(out: str | None, layout: str) -> tuple[Path | None, bool]:
    """Where to write and whether it is a directory; checked before any AWS call."""
    if out is None:
        if layout != "stream":
            raise UserError(f"--layout {layout} writes files: give --out DIR")
        return None, False
    path = Path(out)
    directory = out.endswith(("/", os.sep)) or path.is_dir()
    if layout != "stream" and not directory and path.exists():
        raise UserError(f"--out {out} is a file; --layout {layout} writes a directory of files")
    return path, directory or layout != "stream"


def run(
    *, out: str | None, kinds: list[str], name: str | None, layout: str, settings: AwsSettings
) -> int:
    target, into_directory = _target(out, layout)
    chosen_kinds = [Kind(k) for k in kinds] if kinds else list(EXPORTED_KINDS)
    if name:
        # An endpoint brings what it uses.
        chosen_kinds = kinds_brought(chosen_kinds)
    observer = Observer(AwsGateway(settings))
    try:
        listed: dict[tuple[Kind, str], LiveResource] = {}
        for kind in chosen_kinds:
            for resource in observer.list_kind(kind):
                listed[(kind, resource.name.lower())] = resource
        keys = set(listed)
        if name:
            # Follow the endpoint to what it uses: describe, select again, until stable.
            keys = set()
            while True:
                found = _select(listed, name)
                fresh = [listed[k] for k in found if listed[k].description is None]
                observer.describe_all(fresh)
                if found == keys and not fresh:
                    break
                keys = found
        selected = [
            listed[k] for k in sorted(keys, key=lambda k: (EXPORTED_KINDS.index(k[0]), k[1]))
        ]
        observer.describe_all([r for r in selected if r.description is None])
        observer.read_all_tags(selected)
    except ObserveError as err:
        raise UserError(f"cannot read the account: {err}") from err
    if name and not selected:
        raise UserError(f"no resource named {name} of kind {', '.join(map(str, chosen_kinds))}")

    logical = {(r.kind, r.name): logical_name(r.kind, r.name) for r in selected}
    by_arn = {(r.kind, r.arn.lower()): r.name for r in selected if r.arn}
    exported = [
        to_manifest(r.kind, r.name, r.description or {}, r.tags, logical, by_arn)
        for r in selected
        if r.description
    ]
    for item in exported:
        for warning in item.warnings:
            print(f"warning: {warning}", file=sys.stderr)

    if target is None:
        sys.stdout.write(export_view.render(exported))
    elif not into_directory:
        _write(target, export_view.render(exported))
    else:
        files_layout = "per-resource" if layout == "stream" else layout
        for path, items in _files(exported, files_layout, selected).items():
            _write(target / path, export_view.render(items))
    print(f"exported {len(exported)} resources", file=sys.stderr)
    return EXIT_OK


def _files(
    exported: list[Exported], layout: str, selected: list[LiveResource]
) -> dict[str, list[Exported]]:
    files: dict[str, list[Exported]] = {}
    if layout == "per-resource":
        for item in exported:
            files.setdefault(f"{item.kind.lower()}/{item.name}.yaml", []).append(item)
        return files
    # per-endpoint: group by the endpoint each resource serves (what it brings along).
    specs = {(r.kind, r.name.lower()): _spec(r) for r in selected}
    owner: dict[tuple[Kind, str], str] = {}
    for resource in selected:
        if resource.kind in HOSTING_KINDS and resource.description:
            for key in brought_by(specs, (resource.kind, resource.name.lower())):
                owner.setdefault(key, resource.name)
    by_physical = {
        (item.kind, r.name): item
        for item, r in zip(exported, [r for r in selected if r.description], strict=True)
    }
    for (kind, physical), item in by_physical.items():
        files.setdefault(f"{owner.get((kind, physical.lower()), 'others')}.yaml", []).append(item)
    return files


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    except OSError as err:
        raise UserError(f"cannot write {path}: {err.strerror or err}") from err


__all__ = ["run"]
