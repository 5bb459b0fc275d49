"""Partial manifests are patches: merged into their object, never judged alone."""

from __future__ import annotations

from pathlib import Path

from astra_guard.scan import ScanOptions, scan

BASE = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: apps}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: web
          image: r/web:1
          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
"""
PATCH = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: apps}
spec:
  template:
    spec:
      containers:
        - name: web
          securityContext:
            readOnlyRootFilesystem: false
"""


def run(tmp_path: Path, files: dict[str, str]):  # noqa: ANN201
    """Scan, keeping only item-1 findings (the patch behaviour is what is under test)."""
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = scan([tmp_path], ScanOptions(root=tmp_path))
    result.findings = [f for f in result.findings if f.checklist_item == 1]
    return result


def test_a_patch_alone_is_not_judged_and_says_why(tmp_path: Path) -> None:
    result = run(tmp_path, {"patch.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n"})
    assert result.findings == [] and result.resources == 0
    assert [(s.file, s.line) for s in result.skipped] == [("patch.yaml", 2)]
    assert "no base object among the inputs" in result.skipped[0].reason


def test_a_patched_field_is_reported_in_the_patch_file_and_the_rest_in_the_base(tmp_path: Path) -> None:
    result = run(tmp_path, {"base.yaml": BASE, "overlay.yaml": PATCH})
    assert [(f.rule_id, f.file, f.line) for f in result.findings] == [
        ("k8s-read-only-root-filesystem", "overlay.yaml", 10),
    ]


def test_patch_merges_lists_by_name_and_keeps_other_containers(tmp_path: Path) -> None:
    sidecar = PATCH.replace("readOnlyRootFilesystem: false", "readOnlyRootFilesystem: true") + (
        "        - name: sidecar\n          image: r/side:1\n"
    )
    result = run(tmp_path, {"base.yaml": BASE, "overlay.yaml": sidecar})
    assert {(f.file, f.line) for f in result.findings} == {("overlay.yaml", 11)}  # only the new sidecar
    assert {f.message.split(" ")[1] for f in result.findings} == {"'sidecar'"}


def test_a_rollout_with_workload_ref_is_judged_through_its_deployment(tmp_path: Path) -> None:
    rollout = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: web, namespace: apps}\nspec:\n  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
    result = run(tmp_path, {"base.yaml": BASE, "rollout.yaml": rollout})
    assert result.findings == []
    assert [(s.file, s.line, s.reason) for s in result.skipped] == [
        ("rollout.yaml", 5, "Rollout 'web' takes its pods from Deployment 'web': they are judged there"),
    ]
    alone = run(tmp_path / "x" if (tmp_path / "x").mkdir() is None else tmp_path, {"rollout.yaml": rollout})
    assert "not among the inputs" in alone.skipped[0].reason
