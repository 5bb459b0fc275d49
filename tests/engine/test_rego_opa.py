"""`--engine opa`: the rule bundle on an OPA server gives the embedded engine's report, byte for byte.

The server is the real `opa run --server` when `opa` is on PATH, else a loopback Data-API server
whose evaluations the Go OPA engine does (tests/engine/opa_server.py). Both need the OPA client
(`astra-guard[opa]`); the Go-engine server needs `opa-golib-python-bindings`, which CI installs.
"""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("opa_client", reason="the OPA client is not installed: pip install 'astra-guard[opa]'")
if not shutil.which("opa"):
    pytest.importorskip("opa_bindings", reason="no `opa` on PATH and opa-golib-python-bindings is not installed "
                        "(.ci/run installs it: pip install --no-deps --ignore-requires-python opa-golib-python-bindings==0.4.4)")

from astra_guard.cli import main
from astra_guard.engine.rego_opa import OpaRegoEngine
from astra_guard.errors import PolicyError, UsageError
from astra_guard.report import json_report
from astra_guard.scan import ScanOptions, scan
from tests.conftest import REPO, SEED
from tests.engine.opa_server import go_engine_server, opa_server, policy_ids

RULE_FIXTURES = REPO / "tests" / "rules"

CUSTOM_HEADER = """# METADATA
# title: {title}
# description: A test rule.
# custom:
#   id: {rule_id}
#   severity: medium
#   checklist_item: 7
#   family: kubernetes
#   remediation: Fix it.
"""
POD = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: shop
spec:
  containers:
    - name: app
      image: ghcr.io/org/app@sha256:0000000000000000000000000000000000000000000000000000000000000000
"""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with opa_server() as url:
        yield url


def report(paths: list[Path], root: Path, **engine: str) -> str:
    return json_report.render(scan(paths, ScanOptions(root=root, **engine)))  # type: ignore[arg-type]


def test_the_seed_report_is_identical_on_the_opa_server_and_nothing_is_left_there(server: str) -> None:
    embedded = report([SEED], SEED)
    assert '"rule_id": "k8s-run-as-non-root"' in embedded  # the seed has real defects to agree on
    assert report([SEED], SEED, engine="opa", opa_url=server) == embedded
    assert policy_ids(server) == []


def test_every_rule_fixture_gives_the_same_report_on_the_opa_server(server: str) -> None:
    embedded = report([RULE_FIXTURES], RULE_FIXTURES)
    assert embedded.count('"rule_id"') > 100
    assert report([RULE_FIXTURES], RULE_FIXTURES, engine="opa", opa_url=server) == embedded


def test_policies_go_up_under_this_runs_prefix_and_are_all_removed() -> None:
    pytest.importorskip("opa_bindings")
    with go_engine_server() as (url, state):
        seen: list[str] = []
        original = state.put
        state.put = lambda policy_id, source: (seen.append(policy_id), original(policy_id, source))[1]  # type: ignore[method-assign]
        scan([SEED], ScanOptions(root=SEED, engine="opa", opa_url=url))
        assert policy_ids(url) == []
    prefixes = {"/".join(p.split("/")[:2]) for p in seen}
    assert len(prefixes) == 1 and next(iter(prefixes)).startswith("astra-guard/")
    assert f"{next(iter(prefixes))}/rego/kubernetes/run_as_non_root.rego" in seen
    assert seen[-1].endswith("/driver.rego")


def test_an_interrupted_scan_removes_its_policies(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object) -> None:
        assert policy_ids(server), "the policies are on the server while the rules run"
        raise KeyboardInterrupt

    monkeypatch.setattr(OpaRegoEngine, "_evaluate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        scan([SEED], ScanOptions(root=SEED, engine="opa", opa_url=server))
    assert policy_ids(server) == []


def test_a_policy_opa_cannot_compile_is_a_policy_error_and_leaves_nothing(server: str, tmp_path: Path) -> None:
    rules = tmp_path / "policies"
    rules.mkdir()
    (rules / "broken.rego").write_text(CUSTOM_HEADER.format(title="Broken", rule_id="acme-broken") + (
        "package acme.broken\n\nviolation contains {\"msg\": \"x\"} if {\n\tnot_a_function(input.review.object)\n}\n"))
    (tmp_path / "pod.yaml").write_text(POD.format(name="a"))
    with pytest.raises(PolicyError, match=r"cannot compile policy-dirs/\d+-broken\.rego: .*not_a_function"):
        scan([tmp_path / "pod.yaml"], ScanOptions(root=tmp_path, policy_dirs=(rules,), engine="opa", opa_url=server))
    assert policy_ids(server) == []


def test_a_rule_that_fails_on_one_resource_is_a_fault_on_that_resource_in_both_engines(server: str, tmp_path: Path) -> None:
    rules = tmp_path / "policies"
    rules.mkdir()
    (rules / "conflict.rego").write_text(CUSTOM_HEADER.format(title="Conflict", rule_id="acme-conflict") + (
        "package acme.conflict\n\n"
        "size(name) := 1 if name == \"bad\"\n"
        "size(name) := 2 if name == \"bad\"\n"
        "size(name) := 0 if name != \"bad\"\n\n"
        "violation contains {\"msg\": \"sized\", \"details\": {\"path\": [\"metadata\"]}} if {\n"
        "\tsize(input.review.object.metadata.name) >= 0\n}\n"))
    (tmp_path / "good.yaml").write_text(POD.format(name="good"))
    (tmp_path / "bad.yaml").write_text(POD.format(name="bad"))

    def outcome(**engine: str) -> list[tuple[str, int, str]]:
        result = scan([tmp_path / "good.yaml", tmp_path / "bad.yaml"],
                      ScanOptions(root=tmp_path, policy_dirs=(rules,), **engine))  # type: ignore[arg-type]
        return [(f.file, f.line, f.message.split(":")[0]) for f in result.findings if f.rule_id == "acme-conflict"]

    expected = [("bad.yaml", 1, "rule acme-conflict could not be evaluated on Pod bad"), ("good.yaml", 3, "sized")]
    assert outcome() == expected
    assert outcome(engine="opa", opa_url=server) == expected
    assert policy_ids(server) == []


def test_an_unreachable_server_is_a_usage_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        with pytest.raises(UsageError, match=rf"OPA server http://127.0.0.1:{port}: cannot connect"):
            scan([SEED], ScanOptions(root=SEED, engine="opa", opa_url=f"http://127.0.0.1:{port}"))


def test_a_server_that_never_answers_is_a_usage_error_not_a_hang() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:  # accepts and reads, never answers
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        with pytest.raises(UsageError, match=r"no answer within 0.3 s while uploading the policies"):
            scan([SEED], ScanOptions(root=SEED, engine="opa", opa_url=url, opa_timeout=0.3))
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()


@pytest.mark.parametrize(("args", "message"), [
    (["--engine", "opa"], "--engine opa needs --opa-url"),
    (["--engine", "opa", "--opa-url", "ftp://127.0.0.1"], "is not an http:// or https:// URL"),
    (["--engine", "opa", "--opa-url", "http://127.0.0.1:8181/v1"], "must be scheme://host[:port] only"),
    (["--opa-url", "http://127.0.0.1:8181"], "--opa-url is used only with --engine opa"),
])
def test_bad_engine_options_are_usage_errors(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(SEED), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_the_cli_scans_through_the_opa_server_and_exits_as_the_embedded_engine(server: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(SEED), "--format", "json"]) == 1
    embedded = capsys.readouterr().out
    assert main(["scan", str(SEED), "--format", "json", "--engine", "opa", "--opa-url", server]) == 1
    assert capsys.readouterr().out == embedded
    assert main(["checklist", str(SEED), "--format", "json", "--engine", "opa", "--opa-url", server]) == 1
    assert '"k8s-run-as-non-root"' in capsys.readouterr().out


def test_a_server_that_refuses_the_upload_is_a_usage_error_naming_the_token_variable() -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Unauthorized(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_PUT(self) -> None:  # noqa: N802
            body = b'{"code": "unauthorized", "message": "missing authentication"}'
            self.send_response(401)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Unauthorized)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(UsageError, match=r"refused the policies \(unauthorized: missing authentication\).*ASTRA_GUARD_OPA_TOKEN"):
            scan([SEED], ScanOptions(root=SEED, engine="opa", opa_url=f"http://127.0.0.1:{server.server_address[1]}"))
    finally:
        server.shutdown()
        server.server_close()
