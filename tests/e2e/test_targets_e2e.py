"""One repository, many targets, against one emulator: a project file names three targets
in three accounts (the ambient one and two reached through STS AssumeRole) and two
regions; each is planned and applied on its own and lands in its own account; a target
whose credentials reach another account than it declares reads and writes nothing; two
targets that would share resources in one account are refused before any AWS call."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.support.calls import delta, writes_of
from tests.support.env import Env, copy_examples
from tests.support.roles import trust

AMBIENT = "123456789012"  # moto's default account: what the test credentials reach
STAGING = "111111111111"
PROD = "222222222222"

PROJECT = f"""\
# Three targets: dev in the ambient account, staging and prod through their roles.
targets:
  dev:
    region: us-east-1
    account_id: "{AMBIENT}"
    manifests: fleet
  staging:
    region: us-east-1
    account_id: "{STAGING}"
    role_arn: arn:aws:iam::{STAGING}:role/sagemaker-reconciler
    owner: platform-staging
    manifests: fleet
  prod:
    region: us-west-2
    account_id: "{PROD}"
    role_arn: arn:aws:iam::{PROD}:role/sagemaker-reconciler
    external_id: prod-deployer
    owner: platform-prod
    manifests: fleet
promotion: [dev, staging, prod]
"""


@pytest.fixture(autouse=True)
def _roles(env: Env) -> None:
    """The targets' roles, and a reader's to look into their accounts (the emulator's
    AssumeRole, like AWS's, refuses a role that does not exist or trust the caller)."""
    trust(env.url, f"arn:aws:iam::{STAGING}:role/sagemaker-reconciler")
    trust(env.url, f"arn:aws:iam::{PROD}:role/sagemaker-reconciler", external_id="prod-deployer")
    for account in (STAGING, PROD):
        trust(env.url, f"arn:aws:iam::{account}:role/reader")


def _repository(root: Path, project: str = PROJECT) -> Path:
    copy_examples(root / "fleet", hosting_only=True)
    (root / "reconciler.yaml").write_text(project)
    return root / "reconciler.yaml"


def _endpoints(env: Env, account: str, region: str) -> set[str]:
    """The endpoints of `account` in `region`, read with that account's credentials."""
    kwargs: dict[str, Any] = {"endpoint_url": env.url, "region_name": region}
    if account != AMBIENT:
        sts = boto3.client("sts", endpoint_url=env.url, region_name=region)
        role = f"arn:aws:iam::{account}:role/reader"
        credentials = sts.assume_role(RoleArn=role, RoleSessionName="test-reader")["Credentials"]
        kwargs.update(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
    sagemaker = boto3.client("sagemaker", **kwargs)
    return {e["EndpointName"] for e in sagemaker.list_endpoints()["Endpoints"]}


def test_three_targets_are_planned_together_and_applied_one_by_one_into_their_accounts(
    env: Env, tmp_path: Path
) -> None:
    project = str(_repository(tmp_path / "repo"))
    run = env.reconciler("plan", "--all-targets", "--project", project, "--json")
    assert run.code == 0, run.err
    plans = json.loads(run.out)["targets"]
    assert list(plans) == ["dev", "staging", "prod"]  # the promotion order
    for name, owner in (("dev", "dev"), ("staging", "platform-staging"), ("prod", "platform-prod")):
        assert plans[name]["target"] == name
        assert plans[name]["owner"] == owner
        assert plans[name]["summary"]["create"] == 9, plans[name]["summary"]

    for name in ("dev", "staging", "prod"):
        run = env.reconciler("apply", "--target", name, "--project", project, "--auto-approve")
        assert run.code == 0, run.out + run.err

    wanted = {"shared-gpu", "churn"}
    assert _endpoints(env, AMBIENT, "us-east-1") == wanted
    assert _endpoints(env, STAGING, "us-east-1") == wanted
    assert _endpoints(env, PROD, "us-west-2") == wanted
    assert _endpoints(env, PROD, "us-east-1") == set()

    run = env.reconciler("plan", "--all-targets", "--project", project, "--detailed-exitcode")
    assert run.code == 0, run.out + run.err
    assert run.out.count("No changes.") == 3, run.out
    assert "Target prod (account 222222222222, us-west-2):" in run.out


def test_a_target_whose_credentials_reach_another_account_reads_and_writes_nothing(
    env: Env, tmp_path: Path
) -> None:
    # No role: the ambient credentials reach 123456789012, not the declared account.
    project = str(
        _repository(
            tmp_path / "repo",
            'targets:\n  prod:\n    region: us-east-1\n    account_id: "333333333333"\n'
            "    manifests: fleet\n",
        )
    )
    before = env.control.calls()
    for command in ("plan", "apply"):
        extra = ["--auto-approve"] if command == "apply" else []
        run = env.reconciler(command, "--target", "prod", "--project", project, *extra)
        assert run.code == 1, run.out
        assert (
            "target 'prod' expects AWS account 333333333333, but the credentials are for "
            "account 123456789012: nothing was read or written"
        ) in run.err
    calls = delta(before, env.control.calls())
    assert writes_of(calls) == {}
    # Nothing of SageMaker was even read: the identity is the first call.
    assert set(calls) == {"GetCallerIdentity"}, calls


def test_two_targets_that_would_share_an_endpoint_in_one_account_are_refused(
    env: Env, tmp_path: Path
) -> None:
    project = str(
        _repository(
            tmp_path / "repo",
            PROJECT.replace("region: us-west-2", "region: us-east-1").replace(PROD, STAGING),
        )
    )
    before = env.control.calls()
    run = env.reconciler("validate", "--all-targets", "--project", project)
    assert run.code == 1
    assert (
        "targets 'staging' and 'prod' both declare Endpoint 'shared-gpu' in account "
        "111111111111, region us-east-1"
    ) in run.err
    assert "fleet/shared-gpu/endpoint.yaml:" in run.err
    # Planning or applying either of them is refused the same way, before any AWS call.
    run = env.reconciler("apply", "--target", "staging", "--project", project, "--auto-approve")
    assert run.code == 1 and "both declare Endpoint 'shared-gpu'" in run.err
    assert delta(before, env.control.calls()) == {}


def test_a_saved_plan_is_applied_only_to_its_own_target(env: Env, tmp_path: Path) -> None:
    project = str(_repository(tmp_path / "repo"))
    saved = tmp_path / "staging.plan.json"
    run = env.reconciler("plan", "--target", "staging", "--project", project, "--out", str(saved))
    assert run.code == 0, run.err
    assert json.loads(saved.read_text())["target"] == "staging"
    before = env.control.calls()
    run = env.reconciler(
        "apply", str(saved), "--target", "prod", "--project", project, "--auto-approve"
    )
    assert run.code == 1
    assert "is a plan of target 'staging'; this apply is for target 'prod'" in run.err
    run = env.reconciler("apply", str(saved), "--auto-approve")
    assert run.code == 1 and "this apply is for no target" in run.err
    assert writes_of(delta(before, env.control.calls())) == {}
    run = env.reconciler(
        "apply", str(saved), "--target", "staging", "--project", project, "--auto-approve"
    )
    assert run.code == 0, run.out + run.err
    assert _endpoints(env, STAGING, "us-east-1") == {"shared-gpu", "churn"}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--owner", "someone-else"], "target 'staging' sets --owner (platform-staging)"),
        (["--region", "eu-west-1"], "target 'staging' sets --region (us-east-1)"),
        (["elsewhere"], "target 'staging' sets DIR"),
        (["--all-targets"], "--target and --all-targets: give one of them"),
    ],
)
def test_the_command_line_cannot_quietly_point_a_target_elsewhere(
    env: Env, tmp_path: Path, extra: list[str], message: str
) -> None:
    project = str(_repository(tmp_path / "repo"))
    run = env.reconciler("plan", "--target", "staging", "--project", project, *extra)
    assert run.code == 1
    assert message in run.err


def test_the_project_file_is_found_from_the_current_directory_up(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _repository(tmp_path / "repo")
    (tmp_path / "repo" / ".git").mkdir()
    monkeypatch.chdir(tmp_path / "repo" / "fleet" / "classic")
    run = env.reconciler("validate", "--target", "dev")
    assert run.code == 0, run.err
    assert run.out.startswith("target dev: 9 resources in"), run.out
    run = env.reconciler("plan", "--target", "stagign")
    assert run.code == 1
    assert "unknown target 'stagign'; did you mean 'staging'?" in run.err
    monkeypatch.chdir(tmp_path / "repo")
    shutil.rmtree(tmp_path / "repo" / "fleet")
    run = env.reconciler("validate", "--target", "dev")
    assert run.code == 1
    assert "reconciler.yaml:6: targets.dev.manifests: no such directory" in run.err


OVERLAY = """\
apiVersion: sagemaker-reconciler/v1
kind: Overlay
bases: [../../base]
tags: {{environment: {name}}}
patches:
  - kind: InferenceComponent
    metadata: {{name: llama-chat}}
    spec:
      RuntimeConfig: {{CopyCount: {copies}}}
"""


def _layered(root: Path) -> str:
    """A base, and an overlay per target; the GPU instance count is a target's variable."""
    copy_examples(root / "base", hosting_only=True)
    endpoint = root / "base" / "shared-gpu" / "endpoint.yaml"
    endpoint.write_text(
        endpoint.read_text().replace(
            "InitialInstanceCount: 1", "InitialInstanceCount: ${GPUS:=1}", 1
        )
    )
    for name, copies in (("dev", 1), ("staging", 1), ("prod", 2)):
        (root / "overlays" / name).mkdir(parents=True)
        (root / "overlays" / name / "overlay.yaml").write_text(
            OVERLAY.format(name=name, copies=copies)
        )
    project = PROJECT.replace("manifests: fleet", "manifests: overlays/{}")
    for name in ("dev", "staging", "prod"):
        project = project.replace("manifests: overlays/{}", f"manifests: overlays/{name}", 1)
    project = project.replace(
        "    external_id: prod-deployer\n",
        '    external_id: prod-deployer\n    variables: {GPUS: "2"}\n',
    )
    (root / "reconciler.yaml").write_text(project)
    return str(root / "reconciler.yaml")


def _changed(env: Env, project: str) -> dict[str, set[str]]:
    run = env.reconciler("plan", "--all-targets", "--project", project, "--json")
    assert run.code == 0, run.err
    return {
        name: {c["address"] for c in plan["changes"] if c["action"] != "no-op"}
        for name, plan in json.loads(run.out)["targets"].items()
    }


def test_a_base_and_overlays_per_target_an_edit_to_the_base_reaches_all_an_overlay_only_its_own(
    env: Env, tmp_path: Path
) -> None:
    root = tmp_path / "repo"
    project = _layered(root)
    run = env.reconciler("render", "--target", "prod", "--project", project)
    assert run.code == 0, run.err
    assert "InitialInstanceCount: 2" in run.out and "CopyCount: 2" in run.out
    assert "environment: prod" in run.out
    for name in ("dev", "staging", "prod"):
        run = env.reconciler("apply", "--target", name, "--project", project, "--auto-approve")
        assert run.code == 0, run.out + run.err
    assert _changed(env, project) == {"dev": set(), "staging": set(), "prod": set()}

    # The base: every target's plan changes.
    base = root / "base" / "shared-gpu" / "llama-chat.yaml"
    base.write_text(
        base.read_text().replace('MAX_INPUT_LENGTH: "4096"', 'MAX_INPUT_LENGTH: "8192"')
    )
    changed = _changed(env, project)
    assert all("Model/llama-model" in changed[name] for name in ("dev", "staging", "prod")), changed
    for name in ("dev", "staging", "prod"):
        assert (
            env.reconciler("apply", "--target", name, "--project", project, "--auto-approve").code
            == 0
        )

    # One overlay: only its target's plan changes.
    overlay = root / "overlays" / "staging" / "overlay.yaml"
    overlay.write_text(overlay.read_text().replace("CopyCount: 1", "CopyCount: 2"))
    assert _changed(env, project) == {
        "dev": set(),
        "staging": {"InferenceComponent/llama-chat"},
        "prod": set(),
    }


def test_a_target_whose_external_id_its_role_does_not_accept_is_refused_first(
    env: Env, tmp_path: Path
) -> None:
    """The role trusts only the external id it was made with: a project that gives
    another one is refused at the first call (AssumeRole), and nothing is read or written."""
    project = str(_repository(tmp_path / "repo", PROJECT.replace("prod-deployer", "someone-else")))
    before = env.control.calls()
    run = env.reconciler("apply", "--target", "prod", "--project", project, "--auto-approve")
    assert run.code == 1
    assert "AssumeRole failed: AccessDenied: " in run.err, run.err
    assert "is not authorized to perform: sts:AssumeRole on resource: " in run.err
    assert "Traceback" not in run.err
    made = delta(before, env.control.calls())
    assert writes_of(made) == {} and set(made) <= {"AssumeRole"}, made
