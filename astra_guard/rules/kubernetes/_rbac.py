"""The RBAC graph of a scan, for the item-3 rules: who runs as which ServiceAccount, and what
that ServiceAccount is granted.

Everything is indexed by dict: ServiceAccounts, Roles and bindings by (namespace, name),
ClusterRoles and ClusterRoleBindings by name, the subjects of every binding by the
ServiceAccount they name, and workloads by the ServiceAccount their pods run as. A namespaced
object without `metadata.namespace` counts as being in `default` (where kubectl puts it).

A binding reaches a ServiceAccount through a `ServiceAccount` subject (namespace defaulting to
the binding's), a `User` subject `system:serviceaccount:<ns>:<name>`, or a `Group` subject
`system:serviceaccounts:<ns>` (every ServiceAccount of a namespace) / `system:serviceaccounts`
(every ServiceAccount of the cluster).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from astra_guard.engine.python_rules import RuleContext
from astra_guard.model import Path, Resource
from astra_guard.pods import Pod, pod_of

DEFAULT_NAMESPACE = "default"
DEFAULT_SA = "default"
READ_VERBS = frozenset({"get", "list", "watch"})
# ClusterRoles every cluster has: the user-facing ones and the `system:` ones.
BUILTIN_CLUSTER_ROLES = frozenset({"cluster-admin", "admin", "edit", "view"})
# What the built-in user-facing ClusterRoles grant, for bindings to a role not in the inputs.
BUILTIN_WRITES = {"cluster-admin": "every verb on every resource", "admin": "write access to most namespaced resources",
                  "edit": "write access to most namespaced resources"}

Key = tuple[str, str]  # (namespace, name)


def namespace_of(resource: Resource) -> str:
    return resource.namespace or DEFAULT_NAMESPACE


def builtin_cluster_role(name: str) -> bool:
    """ClusterRoles that exist in every cluster, whether or not the inputs declare them."""
    return name in BUILTIN_CLUSTER_ROLES or name.startswith("system:")


@dataclass(frozen=True)
class Subject:
    """One subject of one binding that reaches ServiceAccounts."""

    binding: Resource
    index: int
    data: dict[str, Any]

    @property
    def path(self) -> Path:
        return ("subjects", self.index, "name")

    @property
    def label(self) -> str:
        return f"{self.binding.kind} {describe(self.binding)}"


@dataclass(frozen=True)
class Workload:
    """A pod-bearing object and the ServiceAccount its pods run as."""

    resource: Resource
    pod: Pod
    service_account: str
    sa_path: Path  # the serviceAccountName (or legacy serviceAccount) field, set or not

    @property
    def key(self) -> Key:
        return (namespace_of(self.resource), self.service_account)

    @property
    def label(self) -> str:
        return f"{self.resource.kind} {describe(self.resource)}"

    @property
    def automount(self) -> Any:
        """The pod's automountServiceAccountToken (None when unset: the ServiceAccount decides)."""
        return self.pod.spec.get("automountServiceAccountToken")


def describe(resource: Resource) -> str:
    return f"{resource.namespace}/{resource.name}" if resource.namespace else resource.name


def workload_of(resource: Resource) -> Workload | None:
    """The workload view of a pod-bearing object, or None for any other object."""
    pod = pod_of(resource.data)
    return None if pod is None else _workload(resource, pod)


def _workload(resource: Resource, pod: Pod) -> Workload:
    """The workload view of an object carrying `pod`."""
    for key in ("serviceAccountName", "serviceAccount"):
        name = pod.spec.get(key)
        if isinstance(name, str) and name:
            return Workload(resource, pod, name, pod.path + (key,))
    return Workload(resource, pod, DEFAULT_SA, pod.path + ("serviceAccountName",))


@dataclass
class RbacIndex:
    """The RBAC objects and workloads of a scan, by key."""

    service_accounts: dict[Key, Resource] = field(default_factory=dict)
    roles: dict[Key, Resource] = field(default_factory=dict)
    cluster_roles: dict[str, Resource] = field(default_factory=dict)
    role_bindings: dict[Key, Resource] = field(default_factory=dict)
    cluster_role_bindings: dict[str, Resource] = field(default_factory=dict)
    workloads: list[Workload] = field(default_factory=list)
    workloads_by_sa: dict[Key, list[Workload]] = field(default_factory=dict)
    subjects_by_sa: dict[Key, list[Subject]] = field(default_factory=dict)
    subjects_by_namespace: dict[str, list[Subject]] = field(default_factory=dict)
    subjects_for_all: list[Subject] = field(default_factory=list)

    @property
    def bindings(self) -> Iterator[Resource]:
        yield from self.role_bindings.values()
        yield from self.cluster_role_bindings.values()

    def subjects_of(self, key: Key) -> list[Subject]:
        """Every binding subject that reaches the ServiceAccount `key`."""
        return [*self.subjects_by_sa.get(key, ()), *self.subjects_by_namespace.get(key[0], ()), *self.subjects_for_all]

    def role_of(self, binding: Resource) -> Resource | None:
        """The Role or ClusterRole a binding's roleRef names, when the inputs hold it."""
        ref = role_ref(binding)
        if ref.get("kind") == "Role" and binding.kind == "RoleBinding":
            return self.roles.get((namespace_of(binding), str(ref.get("name"))))
        if ref.get("kind") == "ClusterRole":
            return self.cluster_roles.get(str(ref.get("name")))
        return None

    def rules_of(self, role: Resource) -> Iterator[tuple[Resource, int, dict[str, Any]]]:
        """(role that holds the rule, rule index, rule): the role's own rules, and for an
        aggregated ClusterRole those of the ClusterRoles its `matchLabels` selectors pick."""
        yield from _own_rules(role)
        aggregation = role.data.get("aggregationRule") if role.kind == "ClusterRole" else None
        selectors = aggregation.get("clusterRoleSelectors") if isinstance(aggregation, dict) else None
        if not isinstance(selectors, list):
            return
        for other in self.cluster_roles.values():
            labels = (other.data.get("metadata") or {}).get("labels") or {}
            if other is not role and any(_selects(s, labels) for s in selectors):
                yield from _own_rules(other)


def role_ref(binding: Resource) -> dict[str, Any]:
    ref = binding.data.get("roleRef")
    return ref if isinstance(ref, dict) else {}


def _own_rules(role: Resource) -> Iterator[tuple[Resource, int, dict[str, Any]]]:
    for i, rule in enumerate(role.data.get("rules") or ()):
        if isinstance(rule, dict):
            yield role, i, rule


def _selects(selector: Any, labels: dict[str, Any]) -> bool:
    match = selector.get("matchLabels") if isinstance(selector, dict) else None
    return isinstance(match, dict) and bool(match) and all(labels.get(k) == v for k, v in match.items())


def _index_subjects(index: RbacIndex, binding: Resource) -> None:
    default_ns = namespace_of(binding) if binding.kind == "RoleBinding" else DEFAULT_NAMESPACE
    for i, subject in enumerate(binding.data.get("subjects") or ()):
        if not isinstance(subject, dict):
            continue
        kind, name = subject.get("kind"), str(subject.get("name", ""))
        ref = Subject(binding, i, subject)
        if kind == "ServiceAccount":
            key = (str(subject.get("namespace") or default_ns), name)
            index.subjects_by_sa.setdefault(key, []).append(ref)
        elif kind == "User" and name.startswith("system:serviceaccount:") and name.count(":") == 3:
            _, _, ns, sa = name.split(":")
            index.subjects_by_sa.setdefault((ns, sa), []).append(ref)
        elif kind == "Group" and name == "system:serviceaccounts":
            index.subjects_for_all.append(ref)
        elif kind == "Group" and name.startswith("system:serviceaccounts:"):
            index.subjects_by_namespace.setdefault(name.split(":", 2)[2], []).append(ref)


def build_index(context: RuleContext) -> RbacIndex:
    """Index the Kubernetes resources of a scan in one pass (once per scan: the rules share it)."""
    return context.memo("rbac-index", lambda: _build_index(context))


def _build_index(context: RuleContext) -> RbacIndex:
    index = RbacIndex()
    for resource in context.of_kind("ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"):
        kind, key = resource.kind, (namespace_of(resource), resource.name)
        if kind == "ServiceAccount":
            index.service_accounts[key] = resource
        elif kind == "Role":
            index.roles[key] = resource
        elif kind == "ClusterRole":
            index.cluster_roles[resource.name] = resource
        elif kind == "RoleBinding":
            index.role_bindings[key] = resource
            _index_subjects(index, resource)
        elif kind == "ClusterRoleBinding":
            index.cluster_role_bindings[resource.name] = resource
            _index_subjects(index, resource)
    for resource, pod in context.pods():  # the pod-bearing kinds are none of the RBAC kinds
        workload = _workload(resource, pod)
        index.workloads.append(workload)
        index.workloads_by_sa.setdefault(workload.key, []).append(workload)
    return index


def names(workloads: list[Workload]) -> str:
    """'Deployment ns/a, Job ns/b' for messages."""
    return ", ".join(sorted({w.label for w in workloads}))
