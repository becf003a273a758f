"""End-to-end: the `reconciler` CLI (called in-process through `cli.main`) against the
emulator over HTTP, with asynchronous transitions so that waiting is exercised (the world
itself is `tests.support.env`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.env import Env, copy_examples, serving


@pytest.fixture
def env(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Env]:
    directory = copy_examples(tmp_path / "manifests")
    with serving() as served:
        yield Env(served.url, served.control, directory, capsys)
