"""Items 5, 6 and 7 on the seed: admission controls, API versions, EKS, rollout plan, monitoring."""

from __future__ import annotations

import inspect

import astra_guard.scan
from astra_guard.findings import Finding, Severity
from astra_guard.scan import scan
from tests.conftest import SEED

MINE = {
    "gk-constraint-template-missing", "gk-enforcement-action", "gk-match-excludes-workloads",
    "k8s-removed-api", "k8s-pod-security-labels", "tf-eks-control-plane-logs", "tf-eks-removed-argument",
    "tf-eks-secrets-encryption", "tf-eks-public-endpoint", "k8s-rollout-strategy", "k8s-revision-history",
    "k8s-readiness-probe", "argo-canary-analysis", "k8s-monitoring-target",
}
ROLLOUT = "k8s/40-rollout-argo.yaml"


def findings() -> list[Finding]:
    result = scan([SEED])
    assert result.errors == []
    return [f for f in result.findings if f.rule_id in MINE]


def test_the_seed_produces_exactly_these_findings_of_items_5_6_and_7() -> None:
    assert sorted((f.file, f.line, f.rule_id) for f in findings()) == [
        ("infra/eks/main.tf", 18, "tf-eks-removed-argument"),
        ("k8s/00-namespace-rbac.yaml", 4, "k8s-pod-security-labels"),
        ("k8s/30-podsecurity.yaml", 2, "k8s-removed-api"),
        (ROLLOUT, 16, "k8s-readiness-probe"),
        (ROLLOUT, 20, "argo-canary-analysis"),
        ("policies/deny-privileged.yaml", 3, "gk-constraint-template-missing"),
    ]


def test_the_pod_security_policy_is_judged_against_the_cluster_version() -> None:
    (psp,) = [f for f in findings() if f.rule_id == "k8s-removed-api"]
    assert psp.severity is Severity.HIGH and "policy/v1beta1" in psp.message and "since 1.25" in psp.message
    if "target_version" in inspect.getsource(astra_guard.scan):  # the scan fills it from infra/eks/main.tf
        assert "(target 1.29)" in psp.message
    else:
        assert "judged against 1.35" in psp.message


def test_the_eks_module_v20_defaults_keep_logs_encryption_and_a_private_endpoint() -> None:
    (removed,) = [f for f in findings() if f.file == "infra/eks/main.tf"]
    assert removed.rule_id == "tf-eks-removed-argument" and "manage_aws_auth" in removed.message
    assert "v20" in removed.message and "access_entries" in removed.message


def test_the_rollout_plan_of_the_merged_deployment_passes_and_the_patch_is_never_judged() -> None:
    got = findings()
    assert [f for f in got if f.file == "k8s/40-rollout-kubernetes.yaml"] == []
    assert [f for f in got if f.file == "k8s/10-deployment.yaml"] == []
    assert {f.rule_id for f in got if f.checklist_item == 6} == {"k8s-readiness-probe", "argo-canary-analysis"}


def test_nothing_of_item_7_fires_so_it_can_only_need_evidence() -> None:
    assert [f for f in findings() if f.checklist_item == 7] == []
