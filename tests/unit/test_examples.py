"""The example manifests under ``manifests/`` are valid as a whole (the scale-to-zero example
included, so the capacity preflight over its scaling bounds passes), and the suites' copy of
the example fleet leaves the scale-to-zero example out unless asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler import cli
from tests.support.env import EXAMPLES, copy_examples


def _validate(directory: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    code = cli.main(["validate", str(directory)])
    captured = capsys.readouterr()
    assert code == 0, captured.out + captured.err
    return captured.out


def test_every_example_under_manifests_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert (EXAMPLES / "scale-to-zero").is_dir()
    assert "18 resources in 8 files are valid" in _validate(EXAMPLES, capsys)


def test_the_example_fleet_leaves_scale_to_zero_out_unless_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet = copy_examples(tmp_path / "fleet")
    assert not (fleet / "scale-to-zero").exists()
    assert "10 resources in 5 files are valid" in _validate(fleet, capsys)

    everything = copy_examples(tmp_path / "everything", with_scale_to_zero=True)
    assert "18 resources in 8 files are valid" in _validate(everything, capsys)

    hosting = copy_examples(tmp_path / "hosting", hosting_only=True, with_scale_to_zero=True)
    assert not (hosting / "hyperpod").exists()
    assert "17 resources in 7 files are valid" in _validate(hosting, capsys)


def test_the_readme_s_checks_example_is_valid_and_its_plan_lines_are_the_code_s(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """README "Checks and verified apply": its example Endpoint, put in place of the example
    churn Endpoint, validates; the plan lines the README quotes are what plan prints."""
    from reconciler.manifests import load
    from reconciler.resources import Kind

    readme = (EXAMPLES.parent / "README.md").read_text()
    section = readme[readme.index("### Checks and verified apply") :]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    fleet = copy_examples(tmp_path / "fleet")
    churn = fleet / "classic" / "churn.yaml"
    text = churn.read_text()
    churn.write_text(text[: text.index("apiVersion: sagemaker-reconciler/v1\nkind: Endpoint\n")])
    (fleet / "classic" / "checked.yaml").write_text(example)
    _validate(fleet, capsys)
    endpoint = load(fleet).get(Kind.ENDPOINT, "churn")
    assert endpoint is not None and endpoint.checks is not None
    words = " ".join(section.split())
    for line in endpoint.checks.summary():  # what views/human.py prints after "check: "
        assert f"`check: {line}`" in words, line
