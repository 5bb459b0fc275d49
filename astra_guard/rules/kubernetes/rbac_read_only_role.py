"""Roles bound to a workload's ServiceAccount grant only get, list and watch."""

from __future__ import annotations

from collections.abc import Iterator

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.model import Path, Resource
from astra_guard.rules.kubernetes._rbac import (
    BUILTIN_WRITES,
    READ_VERBS,
    Workload,
    build_index,
    describe,
    names,
    role_ref,
)
from astra_guard.rules.meta import RuleMeta

META = RuleMeta(
    id="k8s-rbac-read-only-role",
    title="Roles bound to a workload's ServiceAccount are read-only",
    severity=Severity.HIGH,
    checklist_item=3,
    rationale=(
        "Whoever takes over a pod holds its ServiceAccount token, and with it every permission "
        "bound to that ServiceAccount. An agent that only reads its configuration needs get, list "
        "and watch; create, update, patch, delete, escalate, bind or impersonate turn a compromised "
        "pod into a foothold in the namespace. The Roles and ClusterRoles are followed from the "
        "workload through its ServiceAccount and every RoleBinding or ClusterRoleBinding that names "
        "it (aggregated ClusterRoles included), across files."
    ),
    remediation=(
        "Keep only the verbs get, list and watch in every Role or ClusterRole bound to a workload's "
        "ServiceAccount, and move write access to a separate ServiceAccount used only by the component that needs it."
    ),
    family="kubernetes",
    engine="python",
    source="astra_guard/rules/kubernetes/rbac_read_only_role.py",
    references=(
        "https://kubernetes.io/docs/reference/access-authn-authz/rbac/",
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
    ),
    kinds=("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"),
)


class _Grant:
    """One offending verb (or built-in role) and everything that reaches it."""

    def __init__(self, resource: Resource, path: Path, what: str) -> None:
        self.resource, self.path, self.what = resource, path, what
        self.workloads: list[Workload] = []
        self.bindings: set[str] = set()
        self.accounts: set[str] = set()

    def add(self, sa: tuple[str, str], workloads: list[Workload], via: str) -> None:
        self.accounts.add(f"{sa[0]}/{sa[1]}")
        self.workloads += workloads
        self.bindings.add(via)

    def violation(self) -> Violation:
        holder = f"{self.resource.kind} {describe(self.resource)}"
        through = "" if self.bindings == {holder} else f"bound through {', '.join(sorted(self.bindings))}, "
        return Violation(self.resource, self.path, (
            f"{holder} {self.what} to ServiceAccount {', '.join(sorted(self.accounts))} "
            f"({through}used by {names(self.workloads)}): a workload's ServiceAccount may only get, list and watch; "
            "remove the write verb or bind the workload to a read-only Role"))


def _rule_target(rule: dict) -> str:
    resources = rule.get("resources") or rule.get("nonResourceURLs") or []
    return ", ".join(str(r) for r in resources) if isinstance(resources, list) and resources else "nothing"


def check(context: RuleContext) -> Iterator[Violation]:
    index = build_index(context)
    grants: dict[tuple[str, str, Path], _Grant] = {}

    def grant(resource: Resource, path: Path, what: str) -> _Grant:
        key = (resource.identity, resource.file, path)
        if key not in grants:
            grants[key] = _Grant(resource, path, what)
        return grants[key]

    for sa_key, workloads in index.workloads_by_sa.items():
        for subject in index.subjects_of(sa_key):
            binding = subject.binding
            via = f"{binding.kind} {describe(binding)}"
            role = index.role_of(binding)
            if role is None:
                ref = role_ref(binding)
                name = str(ref.get("name", ""))
                if ref.get("kind") == "ClusterRole" and name in BUILTIN_WRITES:
                    found = grant(binding, ("roleRef", "name"), f"binds the built-in ClusterRole {name} ({BUILTIN_WRITES[name]})")
                    found.add(sa_key, workloads, via)
                continue
            for holder, i, rule in index.rules_of(role):
                verbs = rule.get("verbs")
                for j, verb in enumerate(verbs if isinstance(verbs, list) else ()):
                    if verb in READ_VERBS:
                        continue
                    via_role = "" if holder is role else f" (aggregated into ClusterRole {role.name})"
                    found = grant(holder, ("rules", i, "verbs", j), f"grants '{verb}' on {_rule_target(rule)}{via_role}")
                    found.add(sa_key, workloads, via)
    for found in grants.values():
        yield found.violation()
