"""Secrets: Environment values whose key looks secret (HF_TOKEN, DB_PASSWORD, API_KEY) or
is annotated sensitive (MY_CUSTOM) never appear in any output — plan (human, JSON,
markdown), the saved plan file, apply (console and JSON logs), status, error messages —
and a changed secret shows as `(sensitive)` on both sides of the diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.reliability.support import tally
from tests.support.env import Env

SECRETS = {
    "HF_TOKEN": "hf_secret_value",
    "DB_PASSWORD": "db-secret-value",
    "API_KEY": "api-secret-value",
    "MY_CUSTOM": "custom-secret-value",
}


def _declare_secrets(env: Env, values: dict[str, str]) -> None:
    """llama-model gets the secrets; MY_CUSTOM is hidden by annotation only."""
    path = env.directory / "shared-gpu" / "llama-chat.yaml"
    text = path.read_text()
    text = text.replace(
        "  tags: {team: ml-platform}\n",
        "  tags: {team: ml-platform}\n"
        '  annotations: {sagemaker-reconciler/sensitive: "MY_CUSTOM"}\n',
        1,
    )
    lines = "".join(f"      {key}: {value}\n" for key, value in values.items())
    text = text.replace('MAX_INPUT_LENGTH: "4096"\n', f'MAX_INPUT_LENGTH: "4096"\n{lines}', 1)
    path.write_text(text)


def _leaks(text: str) -> list[str]:
    return [value for value in SECRETS.values() if value in text]


@pytest.fixture
def secret_fleet(env: Env) -> Env:
    _declare_secrets(env, SECRETS)
    return env


def test_secret_values_appear_in_no_output(secret_fleet: Env, tmp_path: Path) -> None:
    env = secret_fleet
    directory = str(env.directory)
    planfile = tmp_path / "plan.json"
    outputs: dict[str, str] = {}

    for name, argv in {
        "plan": ["plan", directory],
        "plan --json": ["plan", directory, "--json"],
        "plan --format markdown": ["plan", directory, "--format", "markdown"],
        "plan --out": ["plan", directory, "--out", str(planfile), "--log-format", "json"],
    }.items():
        run = env.reconciler(*argv)
        assert run.code == 0, run.err
        outputs[name] = run.out + run.err
    # The saved plan holds the changes (masked diffs), 8-hex fingerprints and the
    # manifests' digest: no spec, so no secret either.
    outputs["saved plan file"] = planfile.read_text()
    assert set(json.loads(outputs["saved plan file"])) == {
        "format_version",
        "owner",
        "changes",
        "summary",
        "fingerprints",
        "manifests",
    }
    run = env.reconciler(
        "apply",
        str(planfile),
        "--auto-approve",
        "--log-format",
        "json",
        "--log-level",
        "debug",
        "--poll-interval",
        "0.01",
    )
    assert run.code == 0, run.err
    outputs["apply PLANFILE --log-format json --log-level debug"] = run.out + run.err

    for name, argv in {
        "status": ["status", directory, "--endpoint-url", env.url],
        "status --json": ["status", directory, "--json", "--endpoint-url", env.url],
    }.items():
        run = env.reconciler(*argv)
        assert run.code == 0, run.err
        outputs[name] = run.out + run.err

    # The secrets change: the model is replaced, its diff shows (sensitive) both sides.
    for value in SECRETS.values():
        env.edit("shared-gpu/llama-chat.yaml", f": {value}\n", f": {value}-v2\n")
    run = env.reconciler("plan", directory, "--json")
    assert run.code == 0, run.err
    outputs["plan --json, secrets changed"] = run.out + run.err
    (model,) = [c for c in json.loads(run.out)["changes"] if c["address"] == "Model/llama-model"]
    diff = {d["path"].rsplit(".", 1)[-1]: (d["before"], d["after"]) for d in model["diff"]}
    assert diff == dict.fromkeys(SECRETS, ("(sensitive)", "(sensitive)"))
    run = env.reconciler("plan", directory, "--format", "markdown")
    outputs["plan --format markdown, secrets changed"] = run.out + run.err
    assert "(sensitive)" in run.out

    # A failed apply: SageMaker refuses to move the inference component to the new model.
    env.control.add_fault(
        "UpdateInferenceComponent", "ValidationException", message="Model is not compatible"
    )
    run = env.apply("--log-format", "json")
    env.control.clear_faults()
    assert run.code == 1
    assert "Model is not compatible" in run.out + run.err
    outputs["failed apply --log-format json"] = run.out + run.err

    # A plan failing for another reason: a misspelt field next to the secrets.
    env.edit("shared-gpu/llama-chat.yaml", "    ModelDataUrl:", "    ModelDataURL:")
    run = env.reconciler("plan", directory)
    assert run.code == 1
    assert "ModelDataURL" in run.err
    outputs["plan error (misspelt field)"] = run.out + run.err

    # (The changed values start with the old ones: looking for the old finds both.)
    leaks = {name: _leaks(text) for name, text in outputs.items()}
    assert {name: found for name, found in leaks.items() if found} == {}
    tally("secrets: outputs searched for the secret values, 0 found", len(outputs))


def test_a_secret_of_the_wrong_type_is_not_echoed_in_the_error(env: Env) -> None:
    # An unquoted numeric password is a YAML int: invalid, and reported — without its value.
    _declare_secrets(env, {"DB_PASSWORD": "8675309", "MY_CUSTOM": "4242.5"})
    run = env.reconciler("plan", str(env.directory))
    assert run.code == 1
    assert "DB_PASSWORD" in run.err
    assert "8675309" not in run.err
    assert "4242.5" not in run.err
