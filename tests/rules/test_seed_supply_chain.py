"""Checklist item 4 on the seed: SBOM, image scan, pinned actions, digests, admission control."""

from __future__ import annotations

from astra_guard.scan import scan
from tests.conftest import SEED

RULES = {
    "ci-sbom-step",
    "ci-image-scan-gate",
    "ci-scan-before-push",
    "ci-action-pinned-sha",
    "k8s-image-digest",
    "k8s-image-registry",
    "docker-from-digest",
    "k8s-admission-digest-policy",
}
WORKFLOW = ".github/workflows/ci.yml"


def findings():
    result = scan([SEED])
    assert result.errors == []
    return [f for f in result.findings if f.rule_id in RULES]


def test_the_seed_produces_exactly_these_item4_findings() -> None:
    assert sorted((f.file, f.line, f.rule_id) for f in findings()) == sorted(
        [
            # Jenkinsfile: the SBOM and scan steps are neutralised by `|| true`
            ("ci/Jenkinsfile", 23, "ci-sbom-step"),
            ("ci/Jenkinsfile", 24, "ci-image-scan-gate"),
            # the workflow pushes (step at line 29, `run` at 30) and deploys (36, `run` at 37) with no SBOM, no scan
            (WORKFLOW, 30, "ci-sbom-step"),
            (WORKFLOW, 30, "ci-image-scan-gate"),
            (WORKFLOW, 37, "ci-image-scan-gate"),
            # actions not pinned by SHA
            (WORKFLOW, 14, "ci-action-pinned-sha"),
            (WORKFLOW, 15, "ci-action-pinned-sha"),
            (WORKFLOW, 24, "ci-action-pinned-sha"),
            (WORKFLOW, 32, "ci-action-pinned-sha"),
            # undigested images, in the Deployment and in the Rollout
            ("k8s/10-deployment.yaml", 29, "k8s-image-digest"),
            ("k8s/40-rollout-argo.yaml", 17, "k8s-image-digest"),
            # FROM python:3.13-slim without a digest
            ("docker/Dockerfile", 2, "docker-from-digest"),
            # no admission control blocks undigested images: reported once, at the first workload's image
            ("k8s/10-deployment.yaml", 29, "k8s-admission-digest-policy"),
        ]
    )


def test_item4_findings_say_what_is_wrong() -> None:
    by_place = {(f.file, f.line, f.rule_id): f.message for f in findings()}
    assert "`|| true`" in by_place[("ci/Jenkinsfile", 23, "ci-sbom-step")]
    assert "`|| true`" in by_place[("ci/Jenkinsfile", 24, "ci-image-scan-gate")]
    assert (
        "ghcr.io/org/astradesk/support-agent:1.0.0"
        in by_place[("k8s/10-deployment.yaml", 29, "k8s-image-digest")]
    )
    assert (
        "ghcr.io/org/astradesk/support-agent:1.0.1"
        in by_place[("k8s/40-rollout-argo.yaml", 17, "k8s-image-digest")]
    )
    assert "FROM python:3.13-slim" in by_place[("docker/Dockerfile", 2, "docker-from-digest")]
    assert "actions/checkout@v4" in by_place[(WORKFLOW, 14, "ci-action-pinned-sha")]
    assert all(f.checklist_item == 4 for f in findings())


def test_nothing_of_item4_fires_on_the_strategy_patch() -> None:
    assert [f for f in findings() if f.file == "k8s/40-rollout-kubernetes.yaml"] == []
