"""The emulator's own SageMaker operations: the hosting kinds and HyperPod clusters.

Each module here handles one resource kind and registers its operations with
:func:`operation`. The WSGI app looks an incoming ``X-Amz-Target: SageMaker.<Op>`` up in
:data:`OPERATIONS`; operations not found here go to moto unchanged.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reconciler.emulator.control import Control
from reconciler.emulator.lifecycle import Transitions
from reconciler.emulator.state import RegionState

JsonDict = dict[str, Any]


class NotHandled(Exception):
    """Raised by a handler to pass the request on to moto (e.g. tags of a training job)."""


@dataclass
class Context:
    """What a handler gets besides the request: the region's state and the control plane."""

    state: RegionState
    control: Control

    @property
    def transitions(self) -> Transitions:
        return self.control.transitions


Handler = Callable[[Context, JsonDict], JsonDict | None]

OPERATIONS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for the SageMaker operation `name`."""

    def register(handler: Handler) -> Handler:
        OPERATIONS[name] = handler
        return handler

    return register


def load_all() -> dict[str, Handler]:
    """Import every module of this package (each registers its operations as it is
    imported, so a new kind's module needs no line here) and return the table."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return OPERATIONS
