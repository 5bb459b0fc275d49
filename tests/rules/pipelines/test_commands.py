"""What a command does: build, push, deploy, SBOM or scan, and scans that cannot fail (_commands.py)."""

from __future__ import annotations

import pytest

from astra_guard.rules.pipelines._commands import classify
from astra_guard.rules.pipelines._tools import unwrap

# --- what a command does ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("sudo -E trivy image --exit-code 1 x", [("scan", "trivy image")]),
        ("TRIVY_EXIT_CODE=1 timeout 600 trivy i x", [("scan", "trivy i")]),
        ("trivy --cache-dir /c image --format cyclonedx -o s.json x", [("sbom", "trivy image")]),
        (
            "trivy image --format spdx-json --scanners vuln x",
            [("sbom", "trivy image"), ("scan", "trivy image")],
        ),
        ("trivy sbom --exit-code 1 sbom.json", [("sbom", "trivy sbom"), ("scan", "trivy sbom")]),
        ("trivy fs --format cyclonedx .", [("sbom", "trivy fs")]),
        ("trivy fs .", []),
        ("python -m cyclonedx_py environment -o bom.json", [("sbom", "cyclonedx-py")]),
        ("pipx run cyclonedx-bom -o bom.json", [("sbom", "cyclonedx-bom")]),
        ("docker run --rm -v /x:/x anchore/grype:v0.80 x --fail-on high", [("scan", "grype")]),
        ("grype db update", []),
        ("syft version", []),
        (
            "docker buildx build --push --sbom=true -t x .",
            [
                ("build", "docker buildx build"),
                ("push", "docker buildx build --push"),
                ("sbom", "docker buildx build --sbom"),
            ],
        ),
        (
            "docker buildx build --output type=registry -t x .",
            [("build", "docker buildx build"), ("push", "docker buildx build --push")],
        ),
        ("docker --config /tmp/c image push x", [("push", "docker image push")]),
        ("docker scout cves --exit-code x", [("scan", "docker scout cves")]),
        ("snyk container test x", [("scan", "snyk container test")]),
        ("/kaniko/executor --destination x --context .", [("build", "kaniko"), ("push", "kaniko")]),
        ("skopeo copy docker-archive:a.tar docker://reg/x:1", [("push", "skopeo copy")]),
        ("crane push a.tar reg/x:1", [("push", "crane push")]),
        ("kubectl --context prod -n a apply -f k8s/", [("deploy", "kubectl apply")]),
        ("kubectl apply --dry-run=client -f k8s/", []),
        ("kubectl get pods", []),
        ("kubectl create secret generic x --from-literal=a=b", []),
        ("kubectl -n a set image deployment/api api=x@sha256:1", [("deploy", "kubectl set image")]),
        ("kubectl rollout status deployment/api", []),
        ("kubectl argo rollouts promote api", [("deploy", "kubectl argo rollouts promote")]),
        ("helm upgrade --install api chart", [("deploy", "helm upgrade")]),
        ("helm install api chart --dry-run", []),
        ("argocd app sync api", [("deploy", "argocd app sync")]),
    ],
)
def test_classify(command: str, expected: list[tuple[str, str]]) -> None:
    args, inline, _ = unwrap(command.split())
    assert [(h.kind, h.tool) for h in classify(args, inline)] == expected


@pytest.mark.parametrize(
    ("command", "no_fail"),
    [
        ("trivy image x", True),
        ("trivy image --exit-code 0 x", True),
        ("trivy image --exit-code=2 x", False),
        ("TRIVY_EXIT_CODE=1 trivy image x", False),
        ("trivy image --exit-code $CODE x", False),  # only known at run time: assumed to gate
        ("grype x", True),
        ("grype x -f high", False),
        ("GRYPE_FAIL_ON_SEVERITY=high grype x", False),
        ("docker scout cves x", True),
        ("snyk container monitor x", True),
    ],
)
def test_scans_that_cannot_fail(command: str, no_fail: bool) -> None:
    args, inline, _ = unwrap(command.split())
    (hit,) = [h for h in classify(args, inline) if h.kind == "scan"]
    assert (hit.no_fail is not None) is no_fail
