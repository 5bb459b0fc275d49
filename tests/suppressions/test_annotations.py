"""The `astra-guard.io/ignore` annotation on an object or its pod template, through a real scan."""

from __future__ import annotations

from pathlib import Path

from tests.suppressions.scanning import DEPLOYMENT, only, rows, scan_tree

OBJECT_ANNOTATED = DEPLOYMENT.replace(
    "  namespace: shop\n",
    "  namespace: shop\n  annotations:\n    astra-guard.io/ignore: \"k8s-revision-history: rollbacks go through git\"\n",
)
TEMPLATE_ANNOTATED = DEPLOYMENT.replace(
    "      labels: {app: api}\n",
    "      labels: {app: api}\n      annotations:\n"
    "        astra-guard.io/ignore: |\n"
    "          k8s-run-as-non-root,k8s-revision-history: vendor image runs as root; ticket SEC-118\n"
    "          k8s-seccomp-profile: node default profile until=2026-05-31\n",
)
CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
  namespace: shop
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            astra-guard.io/ignore: "k8s-run-as-non-root: legacy report job, replaced in Q3"
        spec:
          restartPolicy: Never
          containers:
            - name: report
              image: ghcr.io/org/report:1.0
"""


def test_an_object_annotation_covers_the_whole_object(tmp_path: Path) -> None:
    result = scan_tree(tmp_path, {"deploy.yaml": OBJECT_ANNOTATED})
    finding = only(result, "k8s-revision-history")
    assert (finding.line, finding.suppressed, finding.justification) == (10, True, "rollbacks go through git")
    assert finding.suppression is not None and finding.suppression.where == "deploy.yaml:7"
    assert finding.suppression.kind == "annotation"
    assert not only(result, "k8s-run-as-non-root").suppressed


def test_a_template_annotation_covers_what_lies_under_the_template_only(tmp_path: Path) -> None:
    result = scan_tree(tmp_path, {"deploy.yaml": TEMPLATE_ANNOTATED})
    non_root = only(result, "k8s-run-as-non-root")
    assert (non_root.line, non_root.suppressed, non_root.justification) == (
        20, True, "vendor image runs as root; ticket SEC-118")
    assert non_root.suppression is not None and non_root.suppression.where == "deploy.yaml:15"
    # spec.revisionHistoryLimit is the Deployment's, not the pod template's: still reported
    assert rows(result, "k8s-revision-history") == [("k8s-revision-history", "deploy.yaml", 8, False)]


def test_an_expired_annotation_entry_stops_suppressing_and_is_reported(tmp_path: Path) -> None:
    result = scan_tree(tmp_path, {"deploy.yaml": TEMPLATE_ANNOTATED})
    assert rows(result, "k8s-seccomp-profile", "suppression-expired") == [
        ("suppression-expired", "deploy.yaml", 15, False), ("k8s-seccomp-profile", "deploy.yaml", 20, False)]
    assert only(result, "suppression-expired").message == (
        "the annotation of k8s-seccomp-profile expired after 2026-05-31 (reason: node default profile); "
        "its findings count again: fix them, or renew it with a new reason and date")


def test_an_annotation_entry_without_a_reason_is_a_finding_and_suppresses_nothing(tmp_path: Path) -> None:
    text = DEPLOYMENT.replace("  namespace: shop\n", "  namespace: shop\n  annotations:\n    astra-guard.io/ignore: k8s-revision-history\n")
    result = scan_tree(tmp_path, {"deploy.yaml": text})
    assert rows(result, "k8s-revision-history", "suppression-invalid") == [
        ("suppression-invalid", "deploy.yaml", 7, False), ("k8s-revision-history", "deploy.yaml", 10, False)]
    assert only(result, "suppression-invalid").message == (
        "the annotation of k8s-revision-history is ignored: it has no reason: "
        "write 'k8s-revision-history: why this is accepted'")


def test_the_annotation_of_one_object_does_not_cover_its_namesake_elsewhere(tmp_path: Path) -> None:
    other = DEPLOYMENT.replace("namespace: shop", "namespace: billing")
    result = scan_tree(tmp_path, {"a.yaml": OBJECT_ANNOTATED, "b.yaml": other})
    assert rows(result, "k8s-revision-history") == [
        ("k8s-revision-history", "a.yaml", 10, True), ("k8s-revision-history", "b.yaml", 8, False)]


def test_a_cronjob_pod_template_annotation(tmp_path: Path) -> None:
    result = scan_tree(tmp_path, {"cron.yaml": CRONJOB})
    finding = only(result, "k8s-run-as-non-root")
    assert (finding.suppressed, finding.justification) == (True, "legacy report job, replaced in Q3")
    assert not only(result, "k8s-seccomp-profile").suppressed


def test_a_non_string_annotation_is_invalid(tmp_path: Path) -> None:
    text = DEPLOYMENT.replace("  namespace: shop\n", "  namespace: shop\n  annotations:\n    astra-guard.io/ignore: 42\n")
    result = scan_tree(tmp_path, {"deploy.yaml": text})
    assert rows(result, "suppression-invalid") == [("suppression-invalid", "deploy.yaml", 7, False)]
