"""A user's own rules (Rego and Python) are treated exactly like the built-in ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from astra_guard.cli import main
from astra_guard.errors import PolicyError
from astra_guard.rules.catalog import load_catalog
from astra_guard.scan import ScanOptions, scan

REGO_RULE = '''# METADATA
# title: Deployments carry an owner label
# description: Every Deployment names the team that answers its pages.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/
# custom:
#   id: acme-owner-label
#   severity: medium
#   checklist_item: 7
#   family: kubernetes
#   admission: true
#   kinds: [Deployment]
#   remediation: Add metadata.labels.owner with the team's name.
package acme.owner_label

violation contains {"msg": "the Deployment has no owner label: add metadata.labels.owner", "details": {"path": ["metadata", "labels", "owner"]}} if {
\tinput.review.object.kind == "Deployment"
\tnot input.review.object.metadata.labels.owner
}
'''
PYTHON_RULE = '''
from astra_guard.findings import Severity, Violation
from astra_guard.rules.meta import RuleMeta

META = RuleMeta(
    id="acme-one-namespace", title="Everything sits in one namespace", severity=Severity.LOW, checklist_item=None,
    rationale="Our platform gives each service one namespace.", remediation="Move the objects into one namespace.",
    family="kubernetes", engine="python", source="acme/one_namespace.py",
)


def check(context):
    namespaces = sorted({r.namespace for r in context.of_family("kubernetes") if r.namespace})
    if len(namespaces) > 1:
        first = context.of_family("kubernetes")[0]
        yield Violation(first, ("metadata", "namespace"), f"objects span namespaces {namespaces}: keep one")
'''
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: a
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: r/web:1}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: b}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "owner_label.rego").write_text(REGO_RULE)
    (tmp_path / "policies" / "one_namespace.py").write_text(PYTHON_RULE)
    (tmp_path / "deploy.yaml").write_text(DEPLOYMENT)
    return tmp_path


def custom(result) -> list[tuple[str, str, int, str]]:  # noqa: ANN001
    return sorted((f.rule_id, f.file, f.line, f.severity.value) for f in result.findings if f.rule_id.startswith("acme-"))


def test_rules_from_a_policy_dir_run_in_the_scan_with_their_metadata(repo: Path) -> None:
    result = scan([repo / "deploy.yaml"], ScanOptions(root=repo, policy_dirs=(repo / "policies",)))
    assert custom(result) == [("acme-one-namespace", "deploy.yaml", 5, "low"), ("acme-owner-label", "deploy.yaml", 3, "medium")]
    owner = next(f for f in result.findings if f.rule_id == "acme-owner-label")
    assert owner.checklist_item == 7 and owner.title == "Deployments carry an owner label"


def test_policy_dirs_from_the_configuration_are_relative_to_the_scan_root(repo: Path) -> None:
    (repo / ".astra-guard.yaml").write_text("policy_dirs: [policies]\nrules: {severity: {acme-owner-label: high}}\n")
    assert ("acme-owner-label", "deploy.yaml", 3, "high") in custom(scan([repo]))


def test_custom_rules_reach_sarif_rules_list_and_the_gatekeeper_export(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sarif = repo / "out.sarif"
    assert main(["scan", str(repo / "deploy.yaml"), "--root", str(repo), "--policy-dir", str(repo / "policies"),
                 "--format", "sarif", "--output", str(sarif), "--fail-on", "never"]) == 0
    rules = {r["id"] for r in json.loads(sarif.read_text())["runs"][0]["tool"]["driver"]["rules"]}
    assert {"acme-owner-label", "acme-one-namespace"} <= rules
    assert main(["rules", "list", "--checklist", "7", "--policy-dir", str(repo / "policies")]) == 0
    assert "acme-owner-label" in capsys.readouterr().out
    out = repo / "constraints"
    assert main(["gatekeeper", "export", "--output-dir", str(out), "--policy-dir", str(repo / "policies")]) == 0
    template = (out / "templates" / "astraacmeownerlabel.yaml").read_text()
    assert "package acme.owner_label" in template


def test_a_custom_rule_that_reuses_a_built_in_id_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dup.rego").write_text(REGO_RULE.replace("acme-owner-label", "k8s-run-as-non-root"))
    with pytest.raises(PolicyError, match="declared twice"):
        load_catalog((tmp_path,))


def test_a_python_rule_that_fails_to_import_is_a_policy_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import does_not_exist\n")
    with pytest.raises(PolicyError, match="importing the rule failed: ModuleNotFoundError"):
        load_catalog((tmp_path,))
