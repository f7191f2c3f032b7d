"""How a destination call is retried and paced: tenacity's exponential backoff with jitter, a
``Retry-After`` the destination asks for taking its place (capped), and a requests-per-second
limit per destination. Only ``TransientError`` is retried; anything else is an answer."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from exports.config import Retry

T = TypeVar("T")


class TransientError(Exception):
    """The destination did not answer usefully (timeout, dropped connection, 429, 5xx): try again.
    ``retry_after`` is the wait in seconds the destination asked for, if it did."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class DestinationError(Exception):
    """The destination refuses the whole sync (credentials, a missing table): retrying will not help."""


class DestinationUnavailable(Exception):
    """The destination is not configured here (no connection string, no endpoint): the sync is
    skipped, with this reason."""


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


class _WaitRetryAfter:
    """The destination's Retry-After when it gave one (never more than ``ceiling``), else the fallback."""

    def __init__(self, fallback, ceiling: float):
        self.fallback = fallback
        self.ceiling = ceiling

    def __call__(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        asked = getattr(error, "retry_after", None)
        if asked is not None:
            return min(asked, self.ceiling)
        return self.fallback(state)


class RateLimiter:
    """At most ``per_second`` calls a second (evenly spaced), shared by the threads that use it."""

    def __init__(self, per_second: float | None):
        self.interval = 1.0 / per_second if per_second else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)


class Delivery:
    """Calls a destination operation with the sync's retry policy and the destination's rate limit."""

    def __init__(
        self,
        retry: Retry,
        requests_per_second: float | None = None,
        on_retry: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.retry = retry
        self.limiter = RateLimiter(requests_per_second)
        self.on_retry = on_retry
        self.sleep = sleep
        self.retries = 0

    def _before_sleep(self, state: RetryCallState) -> None:
        self.retries += 1
        if self.on_retry:
            error = state.outcome.exception()
            wait = state.next_action.sleep if state.next_action else 0
            self.on_retry(f"attempt {state.attempt_number} failed ({error}); retrying in {wait:.1f} s")

    def call(self, operation: Callable[[], T]) -> T:
        def paced() -> T:
            self.limiter.wait()
            return operation()

        retrying = Retrying(
            stop=stop_after_attempt(self.retry.max_attempts),
            wait=_WaitRetryAfter(
                wait_exponential_jitter(initial=self.retry.initial_seconds, max=self.retry.max_wait_seconds),
                self.retry.max_wait_seconds,
            ),
            retry=retry_if_exception_type(TransientError),
            before_sleep=self._before_sleep,
            sleep=self.sleep,
            reraise=True,
        )
        return retrying(paced)
