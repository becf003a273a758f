"""The project file (reconciler.yaml): its targets as declared, and every mistake in it
reported as ``file:line: field: message`` — like a manifest's, before any AWS call."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler import project

GOOD = """\
targets:
  prod:
    region: us-west-2
    account_id: "222222222222"
    role_arn: arn:aws:iam::222222222222:role/deployer
    external_id: prod-deployer
    owner: platform-prod
    manifests: overlays/prod
    lock_table: reconciler-locks
    variables: {INSTANCES: "2"}
    run: {interval: 10m, mode: detect}
  staging:
    region: us-east-1
    account_id: "111111111111"
    manifests: overlays/staging
promotion: [staging, prod]
"""


def _write(tmp_path: Path, text: str) -> Path:
    for overlay in ("overlays/prod", "overlays/staging"):
        (tmp_path / overlay).mkdir(parents=True, exist_ok=True)
    path = tmp_path / "reconciler.yaml"
    path.write_text(text)
    return path


def _problems(tmp_path: Path, text: str) -> list[str]:
    loaded, problems = project.load(_write(tmp_path, text))
    assert loaded is None
    return [str(p).split("reconciler.yaml:", 1)[1] for p in problems]


def test_targets_come_in_promotion_order_with_their_settings(tmp_path: Path) -> None:
    loaded, problems = project.load(_write(tmp_path, GOOD))
    assert problems == [] and loaded is not None
    assert loaded.names == ("staging", "prod")
    prod = loaded.target("prod")
    assert (prod.region, prod.account_id, prod.owner) == (
        "us-west-2",
        "222222222222",
        "platform-prod",
    )
    assert prod.role_arn == "arn:aws:iam::222222222222:role/deployer"
    assert prod.role_session_name == "sagemaker-reconciler-prod"
    assert Path(prod.manifests).resolve() == (tmp_path / "overlays/prod").resolve()
    assert prod.variables == {"INSTANCES": "2"}
    assert (prod.run.interval, prod.run.mode) == ("10m", "detect")
    staging = loaded.target("staging")
    # No owner: the target's name; no role: the ambient credentials.
    assert (staging.owner, staging.role_arn, staging.lock_table) == ("staging", None, None)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'account_id: "222222222222"',
            "account_id: 222222222222",
            "4: targets.prod.account_id: expected a string, got 222222222222 (YAML reads it "
            "unquoted as a number or boolean; quote it to make it a string)",
        ),
        (
            "    region: us-west-2",
            "    regoin: us-west-2",
            "3: targets.prod.regoin: unknown field 'regoin'; did you mean 'region'?",
        ),
        (
            "region: us-west-2",
            "region: US West",
            "3: targets.prod.region: 'US West' is not an AWS region name (e.g. us-east-1)",
        ),
        (
            "role/deployer",
            "role/deployer\n    session_name: x",
            "6: targets.prod.session_name: must be at least 2 characters",
        ),
        (
            "arn:aws:iam::222222222222:role",
            "arn:aws:iam::999999999999:role",
            "5: targets.prod.role_arn: the role is in account 999999999999, but account_id is 222222222222",
        ),
        (
            "manifests: overlays/prod",
            "manifests: overlays/prdo",
            "8: targets.prod.manifests: no such directory: ",
        ),
        (
            "promotion: [staging, prod]",
            "promotion: [staging, prd]",
            "16: promotion[1]: unknown target 'prd'; did you mean 'prod'?",
        ),
        (
            "mode: detect",
            "mode: fix",
            "11: targets.prod.run.mode: expected one of 'heal' or 'detect', got 'fix'",
        ),
        (
            "  staging:",
            "  Staging:",
            "12: targets.Staging: a target's name is 1-63 lower-case letters",
        ),
    ],
)
def test_a_mistake_names_its_line_and_field(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in GOOD
    problems = _problems(tmp_path, GOOD.replace(old, new, 1))
    assert any(p.startswith(expected) for p in problems), problems


def test_a_missing_field_is_named_at_its_target(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path, "targets:\n  dev:\n    region: us-east-1\n    manifests: overlays/prod\n"
    )
    assert problems == ["2: targets.dev.account_id: is required"]


def test_two_targets_with_one_owner_in_one_account_and_region_are_refused(tmp_path: Path) -> None:
    text = (
        GOOD.replace("owner: platform-prod\n", "owner: staging\n")
        .replace("region: us-west-2", "region: us-east-1")
        .replace("222222222222", "111111111111")
    )
    problems = _problems(tmp_path, text)
    assert any(
        "targets 'prod' and 'staging' share account 111111111111, region us-east-1 and owner "
        "'staging'" in p
        for p in problems
    ), problems


def test_the_project_file_is_one_mapping(tmp_path: Path) -> None:
    assert _problems(tmp_path, "- staging\n") == [
        "1: a project file is a mapping with 'targets', got a list"
    ]
    assert _problems(tmp_path, "targets: {}\n") == ["1: targets: must not be empty"]
    assert _problems(tmp_path, GOOD + "---\ntargets: {}\n")[0].startswith(
        "18: a project file holds one YAML document"
    )


def test_find_stops_at_the_repository_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(project.PROJECT_ENV, raising=False)
    (tmp_path / "reconciler.yaml").write_text(GOOD)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "sub").mkdir()
    assert project.find(repo / "sub") is None  # the file above the repository is not its
    (repo / "reconciler.yaml").write_text(GOOD)
    assert project.find(repo / "sub") == repo / "reconciler.yaml"
    monkeypatch.setenv(project.PROJECT_ENV, "elsewhere.yaml")
    assert project.find(repo) == Path("elsewhere.yaml")
