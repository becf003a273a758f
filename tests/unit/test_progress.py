"""The apply progress views (reconciler/views/progress.py): what a user sees of a rollout
and its checks, on a terminal (LiveProgress) and in a log or CI (PlainProgress) — fed the
progress events the executor emits, in the order it emits them."""

from __future__ import annotations

import io
import re
import time
from typing import Any

from reconciler.views.progress import LiveProgress, PlainProgress

EVIDENCE = "check smoke failed: expected status 200, got 500 (status 500, 3 ms, body 'x')"
A = "Endpoint/churn"

# What Executor.verify says around an update whose check fails and is reverted.
REVERTED: list[tuple[str, dict[str, Any]]] = [
    ("start", {"action": "update", "part": "main"}),
    ("call", {"operation": "UpdateEndpoint"}),
    ("waiting", {"status": "Updating"}),
    ("call", {"operation": "InvokeEndpoint", "check": "smoke"}),
    ("reverting", {"failures": [EVIDENCE]}),
    ("waiting", {"status": "Updating"}),
    (
        "reverted",
        {"message": f"reverted with UpdateEndpoint: {EVIDENCE}", "failures": [EVIDENCE]},
    ),
    ("failed", {"error": f"{EVIDENCE}; reverted with UpdateEndpoint; the new spec is held"}),
]
# ... around one whose alarms bake, then pass.
BAKED: list[tuple[str, dict[str, Any]]] = [
    ("start", {"action": "update", "part": "main"}),
    ("call", {"operation": "UpdateEndpoint"}),
    ("baking", {"seconds_left": 60}),
    ("baking", {"seconds_left": 59}),
    ("checked", {"checks": 1}),
    ("done", {"result": "updated", "action": "update", "part": "main"}),
]
SKIPPED: list[tuple[str, dict[str, Any]]] = [
    ("start", {"action": "update", "part": "main"}),
    ("call", {"operation": "UpdateEndpoint"}),
    ("checks-skipped", {"checks": 1}),
    ("done", {"result": "updated", "action": "update", "part": "main"}),
]
_CONTROL = re.compile(r"\x1b\[\d*[A-Z]")


def scrolled(text: str) -> list[str]:
    """The lines a terminal keeps: without the live view's redrawn bottom lines."""
    return [
        line
        for line in _CONTROL.sub("", text).splitlines()
        if line and not line.startswith("  ")  # the active lines are indented
    ]


def _clocked(line: str) -> str:
    """`line` with its running clock as ``Ns`` (``after 0s``, ``… 1m02s``)."""
    return re.sub(r"(after|…) (\d+m)?\d+s\b", r"\1 Ns", line)


def fed(view: Any, events: list[tuple[str, dict[str, Any]]]) -> None:
    for event, fields in events:
        view(event, A, fields)


def plain(events: list[tuple[str, dict[str, Any]]]) -> list[str]:
    out = io.StringIO()
    fed(PlainProgress(out), events)
    return [_clocked(line) for line in out.getvalue().splitlines()]


def live(events: list[tuple[str, dict[str, Any]]]) -> list[str]:
    out = io.StringIO()
    view = LiveProgress(out, interval=60.0)  # no redraw by the clock during the test
    try:
        fed(view, events)
    finally:
        view.close()
    return [_clocked(line) for line in scrolled(out.getvalue())]


def test_a_reverted_check_is_shown_on_a_terminal_as_in_a_log() -> None:
    checks = [
        f"{A}: InvokeEndpoint (check smoke)",
        f"{A}: checks failed, reverting: {EVIDENCE}",
        f"{A}: reverted with UpdateEndpoint after Ns; the new spec is held",
    ]
    on_terminal = live(REVERTED)
    for line in checks:
        assert line in on_terminal, on_terminal
        assert line in plain(REVERTED)
    # The failures are said once each by the view, not repeated by the revert line.
    assert sum(EVIDENCE in line for line in on_terminal) == 2  # reverting, failed


def test_a_revert_names_what_it_went_back_to_when_the_executor_says() -> None:
    events = [
        *REVERTED[:6],
        ("reverted", {"message": "m", "operation": "UpdateEndpoint", "reverted_to": "churn-1a2b"}),
    ]
    line = f"{A}: reverted with UpdateEndpoint to churn-1a2b after Ns; the new spec is held"
    assert line in live(events) and line in plain(events)


def test_passed_and_skipped_checks_are_shown_on_a_terminal() -> None:
    assert f"{A}: checks passed after Ns" in live(BAKED)
    assert f"{A}: checks passed after Ns" in plain(BAKED)
    assert f"{A}: checks skipped (--skip-checks)" in live(SKIPPED)
    assert f"{A}: checks skipped (--skip-checks)" in plain(SKIPPED)


def test_a_bake_is_the_resource_s_active_line_and_one_plain_line() -> None:
    out = io.StringIO()
    view = LiveProgress(out, interval=0.01)
    try:
        fed(view, BAKED[:4])
        deadline = time.monotonic() + 5
        while "  Endpoint/churn: baking, 59s left… " not in out.getvalue():
            assert time.monotonic() < deadline, out.getvalue()
            time.sleep(0.01)
    finally:
        view.close()
    # Plain: once as it starts (a bake's seconds left are no new state), not each look.
    assert [line for line in plain(BAKED) if "baking" in line] == [f"{A}: baking, 60s left… Ns"]
