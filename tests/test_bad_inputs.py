"""`reconciler validate` on a corpus of invalid inputs: each case is refused (exit 1) with the
problem at the expected ``file:line`` and wording.

Each directory under ``tests/bad_inputs/`` is one case: manifest files plus ``expect.txt``,
whose line 1 is the ``file:line`` relative to the case directory and line 2 a substring of
the same stderr line (message or field).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler import cli

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = sorted(path for path in CORPUS.iterdir() if path.is_dir())


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 45


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_refused_at_its_line(case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    where, needle = (case / "expect.txt").read_text(encoding="utf-8").splitlines()[:2]

    assert cli.main(["validate", str(case)]) == 1

    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    # The location is a path suffix: "/main.yaml:7:" does not match "other-main.yaml:7:".
    matching = [line for line in lines if f"/{where}: " in line and needle in line]
    assert matching, f"no stderr line has {where} and {needle!r}:\n{err}"
    assert "Traceback" not in err
