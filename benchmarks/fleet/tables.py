"""Figures as markdown: one table a scenario (the median of the runs beside every run), and a
combined summary of the headline figures."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


def fmt_seconds(value: float) -> str:
    return f"{value:.2f} s"


def fmt_mib(value: float) -> str:
    return f"{value:.0f} MiB"


def fmt_count(value: float) -> str:
    return f"{value:g}"


def fmt_ratio(value: float) -> str:
    return f"{value:.2f}x"


def fmt_per(value: float) -> str:
    return f"{value:.3g}"


def median(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


@dataclass
class Table:
    title: str
    runs: int
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # further markdown (e.g. by operation)
    summary: list[tuple[str, str]] = field(default_factory=list)  # for the combined table

    def add(
        self,
        metric: str,
        values: Sequence[float | None],
        fmt: Callable[[float], str],
        *,
        headline: bool = False,
    ) -> float | None:
        value = median(values)
        shown = "n/a" if value is None else fmt(value)
        every = ", ".join("n/a" if v is None else fmt(v) for v in values)
        self.rows.append((metric, shown, every))
        if headline:
            self.summary.append((metric, shown))
        return value

    def ratio(self, metric: str, value: float, *, headline: bool = True) -> None:
        self.rows.append((metric, fmt_ratio(value), "ratio of the medians"))
        if headline:
            self.summary.append((metric, fmt_ratio(value)))

    def by_operation(self, runs: Sequence[dict[str, int]], resources: int) -> None:
        operations = sorted({op for run in runs for op in run})
        lines = [
            "",
            f"API calls by operation (median of {len(runs)} runs, {resources} resources):",
            "",
            "| operation | calls | per resource |",
            "|---|---:|---:|",
        ]
        for op in operations:
            value = statistics.median([run.get(op, 0) for run in runs])
            lines.append(f"| {op} | {value:g} | {fmt_per(value / resources)} |")
        total = statistics.median([sum(run.values()) for run in runs])
        lines.append(f"| **total** | **{total:g}** | **{fmt_per(total / resources)}** |")
        self.extra.extend(lines)

    def render(self) -> str:
        lines = [
            f"### {self.title}",
            "",
            f"| metric | median of {self.runs} | runs |",
            "|---|---:|---|",
        ]
        lines += [f"| {metric} | {value} | {every} |" for metric, value, every in self.rows]
        lines += self.extra
        if self.notes:
            lines.append("")
            lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"


def combined(tables: Sequence[Table], runs: int) -> str:
    lines = [
        f"### Summary (medians of {runs} runs)",
        "",
        "| scenario | metric | value |",
        "|---|---|---:|",
    ]
    for table in tables:
        for metric, value in table.summary:
            lines.append(f"| {table.title.split(' ')[0]} | {metric} | {value} |")
    return "\n".join(lines) + "\n"


def fmt_ms(value: float) -> str:
    return f"{value:.2f} ms"
