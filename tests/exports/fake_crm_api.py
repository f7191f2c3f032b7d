"""A CRM batch API on 127.0.0.1 (a free port, a thread of the test process) that answers with
scripted failures before it behaves: ``script`` is a list of actions, one per request, taken in
order; once it is empty every request succeeds.

Actions: ``("status", code)``, ``("status", code, {"Retry-After": "2"})``, ``("slow", seconds)``
(answers 200 after the client's timeout; the batch is NOT applied), ``("drop",)`` (applies the
batch, then closes the connection without an answer: the client cannot know it landed),
``("reject", [ids])`` (400 naming those records, nothing applied), ``("partial", [ids])`` (200,
applies the others, names those in ``errors``).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeCrmApi:
    def __init__(self, token: str | None = None):
        self.token = token
        self.script: list[tuple] = []
        self.records: dict[str, dict] = {}  # what the CRM holds: id -> properties
        self.requests: list[dict] = []  # every request: path, ids, authorized, action
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep the test output clean
                pass

            def _answer(self, code: int, body: dict, headers: dict | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                inputs = body["inputs"]
                ids = [r["id"] for r in inputs]
                with api.lock:
                    action = api.script.pop(0) if api.script else ("ok",)
                    authorized = (
                        api.token is None or self.headers.get("Authorization") == f"Bearer {api.token}"
                    )
                    api.requests.append(
                        {"path": self.path, "ids": ids, "action": action[0], "authorized": authorized}
                    )
                if not authorized:
                    return self._answer(401, {"message": "bad token"})
                kind = action[0]
                if kind == "status":
                    return self._answer(
                        action[1], {"message": "scripted"}, action[2] if len(action) > 2 else None
                    )
                if kind == "slow":
                    time.sleep(action[1])
                    return self._answer(200, {"results": []})
                if kind == "reject":
                    errors = [{"id": i, "message": f"invalid email for {i}"} for i in action[1]]
                    return self._answer(400, {"errors": errors})
                refused = set(action[1]) if kind == "partial" else set()
                api.apply(self.path, [r for r in inputs if r["id"] not in refused])
                if kind == "drop":
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return None
                errors = [{"id": i, "message": f"duplicate record {i}"} for i in refused]
                return self._answer(
                    200, {"results": [{"id": i} for i in ids if i not in refused], "errors": errors}
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def apply(self, path: str, inputs: list[dict]) -> None:
        with self.lock:
            for record in inputs:
                if path.endswith("/delete"):
                    self.records.pop(record["id"], None)
                else:
                    self.records[record["id"]] = record["properties"]

    def __enter__(self) -> FakeCrmApi:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
