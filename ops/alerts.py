"""A short message to an incoming webhook when a run fails (Slack, Teams, Mattermost, or anything
that accepts a JSON POST): ``text`` is what those chat webhooks show, the other keys are for a
receiver that reads fields.

The webhook's URL usually is the secret (Slack's and Teams' carry their token in the path), so it
never leaves this module: no message, log record or result names it, only "the alert webhook
(LEADHOUSE_ALERT_WEBHOOK)" with the HTTP status or the exception's type. That is also why the
request goes through httpx's transport rather than an ``httpx.Client``: the client logs every
request with its full URL (logger ``httpx``, INFO), and an httpx exception's text or its
``request`` carries the URL too, so none is re-raised or logged.

Posting an alert never raises: a failed alert must not hide the failure it was about, which is
recorded in the warehouse anyway (``ops.run_failures``).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from ops.run_failures import RunFailure

log = logging.getLogger(__name__)

WEBHOOK_ENV = "LEADHOUSE_ALERT_WEBHOOK"
WEBHOOK = f"the alert webhook ({WEBHOOK_ENV})"
TEXT_ERROR_CHARACTERS = 300


def alert_webhook_url(environ: Mapping[str, str] | None = None) -> str | None:
    """The webhook alerts go to, from ``LEADHOUSE_ALERT_WEBHOOK``; None: no alerts."""
    value = (os.environ if environ is None else environ).get(WEBHOOK_ENV, "").strip()
    return value or None


def alert_message(failure: RunFailure) -> dict[str, Any]:
    """The JSON body: one line of ``text`` for a chat, and the fields behind it."""
    text = f"Leadhouse run failed: {failure.job_name} ({failure.run_id[:8]})"
    first_line = failure.error_first_line
    if first_line:
        if len(first_line) > TEXT_ERROR_CHARACTERS:
            first_line = first_line[: TEXT_ERROR_CHARACTERS - 1] + "…"
        text += f": {first_line}"
    return {
        "text": text,
        "run_id": failure.run_id,
        "job": failure.job_name,
        "failed_at": failure.failed_at.isoformat(),
        "error": failure.error_message,
        "ui_url": failure.ui_url,
    }


@dataclass(frozen=True)
class AlertResult:
    ok: bool
    status: int | None  # the webhook's last HTTP status; None: no answer
    attempts: int
    error: str | None = None  # what went wrong, never with the URL


class _RetryableAnswer(Exception):
    """The webhook answered 429 or 5xx: worth another attempt."""

    def __init__(self, status: int):
        super().__init__(f"HTTP {status}")
        self.status = status


def _post_once(transport: httpx.HTTPTransport, url: str, body: bytes, timeout: float) -> int:
    request = httpx.Request(
        "POST",
        url,
        content=body,
        headers={"Content-Type": "application/json", "User-Agent": "leadhouse-alerts"},
        extensions={"timeout": httpx.Timeout(timeout).as_dict()},
    )
    response = transport.handle_request(request)
    try:
        response.read()
    finally:
        response.close()
    if response.status_code == 429 or response.status_code >= 500:
        raise _RetryableAnswer(response.status_code)
    return response.status_code


def post_alert(
    url: str,
    failure: RunFailure,
    *,
    timeout: float = 10,
    attempts: int = 3,
    backoff_seconds: float = 1.0,
    sleep: Callable[[float], None] | None = None,
) -> AlertResult:
    """POST ``alert_message(failure)`` to ``url``, retried (exponential backoff with jitter from
    ``backoff_seconds``) while the webhook times out, cannot be reached or answers 429/5xx, at most
    ``attempts`` times. Redirects are not followed. Never raises, never names the URL."""
    if not url.lower().startswith(("https://", "http://")):
        return _failed(None, 0, f"{WEBHOOK} is not an http(s) URL; check the variable's value")
    body = json.dumps(alert_message(failure), ensure_ascii=False).encode("utf-8")
    retrying = Retrying(
        stop=stop_after_attempt(attempts),
        wait=wait_exponential_jitter(
            initial=backoff_seconds, max=30 * backoff_seconds, jitter=backoff_seconds
        ),
        retry=retry_if_exception_type((_RetryableAnswer, httpx.TransportError)),
        reraise=True,
        **({"sleep": sleep} if sleep else {}),
    )
    transport = httpx.HTTPTransport()
    try:
        status = retrying(_post_once, transport, url, body, timeout)
    except _RetryableAnswer as exc:
        return _failed(exc.status, _attempts(retrying), f"{WEBHOOK} answered HTTP {exc.status}")
    except httpx.InvalidURL:
        return _failed(None, _attempts(retrying), f"{WEBHOOK} is not a valid URL; check the variable's value")
    except httpx.TimeoutException as exc:
        return _failed(None, _attempts(retrying), f"{WEBHOOK} did not answer in time ({type(exc).__name__})")
    except Exception as exc:  # an httpx error's text names the URL: only its type leaves
        return _failed(None, _attempts(retrying), f"{WEBHOOK} could not be reached ({type(exc).__name__})")
    finally:
        transport.close()
    if not 200 <= status < 300:
        return _failed(status, _attempts(retrying), f"{WEBHOOK} refused the alert with HTTP {status}")
    log.info("alert for run %s posted to %s", failure.run_id, WEBHOOK)
    return AlertResult(ok=True, status=status, attempts=_attempts(retrying))


def _attempts(retrying: Retrying) -> int:
    return retrying.statistics.get("attempt_number", 1)


def _failed(status: int | None, attempts: int, error: str) -> AlertResult:
    if attempts > 1:
        error += f" after {attempts} attempts"
    log.warning("alert not posted: %s", error)
    return AlertResult(ok=False, status=status, attempts=attempts, error=error)


ALERTED_DIR = "alerted"


def post_alert_once(url: str, failure: RunFailure, state_dir: Path, **options: Any) -> AlertResult | None:
    """``post_alert`` unless this run's alert was already delivered (a marker file per run id in
    ``state_dir/alerted/``): a sensor tick that times out is evaluated again, and must not post the
    same failure twice. None when it was already posted. Only a delivered alert leaves a marker."""
    marker = Path(state_dir) / ALERTED_DIR / failure.run_id
    if marker.exists():
        return None
    result = post_alert(url, failure, **options)
    if result.ok:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    return result
