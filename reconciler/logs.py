"""Structured logs (structlog) on stderr, with stable field names: event, address, action,
operation, status, duration, error. ``--log-format json`` gives one JSON object a line
for log shippers; ``console`` is for people."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog


def configure(log_format: str = "console", level: str = "warning") -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper())),
        # sys.stderr as it is when a line is written, not as it was when configured (a
        # test's captured stream, or a redirected one, may be gone by then).
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )


def _stderr_logger(*args: Any) -> structlog.PrintLogger:
    return structlog.PrintLogger(file=sys.stderr)


def log_progress(event: str, address: str, fields: dict[str, Any]) -> None:
    """An executor progress hook that logs every event."""
    logger = structlog.get_logger("reconciler")
    names = {
        "start": "change_started",
        "call": "api_call",
        "waiting": "waiting",
        "done": "change_done",
        "failed": "change_failed",
    }
    method = logger.error if event == "failed" else logger.info
    method(names.get(event, event), address=address, **fields)
