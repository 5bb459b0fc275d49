"""Per-control verdicts from Checkov results and our findings, on hand-made results (no Checkov needed)."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources
from pathlib import Path

import jsonschema

from astra_guard.corroborate.checkov import CheckovResult, parse_reports
from astra_guard.corroborate.compare import corroborate
from astra_guard.corroborate.render import add, console, markdown
from astra_guard.findings import Finding, ScanResult, Severity
from astra_guard.rules.catalog import load_catalog


def finding(rule_id: str, file: str, line: int) -> Finding:
    return Finding(rule_id=rule_id, title="t", severity=Severity.HIGH, checklist_item=1, message="m", file=file, line=line,
                   end_line=line, column=1, resource_kind="Deployment", resource_name="web", resource_namespace="shop",
                   path=(), fingerprint="f")


def ckv(check_id: str, passed: bool, file: str, start: int, end: int) -> CheckovResult:
    return CheckovResult(check_id, f"name of {check_id}", passed, file, start, end, "Deployment.shop.web")


def controls(findings: list[Finding], results: list[CheckovResult]) -> dict[str, object]:
    result = ScanResult(root=".", findings=findings)
    c = corroborate(result, load_catalog(), "3.3.30", results)
    return {x.rule_id: x for x in c.controls}


def test_equal_outcomes_agree_and_an_unequal_one_is_listed_as_a_disagreement() -> None:
    got = controls(
        [finding("k8s-privileged-container", "a.yaml", 12)],
        [ckv("CKV_K8S_16", False, "a.yaml", 1, 30), ckv("CKV_K8S_16", False, "b.yaml", 1, 20),
         ckv("CKV_K8S_16", True, "c.yaml", 1, 20)],
    )
    control = got["k8s-privileged-container"]
    assert (control.verdict, control.agreements, control.consistent) == ("disagrees", 2, 0)
    [d] = control.disagreements
    assert (d.file, d.line, d.ours, d.checkov, d.checks) == ("b.yaml", 1, "pass", "fail", ("CKV_K8S_16 name of CKV_K8S_16",))


def test_a_difference_the_scope_explains_is_consistent_not_a_disagreement() -> None:
    narrower = controls([finding("k8s-host-path-volume", "a.yaml", 5)], [ckv("CKV_K8S_27", True, "a.yaml", 1, 9)])
    assert (narrower["k8s-host-path-volume"].verdict, narrower["k8s-host-path-volume"].consistent) == ("agrees", 1)
    broader = controls([], [ckv("CKV_AWS_37", False, "main.tf", 3, 9)])
    assert (broader["tf-eks-control-plane-logs"].verdict, broader["tf-eks-control-plane-logs"].consistent) == ("agrees", 1)
    reversed_ = controls([finding("tf-eks-control-plane-logs", "main.tf", 4)], [ckv("CKV_AWS_37", True, "main.tf", 3, 9)])
    assert reversed_["tf-eks-control-plane-logs"].verdict == "disagrees"


def test_no_mapping_or_no_result_is_no_opinion_and_suppressed_findings_do_not_count() -> None:
    got = controls([], [])
    assert got["k8s-image-registry"].verdict == "no-opinion"
    assert got["k8s-image-registry"].reason == "no Checkov check covers this control"
    assert got["k8s-seccomp-profile"].reason == "Checkov ran none of its mapped checks on these inputs"
    suppressed = replace(finding("k8s-seccomp-profile", "a.yaml", 3), suppressed=True)
    judged = controls([suppressed], [ckv("CKV_K8S_31", True, "a.yaml", 1, 9)])["k8s-seccomp-profile"]
    assert (judged.verdict, judged.agreements) == ("agrees", 1)


def test_the_sections_are_schema_valid_json_and_name_every_disagreement() -> None:
    result = ScanResult(root=".", findings=[])
    c = corroborate(result, load_catalog(), "3.3.30", [ckv("CKV_K8S_20", False, "k8s/app.yaml", 4, 40)])
    document = json.loads(add("json", '{"schema_version": 1}', c))
    schema = json.loads(resources.files("astra_guard").joinpath("schemas/corroboration.schema.json").read_text())
    jsonschema.validate(document["corroboration"], schema)
    assert document["corroboration"]["summary"]["disagrees"] == 1
    assert "k8s/app.yaml:4 k8s-allow-privilege-escalation: astra-guard passes, Checkov fails" in console(c)
    assert "- `k8s/app.yaml:4` `k8s-allow-privilege-escalation`: astra-guard passes, Checkov fails" in markdown(c)
    assert add("html", "<html><body><p>x</p></body></html>", c).endswith("</ul></section></body></html>")


def test_checkov_json_is_read_in_its_list_and_single_report_forms(tmp_path: Path) -> None:
    check = {"check_id": "CKV_K8S_20", "check_name": "n", "file_path": "/k8s/a.yaml", "repo_file_path": "/k8s/a.yaml",
             "file_line_range": [3, 30], "resource": "Deployment.default.a"}
    report = {"check_type": "kubernetes", "results": {"passed_checks": [check], "failed_checks": []},
              "summary": {"checkov_version": "3.3.30"}}
    empty = {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0, "checkov_version": "3.3.30"}
    assert parse_reports(report) == ("3.3.30", [CheckovResult("CKV_K8S_20", "n", True, "k8s/a.yaml", 3, 30, "Deployment.default.a")])
    assert parse_reports([report, empty])[1] == parse_reports(report)[1]
