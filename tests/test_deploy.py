"""What `deploy/`, the Dockerfile and reconciler.permissions promise, held to the code:

- the IAM policies grant exactly the actions the code can call (reconciler.permissions),
  and a real run of plan/apply/status against the emulator calls nothing else;
- the Dockerfile runs a real `reconciler` command as a non-root user, and its health check
  asks the health server for a path it serves;
- the Kubernetes manifests run a command the CLI accepts, probe /healthz and /readyz on
  the port it listens on, and read the manifests through git-sync's link;
- the GitHub workflow's `reconciler` invocations are accepted by the CLI, and its split
  step runs.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shlex
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

import reconciler
from reconciler import cli, permissions, project
from reconciler.aws import AwsGateway
from reconciler.controller.lock import LeaseLock
from reconciler.controller.server import HealthServer
from reconciler.emulator.control_client import ControlClient
from reconciler.kinds import APIS
from tests.support.env import copy_examples, serving

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
WORKFLOW = DEPLOY / "github-actions" / "reconcile.yml"
REGION = "us-east-1"


def load_json(path: Path) -> Any:
    return json.loads(path.read_text())


def parse_cli(argv: list[str]) -> argparse.Namespace:
    """`argv` (without the program name) as the real CLI parses it; a clear failure when
    the CLI rejects it instead of argparse's SystemExit."""
    try:
        return cli.build_parser().parse_args(argv)
    except SystemExit as exit:
        pytest.fail(f"reconciler rejects {shlex.join(argv)} (exit {exit.code})")


# -- the IAM policies -------------------------------------------------------------------
def allowed(policy: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """action → the Allow statements that grant it."""
    grants: dict[str, list[dict[str, Any]]] = {}
    assert policy["Version"] == "2012-10-17"
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        actions = statement["Action"]
        for action in [actions] if isinstance(actions, str) else actions:
            grants.setdefault(action, []).append(statement)
    return grants


def resources(statement: dict[str, Any]) -> list[str]:
    value = statement["Resource"]
    return [value] if isinstance(value, str) else list(value)


SERVICES = (
    "sagemaker:",
    "dynamodb:",
    "tag:",
    "application-autoscaling:",
    "cloudwatch:",
    "events:",
)


def test_required_actions_are_derived_from_the_code() -> None:
    actions = permissions.required_actions()
    for api in APIS.values():
        for operation in (api.info.create_operation, api.describe_operation, api.delete_operation):
            assert permissions.iam_action(api.info.service, operation) in actions
    # Named only inside methods: the kinds' updates, the tag calls, the lock.
    for action in (
        "sagemaker:UpdateEndpoint",
        "sagemaker:UpdateInferenceComponent",
        "sagemaker:UpdateInferenceComponentRuntimeConfig",
        "sagemaker:AddTags",
        "sagemaker:DeleteTags",
        "sagemaker:ListTags",
        "sagemaker:ListModels",
        "dynamodb:PutItem",
        "dynamodb:GetItem",
        "dynamodb:DeleteItem",
    ):
        assert action in actions
    assert all(action.startswith(SERVICES) for action in actions)
    assert permissions.read_only_actions() < actions


def test_the_policy_grants_exactly_the_required_actions() -> None:
    grants = allowed(load_json(DEPLOY / "iam-policy.json"))
    granted = {action for action in grants if action.startswith(SERVICES)}
    required = permissions.required_actions()
    assert not required - granted, f"missing from deploy/iam-policy.json: {required - granted}"
    assert not granted - required, f"not needed by the code: {granted - required}"
    assert set(grants) - granted == {"iam:PassRole"}
    assert not any("*" in action for action in grants)


def test_the_policy_scopes_resources_where_iam_allows() -> None:
    grants = allowed(load_json(DEPLOY / "iam-policy.json"))
    arn_types = {
        api.info.arn_resource_type for api in APIS.values() if api.info.service == "sagemaker"
    }
    for action, statements in grants.items():
        for statement in statements:
            where = resources(statement)
            if "*" in where:
                # IAM offers no resource-level scoping for these List calls.
                unscoped = action.startswith("sagemaker:List") and action != "sagemaker:ListTags"
                # Application Auto Scaling: which of its actions IAM scopes to a target's
                # ARN is unverified (deploy/README.md), so none is scoped.
                autoscaling = action.startswith("application-autoscaling:")
                # CloudWatch: DescribeAlarms lists every alarm; the others name one.
                unscoped = unscoped or action == "cloudwatch:DescribeAlarms"
                assert unscoped or autoscaling or action == "tag:GetResources", action
            elif action.startswith("events:"):
                # Only an eventbridge notification sink's PutEvents, and its one look at
                # the bus as it starts, on any event bus.
                assert action in ("events:PutEvents", "events:DescribeEventBus")
                assert where == ["arn:aws:events:*:*:event-bus/*"], action
            elif action.startswith("cloudwatch:"):
                assert where == ["arn:aws:cloudwatch:*:*:alarm:*"], action
            elif action.startswith("sagemaker:"):
                # Besides the kinds: the model registry groups a Model's reference reads,
                # and the package versions pinned by hand, checked to be Approved.
                registry = {"model-package-group", "model-package"}
                assert {arn.split(":")[5].split("/")[0] for arn in where} <= arn_types | registry
                assert all(arn.startswith("arn:aws:sagemaker:") for arn in where)
    # Every kind's ARNs are covered for what acts on them.
    scoped = grants["sagemaker:AddTags"][0]
    assert {arn.split(":")[5].split("/")[0] for arn in resources(scoped)} == arn_types

    (pass_role,) = grants["iam:PassRole"]
    assert pass_role["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
    }
    table = load_json(DEPLOY / "dynamodb-lock-table.json")["TableName"]
    for action in ("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem"):
        (statement,) = grants[action]
        assert resources(statement) == [f"arn:aws:dynamodb:*:*:table/{table}"]


def test_the_pull_request_policy_can_only_read() -> None:
    grants = allowed(load_json(DEPLOY / "iam-policy-plan.json"))
    assert set(grants) == permissions.read_only_actions()
    assert "tag:GetResources" in grants  # plan reads tags in batches
    assert not any(
        action.split(":")[1].startswith(("Create", "Update", "Delete", "Add", "Put"))
        for action in grants
    )


def client_calls(module_name: str) -> list[str]:
    """Calls in a module that reach AWS: through a boto3 client (`<...client>.method(...)`,
    `getattr(<...client>, ...)`) or the gateway (`<...aws>.call(...)`, `<...aws>.pages(...)`),
    or `<api>.call(<...client or aws>, ...)`."""

    def names_client(node: ast.expr) -> bool:
        return ast.unparse(node).rsplit(".", 1)[-1].endswith(("client", "aws", "gateway"))

    def names_boto3_client(node: ast.expr) -> bool:
        return ast.unparse(node).rsplit(".", 1)[-1].endswith("client")

    path = ROOT.joinpath(*module_name.split(".")).with_suffix(".py")
    if not path.exists():
        path = ROOT.joinpath(*module_name.split("."), "__init__.py")
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func, args = node.func, node.args
        direct = isinstance(func, ast.Attribute) and (
            names_boto3_client(func.value)
            or (names_client(func.value) and func.attr in ("call", "pages"))
        )
        through = bool(args) and names_client(args[0])
        via_getattr = isinstance(func, ast.Name) and func.id == "getattr" and through
        via_call = isinstance(func, ast.Attribute) and func.attr == "call" and through
        if direct or via_getattr or via_call:
            found.append(ast.unparse(node))
    return found


def test_only_the_modules_permissions_reads_call_aws() -> None:
    """A new call site elsewhere would be invisible to required_actions(): make it fail."""
    known = set(permissions.SAGEMAKER_CALL_SITES)
    known |= {name for names in permissions.OTHER_CALL_SITES.values() for name in names}
    known |= {type(api).__module__ for api in APIS.values()}
    calling = {}
    package = Path(reconciler.__file__).parent
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name.startswith("reconciler.emulator"):
            continue
        calls = client_calls(name)
        if calls:
            calling[name] = calls
    unknown = {name: calls for name, calls in calling.items() if name not in known}
    assert not unknown, f"AWS calls outside reconciler.permissions' call sites: {unknown}"


# -- a real run: the calls made are the calls granted ----------------------------------
@dataclass
class World:
    url: str
    control: ControlClient
    directory: Path
    capsys: pytest.CaptureFixture[str]

    def reconciler(self, *args: str) -> tuple[int, str]:
        argv = [*args, "--endpoint-url", self.url]
        if args[0] == "apply":
            argv += ["--auto-approve", "--poll-interval", "0.01"]
        self.capsys.readouterr()
        code = cli.main(argv)
        captured = self.capsys.readouterr()
        return code, captured.out + captured.err

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.directory / relative
        text = path.read_text()
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1))

    def calls_since(self, before: dict[str, int]) -> set[str]:
        return {op for op, n in self.control.calls().items() if n > before.get(op, 0)}


@pytest.fixture
def world(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[World]:
    directory = copy_examples(tmp_path / "manifests")
    with serving() as served:
        yield World(served.url, served.control, directory, capsys)


def as_actions(operations: set[str]) -> set[str]:
    """Emulator operation names (SageMaker and moto's DynamoDB share one counter) as IAM
    actions."""
    services = ("sagemaker", *permissions.OTHER_CALL_SITES, *permissions.kind_services())
    actions = set()
    for operation in operations:
        service = next((s for s in services if operation in permissions.operations(s)), None)
        actions.add(permissions.iam_action(service, operation) if service else f"?:{operation}")
    return actions


def test_plan_apply_and_status_call_only_what_the_policies_grant(world: World) -> None:
    lock_table = load_json(DEPLOY / "dynamodb-lock-table.json")
    boto3.client("dynamodb", endpoint_url=world.url, region_name=REGION).create_table(**lock_table)
    directory = str(world.directory)

    # A pull request's plan: read-only.
    before = world.control.calls()
    code, output = world.reconciler("plan", directory, "--format", "markdown")
    assert code == 0, output
    plan_calls = as_actions(world.calls_since(before))
    assert plan_calls <= permissions.read_only_actions(), plan_calls

    # Everything apply, status and the lock do, through every kind of change.
    before = world.control.calls()
    lock = ("--lock-table", lock_table["TableName"])
    code, output = world.reconciler("apply", directory, *lock)
    assert code == 0, output
    edits = [
        ("shared-gpu/llama-chat.yaml", "RuntimeConfig: {CopyCount: 2}", "RuntimeConfig: {CopyCount: 3}"),
        ("shared-gpu/mistral-summarize.yaml", "NumberOfCpuCoresRequired: 4", "NumberOfCpuCoresRequired: 2"),
        ("shared-gpu/endpoint.yaml", "InitialInstanceCount: 1", "InitialInstanceCount: 2"),
        ("classic/churn.yaml", "sagemaker-xgboost:1.7-1", "sagemaker-xgboost:1.7-2"),
        ("classic/churn.yaml", "tags: {team: growth}\nspec:\n  EndpointConfigName", "tags: {}\nspec:\n  EndpointConfigName"),
        ("shared-gpu/endpoint.yaml", "tags: {team: ml-platform}\nspec:\n  EndpointConfigName", "tags: {team: platform}\nspec:\n  EndpointConfigName"),
    ]  # fmt: skip
    if (world.directory / "hyperpod" / "cluster.yaml").exists():
        edits.append(("hyperpod/cluster.yaml", "InstanceCount: 2", "InstanceCount: 3"))
    for relative, old, new in edits:
        world.edit(relative, old, new)
        code, output = world.reconciler("apply", directory, *lock)
        assert code == 0, (relative, output)
    code, output = world.reconciler("status", directory)
    assert code == 0, output
    # Contention: the lock is read to name its holder.
    dynamodb = boto3.client("dynamodb", endpoint_url=world.url, region_name=REGION)
    with LeaseLock(
        AwsGateway(clients={"dynamodb": dynamodb}),
        lock_table["TableName"],
        lease=30,
        holder="controller",
    ) as held:
        assert held.try_acquire()
        waiting = LeaseLock(
            AwsGateway(clients={"dynamodb": dynamodb}),
            lock_table["TableName"],
            lease=30,
            holder="ci",
        )
        assert waiting.try_acquire() is False
        assert waiting.current_holder() == "controller"
    # Prune: what is no longer declared is deleted.
    (world.directory / "classic" / "churn.yaml").unlink()
    (world.directory / "hyperpod" / "cluster.yaml").unlink(missing_ok=True)
    summarize = world.directory / "shared-gpu" / "mistral-summarize.yaml"
    summarize.write_text(summarize.read_text().split("---")[0])  # keep its model, drop its IC
    code, output = world.reconciler("apply", directory, *lock)
    assert code == 0, output

    called = as_actions(world.calls_since(before))
    assert called <= permissions.required_actions(), called - permissions.required_actions()
    # The run did exercise what the policy is for.
    for action in (
        "sagemaker:UpdateEndpoint",
        "sagemaker:UpdateInferenceComponentRuntimeConfig",
        "sagemaker:UpdateInferenceComponent",
        "sagemaker:AddTags",
        "sagemaker:DeleteTags",
        "sagemaker:DeleteEndpoint",
        "sagemaker:DeleteInferenceComponent",
        "dynamodb:PutItem",
        "dynamodb:GetItem",
        "dynamodb:DeleteItem",
    ):
        assert action in called, action


# -- the Dockerfile ---------------------------------------------------------------------
def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments skipped."""
    instructions = []
    pending = ""
    for raw in (ROOT / "Dockerfile").read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, arguments = line.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def instruction(name: str) -> list[str]:
    return [arguments for keyword, arguments in dockerfile() if keyword == name]


def exec_form(arguments: str) -> list[str]:
    value = json.loads(arguments)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), arguments
    return value


def default_command() -> list[str]:
    (entrypoint,) = instruction("ENTRYPOINT") or ['["reconciler"]']
    (command,) = instruction("CMD")
    return exec_form(entrypoint) + exec_form(command)


def listen_port(args: argparse.Namespace) -> int:
    return int(str(args.listen).rpartition(":")[2])


def test_the_image_is_slim_python_311_with_the_package_and_nothing_more() -> None:
    assert instruction("FROM") == ["python:3.11-slim"]
    runs = " ".join(instruction("RUN"))
    assert re.search(r"pip install (\.|/src)(\s|$|&)", runs), runs
    assert "[dev" not in runs and "[emulator" not in runs
    env = " ".join(instruction("ENV"))
    assert "PYTHONUNBUFFERED=1" in env and "PIP_NO_CACHE_DIR=1" in env


def test_the_image_runs_a_real_command_as_a_non_root_user() -> None:
    argv = default_command()
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert argv[0] == "reconciler" and 'reconciler = "reconciler.cli:main"' in pyproject
    args = parse_cli(argv[1:])
    assert args.command == "run"
    assert args.directory == "/manifests"
    assert "mkdir /manifests" in " ".join(instruction("RUN"))
    assert str(args.listen).startswith("0.0.0.0:")  # reachable from outside the container
    assert instruction("EXPOSE") == [str(listen_port(args))]

    (user,) = instruction("USER")
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) != 0, "a numeric uid lets Kubernetes check runAsNonRoot"


def test_the_health_check_asks_for_a_path_the_server_serves() -> None:
    (healthcheck,) = instruction("HEALTHCHECK")
    command = exec_form(healthcheck[healthcheck.index("CMD") + 3 :].strip())
    assert command[0] == "python"  # slim has no curl
    (url,) = re.findall(r"http://[^'\"]+", " ".join(command))
    match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)(/\S*)", url)
    assert match, url
    assert int(match.group(1)) == listen_port(parse_cli(default_command()[1:]))
    assert match.group(2) == "/healthz"

    # Run the health check itself against the real health server (on a free port).
    server = HealthServer("127.0.0.1:0", ready=lambda: False, metrics=lambda: b"").start()
    try:
        port = server.address.rpartition(":")[2]
        probe = [sys.executable, *command[1:]]
        probe = [part.replace(f":{match.group(1)}/", f":{port}/") for part in probe]
        assert subprocess.run(probe, timeout=30).returncode == 0
    finally:
        server.stop()


def test_the_image_needs_neither_moto_nor_the_dev_tools() -> None:
    """The image installs no extras: the commands it runs must import without them."""
    code = (
        "import sys\n"
        "for blocked in ('moto', 'werkzeug', 'flask', 'pytest'):\n"
        "    sys.modules[blocked] = None\n"
        "import reconciler.cli, reconciler.commands.run, reconciler.commands.plan\n"
        "import reconciler.commands.apply, reconciler.commands.status, reconciler.permissions\n"
        "reconciler.permissions.required_actions()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_build_context_holds_what_the_image_copies_and_no_secrets() -> None:
    rules = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules[0] == "*"  # an allowlist
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    for copy in instruction("COPY"):
        *sources, _destination = copy.split()
        for source in sources:
            assert source in allowed, f"COPY {source} is excluded by .dockerignore"
            assert (ROOT / source).exists()
    assert not allowed & {".git", ".venv", "tests", ".env"}


# -- Kubernetes -------------------------------------------------------------------------
def kubernetes() -> dict[str, dict[str, Any]]:
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    objects = {}
    for resource in kustomization["resources"]:
        for document in yaml.safe_load_all((KUBERNETES / resource).read_text()):
            objects[document["kind"]] = document
    return objects


def containers(deployment: dict[str, Any]) -> dict[str, dict[str, Any]]:
    spec = deployment["spec"]["template"]["spec"]
    return {c["name"]: c for c in spec.get("initContainers", []) + spec["containers"]}


def flags(args: list[str]) -> dict[str, str]:
    return dict(arg[2:].split("=", 1) for arg in args if arg.startswith("--") and "=" in arg)


def test_kubernetes_manifests_parse_and_cover_the_pieces() -> None:
    objects = kubernetes()
    assert {"Namespace", "ServiceAccount", "Deployment", "Service"} <= set(objects)
    account = objects["ServiceAccount"]
    role = account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
    assert re.fullmatch(r"arn:aws:iam::\d{12}:role/[\w+=,.@-]+", role)
    pod = objects["Deployment"]["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == account["metadata"]["name"]
    assert pod["securityContext"]["runAsNonRoot"] is True


def test_the_controller_container_runs_a_command_the_cli_accepts() -> None:
    deployment = kubernetes()["Deployment"]
    controller = containers(deployment)["reconciler"]
    args = parse_cli(controller["args"])
    assert args.command == "run"
    # The image's entrypoint is `reconciler`; args replace only its CMD.
    assert "command" not in controller

    env = {e["name"]: e.get("value") for e in controller["env"]}
    assert {"AWS_REGION", "RECONCILER_OWNER", "RECONCILER_LOCK_TABLE"} <= set(env)
    table = load_json(DEPLOY / "dynamodb-lock-table.json")["TableName"]
    assert env["RECONCILER_LOCK_TABLE"] == table

    resources = controller["resources"]
    assert resources["requests"] and resources["limits"]["memory"]
    (docker_user,) = instruction("USER")
    assert controller["securityContext"]["runAsUser"] == int(docker_user.split(":")[0])

    spec = deployment["spec"]
    if spec["replicas"] > 1:
        # A standby replica is never Ready: a RollingUpdate would wait for it forever.
        assert spec["strategy"]["type"] == "Recreate"


def test_probes_and_metrics_point_at_the_port_and_paths_the_server_serves() -> None:
    deployment = kubernetes()["Deployment"]
    controller = containers(deployment)["reconciler"]
    port = listen_port(parse_cli(controller["args"]))
    ports = {p["name"]: p["containerPort"] for p in controller["ports"]}
    assert port in ports.values()

    def probe_port(probe: dict[str, Any]) -> int:
        value = probe["httpGet"]["port"]
        return ports[value] if isinstance(value, str) else int(value)

    liveness, readiness = controller["livenessProbe"], controller["readinessProbe"]
    assert liveness["httpGet"]["path"] == "/healthz" and probe_port(liveness) == port
    assert readiness["httpGet"]["path"] == "/readyz" and probe_port(readiness) == port

    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert int(annotations["prometheus.io/port"]) == port
    service = kubernetes()["Service"]
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= set(ports) | {port}

    # The health server answers these paths (not 404): alive, not yet ready, metrics.
    ready = False
    server = HealthServer("127.0.0.1:0", ready=lambda: ready, metrics=lambda: b"m 1\n").start()
    try:

        def status(path: str) -> int:
            try:
                with urllib.request.urlopen(f"http://{server.address}{path}", timeout=5) as r:
                    return int(r.status)
            except urllib.error.HTTPError as err:
                return err.code

        assert status(liveness["httpGet"]["path"]) == 200
        assert status(readiness["httpGet"]["path"]) == 503
        ready = True
        assert status(readiness["httpGet"]["path"]) == 200
        assert status(annotations["prometheus.io/path"]) == 200
    finally:
        server.stop()


def test_git_sync_publishes_where_the_controller_reads() -> None:
    deployment = kubernetes()["Deployment"]
    by_name = containers(deployment)
    controller = by_name["reconciler"]
    directory = parse_cli(controller["args"]).directory
    syncs = [c for c in by_name.values() if "git-sync" in c["image"]]
    assert {c["name"] for c in syncs} >= {"git-sync"}  # the sidecar, besides any init
    for sync in syncs:
        assert re.fullmatch(r"registry\.k8s\.io/git-sync/git-sync:v4\.\d+\.\d+", sync["image"])
        options = flags(sync["args"])
        root, link = options["root"], options["link"]
        assert directory.startswith(f"{root}/{link}/"), (directory, root, link)
        mounts = {m["name"]: m["mountPath"] for m in sync["volumeMounts"]}
        controller_mounts = {m["name"]: m["mountPath"] for m in controller["volumeMounts"]}
        shared = [name for name, path in mounts.items() if controller_mounts.get(name) == path]
        assert shared and mounts[shared[0]] == root
    sidecar = by_name["git-sync"]
    assert "--one-time" not in sidecar["args"]


# -- the GitHub workflow ----------------------------------------------------------------
def workflow() -> dict[Any, Any]:
    document: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text())
    # YAML 1.1 reads the key `on` as True.
    document["on"] = document.pop(True, document.get("on"))
    return document


def apply_jobs(document: dict[Any, Any]) -> dict[str, dict[str, Any]]:
    return {name: job for name, job in document["jobs"].items() if "environment" in job}


def step(job: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [s for s in job["steps"] if s.get("name") == name or s.get("id") == name]
    return found


def reconciler_invocations(document: dict[Any, Any]) -> dict[str, list[list[str]]]:
    """job → the `reconciler ...` commands of its run steps, variables expanded from the
    workflow's and the job's env, shell redirections and operators dropped."""
    found: dict[str, list[list[str]]] = {}
    for name, job in document["jobs"].items():
        env = {k: str(v) for k, v in {**document.get("env", {}), **job.get("env", {})}.items()}
        for each in job["steps"]:
            if "run" not in each or each.get("shell") == "python":
                continue
            for line in each["run"].splitlines():
                line = line.strip()
                if not line.startswith("reconciler "):
                    continue
                expanded = re.sub(
                    r"\$\{?(\w+)\}?", lambda m, env=env: env.get(m.group(1), "X"), line
                )
                words = []
                for word in shlex.split(expanded):
                    if word in (">", "2>", "|", "||", "&&", ";") or word.startswith((">", "2>")):
                        break
                    words.append(word)
                found.setdefault(name, []).append(words)
    return found


def test_the_workflow_plans_every_target_on_pull_requests_and_applies_main() -> None:
    document = workflow()
    assert "pull_request" in document["on"]
    assert document["on"]["push"]["branches"] == ["main"]
    # No permission for the whole workflow: each job asks for its own.
    assert document["permissions"] == {}
    plan_job = document["jobs"]["plan"]
    assert plan_job["permissions"] == {
        "id-token": "write",
        "contents": "read",
        "pull-requests": "write",
    }
    invocations = reconciler_invocations(document)
    (plan,) = invocations["plan"]
    plan_args = parse_cli(plan[1:])
    assert plan_args.command == "plan" and plan_args.all_targets
    assert plan_args.output_format == "markdown" and plan_args.graph
    assert plan_args.detailed_exitcode

    applies = apply_jobs(document)
    assert applies
    for name, job in applies.items():
        target = job["environment"]
        assert job["env"]["RECONCILER_TARGET"] == target, name
        (apply,) = invocations[name]
        apply_args = parse_cli(apply[1:])
        assert apply_args.command == "apply" and apply_args.auto_approve
        assert apply_args.target == target
        # The lock table is the target's (reconciler.yaml): a --lock-table that differs
        # from it would be refused.
        assert apply_args.lock_table is None
        assert "main" in job["if"] and "pull_request" in job["if"]
        assert job["concurrency"] == {
            "group": f"sagemaker-reconciler-apply-{target}",
            "cancel-in-progress": False,
        }
        assert job["permissions"] == {
            "id-token": "write",
            "contents": "read",
            "statuses": "write",
        }
    for job in document["jobs"].values():
        (credentials,) = [
            s
            for s in job["steps"]
            if str(s.get("uses", "")).startswith("aws-actions/configure-aws-credentials")
        ]
        assert credentials["with"]["role-to-assume"].startswith("${{ vars.RECONCILER_")
        assert any("pip install" in s.get("run", "") for s in job["steps"])
        for checkout in [s for s in job["steps"] if "actions/checkout" in s.get("uses", "")]:
            assert checkout["with"]["persist-credentials"] is False


def test_each_target_sets_a_commit_status_on_the_applied_commit() -> None:
    for job in apply_jobs(workflow()).values():
        statuses = [s for s in job["steps"] if "createCommitStatus" in str(s.get("with", {}))]
        assert len(statuses) == 2  # pending first, then the outcome
        first, last = statuses
        assert job["steps"].index(first) == 0 and job["steps"][-1] is last
        assert last["if"] == "always()"
        assert "job.status == 'success'" in last["env"]["STATE"]
        script = last["with"]["script"]
        assert "sagemaker-reconciler/apply/${target}" in script
        assert "process.env.RECONCILER_TARGET" in script and "sha: context.sha" in script


def readme_project(tmp_path: Path) -> Path:
    """The README's example project file, with its manifest directories, in a repository
    that holds the workflow where the README says to copy it."""
    readme = (ROOT / "README.md").read_text()
    (example,) = [
        block
        for block in re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL)
        if block.startswith("targets:") and "promotion:" in block
    ]
    (tmp_path / ".git").mkdir()
    path = tmp_path / "reconciler.yaml"
    path.write_text(example)
    for directory in re.findall(r"manifests: (\S+)", example):
        (tmp_path / directory).mkdir(parents=True, exist_ok=True)
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    return path


def run_the_workflow_check(
    repository: Path, workflow_text: str
) -> subprocess.CompletedProcess[str]:
    """The plan job's step that checks the apply jobs against reconciler.yaml, run as
    Actions runs it: in the checkout, with GITHUB_WORKFLOW_REF naming the workflow."""
    (repository / ".github" / "workflows" / "reconcile.yml").write_text(workflow_text)
    check = step(workflow()["jobs"]["plan"], "Check the apply jobs against reconciler.yaml")
    assert check["shell"] == "python"
    return subprocess.run(
        [sys.executable, "-c", check["run"]],
        cwd=repository,
        capture_output=True,
        text=True,
        env={
            **{k: v for k, v in os.environ.items() if k != "RECONCILER_PROJECT"},
            "PYTHONPATH": str(ROOT),
            "GITHUB_WORKFLOW_REF": "org/manifests/.github/workflows/reconcile.yml@refs/pull/7/merge",
        },
    )


def test_the_apply_jobs_follow_the_project_s_promotion_order(tmp_path: Path) -> None:
    path = readme_project(tmp_path)
    loaded, problems = project.load(path)
    assert loaded is not None, problems
    # The shipped workflow: one job per target of the README's project, each needing the
    # one before, in promotion order.
    document = workflow()
    applies = apply_jobs(document)
    chain: list[str] = []
    for name, job in applies.items():
        needs = job.get("needs")
        assert needs == (chain[-1] if chain else None), name
        chain.append(name)
    assert [applies[name]["environment"] for name in chain] == list(loaded.names)

    # Its own check says so ...
    result = run_the_workflow_check(tmp_path, WORKFLOW.read_text())
    assert result.returncode == 0, result.stderr
    assert "apply order: staging -> prod" in result.stdout
    # An environment with a URL is still the target's.
    with_url = WORKFLOW.read_text().replace(
        "    environment: prod\n", "    environment: {name: prod, url: https://example.com}\n"
    )
    assert run_the_workflow_check(tmp_path, with_url).returncode == 0
    # ... and fails a pull request that changes the promotion order but not the jobs ...
    path.write_text(
        path.read_text().replace("promotion: [staging, prod]", "promotion: [prod, staging]")
    )
    result = run_the_workflow_check(tmp_path, WORKFLOW.read_text())
    assert result.returncode == 1
    assert "apply ['staging', 'prod']" in result.stderr
    assert "promotes ['prod', 'staging']" in result.stderr
    # ... or whose jobs no longer chain.
    path.write_text(
        path.read_text().replace("promotion: [prod, staging]", "promotion: [staging, prod]")
    )
    unchained = WORKFLOW.read_text().replace("    needs: apply-staging\n", "")
    result = run_the_workflow_check(tmp_path, unchained)
    assert (
        result.returncode == 1
        and "each job `needs:` the job of the target before it" in result.stderr
    )


def test_the_workflow_tells_exit_code_2_from_failure() -> None:
    document = workflow()
    plan_job = document["jobs"]["plan"]
    plan_script = step(plan_job, "plan")["run"]
    # bash -e would end the step on exit 2: the code is captured instead.
    assert "|| code=$?" in plan_script
    failing = step(plan_job, "Fail when the plan failed")
    assert "'0'" in failing["if"] and "'2'" in failing["if"]
    # The exit code reaches the shell through env, not by expanding it into the script.
    assert "${{" not in failing["run"]
    assert "exit code" in WORKFLOW.read_text().lower()


def test_the_workflow_split_step_writes_the_comments(tmp_path: Path) -> None:
    plan_job = workflow()["jobs"]["plan"]
    split = step(plan_job, "Split the plan into comments")
    (tmp_path / "plan.md").write_text("### plan\n\n" + "| a | b |\n|---|---|\n" * 5)
    result = subprocess.run(
        [sys.executable, "-c", split["run"]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    parts = json.loads((tmp_path / "plan-comments.json").read_text())
    assert parts == [(tmp_path / "plan.md").read_text()]
    script = step(plan_job, "Comment on the pull request")["with"]["script"]
    assert "plan-comments.json" in script
    # The previous plan's comments are edited in place; new ones only for extra parts.
    assert "updateComment" in script and "createComment" in script


# The releases the workflow may use: full commit SHAs of releases whose action.yml says
# `runs.using: node24` (read at these commits of each action's repository; GitHub removed
# node20 from its runners in September 2026). The first node24 majors: actions/checkout v5,
# actions/setup-python v6, actions/github-script v8, aws-actions/configure-aws-credentials
# v6 (its CHANGELOG, 6.0.0: "Update action to use node24"; v5 still ran on node20).
NODE24_RELEASES = {
    "actions/checkout": {"fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09": "v5.1.0"},
    "actions/setup-python": {"ece7cb06caefa5fff74198d8649806c4678c61a1": "v6.3.0"},
    "actions/github-script": {"ed597411d8f924073f98dfc5c65a23a2325f34cd": "v8.0.0"},
    "aws-actions/configure-aws-credentials": {"e6de054238d6b7531b4efff3b6587d9aade6a06c": "v6.2.3"},
}
FIRST_NODE24_MAJOR = {
    "actions/checkout": 5,
    "actions/setup-python": 6,
    "actions/github-script": 8,
    "aws-actions/configure-aws-credentials": 6,
}


def test_every_action_is_pinned_to_a_release_on_a_supported_runtime() -> None:
    uses = re.findall(r"uses: ([\w.-]+/[\w.-]+)@(\S+)(?:  # (v[\d.]+))?", WORKFLOW.read_text())
    assert {action for action, _, _ in uses} == set(NODE24_RELEASES)
    for action, ref, version in uses:
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{action}@{ref}: pin the full commit SHA"
        assert NODE24_RELEASES[action].get(ref) == version, (action, ref, version)
        assert int(version[1:].split(".")[0]) >= FIRST_NODE24_MAJOR[action]
