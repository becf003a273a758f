"""A target's read-only role (``plan_role_arn``): the commands that only read — plan and
status — assume it instead of ``role_arn``, so that CI's pull-request plans, which run
whatever code the pull request brings, never hold credentials that can write; apply and
the controller still assume ``role_arn``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler import cli, project
from reconciler.commands import plan as plan_command
from reconciler.commands import status as status_command
from reconciler.commands.targets import Selection, contexts

WRITER = "arn:aws:iam::222222222222:role/sagemaker-reconciler"
READER = "arn:aws:iam::222222222222:role/sagemaker-reconciler-plan"
PROJECT = f"""\
targets:
  prod:
    region: us-west-2
    account_id: "222222222222"
    role_arn: {WRITER}
    plan_role_arn: {READER}
    manifests: overlays/prod
  staging:
    region: us-east-1
    account_id: "111111111111"
    role_arn: arn:aws:iam::111111111111:role/sagemaker-reconciler
    manifests: overlays/staging
promotion: [staging, prod]
"""


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    for overlay in ("overlays/prod", "overlays/staging"):
        (tmp_path / overlay).mkdir(parents=True)
    path = tmp_path / "reconciler.yaml"
    path.write_text(PROJECT)
    return path


def test_reading_assumes_the_plan_role_and_writing_the_target_role(project_file: Path) -> None:
    def role(target: str, read_only: bool) -> str | None:
        selection = Selection(target=target, project=str(project_file), read_only=read_only)
        (context,) = contexts(selection)
        return context.settings.role_arn

    assert role("prod", read_only=True) == READER
    assert role("prod", read_only=False) == WRITER
    # Without a plan role, reading uses the target's role, as before.
    staging = "arn:aws:iam::111111111111:role/sagemaker-reconciler"
    assert role("staging", read_only=True) == role("staging", read_only=False) == staging


def test_plan_and_status_read_with_the_plan_role(
    project_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, list[Any]] = {}

    def record(name: str) -> Any:
        def run(**kwargs: Any) -> int:
            seen[name] = kwargs.get("contexts") or [kwargs["context"]]
            return 0

        return run

    monkeypatch.setattr(plan_command, "run", record("plan"))
    monkeypatch.setattr(status_command, "run", record("status"))
    common = ["--project", str(project_file)]
    assert cli.main(["plan", "--all-targets", *common]) == 0
    assert cli.main(["status", "--target", "prod", *common]) == 0
    assert [c.settings.role_arn for c in seen["plan"]] == [
        "arn:aws:iam::111111111111:role/sagemaker-reconciler",
        READER,
    ]
    assert [c.settings.role_arn for c in seen["status"]] == [READER]


def test_a_plan_role_in_another_account_is_refused(tmp_path: Path) -> None:
    for overlay in ("overlays/prod", "overlays/staging"):
        (tmp_path / overlay).mkdir(parents=True)
    path = tmp_path / "reconciler.yaml"
    path.write_text(PROJECT.replace(READER, "arn:aws:iam::999999999999:role/plan"))
    loaded, problems = project.load(path)
    assert loaded is None
    (problem,) = problems
    assert str(problem).endswith(
        "reconciler.yaml:6: targets.prod.plan_role_arn: the role is in account "
        "999999999999, but account_id is 222222222222"
    )
