"""Apply progress for people: a live view per resource on a terminal, plain lines otherwise.

Both take the executor's progress events — ``start``, ``call`` (operation), ``waiting``
(status), ``done`` (seconds), ``failed`` (error) — from many worker threads at once.
"""

from __future__ import annotations

import threading
import time
from typing import Any, TextIO


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class PlainProgress:
    """One line per call, per status change (or every 30 s of the same status), per end."""

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
            if event == "call":
                self.write(f"{address}: {fields['operation']}")
            elif event == "waiting":
                status = str(fields["status"])
                previous = self.last.get(address)
                if (
                    previous is None
                    or previous[0] != status
                    or now - previous[1] >= self.repeat_after
                ):
                    self.last[address] = (status, now)
                    self.write(f"{address}: {status}… {elapsed}")
            elif event == "done":
                self.write(f"{address}: {fields['result']} after {elapsed}")
            elif event == "failed":
                self.write(f"{address}: failed after {elapsed}: {fields['error']}")
            elif event == "checked":
                self.write(f"{address}: checks passed after {elapsed}")
            elif event == "reverting":
                self.write(f"{address}: checks failed, reverting: {'; '.join(fields['failures'])}")
            elif event == "checks-skipped":
                self.write(f"{address}: checks skipped (--skip-checks)")


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
        for address, state in self.active.items():
            self.stream.write(
                f"  {address}: {state}… {_clock(now - self.started.get(address, now))}\n"
            )
        self.drawn = len(self.active)
        self.stream.flush()

    def write(self, line: str) -> None:
        self._erase()
        self.stream.write(line + "\n")
        self._draw()

    def __call__(self, event: str, address: str, fields: dict[str, Any]) -> None:
        with self.lock:
            if event == "start":
                self.started.setdefault(address, time.monotonic())
                self.active[address] = "starting"
            elif event == "call":
                self.active[address] = str(fields["operation"])
            elif event == "waiting":
                self.active[address] = str(fields["status"])
            elif event in ("done", "failed"):
                self.active.pop(address, None)
        if event in ("done", "failed", "call"):
            super().__call__(event, address, fields)

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
