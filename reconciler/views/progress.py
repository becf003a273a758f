"""Apply progress for people: a live view per resource on a terminal, plain lines otherwise.

Both take the executor's progress events from many worker threads at once: ``start``,
``call`` (operation; ``check`` for a check's InvokeEndpoint), ``waiting`` (status),
``done`` (result, seconds), ``failed`` (error), and those of verified apply —
``checks-skipped``, ``baking`` (seconds_left), ``checked``, ``reverting`` (failures),
``reverted`` (message; operation and reverted_to when given). Both say the same things:
:func:`said` is the line an event scrolls, :func:`state` what a resource is doing now
(the live view's bottom lines; the plain view writes a state when it changes, or every
30 s while it lasts).
"""

from __future__ import annotations

import threading
import time
from typing import Any, TextIO

# Events that only move a resource's state: no line of their own.
_STATE_ONLY = ("start", "waiting", "baking")


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def _operation(fields: dict[str, Any]) -> str:
    check = fields.get("check")
    return f"{fields['operation']} (check {check})" if check else str(fields["operation"])


def state(event: str, fields: dict[str, Any]) -> str | None:
    """What a resource is doing after `event` (None: the event does not change it)."""
    if event == "start":
        return "starting"
    if event == "call":
        return _operation(fields)
    if event == "waiting":
        return str(fields["status"])
    if event == "baking":
        return f"baking, {fields['seconds_left']}s left"
    if event == "reverting":
        return "reverting"
    return None


def said(event: str, fields: dict[str, Any], elapsed: str) -> str | None:
    """The line `event` scrolls (after ``address: ``), None for a state-only event.
    `elapsed`: the resource's clock."""
    failures = "; ".join(str(f) for f in fields.get("failures", []))
    if event in _STATE_ONLY:
        return None
    if event == "call":
        return _operation(fields)
    if event == "done":
        return f"{fields['result']} after {elapsed}"
    if event == "failed":
        return f"failed after {elapsed}: {fields['error']}"
    if event == "checks-skipped":
        return "checks skipped (--skip-checks)"
    if event == "checked":
        return f"checks passed after {elapsed}"
    if event == "reverting":
        return f"checks failed, reverting: {failures}"
    if event == "reverted":
        if fields.get("operation"):
            to = f" to {fields['reverted_to']}" if fields.get("reverted_to") else ""
            how = f"reverted with {fields['operation']}{to}"
        else:  # the message repeats the failures the reverting line gave
            how = str(fields.get("message", "reverted")).removesuffix(f": {failures}")
        return f"{how} after {elapsed}; the new spec is held"
    return None


class PlainProgress:
    """One line per call, per check event, per end, and per state change (or every 30 s
    of the same status; every 30 s of a bake)."""

    def __init__(self, stream: TextIO, repeat_after: float = 30.0) -> None:
        self.stream = stream
        self.repeat_after = repeat_after
        self.lock = threading.Lock()
        self.started: dict[str, float] = {}
        self.last: dict[str, tuple[str, float]] = {}

    def write(self, line: str) -> None:
        print(line, file=self.stream, flush=True)

    def __call__(self, event: str, address: str, fields: dict[str, Any]) -> None:
        now = time.monotonic()
        with self.lock:
            if event == "start":
                self.started.setdefault(address, now)
                return
            elapsed = _clock(now - self.started.get(address, now))
            if event in ("waiting", "baking"):
                # A bake's seconds left change at every look: it is one state.
                key = str(fields["status"]) if event == "waiting" else event
                previous = self.last.get(address)
                if previous is None or previous[0] != key or now - previous[1] >= self.repeat_after:
                    self.last[address] = (key, now)
                    self.write(f"{address}: {state(event, fields)}… {elapsed}")
                return
            line = said(event, fields, elapsed)
            if line is not None:
                self.write(f"{address}: {line}")


class LiveProgress(PlainProgress):
    """On a terminal: finished lines scroll, resources in progress stay at the bottom, each
    with its state and a running clock ("Endpoint/shared-gpu: Creating… 2m10s")."""

    def __init__(self, stream: TextIO, interval: float = 0.5) -> None:
        super().__init__(stream)
        self.active: dict[str, str] = {}
        self.drawn = 0
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._tick, args=(interval,), daemon=True)
        self.thread.start()

    def _erase(self) -> None:
        if self.drawn:
            self.stream.write(f"\x1b[{self.drawn}F\x1b[J")
        self.drawn = 0

    def _draw(self) -> None:
        now = time.monotonic()
        for address, doing in self.active.items():
            self.stream.write(
                f"  {address}: {doing}… {_clock(now - self.started.get(address, now))}\n"
            )
        self.drawn = len(self.active)
        self.stream.flush()

    def write(self, line: str) -> None:
        self._erase()
        self.stream.write(line + "\n")
        self._draw()

    def __call__(self, event: str, address: str, fields: dict[str, Any]) -> None:
        now = time.monotonic()
        with self.lock:
            if event == "start":
                self.started.setdefault(address, now)
            if event in ("done", "failed"):
                self.active.pop(address, None)
            elif (now_doing := state(event, fields)) is not None:
                self.active[address] = now_doing
            line = said(event, fields, _clock(now - self.started.get(address, now)))
            if line is not None:
                self.write(f"{address}: {line}")

    def _tick(self, interval: float) -> None:
        while not self.stop_event.wait(interval):
            with self.lock:
                self._erase()
                self._draw()

    def close(self) -> None:
        self.stop_event.set()
        self.thread.join()
        with self.lock:
            self._erase()
            self.stream.flush()
