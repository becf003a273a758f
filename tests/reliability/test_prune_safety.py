"""Prune safety: with the converged fleet in the account, manifests that are empty,
missing, unparsable, or a git checkout caught half-written never delete anything — not
by `apply`, not by one pass of `reconciler run` — and `--max-deletes` is honoured."""

from __future__ import annotations

import shutil
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reliability.support import controller, tally
from tests.reliability.verify import account_tags, assert_converged
from tests.support.calls import delta, writes_of
from tests.support.controller import http_get, metric, wait_for
from tests.support.env import Env


def _empty(env: Env) -> None:
    shutil.rmtree(env.directory)
    env.directory.mkdir()


def _missing(env: Env) -> None:
    shutil.rmtree(env.directory)


def _none_parses(env: Env) -> None:
    for path in env.directory.rglob("*.yaml"):
        path.write_text("apiVersion: sagemaker-reconciler/v1\nkind: [Model\nmetadata: {name: x}\n")


def _truncate_after(path: Path, marker: str, occurrence: int = 1) -> None:
    """Cut `path` right after the `occurrence`-th `marker`, as an interrupted write would."""
    text = path.read_text()
    cut = -1
    for _ in range(occurrence):
        cut = text.index(marker, cut + 1)
    path.write_text(text[: cut + len(marker)])


def _half_written_checkout(env: Env) -> None:
    # A checkout interrupted part-way: one file cut inside its third document's kind,
    # one cut inside a key, one not written yet, the rest complete.
    _truncate_after(env.directory / "classic" / "churn.yaml", "kind: Endp", occurrence=1)
    _truncate_after(env.directory / "shared-gpu" / "llama-chat.yaml", "  VariantNa")
    (env.directory / "shared-gpu" / "mistral-summarize.yaml").unlink()


# case → (how the manifests break, what apply's stderr says, the controller pass's result)
BROKEN: dict[str, tuple[Callable[[Env], None], list[str], str]] = {
    "empty-directory": (_empty, ["the manifests declare nothing", "--allow-empty"], "error"),
    "missing-directory": (_missing, ["manifests: directory does not exist"], "invalid"),
    "no-file-parses": (_none_parses, ["churn.yaml:3: invalid YAML"], "invalid"),
    "half-written-checkout": (
        _half_written_checkout,
        ["churn.yaml:14: kind: unknown kind 'Endp'", "llama-chat.yaml:24: invalid YAML"],
        "invalid",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_apply_deletes_nothing(fleet: Env, case: str) -> None:
    breaks, messages, _ = BROKEN[case]
    snapshot = account_tags(fleet)
    breaks(fleet)
    before = fleet.control.calls()
    run = fleet.apply()
    assert run.code == 1, run.out + run.err
    for message in messages:
        assert message in run.err, run.err
    assert "Traceback" not in run.err
    assert writes_of(delta(before, fleet.control.calls())) == {}
    assert account_tags(fleet) == snapshot
    tally("prune safety: broken manifest sets given to apply, each with 0 writes")


def _passes(base: str) -> str | None:
    """The metrics once the controller has made a pass."""
    text = http_get(f"{base}/metrics")[1]
    return text if metric(text, "reconciler_passes_total") >= 1 else None


@pytest.mark.parametrize("case", list(BROKEN))
def test_one_controller_pass_deletes_nothing(fleet: Env, case: str, tmp_path: Path) -> None:
    breaks, _, result = BROKEN[case]
    snapshot = account_tags(fleet)
    breaks(fleet)
    before = fleet.control.calls()
    with controller(fleet, tmp_path / "run", "--interval", "1s") as (child, base):
        text = wait_for(lambda: _passes(base), what="a pass")
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=15) == 0
    assert metric(text, f'reconciler_passes_total{{result="{result}"}}') >= 1, text
    assert writes_of(delta(before, fleet.control.calls())) == {}
    assert account_tags(fleet) == snapshot
    tally("prune safety: broken manifest sets given one controller pass, each with 0 writes")


def test_max_deletes_is_honoured(fleet: Env) -> None:
    (fleet.directory / "classic" / "churn.yaml").unlink()  # Model, EndpointConfig, Endpoint
    before = fleet.control.calls()
    run = fleet.apply("--max-deletes", "2")
    assert run.code == 1
    assert "the plan deletes 3 resources, more than --max-deletes 2" in run.err
    assert writes_of(delta(before, fleet.control.calls())) == {}
    assert "Endpoint/churn" in {name for name in account_tags(fleet)}

    run = fleet.apply("--max-deletes", "3")
    assert run.code == 0, run.out + run.err
    assert_converged(fleet)
