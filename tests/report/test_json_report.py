"""The JSON report against its shipped schema, and the interfaces.md contract."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema

from astra_guard.report import json_report
from astra_guard.scan import ScanOptions, scan
from tests.conftest import SEED


def schema() -> dict:
    return json.loads(resources.files("astra_guard").joinpath("schemas/scan-report.schema.json").read_text())


def test_the_seed_report_validates_against_the_shipped_schema() -> None:
    report = json.loads(json_report.render(scan([SEED])))
    jsonschema.Draft202012Validator(schema()).validate(report)


def test_a_report_with_input_errors_validates_and_lists_them_twice(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("kind: [\n")
    report = json.loads(json_report.render(scan([tmp_path], ScanOptions(root=tmp_path))))
    jsonschema.Draft202012Validator(schema()).validate(report)
    assert report["errors"][0]["file"] == "broken.yaml"
    assert report["findings"][0]["rule_id"] == "input-error"


def test_findings_carry_the_contract_fields() -> None:
    report = json.loads(json_report.render(scan([SEED])))
    rollout = [f for f in report["findings"] if f["rule_id"] == "k8s-run-as-non-root"]
    assert rollout == [{
        "rule_id": "k8s-run-as-non-root",
        "title": "Containers run as a non-root user",
        "severity": "high",
        "checklist_item": 1,
        "message": "container 'app' may run as root: runAsNonRoot is not set; set securityContext.runAsNonRoot: true",
        "file": "k8s/40-rollout-argo.yaml",
        "line": 16,
        "end_line": 16,
        "column": 11,
        "resource": {"kind": "Rollout", "name": "support-agent", "namespace": "astra-agents"},
        "path": ["spec", "template", "spec", "containers", 0, "securityContext", "runAsNonRoot"],
        "suppressed": False,
        "fingerprint": rollout[0]["fingerprint"],
    }]


def test_fingerprints_do_not_move_when_lines_do(tmp_path: Path) -> None:
    text = (SEED / "k8s/40-rollout-argo.yaml").read_text()
    (tmp_path / "a.yaml").write_text(text)
    before = {f.rule_id: f for f in scan([tmp_path]).findings if f.checklist_item == 1}
    (tmp_path / "a.yaml").write_text("# a comment\n# another\n" + text)
    after = {f.rule_id: f for f in scan([tmp_path]).findings if f.checklist_item == 1}
    assert {k: f.fingerprint for k, f in before.items()} == {k: f.fingerprint for k, f in after.items()}
    assert {f.line for f in after.values()} == {18}
