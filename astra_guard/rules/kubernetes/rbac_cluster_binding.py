"""No ClusterRoleBinding to a ServiceAccount that a workload runs as."""

from __future__ import annotations

from collections.abc import Iterator

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.rules.kubernetes._rbac import Subject, Workload, build_index, names, role_ref
from astra_guard.rules.meta import RuleMeta

META = RuleMeta(
    id="k8s-rbac-cluster-binding",
    title="No ClusterRoleBinding to a workload's ServiceAccount",
    severity=Severity.CRITICAL,
    checklist_item=3,
    rationale=(
        "A ClusterRoleBinding grants its ClusterRole in every namespace, present and future: a "
        "workload whose ServiceAccount is bound cluster-wide reaches far beyond its own namespace, "
        "and a compromised pod with it. A workload's permissions belong in a RoleBinding in its "
        "namespace. The binding and the workload are matched across files through the "
        "ServiceAccount (a ServiceAccount subject, or the system:serviceaccount(s) user and groups). "
        "Bindings to cluster-admin, whoever the subject, are the rule k8s-rbac-cluster-admin."
    ),
    remediation=(
        "Replace the ClusterRoleBinding with a RoleBinding in the workload's namespace (it may still "
        "reference a ClusterRole), so the permissions apply only there."
    ),
    family="kubernetes",
    engine="python",
    source="astra_guard/rules/kubernetes/rbac_cluster_binding.py",
    references=(
        "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding",
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
    ),
    kinds=("ClusterRoleBinding",),
)


def check(context: RuleContext) -> Iterator[Violation]:
    index = build_index(context)
    reached: dict[tuple[str, str, int], tuple[Subject, set[str], list[Workload]]] = {}
    for sa_key, workloads in index.workloads_by_sa.items():
        for subject in index.subjects_of(sa_key):
            if subject.binding.kind != "ClusterRoleBinding":
                continue
            key = (subject.binding.identity, subject.binding.file, subject.index)
            entry = reached.setdefault(key, (subject, set(), []))
            entry[1].add(f"{sa_key[0]}/{sa_key[1]}")
            entry[2].extend(workloads)
    for subject, accounts, workloads in reached.values():
        role = role_ref(subject.binding).get("name", "?")
        namespaces = sorted({a.split("/", 1)[0] for a in accounts})
        kind, name = subject.data.get("kind"), subject.data.get("name")
        via = "" if kind == "ServiceAccount" else f" (through {kind} {name})"
        plural = "s" if len(accounts) > 1 else ""
        yield Violation(subject.binding, subject.path, (
            f"ClusterRoleBinding '{subject.binding.name}' grants ClusterRole {role} in every namespace to "
            f"ServiceAccount{plural} {', '.join(sorted(accounts))}{via}, used by {names(workloads)}: replace it "
            f"with a RoleBinding in namespace{'s' if len(namespaces) > 1 else ''} {', '.join(namespaces)}"))
