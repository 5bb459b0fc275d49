"""Acceptance: the seed artifacts of the deployment chapter, scanned as a user would."""

from __future__ import annotations

from astra_guard.scan import scan
from tests.conftest import SEED

ROLLOUT = "k8s/40-rollout-argo.yaml"


def seed_findings() -> list[tuple[str, int, str]]:
    result = scan([SEED])
    assert result.errors == []
    return sorted((f.file, f.line, f.rule_id) for f in result.findings)


def test_the_rollout_pod_template_without_security_context_fails_every_item1_control_on_its_container_line() -> None:
    item1 = {(f, line, rule) for f, line, rule in seed_findings() if f == ROLLOUT}
    assert {
        (ROLLOUT, 16, "k8s-run-as-non-root"),
        (ROLLOUT, 16, "k8s-read-only-root-filesystem"),
        (ROLLOUT, 16, "k8s-seccomp-profile"),
        (ROLLOUT, 16, "k8s-allow-privilege-escalation"),
        (ROLLOUT, 16, "k8s-capabilities"),
    } <= item1


def test_the_strategy_patch_is_merged_and_never_judged_as_a_whole_deployment() -> None:
    result = scan([SEED])
    assert [f for f in result.findings if f.file == "k8s/40-rollout-kubernetes.yaml"] == []
    notes = [s for s in result.skipped if s.file == "k8s/40-rollout-kubernetes.yaml"]
    assert len(notes) == 1 and "merged into k8s/10-deployment.yaml" in notes[0].reason


def test_the_deployment_and_the_dockerfile_pass_item_1() -> None:
    result = scan([SEED])
    item1 = [(f.file, f.line, f.rule_id) for f in result.findings if f.checklist_item == 1]
    assert [x for x in item1 if x[0] in ("k8s/10-deployment.yaml", "docker/Dockerfile")] == []
    assert sorted(item1) == sorted((ROLLOUT, 16, rule) for rule in (
        "k8s-run-as-non-root", "k8s-read-only-root-filesystem", "k8s-seccomp-profile",
        "k8s-allow-privilege-escalation", "k8s-capabilities",
    ))


def test_every_seed_file_is_read_and_every_document_accounted_for() -> None:
    result = scan([SEED])
    assert sorted(f.file for f in result.files) == [
        ".github/workflows/ci.yml", "ci/Jenkinsfile", "docker/Dockerfile", "infra/eks/main.tf",
        "infra/eks/variables.tf", "k8s/00-namespace-rbac.yaml", "k8s/10-deployment.yaml",
        "k8s/20-networkpolicy.yaml", "k8s/30-podsecurity.yaml", "k8s/40-rollout-argo.yaml",
        "k8s/40-rollout-kubernetes.yaml", "policies/deny-privileged.yaml",
    ]
