"""The repository's own deployment passes its own gate: `astra-guard scan .` and `checklist .`.

The root `.astra-guard.yaml` excludes only test data (the seed, fixtures, gator suites,
benchmarks); everything else, the SupportAgent's Dockerfile, Terraform, Kubernetes manifests,
pipelines and the exported constraints, must hold no finding at any severity down to low.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from astra_guard.commands.checklist import make_report
from astra_guard.findings import ScanResult, Severity
from astra_guard.rules.catalog import load_catalog
from astra_guard.scan import ScanOptions, scan
from tests.conftest import REPO, SEED

DEPLOYMENT = {
    ".github/workflows/support-agent.yml", "ci/Jenkinsfile", "docker/Dockerfile", "infra/eks/main.tf",
    "infra/eks/admission-alerts.tf", "k8s/00-namespaces.yaml", "k8s/10-rbac.yaml", "k8s/20-rollout.yaml",
    "k8s/30-networkpolicy.yaml", "k8s/40-analysis.yaml", "k8s/50-alerts.yaml",
    "k8s/gatekeeper/admission-alerts.yaml", "constraints/templates/astrak8simagedigest.yaml",
    "constraints/constraints/astrak8simagedigest.yaml",
}
# The day item 5's attestation was made: statuses are judged then, so the test does not start
# failing when the attestation expires (the dogfooding step in .ci/run judges today).
ATTESTED_ON = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def result() -> ScanResult:
    return scan([REPO])  # .astra-guard.yaml in the scan root is the configuration


def test_the_repository_scans_clean_at_low_with_its_own_configuration(result: ScanResult) -> None:
    at_low = [f"{f.file}:{f.line} {f.rule_id}: {f.message}" for f in result.findings
              if f.severity.rank >= Severity.LOW.rank and not f.suppressed]
    assert at_low == []
    assert result.errors == []


def test_the_scan_reads_the_whole_deployment_and_none_of_the_test_data(result: ScanResult) -> None:
    files = {f.file for f in result.files}
    assert DEPLOYMENT <= files
    assert not {f for f in files if f.startswith(("examples/", "tests/", "constraints/suites/", "benchmarks/"))}
    kinds = {r.kind for f in result.files for r in f.resources}
    assert {"Rollout", "AnalysisTemplate", "NetworkPolicy", "Role", "Namespace", "PrometheusRule",
            "ConstraintTemplate", "AstraK8sImageDigest"} <= kinds


def test_the_checklist_passes_items_1_to_5_and_asks_for_the_evidence_only_a_person_can_give() -> None:
    report = make_report([REPO], ScanOptions(), None, None, now=ATTESTED_ON)
    statuses = {item.item.id: item.status for item in report.items}
    assert statuses == {1: "pass", 2: "pass", 3: "pass", 4: "pass", 5: "pass",
                        6: "needs-evidence", 7: "needs-evidence"}
    assert [c.rule.id for item in report.items for c in item.controls if c.status == "fail"] == []
    evidence = {(e.requirement.id, e.attestation is not None) for item in report.items for e in item.evidence}
    assert evidence == {("admission-logs-monitored", True), ("rollback-tested", False),
                        ("dashboards-and-alerts", False), ("kpi-contract-loaded", False)}
    assert report.attestations.problems == [] and all(a.valid for a in report.attestations.attestations)


def test_the_deployment_readme_links_only_rules_of_the_catalogue_and_covers_every_seed_finding() -> None:
    readme = (REPO / "k8s" / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"docs/rules\.md#([a-z0-9-]+)\)", readme))
    assert linked and linked <= {m.id for m in load_catalog()}
    seed_rules = {f.rule_id for f in scan([SEED]).findings}
    assert seed_rules <= linked, f"seed findings without a row in k8s/README.md: {sorted(seed_rules - linked)}"
