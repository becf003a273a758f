"""``python -m benchmarks.fleet [scenario ...] [--runs N] [--size N] [--keep]``: the command
line, the run of the scenarios and the markdown they print (see the package docstring)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from benchmarks.fleet.manifests import RESOURCES_PER_GROUP
from benchmarks.fleet.processes import BenchError, log
from benchmarks.fleet.scenarios import DEFAULT_SCENARIOS, SCENARIOS, Bench
from benchmarks.fleet.tables import Table, combined


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.fleet",
        description="Fleet benchmarks of validate / plan / apply against the local emulator.",
    )
    parser.add_argument(
        "scenarios",
        nargs="*",
        metavar="scenario",
        help=f"any of {', '.join(SCENARIOS)} (default: {' '.join(DEFAULT_SCENARIOS)})",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median; default 3)")
    parser.add_argument(
        "--size",
        type=int,
        default=100,
        help="IC endpoint groups (10 resources each; default 100 = 1,000 resources; "
        "plan-10k uses 10x)",
    )
    parser.add_argument(
        "--rss-method",
        choices=("auto", "gnu-time", "launcher"),
        default="auto",
        help="how to read the child's peak RSS (default auto: GNU time when it works)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch directory (manifests, logs)"
    )
    args = parser.parse_args(argv)
    unknown = [s for s in args.scenarios if s not in SCENARIOS]
    if unknown:
        parser.error(
            f"unknown scenario(s) {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}"
        )
    if args.runs < 1 or args.size < 1:
        parser.error("--runs and --size must be at least 1")
    args.scenarios = args.scenarios or list(DEFAULT_SCENARIOS)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="reconciler-bench-"))
    started = time.monotonic()
    tables: list[Table] = []
    try:
        with ExitStack() as stack:
            bench = Bench(
                runs=args.runs,
                size=args.size,
                scratch=scratch,
                stack=stack,
                rss_method=args.rss_method,
            )
            print(
                f"## Fleet benchmarks — {dt.date.today().isoformat()}\n\n"
                f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, "
                f"Python {platform.python_version()}, {platform.system()}\n"
                f"- medians of {args.runs} run(s); IC fleet {args.size} groups x "
                f"{RESOURCES_PER_GROUP} = {args.size * RESOURCES_PER_GROUP} resources\n"
                f"- peak RSS: {bench.memory.description}\n",
                flush=True,
            )
            for name in args.scenarios:
                log(f"scenario {name}")
                for table in SCENARIOS[name](bench):
                    print(table.render(), flush=True)
                    tables.append(table)
    except BenchError as err:
        log(f"failed: {err}")
        return 1
    finally:
        if args.keep:
            log(f"scratch kept at {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(combined(tables, args.runs))
    log(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
