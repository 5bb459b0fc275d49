"""`--corroborate checkov` end to end, and proof that the default path never touches Checkov.

Checkov lives in its own environment (docs/checkov-mapping.md says why): the tests that run it
find it through ASTRA_GUARD_CHECKOV or PATH and are skipped, with that reason, without it. CI
installs it (see .ci/run). They run it twice, the seed's checklist and scan, with every
non-loopback connection and name lookup blocked and recorded in Checkov's own process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from astra_guard.cli import main
from astra_guard.corroborate.checkov import EXECUTABLE_ENV
from tests.conftest import REPO, SEED

CHECKOV = os.environ.get(EXECUTABLE_ENV) or shutil.which("checkov")
needs_checkov = pytest.mark.skipif(
    not CHECKOV, reason=f"Checkov is not installed (its own venv; set {EXECUTABLE_ENV}); .ci/run installs it")

NETWORK_GUARD = '''
import os, socket
_log = os.environ["ASTRA_GUARD_TEST_NET_LOG"]
open(_log + ".loaded", "w").close()
_LOCAL = ("127.", "::1", "localhost")
_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

def _record(what):
    with open(_log, "a") as f:
        f.write(what + "\\n")

def _guard(method):
    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not str(address[0]).startswith(_LOCAL):
            _record(f"connect {address!r}")
            raise OSError("network blocked by the astra-guard test")
        return method(self, address)
    return guarded

def _lookup(host, *args, **kwargs):
    if host is not None and not str(host).startswith(_LOCAL):
        _record(f"getaddrinfo {host!r}")
        raise socket.gaierror("name lookup blocked by the astra-guard test")
    return _getaddrinfo(host, *args, **kwargs)

socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = _guard(_connect), _guard(_connect_ex), _lookup
'''


def schema(name: str) -> dict[str, object]:
    return json.loads(resources.files("astra_guard").joinpath(f"schemas/{name}.schema.json").read_text())


def test_importing_the_scanner_and_a_default_scan_never_load_or_start_checkov(tmp_path: Path) -> None:
    probe = textwrap.dedent(f"""
        import json, subprocess, sys
        started = []
        original = subprocess.Popen.__init__
        def recording(self, args, *rest, **kwargs):
            started.append(args)
            return original(self, args, *rest, **kwargs)
        subprocess.Popen.__init__ = recording
        import astra_guard.scan
        from astra_guard.cli import main
        codes = [main(["scan", {str(SEED)!r}, "--format", "json", "--output", {str(tmp_path / "r.json")!r}]),
                 main(["checklist", {str(SEED)!r}, "--format", "json", "--output", {str(tmp_path / "c.json")!r}])]
        loaded = sorted(m for m in sys.modules if m.split(".")[0] == "checkov" or m == "astra_guard.corroborate.checkov")
        print(json.dumps({{"codes": codes, "loaded": loaded, "started": [str(a) for a in started]}}))
    """)
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == {"codes": [1, 1], "loaded": [], "started": []}


def test_a_missing_checkov_is_a_usage_error_naming_how_to_install_it(monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(EXECUTABLE_ENV, "/nonexistent/checkov")
    assert main(["scan", str(SEED), "--corroborate", "checkov"]) == 2
    err = capsys.readouterr().err
    assert f"{EXECUTABLE_ENV}=/nonexistent/checkov is not an executable Checkov" in err
    assert "pip install checkov==3.3.30" in err and "Traceback" not in err


@pytest.fixture
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(NETWORK_GUARD)
    log = tmp_path / "network.log"
    monkeypatch.setenv("PYTHONPATH", str(guard))
    monkeypatch.setenv("ASTRA_GUARD_TEST_NET_LOG", str(log))
    return log


@needs_checkov
def test_the_seeds_checklist_shows_checkovs_agreements_and_disagreements_offline(
    offline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["checklist", str(SEED), "--format", "json", "--corroborate", "checkov"]) == 1
    captured = capsys.readouterr()
    assert Path(f"{offline}.loaded").exists(), "the network guard did not load in Checkov's process"
    assert not offline.exists(), f"Checkov tried the network: {offline.read_text()}"
    assert "Traceback" not in captured.err
    report = json.loads(captured.out)
    jsonschema.validate(report, schema("checklist-report"))
    section = report["corroboration"]
    jsonschema.validate(section, schema("corroboration"))
    verdicts = {c["rule_id"]: c["verdict"] for c in section["controls"]}
    assert verdicts["k8s-privileged-container"] == "agrees"
    assert verdicts["k8s-image-registry"] == "no-opinion"
    assert section["summary"]["agrees"] >= 5 and section["summary"]["disagrees"] >= 1
    listed = [(d["file"], d["astra_guard"], d["checkov"]) for c in section["controls"] for d in c["disagreements"]]
    assert listed and all(f in {r["file"] for r in report["inputs"]} for f, _, _ in listed)


@needs_checkov
def test_scan_prints_the_corroboration_after_the_findings(offline: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(SEED), "--corroborate", "checkov"]) == 1
    out = capsys.readouterr().out
    assert not offline.exists()
    section = out[out.index("Corroboration by checkov 3.3.30: agrees on"):]
    assert "  agrees      k8s-privileged-container (CKV_K8S_16)" in section
    assert "Disagreements for the auditor:" in section
