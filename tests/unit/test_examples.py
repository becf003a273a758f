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
