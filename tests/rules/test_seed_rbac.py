"""Item 3 (minimal RBAC) on the seed artifacts: exactly the expected findings, nothing else."""

from __future__ import annotations

from functools import cache

from astra_guard.findings import Finding
from astra_guard.scan import scan
from tests.conftest import SEED

RBAC_RULES = {
    "k8s-rbac-default-service-account", "k8s-rbac-read-only-role", "k8s-rbac-wildcard",
    "k8s-rbac-secrets-list-watch", "k8s-rbac-cluster-binding", "k8s-rbac-cluster-admin",
    "k8s-rbac-dangling-reference", "k8s-rbac-automount-token",
}


@cache
def rbac_findings() -> tuple[Finding, ...]:
    result = scan([SEED])
    assert result.errors == []
    return tuple(f for f in result.findings if f.rule_id in RBAC_RULES)


def test_the_seed_produces_exactly_the_rbac_findings_of_the_checklist() -> None:
    assert sorted((f.file, f.line, f.rule_id) for f in rbac_findings()) == [
        # verbs: ["get","list","watch"] on configmaps and secrets: list and watch read every Secret
        ("k8s/00-namespace-rbac.yaml", 15, "k8s-rbac-secrets-list-watch"),
        ("k8s/00-namespace-rbac.yaml", 15, "k8s-rbac-secrets-list-watch"),
        # the Rollout's pod spec names no ServiceAccount: it runs as default
        ("k8s/40-rollout-argo.yaml", 14, "k8s-rbac-default-service-account"),
    ]


def test_the_secrets_findings_are_one_per_verb() -> None:
    messages = sorted(f.message for f in rbac_findings() if f.rule_id == "k8s-rbac-secrets-list-watch")
    assert [m.split(" grants ")[1].split(" ")[0] for m in messages] == ['"list"', '"watch"']
    assert all(m.startswith("Role 'support-agent-readonly' rule 0") for m in messages)


def test_every_rbac_rule_is_in_checklist_item_3() -> None:
    assert {f.checklist_item for f in rbac_findings()} == {3}


def test_no_rbac_rule_judges_the_strategy_patch() -> None:
    assert [f for f in rbac_findings() if f.file == "k8s/40-rollout-kubernetes.yaml"] == []
