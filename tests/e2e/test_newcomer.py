"""What a newcomer hits first: `status` on a plan with problems, the apply summary of a
resource skipped because what it needs failed, and reading tags in batches."""

from __future__ import annotations

import json

from tests.e2e.conftest import Env


def test_the_apply_summary_names_a_skipped_resource_once(env: Env) -> None:
    env.control.add_fault("CreateEndpointConfig", "AccessDeniedException")
    run = env.apply()
    assert run.code == 1
    assert "skipped: skipped:" not in run.out
    skipped = [line for line in run.out.splitlines() if line.startswith("Endpoint/churn: ")]
    assert skipped == ["Endpoint/churn: skipped: EndpointConfig/churn did not complete"]
