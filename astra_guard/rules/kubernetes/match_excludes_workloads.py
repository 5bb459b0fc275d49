"""Gatekeeper Constraints' `match` covers the namespaces where the inputs run workloads.

A Constraint is enforced only on what its `spec.match` selects: `scope: Cluster` leaves out
every namespaced object, `namespaces` (when set) keeps only those, `excludedNamespaces` drops
some, `namespaceSelector` keeps the namespaces whose labels it selects. Gatekeeper's `Config`
(`spec.match[].excludedNamespaces` for the webhook process) exempts namespaces from every
Constraint. Namespace names in `namespaces` and `excludedNamespaces` may use Gatekeeper's
wildcards: a trailing `*` (prefix) or a leading `*` (suffix).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.model import Resource
from astra_guard.rules.kubernetes._selectors import Workload, matches, workloads_in
from astra_guard.rules.kubernetes.constraint_template_missing import group_of, is_constraint
from astra_guard.rules.meta import RuleMeta

NAME_LABEL = "kubernetes.io/metadata.name"
CONFIG_GROUP = "config.gatekeeper.sh"
WEBHOOK_PROCESSES = {"*", "webhook"}

META = RuleMeta(
    id="gk-match-excludes-workloads",
    title="Gatekeeper Constraints cover the workload namespaces",
    severity=Severity.MEDIUM,
    checklist_item=5,
    rationale=(
        "A Constraint whose match leaves out the namespace where the workloads run enforces "
        "nothing on them, while its presence suggests the release gate is active. The namespaces "
        "judged are those of the pod-bearing objects among the inputs; a namespaceSelector is "
        "evaluated against the labels of the inputs' Namespace objects (plus "
        "kubernetes.io/metadata.name, which the API server sets)."
    ),
    remediation="Remove the workload namespace from excludedNamespaces (and from Gatekeeper's Config exemptions), add it to match.namespaces, label it so match.namespaceSelector selects it, or drop scope: Cluster.",
    family="kubernetes",
    engine="python",
    source="astra_guard/rules/kubernetes/match_excludes_workloads.py",
    references=(
        "https://open-policy-agent.github.io/gatekeeper/website/docs/howto/#the-match-field",
        "https://open-policy-agent.github.io/gatekeeper/website/docs/exempt-namespaces/",
    ),
)


def name_matches(pattern: Any, namespace: str) -> bool:
    """Gatekeeper's namespace wildcard: `prefix*`, `*suffix`, or an exact name."""
    if not isinstance(pattern, str) or not pattern:
        return False
    if pattern.endswith("*"):
        return namespace.startswith(pattern[:-1])
    if pattern.startswith("*"):
        return namespace.endswith(pattern[1:])
    return pattern == namespace


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _who(members: list[Workload]) -> str:
    names = ", ".join(w.label for w in members[:2])
    return names + (f" and {len(members) - 2} more" if len(members) > 2 else "")


def _selector_keys(selector: dict[str, Any]) -> set[str]:
    keys = {str(k) for k in _dict(selector.get("matchLabels"))}
    for expression in selector.get("matchExpressions") or ():
        if isinstance(expression, dict):
            keys.add(str(expression.get("key", "")))
    return keys


def _namespace_labels(namespaces: dict[str, Resource], name: str, selector: dict[str, Any]) -> dict[str, Any] | None:
    """The labels a namespace is known to carry, or None when the inputs cannot tell."""
    manifest = namespaces.get(name)
    if manifest is not None:
        labels = _dict(_dict(manifest.data.get("metadata")).get("labels"))
        return {**labels, NAME_LABEL: name}
    if _selector_keys(selector) <= {NAME_LABEL}:
        return {NAME_LABEL: name}
    return None


def _constraint(resource: Resource, running: dict[str, list[Workload]], namespaces: dict[str, Resource]) -> Iterator[Violation]:
    match = _dict(_dict(resource.data.get("spec")).get("match"))
    label = f"Constraint {resource.kind} '{resource.name}'"
    if match.get("scope") == "Cluster":
        yield Violation(resource, ("spec", "match", "scope"), (
            f"{label} has match.scope: Cluster, which leaves out every namespaced object, so nothing in "
            f"{', '.join(repr(n) for n in running)} is checked; remove scope (or set it to \"*\")"))
        return
    included = match.get("namespaces")
    if isinstance(included, list) and included:
        left_out = [n for n in running if not any(name_matches(p, n) for p in included)]
        if left_out:
            who = _who([w for n in left_out for w in running[n]])
            yield Violation(resource, ("spec", "match", "namespaces"), (
                f"{label} matches only namespaces {', '.join(repr(str(p)) for p in included)}, leaving out "
                f"{', '.join(repr(n) for n in left_out)} where the inputs run {who}: add them to match.namespaces"))
    for i, pattern in enumerate(match.get("excludedNamespaces") or ()):
        for namespace, members in running.items():
            if name_matches(pattern, namespace):
                yield Violation(resource, ("spec", "match", "excludedNamespaces", i), (
                    f"{label} excludes namespace '{namespace}' (excludedNamespaces entry {pattern!r}), where the "
                    f"inputs run {_who(members)}: its policy is not enforced there; remove or narrow the entry"))
    selector = match.get("namespaceSelector")
    if isinstance(selector, dict):
        for namespace, members in running.items():
            labels = _namespace_labels(namespaces, namespace, selector)
            if labels is not None and not matches(selector, labels):
                known = ", ".join(f"{k}={v}" for k, v in labels.items())
                yield Violation(resource, ("spec", "match", "namespaceSelector"), (
                    f"{label}: match.namespaceSelector does not select namespace '{namespace}' (labels {known}), "
                    f"where the inputs run {_who(members)}: label the namespace to match or widen the selector"))


def _config(resource: Resource, running: dict[str, list[Workload]]) -> Iterator[Violation]:
    for i, entry in enumerate(_dict(resource.data.get("spec")).get("match") or ()):
        entry = _dict(entry)
        processes = entry.get("processes")
        if not isinstance(processes, list) or not WEBHOOK_PROCESSES & {str(p) for p in processes}:
            continue
        for j, pattern in enumerate(entry.get("excludedNamespaces") or ()):
            for namespace, members in running.items():
                if name_matches(pattern, namespace):
                    yield Violation(resource, ("spec", "match", i, "excludedNamespaces", j), (
                        f"Gatekeeper Config '{resource.name}' exempts namespace '{namespace}' (entry {pattern!r}) "
                        f"from admission by every Constraint, and the inputs run {_who(members)} there: remove "
                        "or narrow the exemption"))


def check(context: RuleContext) -> Iterator[Violation]:
    running: dict[str, list[Workload]] = {}
    for workload in workloads_in(context):
        running.setdefault(workload.namespace, []).append(workload)
    if not running:
        return
    namespaces = {r.name: r for r in context.of_kind("Namespace")}
    for resource in context.resources:
        if is_constraint(resource):
            yield from _constraint(resource, running, namespaces)
        elif resource.family == "kubernetes" and resource.kind == "Config" and group_of(resource) == CONFIG_GROUP:
            yield from _config(resource, running)
