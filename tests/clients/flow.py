"""The onboarding flow every client test ends with, on what the client created:
export → adopt → plan (ownership tags only) → apply → empty plan → one copy-count edit
→ exactly one UpdateInferenceComponentRuntimeConfig → apply → empty plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.clients.conftest import Clients

ADOPT = "sagemaker-reconciler/adopt"


def _documents(directory: Path) -> list[tuple[Path, dict[str, Any]]]:
    return [
        (path, document)
        for path in sorted(directory.glob("*.yaml"))
        for document in yaml.safe_load_all(path.read_text())
        if document
    ]


def _summary(plan: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(c["address"], c["operations"]) for c in plan["changes"]]


def export_and_adopt(clients: Clients, out: Path, expected: set[tuple[str, str]]) -> None:
    """Export what exists, check it is what the client made, marked for adoption."""
    clients.reconciler("export", "--out", f"{out}/", "--layout", "per-endpoint")
    documents = _documents(out)
    assert {(d["kind"], d["metadata"]["name"]) for _, d in documents} == expected
    # export writes the adopt annotation itself: a person only reviews and commits.
    assert all(d["metadata"]["annotations"][ADOPT] == "true" for _, d in documents)


def adopt_then_manage(clients: Clients, out: Path, component: str) -> None:
    """The reconciler's side of the flow, on the manifests `export_and_adopt` wrote."""
    # Adoption changes nothing but our ownership tags.
    plan = clients.plan(out)
    assert plan["changes"], "adoption should plan the ownership tags"
    assert all(ops == ["AddTags"] for _, ops in _summary(plan)), _summary(plan)
    assert plan["summary"]["create"] == plan["summary"]["replace"] == 0
    assert plan["summary"]["delete"] == 0

    clients.reconciler("apply", str(out), "--auto-approve")
    settled = clients.plan(out)
    assert settled["changes"] == [], _summary(settled)

    # One copy-count edit: exactly one runtime-config update, nothing else.
    path = next(
        p
        for p, d in _documents(out)
        if d["kind"] == "InferenceComponent" and d["metadata"]["name"] == component
    )
    text = path.read_text()
    assert text.count("CopyCount: 1") == 1, text
    path.write_text(text.replace("CopyCount: 1", "CopyCount: 2"))
    edited = clients.plan(out)
    assert _summary(edited) == [
        (f"InferenceComponent/{component}", ["UpdateInferenceComponentRuntimeConfig"])
    ]

    clients.reconciler("apply", str(out), "--auto-approve")
    assert clients.plan(out)["changes"] == []
