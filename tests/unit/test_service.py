"""The reconcile pass every command shares, through a fake gateway: one straight pass
that resolves the manifests once, unless a name depends on the account."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from reconciler import service
from reconciler.kinds import KINDS
from reconciler.planning import planner
from tests.support.gateway import FakeGateway
from tests.support.planning import fleet


def _empty_account() -> FakeGateway:
    answers: dict[str, Any] = {
        info.list_operation: [{info.items_key: []}] for info in KINDS.values()
    }
    return FakeGateway(answers)


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = planner.resolve

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(planner, "resolve", counted)
    return calls


def test_a_pass_resolves_the_manifests_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch)
    result = service.observe_and_plan(
        manifests=fleet(), aws=_empty_account(), owner="default", batched_tags=False
    )
    assert len(calls) == 1
    assert {str(c.action) for c in result.changes} == {"create"}
    assert len(result.changes) == len(fleet())


def test_an_adopted_name_is_resolved_again_with_the_account(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _counting(monkeypatch)
    manifests = fleet()
    model = manifests[0]
    manifests[0] = dataclasses.replace(
        model, annotations=dataclasses.replace(model.annotations, physical_name="llama-by-hand")
    )
    service.observe_and_plan(
        manifests=manifests, aws=_empty_account(), owner="default", batched_tags=False
    )
    assert len(calls) == 2
