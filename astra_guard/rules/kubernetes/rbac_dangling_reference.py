"""Bindings and workloads reference Roles and ServiceAccounts that exist in the inputs."""

from __future__ import annotations

from collections.abc import Iterator

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.model import Resource
from astra_guard.rules.kubernetes._rbac import (
    DEFAULT_NAMESPACE,
    DEFAULT_SA,
    RbacIndex,
    build_index,
    builtin_cluster_role,
    namespace_of,
    role_ref,
)
from astra_guard.rules.meta import RuleMeta

META = RuleMeta(
    id="k8s-rbac-dangling-reference",
    title="Bindings and workloads reference Roles and ServiceAccounts that exist",
    severity=Severity.MEDIUM,
    checklist_item=3,
    rationale=(
        "A binding whose Role or ServiceAccount is missing grants nothing today and whatever a "
        "later object of that name will hold tomorrow; a workload whose ServiceAccount is missing "
        "is refused by the API server (its pods are never created). Either way the reviewed RBAC is "
        "not what runs. Roles, ClusterRoles and ServiceAccounts are looked up among every input "
        "file; the built-in ClusterRoles (cluster-admin, admin, edit, view and every system: one) "
        "and each namespace's default ServiceAccount always exist."
    ),
    remediation=(
        "Add the missing Role, ClusterRole or ServiceAccount to the manifests (in the namespace the "
        "reference resolves to), or correct the name or namespace in the reference."
    ),
    family="kubernetes",
    engine="python",
    source="astra_guard/rules/kubernetes/rbac_dangling_reference.py",
    references=(
        "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding",
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/",
    ),
    kinds=("RoleBinding", "ClusterRoleBinding", "Pod", "Deployment", "StatefulSet", "DaemonSet",
           "ReplicaSet", "ReplicationController", "Job", "CronJob", "Rollout"),
)


def _role_ref(index: RbacIndex, binding: Resource) -> Iterator[Violation]:
    ref = role_ref(binding)
    kind, name = ref.get("kind"), str(ref.get("name", ""))
    label = f"{binding.kind} '{binding.name}'"
    if kind == "ClusterRole":
        if name not in index.cluster_roles and not builtin_cluster_role(name):
            yield Violation(binding, ("roleRef", "name"), (
                f"{label} references ClusterRole '{name}', which is not among the inputs: "
                f"add the ClusterRole '{name}' or correct roleRef.name"))
    elif kind == "Role" and binding.kind == "RoleBinding":
        namespace = namespace_of(binding)
        if (namespace, name) not in index.roles:
            yield Violation(binding, ("roleRef", "name"), (
                f"{label} references Role '{name}', which is not among the inputs in namespace {namespace}: "
                f"add the Role '{name}' to namespace {namespace} or correct roleRef.name"))
    elif kind == "Role":
        yield Violation(binding, ("roleRef", "kind"), (
            f"{label} references the Role '{name}', but a ClusterRoleBinding can only reference a ClusterRole: "
            "use a RoleBinding in the Role's namespace, or reference a ClusterRole"))
    else:
        yield Violation(binding, ("roleRef", "kind"), (
            f"{label} has no valid roleRef (kind {kind!r}): set roleRef.kind to Role or ClusterRole and roleRef.name"))


def _subjects(index: RbacIndex, binding: Resource) -> Iterator[Violation]:
    default_ns = namespace_of(binding) if binding.kind == "RoleBinding" else DEFAULT_NAMESPACE
    for i, subject in enumerate(binding.data.get("subjects") or ()):
        if not isinstance(subject, dict) or subject.get("kind") != "ServiceAccount":
            continue
        name, namespace = str(subject.get("name", "")), str(subject.get("namespace") or default_ns)
        if name and name != DEFAULT_SA and (namespace, name) not in index.service_accounts:
            yield Violation(binding, ("subjects", i, "name"), (
                f"{binding.kind} '{binding.name}' binds ServiceAccount {namespace}/{name}, which is not among the inputs: "
                f"add the ServiceAccount '{name}' to namespace {namespace} or correct the subject's name and namespace"))


def check(context: RuleContext) -> Iterator[Violation]:
    index = build_index(context)
    for binding in index.bindings:
        yield from _role_ref(index, binding)
        yield from _subjects(index, binding)
    for workload in index.workloads:
        namespace, name = workload.key
        if name != DEFAULT_SA and workload.key not in index.service_accounts:
            yield Violation(workload.resource, workload.sa_path, (
                f"the pod runs as ServiceAccount {namespace}/{name}, which is not among the inputs (the API server "
                f"will refuse to create the pods): add the ServiceAccount '{name}' to namespace {namespace} "
                "or correct serviceAccountName"))
