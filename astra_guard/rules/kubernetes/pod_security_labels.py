"""Namespaces that run workloads enforce a Pod Security Standard (restricted or baseline)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.model import Path, Resource
from astra_guard.rules.kubernetes._selectors import Workload, workloads_in
from astra_guard.rules.meta import RuleMeta

ENFORCE = "pod-security.kubernetes.io/enforce"
ACCEPTED = ("restricted", "baseline")

META = RuleMeta(
    id="k8s-pod-security-labels",
    title="Workload namespaces enforce a Pod Security Standard",
    severity=Severity.MEDIUM,
    checklist_item=5,
    rationale=(
        "Pod Security Admission, built into the API server since PodSecurityPolicy was removed, "
        "enforces a Pod Security Standard per namespace through the "
        "pod-security.kubernetes.io/enforce label. Without it (or with privileged) nothing stops a "
        "privileged or root pod at admission, whatever the manifests in the repository say. Every "
        "namespace in which the inputs run workloads is judged; one whose Namespace manifest is not "
        "among the inputs cannot be shown to carry the label."
    ),
    remediation="Label every namespace that runs workloads with pod-security.kubernetes.io/enforce: restricted (or baseline), in its Namespace manifest kept with the workloads.",
    family="kubernetes",
    engine="python",
    source="astra_guard/rules/kubernetes/pod_security_labels.py",
    references=(
        "https://kubernetes.io/docs/concepts/security/pod-security-admission/",
        "https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/",
    ),
)


def _labels(resource: Resource) -> dict[str, Any] | None:
    metadata = resource.data.get("metadata")
    labels = metadata.get("labels") if isinstance(metadata, dict) else None
    return labels if isinstance(labels, dict) else None


def _missing_namespace(namespace: str, workload: Workload) -> Violation:
    resource = workload.resource
    if resource.namespace is None:
        where = f"{workload.label} sets no namespace, so it runs in '{namespace}' (or wherever kubectl -n puts it)"
    else:
        where = f"{workload.label} runs in namespace '{namespace}'"
    return Violation(resource, ("metadata", "namespace"), (
        f"{where}, whose Namespace manifest is not among the inputs: its Pod Security labels cannot be "
        f"shown; add a Namespace '{namespace}' labelled {ENFORCE}: restricted (or baseline)"))


def check(context: RuleContext) -> Iterator[Violation]:
    namespaces = {r.name: r for r in context.of_kind("Namespace")}
    running: dict[str, list[Workload]] = {}
    for workload in workloads_in(context):
        running.setdefault(workload.namespace, []).append(workload)
    for namespace, members in running.items():
        manifest = namespaces.get(namespace)
        if manifest is None:
            yield _missing_namespace(namespace, members[0])
            continue
        labels = _labels(manifest) or {}
        level = labels.get(ENFORCE)
        if level in ACCEPTED:
            continue
        who = ", ".join(w.label for w in members[:3]) + (f" and {len(members) - 3} more" if len(members) > 3 else "")
        path: Path
        if level is None:
            path = ("metadata", "labels")
            what = f"has no {ENFORCE} label, so Pod Security Admission enforces nothing there"
        elif level == "privileged":
            path = ("metadata", "labels", ENFORCE)
            what = "enforces the privileged Pod Security Standard, which allows everything"
        else:
            path = ("metadata", "labels", ENFORCE)
            what = f"sets {ENFORCE} to {level!r}, which is not a Pod Security level"
        yield Violation(manifest, path, (
            f"Namespace '{namespace}' runs workloads ({who}) but {what}: label it {ENFORCE}: restricted "
            "(or baseline)"))
