"""Every namespace that runs workloads has a default deny-all NetworkPolicy."""

from __future__ import annotations

from collections.abc import Iterator

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.model import Resource
from astra_guard.rules.kubernetes._selectors import (
    by_namespace,
    describe_workloads,
    is_empty,
    policies_by_namespace,
    policy_types,
    rules,
    spec,
    workloads,
)
from astra_guard.rules.meta import RuleMeta

META = RuleMeta(
    id="k8s-netpol-default-deny",
    title="Every workload namespace has a default deny-all NetworkPolicy",
    severity=Severity.HIGH,
    checklist_item=2,
    rationale=(
        "A pod that no NetworkPolicy selects accepts traffic from every pod in the cluster and may "
        "connect anywhere. A policy with an empty podSelector, policyTypes Ingress and Egress, and no "
        "rules isolates every pod of the namespace, so that only what later policies explicitly allow "
        "gets through. Two select-all policies, one denying Ingress and one denying Egress, are "
        "equivalent and accepted."
    ),
    remediation=(
        "Add to the namespace a NetworkPolicy with podSelector: {}, policyTypes: [Ingress, Egress] and "
        "no ingress or egress rules, then allow the needed traffic in separate policies."
    ),
    family="kubernetes",
    engine="python",
    source="astra_guard/rules/kubernetes/netpol_default_deny.py",
    references=(
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies",
    ),
)

DIRECTIONS = ("Ingress", "Egress")


def _denies(policy: Resource, direction: str) -> bool:
    """The policy isolates every pod of its namespace in `direction` and allows nothing there."""
    selector = spec(policy).get("podSelector")
    return (
        (selector is None or is_empty(selector))
        and direction in policy_types(policy)
        and not rules(policy, direction.lower())
    )


def _near_misses(policies: list[Resource], missing: list[str]) -> list[str]:
    """Why the select-all policies of the namespace do not deny the missing directions."""
    notes = []
    for policy in policies:
        selector = spec(policy).get("podSelector")
        if not (selector is None or is_empty(selector)):
            continue
        for direction in missing:
            if direction not in policy_types(policy):
                notes.append(f"NetworkPolicy '{policy.name}' selects every pod but lacks {direction} in policyTypes")
            elif rules(policy, direction.lower()):
                notes.append(f"NetworkPolicy '{policy.name}' selects every pod but allows some {direction.lower()}")
    return notes


def check(context: RuleContext) -> Iterator[Violation]:
    policies = policies_by_namespace(context.resources)
    for namespace, members in by_namespace(workloads(context.resources)).items():
        in_namespace = policies.get(namespace, [])
        missing = [d for d in DIRECTIONS if not any(_denies(p, d) for p in in_namespace)]
        if not missing:
            continue
        first = members[0].resource
        metadata = first.data.get("metadata")
        has_namespace = isinstance(metadata, dict) and "namespace" in metadata
        path = ("metadata", "namespace") if has_namespace else ("metadata",)
        names = describe_workloads(members)
        where = f"namespace '{namespace}'" + ("" if has_namespace else " (no metadata.namespace: the default namespace)")
        lacking = " and ".join(missing).lower()
        notes = _near_misses(in_namespace, missing)
        detail = f" ({'; '.join(notes)})" if notes else ""
        yield Violation(first, path, (
            f"{where} runs {names} but no NetworkPolicy there denies all {lacking} traffic{detail}: add a "
            f"NetworkPolicy in '{namespace}' with podSelector: {{}}, policyTypes: [Ingress, Egress] and no "
            "ingress or egress rules"))
