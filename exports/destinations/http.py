"""A CRM's batch upsert API over HTTP (JSON), the shape HubSpot's and Salesforce's batch endpoints
share (docs/exports.md):

    POST <url><upsert_path>   {"inputs": [{"id": "<key>", "properties": {"<field>": <value>, ...}}, ...]}
    POST <url><delete_path>   {"inputs": [{"id": "<key>"}, ...]}

- 2xx: done; ``{"errors": [{"id": ..., "message": ...}]}`` in the body names records it refused.
- 400/409/422: the request was refused because of the records its ``errors`` name: those are
  rejected and the rest is sent again (all of it rejected when none is named).
- 408, 429 (``Retry-After`` honoured), 5xx, a timeout, a dropped connection: transient, retried.
- 401/403: the token is refused; the sync stops.

The token comes from the environment variable ``token_env`` names; it is a header of the client
and nowhere else: never in a message, a log line, run metadata or the warehouse.
"""

from __future__ import annotations

import functools
import json
from datetime import date, datetime

import httpx
import polars as pl

from exports.config import HttpDestination
from exports.delivery import Delivery, DestinationError, TransientError, parse_retry_after
from exports.destinations import KEY, DeliversAtOnce, Rejections, required_env

_REFUSING = (400, 409, 422)
_TRANSIENT = (408, 425, 429)


def _json_default(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot send {type(value).__name__} as JSON")


def _named_errors(response: httpx.Response) -> dict[str, str]:
    try:
        body = response.json()
    except ValueError:
        return {}
    errors = body.get("errors") if isinstance(body, dict) else None
    named = {}
    for error in errors or []:
        if isinstance(error, dict) and error.get("id") is not None:
            named[str(error["id"])] = str(error.get("message") or "refused")[:500]
    return named


def _sent_keys(named: dict[str, str], records: list[dict]) -> dict[str, str]:
    """The API's errors by the keys as they were sent (an API may answer an id in another case or
    with spaces). An error naming a record that was not sent is the API's mistake: the sync stops
    rather than record a refused row as delivered."""
    sent = {str(r["id"]).strip().lower(): r["id"] for r in records}
    keyed = {}
    for name, message in named.items():
        key = sent.get(name.strip().lower())
        if key is None:
            raise DestinationError(f"the API refused a record it was not sent ({name[:60]!r}): {message}")
        keyed[key] = message
    return keyed


class HttpBatchApi(DeliversAtOnce):
    def __init__(self, destination: HttpDestination, delivery: Delivery, url: str):
        self.destination = destination
        self.delivery = delivery
        self.url = url
        self.identity = f"http:{self.url}"
        headers = {"Content-Type": "application/json", "User-Agent": "leadhouse-export"}
        if destination.token_env:
            headers["Authorization"] = "Bearer " + required_env(destination.token_env, "the CRM API's token")
        self._client = httpx.Client(headers=headers, timeout=httpx.Timeout(destination.timeout_seconds))

    def close(self) -> None:
        self._client.close()

    def _post(self, path: str, records: list[dict]) -> httpx.Response:
        body = json.dumps({"inputs": records}, default=_json_default).encode()
        try:
            response = self._client.post(self.url + path, content=body)
        except httpx.TimeoutException:
            seconds = self.destination.timeout_seconds
            raise TransientError(f"no answer from {self.url}{path} within {seconds} s") from None
        except httpx.TransportError as exc:
            raise TransientError(f"{self.url}{path}: {type(exc).__name__}") from None
        status = response.status_code
        if status in _TRANSIENT or status >= 500:
            raise TransientError(
                f"{self.url}{path} answered HTTP {status}",
                parse_retry_after(response.headers.get("Retry-After")),
            )
        if status in (401, 403):
            raise DestinationError(
                f"{self.url}{path} refused the credentials (HTTP {status}); check {self.destination.token_env}"
            )
        return response

    def _send(self, path: str, records: list[dict]) -> Rejections:
        rejected: Rejections = {}
        while records:
            response = self.delivery.call(functools.partial(self._post, path, records))
            named = _sent_keys(_named_errors(response), records)
            if response.is_success:
                rejected.update({k: f"refused by the API: {m}" for k, m in named.items()})
                return rejected
            if response.status_code not in _REFUSING:
                raise DestinationError(f"{self.url}{path} answered HTTP {response.status_code}")
            if not named:  # refused without saying which record: all of them
                reason = f"HTTP {response.status_code}: {response.text[:300]}"
                rejected.update({r["id"]: f"refused by the API: {reason}" for r in records})
                return rejected
            rejected.update({k: f"refused by the API: {m}" for k, m in named.items()})
            records = [r for r in records if r["id"] not in named]
        return rejected

    def upsert(self, batch: pl.DataFrame, mode: str) -> Rejections:
        fields = [c for c in batch.columns if c != KEY]
        rejected: Rejections = {}
        size = self.destination.batch_size
        for start in range(0, batch.height, size):
            part = batch.slice(start, size)
            records = [
                {"id": row[KEY], "properties": {f: row[f] for f in fields}}
                for row in part.iter_rows(named=True)
            ]
            rejected |= self._send(self.destination.upsert_path, records)
        return rejected

    def delete(self, keys: list[str]) -> Rejections:
        rejected: Rejections = {}
        size = self.destination.batch_size
        for start in range(0, len(keys), size):
            rejected |= self._send(
                self.destination.delete_path, [{"id": k} for k in keys[start : start + size]]
            )
        return rejected
