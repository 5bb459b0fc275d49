"""OPA servers for tests, on loopback only.

`opa_server()` yields the base URL of an OPA REST server:

- with an `opa` binary on PATH, the real one: `opa run --server` on a free loopback port;
- otherwise a small Data-API server (`http.server` in a thread) whose evaluations are done by
  the Go OPA engine itself, through `opa-golib-python-bindings` (ctypes over the Go library
  Gatekeeper also embeds). It implements what astra-guard uses: `PUT`/`GET`/`DELETE
  /v1/policies/{id}` (compiling the whole module set on each change, as OPA does),
  `POST /v1/data/{path}` and `GET /health`, with OPA's status codes and error bodies.

The bindings evaluate with strict builtin errors (a failing builtin raises), where `opa run`
leaves the expression undefined; docs/engine-differences.md records that difference.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class GoOpaState:
    """The policies a server holds, compiled by the Go OPA engine."""

    def __init__(self) -> None:
        from opa_bindings import OpaEngine

        self._engine_class = OpaEngine
        self.policies: dict[str, str] = {}
        self.lock = threading.Lock()
        self.engine = OpaEngine()
        self.stale = False

    def _compiled(self, policies: dict[str, str]) -> Any:
        engine = self._engine_class()
        for policy_id, source in policies.items():
            engine.add_policy(policy_id, source)
        engine.eval_query("x := 1")  # compiles every module, as OPA does on each policy change
        return engine

    def put(self, policy_id: str, source: str) -> None:
        candidate = {**self.policies, policy_id: source}
        engine = self._compiled(candidate)
        self.engine.close()
        self.policies, self.engine, self.stale = candidate, engine, False

    def delete(self, policy_id: str) -> bool:
        """Removes a policy; the engine is rebuilt at the next evaluation (deletes come in bursts)."""
        if policy_id not in self.policies:
            return False
        del self.policies[policy_id]
        self.stale = True
        return True

    def evaluate(self, document: str, input_value: Any) -> Any:
        if self.stale:
            self.engine.close()
            self.engine, self.stale = self._compiled(self.policies), False
        return self.engine.eval_document(document, input_value)


def _handler(state: GoOpaState) -> type[BaseHTTPRequestHandler]:
    from opa_bindings import OpaError, OpaUndefinedError

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: Any) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _path(self, prefix: str) -> str:
            return unquote(urlsplit(self.path).path[len(prefix):]).strip("/")

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == "/health":
                self._send(200, {})
            elif path.rstrip("/") == "/v1/policies":
                with state.lock:
                    self._send(200, {"result": [{"id": k, "raw": v} for k, v in state.policies.items()]})
            elif path.startswith("/v1/policies/"):
                with state.lock:
                    raw = state.policies.get(self._path("/v1/policies/"))
                if raw is None:
                    self._send(404, {"code": "resource_not_found", "message": "storage_not_found_error: policy id"})
                else:
                    self._send(200, {"result": {"id": self._path("/v1/policies/"), "raw": raw}})
            else:
                self._send(404, {"code": "resource_not_found", "message": "not found"})

        def do_PUT(self) -> None:
            if not self.path.startswith("/v1/policies/"):
                self._send(404, {"code": "resource_not_found", "message": "not found"})
                return
            policy_id, source = self._path("/v1/policies/"), self._body().decode("utf-8")
            try:
                with state.lock:
                    state.put(policy_id, source)
            except OpaError as exc:
                error = {"code": "rego_compile_error", "message": exc.message}
                self._send(400, {"code": "invalid_parameter", "message": "error(s) occurred while compiling module(s)",
                                 "errors": [error]})
                return
            self._send(200, {})

        def do_DELETE(self) -> None:
            with state.lock:
                deleted = state.delete(self._path("/v1/policies/"))
            if deleted:
                self._send(200, {})
            else:
                self._send(404, {"code": "resource_not_found", "message": "storage_not_found_error: policy id"})

        def do_POST(self) -> None:
            if not self.path.startswith("/v1/data"):
                self._send(404, {"code": "resource_not_found", "message": "not found"})
                return
            document = self._path("/v1/data").replace("/", ".")
            body = json.loads(self._body() or b"{}")
            try:
                with state.lock:
                    value = state.evaluate(document, body.get("input"))
            except OpaUndefinedError:
                self._send(200, {})
                return
            except OpaError as exc:
                self._send(500, {"code": "internal_error", "message": exc.message})
                return
            self._send(200, {"result": value})

    return Handler


@contextmanager
def go_engine_server() -> Iterator[tuple[str, GoOpaState]]:
    """The Data-API server backed by the Go OPA engine, on 127.0.0.1; yields (url, state)."""
    state = GoOpaState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def opa_binary_server(opa: str) -> Iterator[str]:
    """`opa run --server` on a free loopback port, stopped afterwards."""
    port = free_port()
    process = subprocess.Popen([opa, "run", "--server", "--addr", f"127.0.0.1:{port}", "--log-level", "error"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("opa run --server did not become healthy") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def policy_ids(url: str) -> list[str]:
    """The ids of the policies the server holds now."""
    with urllib.request.urlopen(f"{url}/v1/policies", timeout=5) as response:
        return [p["id"] for p in json.load(response)["result"]]


@contextmanager
def opa_server() -> Iterator[str]:
    """The real `opa` when it is on PATH, else the Go-engine server."""
    opa = shutil.which("opa")
    if opa:
        with opa_binary_server(opa) as url:
            yield url
    else:
        with go_engine_server() as (url, _):
            yield url
