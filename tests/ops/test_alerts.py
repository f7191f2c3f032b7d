"""ops.alerts: the webhook receives a short message, a 5xx is retried, and the webhook's URL (its
secret) appears in no result and no log record, whatever goes wrong."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime

import pytest

from ops.alerts import WEBHOOK, alert_message, alert_webhook_url, post_alert
from ops.run_failures import RunFailure
from tests.ops.fake_webhook import FakeWebhook

TOKEN = "xoxb-7c1f2e9a-SECRET"
FAILURE = RunFailure(
    run_id="8f1d2c3b-1111-4000-8000-000000000001",
    job_name="refresh_warehouse",
    failed_at=datetime(2026, 5, 4, 6, 30, tzinfo=UTC),
    error_message="dbt build failed: 2 tests failed\nTraceback (most recent call last):",
    failed_steps=["marts__dim_leads"],
    ui_url="http://127.0.0.1:3000/runs/8f1d2c3b",
)


def fast(**kwargs) -> dict:
    """Retries without the production waits."""
    return {"backoff_seconds": 0.01, "timeout": 2} | kwargs


def everything_logged(caplog) -> str:
    return "\n".join(
        f"{record.name} {record.getMessage()} {record.exc_text or ''} {record.args!r}"
        for record in caplog.records
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_webhook_receives_a_short_message():
    with FakeWebhook() as webhook:
        result = post_alert(f"{webhook.url}/services/T0/B0/{TOKEN}", FAILURE, **fast())
    assert (result.ok, result.status, result.attempts, result.error) == (True, 200, 1, None)
    (request,) = webhook.requests
    assert request["path"] == f"/services/T0/B0/{TOKEN}"
    assert request["body"] == {
        "text": "Leadhouse run failed: refresh_warehouse (8f1d2c3b): dbt build failed: 2 tests failed",
        "run_id": "8f1d2c3b-1111-4000-8000-000000000001",
        "job": "refresh_warehouse",
        "failed_at": "2026-05-04T06:30:00+00:00",
        "error": "dbt build failed: 2 tests failed\nTraceback (most recent call last):",
        "ui_url": "http://127.0.0.1:3000/runs/8f1d2c3b",
    }


def test_a_server_error_is_retried():
    with FakeWebhook([500]) as webhook:
        result = post_alert(webhook.url, FAILURE, **fast())
    assert (result.ok, result.status, result.attempts) == (True, 200, 2)
    assert len(webhook.requests) == 2


def test_a_refusal_is_not_retried():
    with FakeWebhook([404]) as webhook:
        result = post_alert(webhook.url, FAILURE, **fast())
    assert (result.ok, result.status, result.attempts) == (False, 404, 1)
    assert result.error == f"{WEBHOOK} refused the alert with HTTP 404"


def test_a_failing_webhook_never_shows_its_url(caplog):
    with caplog.at_level(logging.DEBUG), FakeWebhook([500, 503, 502]) as webhook:
        url = f"{webhook.url}/services/T0/B0/{TOKEN}?token={TOKEN}"
        result = post_alert(url, FAILURE, **fast())
    assert (result.ok, result.status, result.attempts) == (False, 502, 3)
    assert result.error == f"{WEBHOOK} answered HTTP 502 after 3 attempts"
    assert TOKEN not in repr(result)
    logged = everything_logged(caplog)
    assert "answered HTTP 502" in logged  # the failure is logged, without its URL
    assert TOKEN not in logged and webhook.url not in logged


def test_an_unreachable_webhook_never_shows_its_url(caplog):
    url = f"http://127.0.0.1:{free_port()}/hooks/{TOKEN}"
    with caplog.at_level(logging.DEBUG):
        result = post_alert(url, FAILURE, **fast(attempts=2))
    assert (result.ok, result.status, result.attempts) == (False, None, 2)
    assert result.error == f"{WEBHOOK} could not be reached (ConnectError) after 2 attempts"
    assert TOKEN not in everything_logged(caplog)


@pytest.mark.parametrize(
    ("url", "error"),
    [
        (f"ftp://example.com/{TOKEN}", "is not an http(s) URL"),
        (TOKEN, "is not an http(s) URL"),
        (f"http://[::1/{TOKEN}", "is not a valid URL"),
        (f"http://127.0.0.1:99999/{TOKEN}", "could not be reached (ConnectError)"),
    ],
)
def test_a_malformed_url_is_an_answer_not_an_exception(url, error, caplog):
    with caplog.at_level(logging.DEBUG):
        result = post_alert(url, FAILURE, **fast())
    assert not result.ok
    assert result.error.startswith(f"{WEBHOOK} {error}")
    assert TOKEN not in result.error and TOKEN not in everything_logged(caplog)


def test_the_text_keeps_the_first_line_of_the_error_only():
    long = RunFailure(
        "r" * 36, "rescore_leads", datetime(2026, 5, 4, tzinfo=UTC), "x" * 1000 + "\nsecond line"
    )
    assert alert_message(long)["text"] == f"Leadhouse run failed: rescore_leads (rrrrrrrr): {'x' * 299}…"
    quiet = RunFailure("abc", "rescore_leads", datetime(2026, 5, 4, tzinfo=UTC))
    assert alert_message(quiet)["text"] == "Leadhouse run failed: rescore_leads (abc)"


def test_the_webhook_comes_from_the_environment():
    assert alert_webhook_url({"LEADHOUSE_ALERT_WEBHOOK": " https://hooks.example.com/x "}) == (
        "https://hooks.example.com/x"
    )
    assert alert_webhook_url({"LEADHOUSE_ALERT_WEBHOOK": ""}) is None
    assert alert_webhook_url({}) is None
