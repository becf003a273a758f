"""A fake of the project's own API to AWS (reconciler.gateway.Gateway) for unit tests, and a
raw client that fails loudly if anything reaches past the gateway.

``FakeGateway`` answers each operation from a table (an answer dict, a list of pages, a
function of the request, or an :class:`~reconciler.errors.AwsError` to raise) and records
every call in order. An operation with no answer fails the test: a unit test states every
call it expects.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from reconciler.errors import AwsError
from reconciler.resources import JsonDict

Answer = JsonDict | list[JsonDict] | AwsError | Callable[[JsonDict], Any]


def aws_error(
    operation: str,
    code: str,
    message: str = "",
    *,
    temporary: bool = False,
    not_found: bool = False,
    already_exists: bool = False,
    busy: bool = False,
) -> AwsError:
    return AwsError(
        operation,
        code,
        message,
        temporary=temporary,
        not_found=not_found,
        already_exists=already_exists,
        busy=busy,
    )


def not_found(operation: str, what: str = "it") -> AwsError:
    return aws_error(operation, "ValidationException", f"Could not find {what}.", not_found=True)


class FakeGateway:
    """answers: operation → Answer (the same for every service). pool: pool_size's answer."""

    def __init__(self, answers: dict[str, Answer] | None = None, *, pool: int = 10) -> None:
        self.answers: dict[str, Answer] = dict(answers or {})
        self.pool = pool
        self.calls: list[tuple[str, str, JsonDict]] = []
        self._lock = threading.Lock()

    def _answer(self, service: str, operation: str, request: JsonDict) -> Any:
        with self._lock:
            self.calls.append((service, operation, request))
        if operation not in self.answers:
            raise AssertionError(f"unexpected call {service}:{operation}({request})")
        answer = self.answers[operation]
        if isinstance(answer, AwsError):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    def call(self, service: str, operation: str, **request: Any) -> JsonDict:
        answer: JsonDict = self._answer(service, operation, request)
        return answer

    def pages(self, service: str, operation: str, **request: Any) -> Iterator[JsonDict]:
        answer = self._answer(service, operation, request)
        yield from answer if isinstance(answer, list) else [answer]

    def pool_size(self, service: str) -> int:
        return self.pool

    def operations(self) -> list[str]:
        return [operation for _, operation, _ in self.calls]

    def requests(self, operation: str) -> list[JsonDict]:
        return [request for _, op, request in self.calls if op == operation]


class Untouchable:
    """A raw boto3 client stand-in that fails the test on any use: what is given one must
    go through the gateway (and, given a fake gateway, never reach AWS)."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a raw AWS client was touched: .{name}")
