"""What apply did, for a person at a terminal: the resources that failed or were skipped
(with why), then one line of counts in the past tense. Pure: an apply report in, text out.

The report is read through the small protocol below (the executor's ``ApplyReport`` fits
it), so views need not import the executor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

# Results that are worth a line of their own.
_NOTED = ("failed", "skipped")


class OutcomeView(Protocol):
    @property
    def address(self) -> str: ...

    @property
    def result(self) -> str: ...

    @property
    def detail(self) -> str: ...


class ReportView(Protocol):
    @property
    def outcomes(self) -> Sequence[OutcomeView]: ...

    def counts(self) -> dict[str, int]:
        """Outcomes per result, every result in its order (zeros included)."""
        ...


def render(report: ReportView) -> str:
    lines = [""]
    for outcome in report.outcomes:
        if str(outcome.result) in _NOTED:
            lines.append(f"{outcome.address}: {outcome.result}: {outcome.detail}")
    counts = report.counts()
    lines.append("Apply: " + ", ".join(f"{n} {r}" for r, n in counts.items() if n) + ".")
    return "\n".join(lines) + "\n"
