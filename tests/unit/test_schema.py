"""`reconciler schema`: the JSON Schemas editors read accept what validate accepts in the
examples, and point at the same mistakes a person makes most (a misspelt field, a wrong
type, a value outside an enum) — the help an editor gives before validate runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from reconciler import cli, schema
from tests.support.env import EXAMPLES


@pytest.fixture(scope="module")
def manifests() -> Draft7Validator:
    document = schema.manifest_schema()
    Draft7Validator.check_schema(document)
    return Draft7Validator(document)


def _examples() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(EXAMPLES.rglob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document:
                found.append(
                    (f"{path.relative_to(EXAMPLES)}:{document['metadata']['name']}", document)
                )
    return found


def test_every_example_manifest_fits_the_schema(manifests: Draft7Validator) -> None:
    examples = _examples()
    assert len(examples) >= 10
    for where, document in examples:
        errors = [e.message for e in manifests.iter_errors(document)]
        assert errors == [], where


def _errors(validator: Draft7Validator, document: dict[str, Any]) -> list[str]:
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def test_the_schema_points_at_a_misspelt_field_a_wrong_type_and_an_unknown_value(
    manifests: Draft7Validator,
) -> None:
    (_, config) = next((w, d) for w, d in _examples() if d["kind"] == "EndpointConfig")
    variant = config["spec"]["ProductionVariants"][0]
    variant["InstanceTyp"] = variant.pop("InstanceType")
    variant["InitialInstanceCount"] = "one"
    config["spec"].setdefault(
        "DataCaptureConfig",
        {
            "InitialSamplingPercentage": 50,
            "DestinationS3Uri": "s3://b/p",
            "CaptureOptions": [{"CaptureMode": "Sideways"}],
        },
    )
    errors = _errors(manifests, config)
    assert any("InstanceTyp" in e and "not allowed" in e for e in errors), errors
    assert any(
        e.startswith(
            "spec.ProductionVariants.0.InitialInstanceCount: 'one' is not of type 'integer'"
        )
        for e in errors
    ), errors
    assert any("CaptureMode: 'Sideways' is not one of" in e for e in errors), errors
    unknown_kind = {
        "apiVersion": "sagemaker-reconciler/v1",
        "kind": "Modle",
        "metadata": {"name": "m"},
        "spec": {},
    }
    assert any(
        e.startswith("kind: 'Modle' is not one of") for e in _errors(manifests, unknown_kind)
    )


def test_the_project_schema_reads_a_project_file(tmp_path: Path) -> None:
    validator = Draft7Validator(schema.project_schema())
    good = {
        "targets": {
            "prod": {
                "region": "us-west-2",
                "account_id": "222222222222",
                "manifests": "overlays/prod",
            }
        },
        "promotion": ["prod"],
    }
    assert _errors(validator, good) == []
    bad = {
        "targets": {"prod": {"region": "us-west-2", "account_id": 222222222222, "manifest": "x"}}
    }
    errors = _errors(validator, bad)
    assert any(e.startswith("targets.prod: 'manifests' is a required property") for e in errors), (
        errors
    )
    assert any("222222222222 is not of type 'string'" in e for e in errors), errors


def test_the_command_writes_both_schemas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["schema", "--out", str(tmp_path / "schemas")]) == 0
    written = sorted(p.name for p in (tmp_path / "schemas").iterdir())
    assert written == ["manifest.schema.json", "project.schema.json"]
    document = json.loads((tmp_path / "schemas" / "manifest.schema.json").read_text())
    assert document["$schema"] == schema.DRAFT
    capsys.readouterr()
    assert cli.main(["schema", "--print", "project"]) == 0
    assert json.loads(capsys.readouterr().out)["required"] == ["targets"]
