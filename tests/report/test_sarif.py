"""SARIF report: schema-valid, and shaped the way GitHub code scanning needs it."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from jsonschema import Draft4Validator

from astra_guard import __version__
from astra_guard.findings import Finding, ScanResult, Severity
from astra_guard.model import InputError
from astra_guard.report.sarif import render
from astra_guard.rules.catalog import load_catalog
from astra_guard.scan import scan
from tests.conftest import SHARED

REPO = Path(__file__).resolve().parents[2]
SCHEMA_PATH = SHARED / "schemas/sarif-schema-2.1.0.json"
SEED_K8S = REPO / "examples/astradesk-seed/k8s"
ROLLOUT_RULES = ["k8s-allow-privilege-escalation", "k8s-capabilities", "k8s-read-only-root-filesystem",
                 "k8s-run-as-non-root", "k8s-seccomp-profile"]
# RFC 3986 relative-ref path: unreserved, sub-delims, ":" "@" "/" and %HH escapes, nothing else.
URI_REFERENCE = re.compile(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})+$")


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    """The official OASIS SARIF 2.1.0 schema (draft-04), vendored in shared/schemas."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


@pytest.fixture(scope="module")
def seed() -> ScanResult:
    return scan([SEED_K8S])


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    root = tmp_path_factory.mktemp("broken")
    (root / "bad.yaml").write_text("kind: Pod\nmetadata:\n  name: x\n  labels: [a, b\nspec: {}\n")
    return scan([root])


def as_sarif(result: ScanResult, **kwargs: Any) -> dict[str, Any]:
    text = render(result, load_catalog(), **kwargs)
    assert text.endswith("\n")
    return json.loads(text)


def physical(result: dict[str, Any]) -> dict[str, Any]:
    return dict(result["locations"][0]["physicalLocation"])


def fingerprint_of(result: dict[str, Any]) -> str:
    return str(result["partialFingerprints"]["astraGuardFingerprint/v1"])


def assert_valid(log: dict[str, Any], validator: Draft4Validator) -> None:
    errors = list(validator.iter_errors(log))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def assert_github_ready(log: dict[str, Any]) -> None:
    """What the schema does not catch but GitHub code scanning rejects or mishandles."""
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert rules and len({r["id"] for r in rules}) == len(rules)
    for rule in rules:
        assert 0 < len(rule["shortDescription"]["text"]) <= 1024
        assert 0 < len(rule["fullDescription"]["text"]) <= 1024
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", rule["name"])
        props = rule["properties"]
        assert isinstance(props["security-severity"], str)
        assert 0.0 <= float(props["security-severity"]) <= 10.0
        assert "security" in props["tags"] and len(props["tags"]) <= 20
        assert rule["defaultConfiguration"]["level"] in {"note", "warning", "error"}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in {"note", "warning", "error"}
        assert result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert_relative_uri(location["artifactLocation"])
        assert location["region"]["startLine"] >= 1
        assert location["region"]["endLine"] >= location["region"]["startLine"]
        assert result["partialFingerprints"]["astraGuardFingerprint/v1"]


def assert_relative_uri(artifact: dict[str, str]) -> None:
    uri = artifact["uri"]
    assert uri and "\\" not in uri and not uri.startswith("/")
    assert URI_REFERENCE.match(uri), uri
    assert ":" not in uri.split("/")[0]  # not mistaken for a scheme
    assert artifact["uriBaseId"] == "%SRCROOT%"


def test_seed_sarif_is_valid_and_github_ready(seed: ScanResult, validator: Draft4Validator) -> None:
    log = as_sarif(seed)
    assert_valid(log, validator)
    assert_github_ready(log)
    run = log["runs"][0]
    assert run["automationDetails"] == {"id": "astra-guard/"}
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": SEED_K8S.resolve().as_uri() + "/"}}
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]


def test_driver_describes_every_catalogue_rule(seed: ScanResult) -> None:
    driver = as_sarif(seed)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "astra-guard"
    assert driver["version"] == driver["semanticVersion"] == __version__
    assert driver["informationUri"] == "https://github.com/astradesk/astra-guard"
    catalog = load_catalog()
    assert [r["id"] for r in driver["rules"]] == [m.id for m in catalog]
    expected = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
    for rule, meta in zip(driver["rules"], catalog, strict=True):
        assert rule["shortDescription"]["text"] == meta.title
        assert rule["helpUri"] == meta.help_uri
        assert meta.remediation in rule["help"]["text"]
        assert meta.remediation in rule["help"]["markdown"]
        assert rule["properties"]["security-severity"] == expected[meta.severity.value]
        assert rule["properties"]["precision"] == "very-high"
        assert meta.family in rule["properties"]["tags"] or meta.family == "*"
        if meta.checklist_item:
            assert f"checklist-item-{meta.checklist_item}" in rule["properties"]["tags"]
    assert {r["id"]: r["name"] for r in driver["rules"]}["k8s-run-as-non-root"] == "K8sRunAsNonRoot"


def test_seed_rollout_results(seed: ScanResult) -> None:
    run = as_sarif(seed)["runs"][0]
    rollout = [r for r in run["results"] if physical(r)["artifactLocation"]["uri"] == "40-rollout-argo.yaml"
               and r["properties"]["checklist_item"] == 1]
    pairs = sorted((r["ruleId"], physical(r)["region"]["startLine"]) for r in rollout)
    assert pairs == [(rule, 16) for rule in ROLLOUT_RULES]
    resource = {"name": "support-agent", "fullyQualifiedName": "Rollout/astra-agents/support-agent",
                "kind": "resource"}
    for result in rollout:
        medium = result["ruleId"] == "k8s-capabilities"
        assert result["level"] == ("warning" if medium else "error")
        assert result["properties"] == {"checklist_item": 1, "severity": "medium" if medium else "high"}
        assert result["locations"][0]["logicalLocations"] == [resource]
        assert physical(result)["region"]["startColumn"] >= 1
    assert {fingerprint_of(r) for r in rollout} <= {f.fingerprint for f in seed.findings}
    assert len(run["results"]) == len(seed.findings)


def test_input_errors_are_notifications(broken: ScanResult, validator: Draft4Validator) -> None:
    assert broken.errors, "the YAML syntax error should be an input error"
    log = as_sarif(broken)
    assert_valid(log, validator)
    assert_github_ready(log)
    run, notes = log["runs"][0], log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == len(broken.errors)
    error, note = broken.errors[0], notes[0]
    assert note["level"] == "error" and note["descriptor"]["id"] == "input-error"
    assert note["message"]["text"] == error.message
    where = physical(note)
    assert where["artifactLocation"] == {"uri": "bad.yaml", "uriBaseId": "%SRCROOT%"}
    assert where["region"]["startLine"] == error.line >= 1
    assert [r["ruleId"] for r in run["results"]] == ["input-error"]


def test_suppressed_findings(seed: ScanResult, validator: Draft4Validator) -> None:
    target = seed.findings[0]
    findings = [dataclasses.replace(f, suppressed=f is target) for f in seed.findings]
    result = dataclasses.replace(seed, findings=findings)

    results = as_sarif(result)["runs"][0]["results"]
    assert target.fingerprint not in [fingerprint_of(r) for r in results]
    assert len(results) == len(findings) - 1
    assert all("suppressions" not in r for r in results)

    full = as_sarif(result, include_suppressed=True)
    assert_valid(full, validator)
    results = full["runs"][0]["results"]
    assert len(results) == len(findings)
    (suppressed,) = [r for r in results if fingerprint_of(r) == target.fingerprint]
    (suppression,) = suppressed["suppressions"]
    assert suppression["kind"] == "inSource" and suppression["status"] == "accepted"
    assert suppression["justification"]
    assert sum("suppressions" in r for r in results) == 1


def handmade(**changes: Any) -> Finding:
    base = Finding(
        rule_id="k8s-run-as-non-root", title="Containers run as a non-root user",
        severity=Severity.HIGH, checklist_item=1, message="may run as root", file="k8s/app.yaml",
        line=3, end_line=3, column=5, resource_kind="Deployment", resource_name="api",
        resource_namespace=None, path=("spec",), fingerprint="0" * 32,
    )
    return dataclasses.replace(base, **changes)


def test_awkward_paths_and_positions(tmp_path: Path, validator: Draft4Validator) -> None:
    odd = "dir with space/ünï:code#1?%.yaml"
    findings = [
        handmade(file=odd),
        handmade(file="./k8s/zero.yaml", line=0, end_line=0, column=0, fingerprint="1" * 32),
        handmade(rule_id="custom-rule", title="", severity=Severity.LOW, checklist_item=None),
        handmade(severity=Severity.INFO, resource_kind=None, resource_name=None),
    ]
    result = ScanResult(root=str(tmp_path), findings=findings,
                        errors=[InputError("bad dir/x.yaml", 0, "cannot parse")])
    log = as_sarif(result)
    assert_valid(log, validator)
    assert_github_ready(log)
    run = log["runs"][0]
    results = run["results"]
    uris = [physical(r)["artifactLocation"]["uri"] for r in results]
    assert unquote(uris[0]) == odd and not {" ", "#", "?"} & set(uris[0])
    assert uris[1] == "k8s/zero.yaml"
    assert physical(results[1])["region"] == {"startLine": 1, "startColumn": 1, "endLine": 1}
    rules = run["tool"]["driver"]["rules"]
    assert rules[results[2]["ruleIndex"]]["id"] == "custom-rule"
    assert results[2]["level"] == "note" and results[3]["level"] == "note"
    assert "logicalLocations" not in results[3]["locations"][0]
    (logical,) = results[0]["locations"][0]["logicalLocations"]
    assert logical["fullyQualifiedName"] == "Deployment/api"
    note = physical(run["invocations"][0]["toolExecutionNotifications"][0])
    assert note["artifactLocation"]["uri"] == "bad%20dir/x.yaml"
    assert note["region"]["startLine"] == 1


def test_same_from_any_working_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    catalog = load_catalog()
    monkeypatch.chdir(REPO)
    from_repo = render(scan([Path("examples/astradesk-seed/k8s")]), catalog)
    monkeypatch.chdir(SEED_K8S.parent)
    from_seed = render(scan([Path("k8s")]), catalog)
    monkeypatch.chdir(tmp_path)
    from_elsewhere = render(scan([SEED_K8S]), catalog)
    assert from_repo == from_seed == from_elsewhere
    results = json.dumps(json.loads(from_repo)["runs"][0]["results"])
    assert "40-rollout-argo.yaml" in results and "examples/astradesk-seed" not in results
    # deterministic: no timestamps or durations; two-space JSON with a result per line
    later = scan([SEED_K8S])
    later.duration_seconds += 12.5
    assert render(later, catalog) == from_repo
    lines = from_repo.splitlines()
    assert sum(1 for line in lines if line.startswith('        {"ruleId": ')) == len(json.loads(from_repo)["runs"][0]["results"])
