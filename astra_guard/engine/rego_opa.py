"""The OPA engine: the rule bundle evaluated by an OPA server through its REST API.

`--engine opa --opa-url URL` sends the same Rego the embedded engine compiles (libraries,
rules, and a driver package) to an OPA server with `opa-python-client`, under policy ids of
this run only (`astra-guard/<run-id>/...`), evaluates the driver through the Data API, and
deletes every policy it uploaded afterwards, also when the scan fails or is interrupted.

The driver is the embedded engine's, with two differences that keep a shared server clean and
concurrent runs apart: its package is `astra_guard.run_<run-id>`, and referential rules get
`data.inventory` from the input (`with data.inventory as ...`) instead of from data pushed to
the server. Findings go through the same `review()` and `_violation()` as the embedded
engine's, so the two engines produce the same findings whenever OPA and regorus agree (see
docs/engine-differences.md for where they do not).

An unreachable server, a timeout, a refused request or a missing client library is a usage
error (exit 2); a policy OPA will not compile is a policy error (exit 2); a rule that fails to
evaluate becomes a rule fault, isolated resource by resource as in the embedded engine.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from astra_guard.engine.rego_embedded import RuleFault, _violation, policy_name, review
from astra_guard.errors import PolicyError, UsageError
from astra_guard.findings import Violation
from astra_guard.model import Resource
from astra_guard.rules.meta import RuleMeta

DEFAULT_TIMEOUT = 30.0  # seconds, per request (connect and read)
TOKEN_ENV = "ASTRA_GUARD_OPA_TOKEN"  # a bearer token for servers that require authentication
INSTALL_HINT = "pip install 'astra-guard[opa]'"


def driver_source(package: str, rules: list[tuple[RuleMeta, Path]], params: dict[str, dict[str, Any]]) -> str:
    """One set rule per Rego rule, judging every item of its family with `with input as`."""
    lines = [f"package {package}", ""]
    for index, (meta, _) in enumerate(rules):
        family = json.dumps(meta.family)
        parameters = json.dumps(params.get(meta.id, meta.default_params()), sort_keys=True)
        inventory = " with data.inventory as inventory" if meta.referential else ""
        lines += [f"r{index} contains [i, v] if {{"]
        if meta.referential:
            lines += ["\tinventory := input.inventory"]
        lines += [
            f"\tsome i, item in input[{family}]",
            f"\tsome v in data.{meta.package}.violation with input as {{\"review\": item, \"parameters\": {parameters}}}{inventory}",
            "}",
            "",
        ]
    return "\n".join(lines)


def build_batch(rules: list[tuple[RuleMeta, Path]], resources: list[Resource]) -> tuple[dict[str, Any], dict[str, list[Resource]]]:
    """The driver's input (the reviews of every family, and `inventory` for referential rules), and the resources by family."""
    by_family: dict[str, list[Resource]] = {}
    for resource in resources:
        by_family.setdefault(resource.family, []).append(resource)
    families = {meta.family for meta, _ in rules}
    batch: dict[str, Any] = {family: [review(r) for r in by_family.get(family, [])] for family in families}
    if any(meta.referential for meta, _ in rules):
        from astra_guard.engine.inventory import build_inventory

        batch["inventory"] = build_inventory(resources)
    return batch, by_family


def parse_url(url: str | None) -> tuple[str, int, bool]:
    """(host, port, tls) of an OPA server URL such as http://127.0.0.1:8181."""
    if not url:
        raise UsageError("--engine opa needs --opa-url, the OPA server's address (e.g. http://127.0.0.1:8181)")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--opa-url '{url}' is not an http:// or https:// URL of an OPA server")
    if parts.path.strip("/") or parts.query or parts.fragment or parts.username:
        raise UsageError(f"--opa-url '{url}' must be scheme://host[:port] only: OPA serves its API at the root")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 8181)
    except ValueError:
        raise UsageError(f"--opa-url '{url}' has an invalid port") from None
    return parts.hostname, port, parts.scheme == "https"


def _client_errors() -> tuple[type[BaseException], ...]:
    import requests

    return (requests.exceptions.RequestException,)


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """While policies are on the server, SIGTERM unwinds like Ctrl-C so they are removed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class OpaRegoEngine:
    """The rules of one scan, evaluated on an OPA server; same `evaluate()` contract as the embedded engine."""

    def __init__(self, rules: list[tuple[RuleMeta, Path]], libs: list[Path], params: dict[str, dict[str, Any]],
                 url: str | None, timeout: float = DEFAULT_TIMEOUT, trusted: Path | None = None) -> None:
        self.url = url or ""
        self.host, self.port, self.tls = parse_url(url)
        self.timeout = timeout
        self.rules = rules
        self.run_id = uuid.uuid4().hex[:12]
        self.prefix = f"astra-guard/{self.run_id}"
        self.package = f"astra_guard.run_{self.run_id}"
        self.modules: list[tuple[str, str]] = []  # (policy id, source) in upload order
        for number, path in enumerate([*libs, *(p for _, p in rules)]):
            if trusted and path.is_relative_to(trusted):
                name = policy_name(path)
            else:
                name = f"policy-dirs/{number}-{path.name}"
            self.modules.append((f"{self.prefix}/{name}", path.read_text(encoding="utf-8")))
        self.modules.append((f"{self.prefix}/driver.rego", driver_source(self.package, rules, params)))

    # -- the server ----------------------------------------------------------------------------

    def _client(self) -> Any:
        try:
            from opa_client.opa import OpaClient
        except ImportError:
            raise UsageError(f"--engine opa needs the OPA client library: {INSTALL_HINT}") from None
        token = os.environ.get(TOKEN_ENV) or None
        return OpaClient(host=self.host, port=self.port, ssl=self.tls, token=token, retries=0, timeout=self.timeout)

    def _unreachable(self, exc: BaseException, doing: str) -> UsageError:
        import requests

        if _timed_out(exc):
            why = f"no answer within {self.timeout:g} s"
        elif isinstance(exc, requests.exceptions.ConnectionError):
            why = "cannot connect"
        elif isinstance(exc, requests.exceptions.HTTPError) and exc.response is not None:
            why = f"HTTP {exc.response.status_code}{_server_message(exc.response)}"
        else:
            why = type(exc).__name__
        return UsageError(f"OPA server {self.url}: {why} while {doing}; check --opa-url and that the server is running")

    def _upload(self, client: Any, uploaded: list[str]) -> None:
        """Libraries first, then rules, then the driver; a module that needs a later one is retried."""
        from opa_client.errors import RegoParseError

        pending = list(self.modules)
        while pending:
            failed: list[tuple[str, str, str]] = []
            for policy_id, source in pending:
                try:
                    client.update_policy_from_string(source, policy_id, rego_compat=False)
                except RegoParseError as exc:
                    if exc.expression != "invalid_parameter":  # OPA's code for a module that does not compile
                        raise UsageError(f"OPA server {self.url} refused the policies ({exc.expression}: {exc.message}); "
                                         f"a server that requires authentication takes a bearer token from {TOKEN_ENV}") from None
                    failed.append((policy_id, source, _parse_error(exc)))
                    continue
                except _client_errors() as exc:
                    raise self._unreachable(exc, "uploading the policies") from None
                except ValueError:  # a non-JSON error body: not an OPA server
                    raise UsageError(f"{self.url} did not answer like an OPA server while uploading the policies") from None
                uploaded.append(policy_id)
            if len(failed) == len(pending):
                policy_id, _, message = failed[0]
                raise PolicyError(f"the OPA server cannot compile {policy_id.removeprefix(self.prefix + '/')}: {message}")
            pending = [(p, s) for p, s, _ in failed]

    def _remove(self, client: Any, uploaded: list[str]) -> list[str]:
        left = []
        for policy_id in reversed(uploaded):
            try:
                client.delete_policy(policy_id)
            except Exception:  # noqa: BLE001 - cleanup goes on; what is left is reported
                left.append(policy_id)
        return left

    def _query(self, client: Any, batch: dict[str, Any], rule: str | None = None) -> Any:
        """The driver package (or one of its rules) evaluated on `batch`; HTTPError when evaluation fails."""
        import requests

        try:
            answer = client.query_rule(batch, self.package, rule)
        except requests.exceptions.HTTPError as exc:
            if exc.response is not None and exc.response.status_code == 500:
                raise  # an evaluation error: the caller isolates it
            raise self._unreachable(exc, "evaluating the rules") from None
        except _client_errors() as exc:
            raise self._unreachable(exc, "evaluating the rules") from None
        except ValueError:
            raise UsageError(f"{self.url} did not answer like an OPA server while evaluating the rules") from None
        if not isinstance(answer, dict) or "result" not in answer:
            raise UsageError(f"OPA server {self.url} returned no result for data.{self.package}: were the policies removed?")
        return answer["result"]

    # -- the contract ----------------------------------------------------------------------------

    def evaluate(self, resources: list[Resource]) -> tuple[list[tuple[str, Violation]], list[RuleFault]]:
        """Judge every resource with every rule: (rule id, violation) pairs and rule faults."""
        batch, by_family = build_batch(self.rules, resources)
        if not any(by_family.get(meta.family) for meta, _ in self.rules):
            return [], []
        client = self._client()
        uploaded: list[str] = []
        outcome: tuple[list[tuple[str, Violation]], list[RuleFault]] | None = None
        try:
            with _terminate_as_interrupt():
                try:
                    self._upload(client, uploaded)
                    outcome = self._evaluate(client, batch, by_family)
                finally:
                    left = self._remove(client, uploaded)
        finally:
            client.close_connection()
        if left:
            raise UsageError(f"OPA server {self.url}: could not remove {len(left)} uploaded policies "
                             f"(ids under {self.prefix}/); delete them with DELETE /v1/policies/<id>")
        assert outcome is not None
        return outcome

    def _evaluate(self, client: Any, batch: dict[str, Any], by_family: dict[str, list[Resource]]) -> tuple[list[tuple[str, Violation]], list[RuleFault]]:
        import requests

        try:
            whole = self._query(client, batch)
        except requests.exceptions.HTTPError:
            whole = None  # one rule failed: evaluate rule by rule
        found: list[tuple[str, Violation]] = []
        faults: list[RuleFault] = []
        for index, (meta, _) in enumerate(self.rules):
            members = by_family.get(meta.family, [])
            if not members:
                continue
            if whole is not None:
                results = whole.get(f"r{index}") if isinstance(whole, dict) else None
            else:
                try:
                    results = self._query(client, batch, f"r{index}")
                except requests.exceptions.HTTPError as exc:
                    found_one, faults_one = self._isolate(client, batch, index, meta, members)
                    found += found_one
                    faults += faults_one or [RuleFault(meta.id, None, _evaluation_error(exc))]
                    continue
            found += [(meta.id, _violation(members[i], v, meta.id)) for i, v in results or ()]
        return found, faults

    def _isolate(self, client: Any, batch: dict[str, Any], index: int, meta: RuleMeta,
                 members: list[Resource]) -> tuple[list[tuple[str, Violation]], list[RuleFault]]:
        """After a rule failed on the batch: resource by resource, so one bad object costs one error."""
        import requests

        found: list[tuple[str, Violation]] = []
        faults: list[RuleFault] = []
        for resource in members:
            single = {meta.family: [review(resource)]}
            if "inventory" in batch:
                single["inventory"] = batch["inventory"]
            try:
                results = self._query(client, single, f"r{index}")
            except requests.exceptions.HTTPError as exc:
                faults.append(RuleFault(meta.id, resource, _evaluation_error(exc)))
                continue
            found += [(meta.id, _violation(resource, v, meta.id)) for _, v in results or ()]
        return found, faults


def _timed_out(exc: BaseException) -> bool:
    """requests reports a read timeout after urllib3's (zero) retries as a ConnectionError."""
    import requests
    from urllib3.exceptions import NewConnectionError
    from urllib3.exceptions import TimeoutError as Urllib3Timeout

    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(reason, NewConnectionError):  # a refused connection (a ConnectTimeoutError subclass)
        return False
    return isinstance(exc, requests.exceptions.Timeout) or isinstance(reason, Urllib3Timeout)


def _server_message(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return f" ({body.get('message')})" if isinstance(body, dict) and body.get("message") else ""


def _evaluation_error(exc: Any) -> str:
    """OPA's own words for an evaluation error (`errors[].message`, else `message`)."""
    response = getattr(exc, "response", None)
    try:
        body = response.json() if response is not None else {}
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        return str(exc)
    messages = [e.get("message", "") for e in body.get("errors") or [] if isinstance(e, dict)]
    text = "; ".join(m for m in messages if m) or body.get("message") or str(exc)
    return " ".join(str(text).split())


def _parse_error(exc: Any) -> str:
    errors = [e for e in getattr(exc, "errors", None) or [] if isinstance(e, dict)]
    if errors:
        parts = []
        for error in errors[:3]:
            location = error.get("location") or {}
            where = f"line {location['row']}: " if isinstance(location, dict) and location.get("row") else ""
            parts.append(f"{where}{error.get('message', '')}")
        return "; ".join(parts)
    return str(getattr(exc, "message", "") or exc)
