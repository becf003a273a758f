"""`reconciler iam-policy`: the policy printed is the one the code needs, and with
``--target`` it fences the target.

- Without a target it is deploy/iam-policy.json (and -plan.json) exactly.
- The table of what IAM knows of each action agrees with parliament's copy of the Service
  Authorization Reference, and covers exactly what the code calls.
- parliament (the IAM linter) finds nothing above LOW in the generated policies (the one
  MEDIUM of its community auditors, iam:PassRole, is accepted and checked to be the only one).
- Evaluated by @cloud-copilot/iam-simulate: every call a real apply of the sample target
  makes against the emulator (recorded at the AWS edge, with the ARNs, request tags and the
  resource's tags at that moment) is allowed; the same calls on another owner's resources
  are denied; a create without the owner tag is denied; removing or changing the owner tag
  is denied; passing a role the manifests do not declare is denied.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import boto3
import parliament
import pytest

from reconciler import cli, permissions
from reconciler.commands import iam_policy
from reconciler.resources import OWNER_TAG, RETAIN_TAG
from tests.e2e.test_alarms_e2e import FILE as SCALING_FILE
from tests.e2e.test_alarms_e2e import SCALE_FROM_ZERO
from tests.support.env import copy_examples, serving
from tests.support.iam import Call, Request, Tap, simulate

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
ACCOUNT = "123456789012"  # moto's default account, which the example manifests' roles name
REGION = "us-east-1"
OWNER = "team-a"
TABLE = "team-a-locks"
ROLES = (
    f"arn:aws:iam::{ACCOUNT}:role/HyperPodExecution",
    f"arn:aws:iam::{ACCOUNT}:role/SageMakerExecution",
)

PROJECT = f"""\
targets:
  dev:
    region: {REGION}
    account_id: "{ACCOUNT}"
    owner: {OWNER}
    manifests: fleet
    lock_table: {TABLE}
"""


def cli_output(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    capsys.readouterr()
    code = cli.main(["iam-policy", *argv])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def _project(directory: Path) -> Path:
    """A repository with one target over the example fleet, its autoscaling and an alarm."""
    root = directory / "repo"
    copy_examples(root / "fleet")
    (root / "fleet" / SCALING_FILE).write_text(SCALE_FROM_ZERO)
    # The churn model is retained: when its manifest goes, it is released (its ownership
    # tags removed), not deleted.
    churn = root / "fleet" / "classic" / "churn.yaml"
    head = "kind: Model\nmetadata:\n  name: churn-xgboost\n"
    assert head in churn.read_text()
    retain = "  annotations: {sagemaker-reconciler/deletion-policy: retain}\n"
    churn.write_text(churn.read_text().replace(head, head + retain, 1))
    (root / "reconciler.yaml").write_text(PROJECT)
    return root / "reconciler.yaml"


def _policy(project: Path, *extra: str) -> Any:
    output = io.StringIO()
    with redirect_stdout(output):
        code = cli.main(["iam-policy", "--target", "dev", "--project", str(project), *extra])
    assert code == 0
    return json.loads(output.getvalue())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return _project(tmp_path)


def target_policy(capsys: pytest.CaptureFixture[str], project: Path, *extra: str) -> Any:
    return cli_output(capsys, "--target", "dev", "--project", str(project), *extra)


# -- without a target: the deploy files -------------------------------------------------
def test_without_a_target_it_prints_the_deploy_policies(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_output(capsys) == json.loads((DEPLOY / "iam-policy.json").read_text())
    plan = cli_output(capsys, "--plan-only")
    assert plan == json.loads((DEPLOY / "iam-policy-plan.json").read_text())


# -- what IAM knows of each action ------------------------------------------------------
def test_the_action_table_covers_exactly_what_the_code_calls() -> None:
    assert set(iam_policy.ACTIONS) == permissions.required_actions()


def _reference() -> dict[str, Any]:
    """parliament's copy of the Service Authorization Reference, by service prefix."""
    return {service["prefix"]: service for service in parliament.iam_definition}


def _arn_type(arn: str) -> str:
    return arn.split(":")[5].split("/")[0]


def test_the_action_table_agrees_with_the_service_authorization_reference() -> None:
    reference = _reference()
    tag_keys = {
        "aws:ResourceTag/${TagKey}": iam_policy.RESOURCE_TAG,
        "aws:RequestTag/${TagKey}": iam_policy.REQUEST_TAG,
        "aws:TagKeys": iam_policy.TAG_KEYS,
        iam_policy.TAGGING_ACTION: iam_policy.TAGGING_ACTION,
    }
    for action, facts in iam_policy.ACTIONS.items():
        prefix, name = action.split(":")
        service = reference[prefix]
        (privilege,) = [p for p in service["privileges"] if p["privilege"] == name]
        types = {r["resource"]: _arn_type(r["arn"]) for r in service["resources"]}
        acts_on: set[str] = set()
        keys: set[str] = set()
        for row in privilege["resource_types"]:
            keys |= set(row["condition_keys"])
            resource = row["resource_type"].rstrip("*")
            if resource and types.get(resource) in facts.resources:
                acts_on.add(types[resource])
                (declared,) = [r for r in service["resources"] if r["resource"] == resource]
                keys |= set(declared["condition_keys"])
        listed = {row["resource_type"].rstrip("*") for row in privilege["resource_types"]} - {""}
        # The statements of an action cover every resource type of ours it acts on, and
        # "*" only for an action with no resource-level permissions.
        assert acts_on <= set(facts.resources), (action, listed)
        assert bool(acts_on) == bool(facts.resources), (action, listed)
        assert {tag_keys[k] for k in keys if k in tag_keys} == set(facts.keys), (action, keys)


def test_calls_that_create_or_update_are_told_from_creates() -> None:
    creates = {a for a in permissions.required_actions() if iam_policy.is_create(a)}
    assert {a for a in creates if iam_policy.is_upsert(a)} == {
        "application-autoscaling:RegisterScalableTarget",
        "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:PutScheduledAction",
        "cloudwatch:PutMetricAlarm",
    }
    # A scaling policy or scheduled action has no tags of its own (IAM authorizes it on its
    # scalable target): it is not a create with the owner tag, but a write on ours.
    assert (
        iam_policy.REQUEST_TAG
        not in iam_policy.facts("application-autoscaling:PutScalingPolicy").keys
    )


def test_roles_passed_are_read_from_the_role_arn_shapes() -> None:
    assert iam_policy.role_paths("sagemaker", "CreateModel") == [("ExecutionRoleArn",)]
    assert ("InstanceGroups", "*", "ExecutionRole") in iam_policy.role_paths(
        "sagemaker", "CreateCluster"
    )
    # Application Auto Scaling's RoleARN is ignored for SageMaker targets (a service-linked
    # role is used) and is not of the RoleArn shape: nothing is passed.
    assert iam_policy.role_paths("application-autoscaling", "RegisterScalableTarget") == []


def test_a_target_policy_is_fenced_to_its_account_region_roles_and_table(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    policy = target_policy(capsys, project)
    arns: set[str] = set()
    for statement in policy["Statement"]:
        where = statement["Resource"]
        arns |= {where} if isinstance(where, str) else set(where)
    for arn in arns - {"*"}:
        if arn.startswith("arn:aws:iam::"):
            assert arn in ROLES
        else:
            assert arn.split(":")[3:5] == [REGION, ACCOUNT], arn
    assert f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE}" in arns
    (pass_role,) = [s for s in policy["Statement"] if s["Action"] == "iam:PassRole"]
    assert sorted(pass_role["Resource"]) == list(ROLES)
    # Every write carries the owner in a condition (the lock's, its one table; a
    # notification's, the target's own event buses).
    for statement in policy["Statement"]:
        actions = statement["Action"]
        if statement["Sid"] == "LeaseLock":
            assert statement["Resource"] == f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE}"
        elif statement["Sid"] == "Notify":  # only with --eventbridge
            assert statement["Resource"] == f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/*"
        elif isinstance(actions, list) and not all(iam_policy.is_read(a) for a in actions):
            assert OWNER in json.dumps(statement.get("Condition")), statement["Sid"]
    # It fits in a managed policy.
    assert iam_policy.size(policy) <= iam_policy.MANAGED_POLICY_LIMIT
    # The plan role reads only.
    plan = target_policy(capsys, project, "--plan-only")
    read = {a for s in plan["Statement"] for a in s["Action"]}
    assert read == permissions.read_only_actions()


# -- the linter ------------------------------------------------------------------------
SEVERITIES = ("MUTE", "INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL")


def findings(policy: Any) -> list[tuple[str, str, Any]]:
    """parliament's findings (with its community auditors), severity set as its CLI does
    (``parliament --include-community-auditors``)."""
    override = Path(parliament.__file__).parent / "community_auditors" / "config_override.yaml"
    parliament.override_config(override)
    analyzed = parliament.analyze_policy_string(json.dumps(policy), include_community_auditors=True)
    found = []
    for finding in analyzed.findings:
        parliament.enhance_finding(finding)
        found.append((finding.issue, finding.severity, finding.detail))
    return found


def test_parliament_finds_nothing_above_low(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    for policy in (
        target_policy(capsys, project),
        target_policy(capsys, project, "--plan-only"),
        cli_output(capsys),
        cli_output(capsys, "--plan-only"),
    ):
        above_low = [
            f for f in findings(policy) if SEVERITIES.index(f[1]) > SEVERITIES.index("LOW")
        ]
        # Accepted: iam:PassRole is a permissions-management action (community auditor);
        # it is limited to the declared roles and to SageMaker.
        assert all(f[0] == "PERMISSIONS_MANAGEMENT_ACTIONS" for f in above_low), above_low
        low = [f for f in findings(policy) if f[1] == "LOW"]
        # Accepted: RESOURCE_STAR for reads that list the whole account (DescribeAlarms with
        # no names lists every alarm) and, without a target, the reads the deploy policy
        # leaves unscoped.
        assert all(f[0] == "RESOURCE_STAR" for f in low), low
    targeted = findings(target_policy(capsys, project))
    star = [f for f in targeted if f[0] == "RESOURCE_STAR"]
    assert [f[2] for f in star] == [["cloudwatch:DescribeAlarms"]], star


# -- evaluated against a real apply ----------------------------------------------------
@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, list[Call]]]:
    """The target's policy, and every call of real applies of the target — create, scale,
    retag, replace, prune — with what IAM would see of each (recorded once for the module:
    the applies are the slow part)."""
    project = _project(tmp_path_factory.mktemp("recorded"))
    with pytest.MonkeyPatch.context() as patch:
        # What tests/conftest.py's _no_real_aws sets per test, for this module-wide run.
        for name in [n for n in os.environ if n.startswith("AWS_")]:
            patch.delenv(name)
        for name, value in (
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_DEFAULT_REGION", REGION),
            ("AWS_CONFIG_FILE", os.devnull),
            ("AWS_SHARED_CREDENTIALS_FILE", os.devnull),
        ):
            patch.setenv(name, value)
        policy = _policy(project)
        with serving() as served:
            dynamodb = boto3.client("dynamodb", endpoint_url=served.url, region_name=REGION)
            lock = json.loads((DEPLOY / "dynamodb-lock-table.json").read_text())
            dynamodb.create_table(**{**lock, "TableName": TABLE})
            tap = Tap(served.url, REGION, ACCOUNT)
            fleet = project.parent / "fleet"

            def apply() -> None:
                argv = ["apply", "--target", "dev", "--project", str(project), "--auto-approve"]
                argv += ["--poll-interval", "0.01", "--endpoint-url", served.url]
                output = io.StringIO()
                with redirect_stdout(output), redirect_stderr(output):
                    code = cli.main(argv)
                assert code == 0, output.getvalue()

            def edit(path: Path, old: str, new: str) -> None:
                text = path.read_text()
                assert old in text, (path, old)
                path.write_text(text.replace(old, new, 1))

            with tap.recording(patch):
                apply()
                endpoint = fleet / "shared-gpu" / "endpoint.yaml"
                edit(endpoint, "InitialInstanceCount: 1", "InitialInstanceCount: 2")
                chat = fleet / "shared-gpu" / "llama-chat.yaml"
                edit(chat, "tags: {", "tags: {stage: dev, ")
                apply()
                edit(chat, "stage: dev, ", "")
                churn = fleet / "classic" / "churn.yaml"
                edit(churn, "sagemaker-xgboost:1.7-1", "sagemaker-xgboost:1.7-2")
                apply()
                (fleet / SCALING_FILE).unlink()
                churn.unlink()
                apply()
            yield policy, tap.calls


def writes(calls: list[Call]) -> list[Call]:
    return [c for c in calls if not iam_policy.is_read(c.action)]


def test_every_call_of_a_real_apply_is_allowed(recorded: tuple[Any, list[Call]]) -> None:
    policy, calls = recorded
    requests = [r for c in calls for r in c.requests]
    decisions = simulate(policy, ACCOUNT, requests)
    refused = [
        (r.action, r.resource, r.context)
        for r, d in zip(requests, decisions, strict=True)
        if d != "Allowed"
    ]
    assert not refused, refused
    # The run exercised every kind of write the fence is about.
    made = {c.action for c in calls}
    for action in (
        "sagemaker:CreateModel",
        "sagemaker:UpdateEndpoint",
        "sagemaker:AddTags",
        "sagemaker:DeleteTags",
        "sagemaker:DeleteEndpoint",
        "application-autoscaling:RegisterScalableTarget",
        "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:DeregisterScalableTarget",
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DeleteAlarms",
        "dynamodb:PutItem",
    ):
        assert action in made, action
    assert made <= permissions.required_actions()
    # The retained model was released: its owner tag removed.
    released = [
        c for c in calls if c.operation == "DeleteTags" and OWNER_TAG in c.request["TagKeys"]
    ]
    assert released, "the retained model was not released"


def test_the_same_writes_on_another_owners_resources_are_denied(
    recorded: tuple[Any, list[Call]],
) -> None:
    policy, calls = recorded
    theirs = [
        r.with_context(**{f"aws:ResourceTag/{OWNER_TAG}": "team-b"})
        for c in writes(calls)
        for r in c.requests
        if f"aws:ResourceTag/{OWNER_TAG}" in r.context
    ]
    assert len(theirs) > 10
    decisions = simulate(policy, ACCOUNT, theirs)
    allowed = [
        (r.action, r.resource) for r, d in zip(theirs, decisions, strict=True) if d == "Allowed"
    ]
    assert not allowed, allowed
    # And on resources that carry no owner tag at all (not ours either) — except what a
    # create only uses (CreateEndpoint's config, CreateInferenceComponent's endpoint): one
    # statement cannot tell the resource being made, which has no tags, from one it uses
    # that has none (StringEqualsIfExists), so a create may use an untagged one.
    unowned = [
        r.with_context(**{f"aws:ResourceTag/{OWNER_TAG}": None})
        for r in theirs
        if not iam_policy.is_create(r.action)
    ]
    decisions = simulate(policy, ACCOUNT, unowned)
    assert "Allowed" not in decisions, [
        r.action for r, d in zip(unowned, decisions, strict=True) if d == "Allowed"
    ]


def test_a_create_without_the_owner_tag_is_denied(recorded: tuple[Any, list[Call]]) -> None:
    policy, calls = recorded
    creates = [
        r
        for c in writes(calls)
        for r in c.requests
        if f"aws:RequestTag/{OWNER_TAG}" in r.context
        and f"aws:ResourceTag/{OWNER_TAG}" not in r.context
    ]
    assert {r.action for r in creates} >= {"sagemaker:CreateModel", "sagemaker:CreateEndpoint"}
    untagged = [r.with_context(**{f"aws:RequestTag/{OWNER_TAG}": None}) for r in creates]
    someone_else = [r.with_context(**{f"aws:RequestTag/{OWNER_TAG}": "team-b"}) for r in creates]
    decisions = simulate(policy, ACCOUNT, untagged + someone_else)
    assert set(decisions) == {"ImplicitlyDenied"}, list(
        zip([r.action for r in untagged + someone_else], decisions, strict=True)
    )


def test_the_owner_tag_cannot_be_removed_or_changed(recorded: tuple[Any, list[Call]]) -> None:
    policy, _ = recorded
    ours = {f"aws:ResourceTag/{OWNER_TAG}": OWNER}
    endpoint = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/shared-gpu"
    target = f"arn:aws:application-autoscaling:{REGION}:{ACCOUNT}:scalable-target/0123abcd"
    alarm = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:llama-chat-no-capacity"
    denied, allowed = [], []
    for action, remove, add, arn in (
        ("sagemaker:DeleteTags", "sagemaker:AddTags", "", endpoint),
        (
            "application-autoscaling:UntagResource",
            "application-autoscaling:TagResource",
            "",
            target,
        ),
        ("cloudwatch:UntagResource", "cloudwatch:TagResource", "", alarm),
    ):
        del add
        denied.append(Request(action, arn, {**ours, "aws:TagKeys": [OWNER_TAG, "team"]}))
        denied.append(
            Request(
                remove,
                arn,
                {**ours, f"aws:RequestTag/{OWNER_TAG}": "team-b", "aws:TagKeys": [OWNER_TAG]},
            )
        )
        allowed.append(Request(action, arn, {**ours, "aws:TagKeys": ["team"]}))
        allowed.append(
            Request(remove, arn, {**ours, "aws:RequestTag/team": "x", "aws:TagKeys": ["team"]})
        )
        # A retained resource of ours is released: its ownership tags go.
        retained = {**ours, f"aws:ResourceTag/{RETAIN_TAG}": "retain"}
        allowed.append(Request(action, arn, {**retained, "aws:TagKeys": [OWNER_TAG]}))
    decisions = simulate(policy, ACCOUNT, denied + allowed)
    assert decisions[: len(denied)] == ["ImplicitlyDenied"] * len(denied), decisions
    assert decisions[len(denied) :] == ["Allowed"] * len(allowed), decisions


def test_only_the_declared_roles_can_be_passed_and_only_to_sagemaker(
    recorded: tuple[Any, list[Call]],
) -> None:
    policy, _ = recorded
    to_sagemaker = {"iam:PassedToService": "sagemaker.amazonaws.com"}
    requests = [Request("iam:PassRole", role, to_sagemaker) for role in ROLES]
    requests += [
        Request("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/Admin", to_sagemaker),
        Request("iam:PassRole", ROLES[1], {"iam:PassedToService": "ec2.amazonaws.com"}),
    ]
    assert simulate(policy, ACCOUNT, requests) == [
        "Allowed",
        "Allowed",
        "ImplicitlyDenied",
        "ImplicitlyDenied",
    ]


def test_tags_sent_with_a_create_are_allowed_only_with_our_owner(
    recorded: tuple[Any, list[Call]],
) -> None:
    # SageMaker authorizes a Create's tags as sagemaker:AddTags with sagemaker:TaggingAction
    # (unverified that it does, see the README): the resource is new, it has no tags.
    policy, _ = recorded
    model = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/churn-xgboost-0123abcd"
    on_create = {"sagemaker:TaggingAction": "CreateModel", "aws:TagKeys": [OWNER_TAG]}
    requests = [
        Request("sagemaker:AddTags", model, {**on_create, f"aws:RequestTag/{OWNER_TAG}": OWNER}),
        Request("sagemaker:AddTags", model, {**on_create, f"aws:RequestTag/{OWNER_TAG}": "team-b"}),
        # Not on a create: an untagged resource is not ours to tag.
        Request("sagemaker:AddTags", model, {f"aws:RequestTag/{OWNER_TAG}": OWNER}),
    ]
    assert simulate(policy, ACCOUNT, requests) == [
        "Allowed",
        "ImplicitlyDenied",
        "ImplicitlyDenied",
    ]


def test_adopting_is_allowed_only_when_the_manifests_adopt(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    assert "Adopt" not in {s["Sid"] for s in target_policy(capsys, project)["Statement"]}
    churn = project.parent / "fleet" / "classic" / "churn.yaml"
    text = churn.read_text()
    assert "kind: Endpoint\nmetadata:\n  name: churn\n" in text
    churn.write_text(
        text.replace(
            "kind: Endpoint\nmetadata:\n  name: churn\n",
            "kind: Endpoint\nmetadata:\n  name: churn\n"
            '  annotations: {sagemaker-reconciler/adopt: "true"}\n',
        )
    )
    policy = target_policy(capsys, project)
    assert "Adopt" in {s["Sid"] for s in policy["Statement"]}
    endpoint = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/churn"
    requests = [
        Request("sagemaker:AddTags", endpoint, {f"aws:RequestTag/{OWNER_TAG}": OWNER}),
        Request(
            "sagemaker:AddTags",
            endpoint,
            {f"aws:ResourceTag/{OWNER_TAG}": "team-b", f"aws:RequestTag/{OWNER_TAG}": OWNER},
        ),
    ]
    assert simulate(policy, ACCOUNT, requests) == ["Allowed", "ImplicitlyDenied"]


def test_bad_manifests_are_reported_with_file_and_line_and_no_policy_is_printed(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    churn = project.parent / "fleet" / "classic" / "churn.yaml"
    churn.write_text(churn.read_text().replace("ExecutionRoleArn:", "ExecutionRoleArm:", 1))
    capsys.readouterr()
    code = cli.main(["iam-policy", "--target", "dev", "--project", str(project)])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert "churn.yaml:" in captured.err and "ExecutionRoleArm" in captured.err, captured.err


def test_a_create_or_update_call_cannot_take_another_owners_resource(
    recorded: tuple[Any, list[Call]],
) -> None:
    # PutMetricAlarm and RegisterScalableTarget create or update: sending our owner tag
    # does not make another owner's alarm or target ours.
    policy, _ = recorded
    alarm = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:llama-chat-no-capacity"
    target = f"arn:aws:application-autoscaling:{REGION}:{ACCOUNT}:scalable-target/0123abcd"
    sent = {f"aws:RequestTag/{OWNER_TAG}": OWNER, "aws:TagKeys": [OWNER_TAG]}
    theirs = {f"aws:ResourceTag/{OWNER_TAG}": "team-b"}
    requests = []
    for action, arn in (
        ("cloudwatch:PutMetricAlarm", alarm),
        ("application-autoscaling:RegisterScalableTarget", target),
    ):
        requests += [Request(action, arn, sent), Request(action, arn, {**sent, **theirs})]
    assert simulate(policy, ACCOUNT, requests) == ["Allowed", "ImplicitlyDenied"] * 2


def test_eventbridge_notifications_are_allowed_only_when_asked(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    def notify(policy: Any) -> list[Any]:
        return [s for s in policy["Statement"] if "events:PutEvents" in s["Action"]]

    assert notify(target_policy(capsys, project)) == []
    (statement,) = notify(target_policy(capsys, project, "--eventbridge"))
    assert statement["Resource"] == f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/*"
    assert sorted(statement["Action"]) == ["events:DescribeEventBus", "events:PutEvents"]
