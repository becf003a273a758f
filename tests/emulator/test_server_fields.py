"""The emulator's ``server_fields`` mode: ``aws`` answers what SageMaker fills in, ``extra``
adds further plausible server-filled fields (to prove clients never depend on the
emulator's silence) — set through the control API or ``reconciler emulator
--server-fields``."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from typing import Any

import pytest

from tests.support.factories import (
    create_model,
    create_model_config,
    ic_endpoint,
    ic_request,
)


def _contains(big: Any, small: Any) -> bool:
    """True when `big` has everything `small` has, with the same values (extra keys allowed)."""
    if isinstance(small, dict):
        return isinstance(big, dict) and all(
            k in big and _contains(big[k], v) for k, v in small.items()
        )
    if isinstance(small, list):
        return (
            isinstance(big, list)
            and len(big) == len(small)
            and all(_contains(b, s) for b, s in zip(big, small, strict=True))
        )
    return bool(big == small)


def _without_metadata(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


def _hosting(sm: Any) -> None:
    """A classic endpoint and an IC endpoint with one component, all InService."""
    create_model(sm, "classic-model")
    create_model_config(sm, "classic-config", "classic-model")
    sm.create_endpoint(EndpointName="classic", EndpointConfigName="classic-config")
    ic_endpoint(sm)
    sm.create_inference_component(**ic_request())


def _describe_all(sm: Any) -> dict[str, dict[str, Any]]:
    answers = {
        "Model": sm.describe_model(ModelName="classic-model"),
        "EndpointConfig": sm.describe_endpoint_config(EndpointConfigName="classic-config"),
        "Endpoint": sm.describe_endpoint(EndpointName="classic"),
        "InferenceComponent": sm.describe_inference_component(InferenceComponentName="llama-chat"),
    }
    return {kind: _without_metadata(answer) for kind, answer in answers.items()}


def test_default_mode_is_aws(emulator: Any) -> None:
    assert emulator.control.server_fields() == "aws"
    status, config = emulator.control._send("GET", "config", None)
    assert status == 200
    assert config == {"transitions": "immediate", "server_fields": "aws"}


def test_mode_is_set_through_the_control_api(emulator: Any) -> None:
    emulator.control.set_server_fields("extra")
    assert emulator.control.server_fields() == "extra"
    emulator.control.set_server_fields("aws")
    assert emulator.control.server_fields() == "aws"


@pytest.mark.parametrize("value", ["chatty", "", "EXTRA", 3])
def test_bad_mode_is_refused_and_nothing_changes(emulator: Any, value: Any) -> None:
    status, answer = emulator.control._send(
        "POST", "config", {"server_fields": value, "transitions": "describes:2"}
    )
    assert status == 400
    assert "server_fields" in answer["error"]
    assert emulator.control.server_fields() == "aws"
    # A malformed request changes nothing, not even its valid part.
    assert emulator.control.transitions() == "immediate"


def test_extra_mode_only_adds_to_every_hosting_describe(emulator: Any, sm: Any) -> None:
    _hosting(sm)
    aws = _describe_all(sm)
    emulator.control.set_server_fields("extra")
    extra = _describe_all(sm)
    for kind in aws:
        assert extra[kind] != aws[kind], f"{kind}: extra mode added nothing"
        assert _contains(extra[kind], aws[kind]), f"{kind}: extra mode changed an AWS field"


def test_extra_mode_fields_nobody_asked_for(emulator: Any, sm: Any) -> None:
    _hosting(sm)
    emulator.control.set_server_fields("extra")
    answers = _describe_all(sm)

    model = answers["Model"]
    assert model["DeploymentRecommendation"] == {"RecommendationStatus": "NOT_APPLICABLE"}
    assert model["PrimaryContainer"]["ImageConfig"] == {"RepositoryAccessMode": "Platform"}
    assert model["PrimaryContainer"]["Environment"] == {}

    config = answers["EndpointConfig"]
    assert config["MetricsConfig"] == {"EnableEnhancedMetrics": False}
    [variant] = config["ProductionVariants"]
    assert variant["EnableSSMAccess"] is False
    assert variant["RoutingConfig"] == {"RoutingStrategy": "RANDOM"}
    assert variant["ModelDataDownloadTimeoutInSeconds"] == 600

    [summary] = answers["Endpoint"]["ProductionVariants"]
    assert summary["ManagedInstanceScaling"] == {"Status": "DISABLED"}
    assert summary["RoutingConfig"] == {"RoutingStrategy": "RANDOM"}

    component = answers["InferenceComponent"]
    spec = component["Specification"]
    assert spec["StartupParameters"] == {
        "ModelDataDownloadTimeoutInSeconds": 3600,
        "ContainerStartupHealthCheckTimeoutInSeconds": 600,
    }
    assert spec["SchedulingConfig"] == {"PlacementStrategy": "SPREAD"}
    # What AWS mode fills in stays as it was (not the extra mode's default).
    assert spec["DataCacheConfig"] == {"EnableCaching": True}
    assert component["RuntimeConfig"]["PlacementStatus"] == [
        {"InstanceType": "ml.g5.12xlarge", "CurrentCopyCount": 1}
    ]


def test_extra_mode_never_overrides_what_was_declared(emulator: Any, sm: Any) -> None:
    ic_endpoint(sm)
    request = ic_request()
    request["Specification"]["StartupParameters"] = {"ModelDataDownloadTimeoutInSeconds": 1200}
    sm.create_inference_component(**request)
    emulator.control.set_server_fields("extra")
    spec = sm.describe_inference_component(InferenceComponentName="llama-chat")["Specification"]
    assert spec["StartupParameters"] == {"ModelDataDownloadTimeoutInSeconds": 1200}


def test_lists_keep_the_summary_shapes_in_extra_mode(emulator: Any, sm: Any) -> None:
    _hosting(sm)
    emulator.control.set_server_fields("extra")
    assert set(sm.list_models()["Models"][0]) == {"ModelName", "ModelArn", "CreationTime"}
    assert set(sm.list_inference_components()["InferenceComponents"][0]) == {
        "CreationTime",
        "InferenceComponentArn",
        "InferenceComponentName",
        "EndpointArn",
        "EndpointName",
        "VariantName",
        "InferenceComponentStatus",
        "LastModifiedTime",
    }


def test_emulator_command_takes_server_fields() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "emulator", "--port", "0", "--server-fields", "extra"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.removeprefix("SageMaker emulator listening on ").strip()
        assert url.startswith("http://"), line
        with urllib.request.urlopen(f"{url}/_emulator/config", timeout=10) as response:
            assert json.loads(response.read())["server_fields"] == "extra"
    finally:
        process.kill()
        process.wait(timeout=10)


def test_emulator_command_refuses_a_bad_server_fields() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", "emulator", "--server-fields", "chatty"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode != 0
    assert "--server-fields" in result.stderr
    assert "Traceback" not in result.stderr
