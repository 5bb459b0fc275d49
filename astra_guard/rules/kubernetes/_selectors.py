"""Label selectors and NetworkPolicy semantics shared by the NetworkPolicy rules (item 2).

Not a rule (the module name starts with `_`). It answers: which label sets a selector matches
(`matchLabels` and `matchExpressions`, as the API server evaluates them), which workloads run
in which namespace with which pod labels and ports, which NetworkPolicies sit in a namespace,
and which traffic directions a policy isolates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from astra_guard.model import Path, Resource
from astra_guard.pods import Container, Pod, containers, pod_of

if TYPE_CHECKING:  # pragma: no cover
    from astra_guard.engine.python_rules import RuleContext

DEFAULT_NAMESPACE = "default"


def _labels(value: Any) -> dict[str, str]:
    """A label map as strings; anything that is not a mapping carries no label."""
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if v is not None}


def _expression_matches(expression: Any, labels: dict[str, str]) -> bool:
    """One `matchExpressions` requirement against a label set (unknown operators match nothing)."""
    if not isinstance(expression, dict):
        return False
    key = str(expression.get("key", ""))
    operator = expression.get("operator")
    values = {str(v) for v in expression.get("values") or () if v is not None}
    if operator == "In":
        return key in labels and labels[key] in values
    if operator == "NotIn":
        return key not in labels or labels[key] not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    return False


def matches(selector: Any, labels: Any) -> bool:
    """True when the LabelSelector `selector` selects an object labelled `labels`.

    Every `matchLabels` pair and every `matchExpressions` requirement must hold (they are ANDed);
    an empty selector (`{}`) selects everything. A selector that is not a mapping (absent, null,
    a string) selects nothing: callers decide what an absent selector means in their context.
    """
    if not isinstance(selector, dict):
        return False
    return _matches_labels(selector, _labels(labels))


def _matches_labels(selector: dict[str, Any], have: dict[str, str]) -> bool:
    """`matches` for a selector mapping and a label map already made of strings (`_labels`)."""
    wanted = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not wanted and not expressions:
        return True  # the empty selector (also with null or empty lists): every label set
    if not isinstance(wanted, dict):
        return False
    if any(have.get(str(k)) != str(v) for k, v in wanted.items()):
        return False
    if not isinstance(expressions, list):
        return False
    return all(_expression_matches(e, have) for e in expressions)


def is_empty(selector: Any) -> bool:
    """True for the selector that selects everything: `{}` (no labels, no expressions)."""
    return isinstance(selector, dict) and not selector.get("matchLabels") and not selector.get("matchExpressions")


def describe_labels(labels: Any) -> str:
    """`a=b, c=d` for messages; `no labels` when empty."""
    pairs = _labels(labels)
    return ", ".join(f"{k}={v}" for k, v in pairs.items()) or "no labels"


# --- workloads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Port:
    """A port a container declares."""

    number: int
    protocol: str
    name: str | None

    def __str__(self) -> str:
        return f"{self.number}/{self.protocol}" + (f" ({self.name})" if self.name else "")


@dataclass(frozen=True)
class Workload:
    """A pod-bearing object: its namespace, its pods' labels (and where they are) and ports."""

    resource: Resource
    pod: Pod
    namespace: str
    labels: dict[str, str]  # strings only (`_labels`)
    labels_path: Path

    @property
    def label(self) -> str:
        return f"{self.resource.kind} '{self.resource.name}'"

    def containers(self) -> Iterator[Container]:
        return containers(self.pod)

    def ports(self) -> list[Port]:
        """Ports declared by containers and init containers (ephemeral containers may declare none)."""
        return list(self._ports)

    @cached_property
    def _ports(self) -> tuple[Port, ...]:
        """`ports()`, read once per workload (several rules and policies ask for the same workload)."""
        found = []
        for container in self.containers():
            if container.path[-2] == "ephemeralContainers":
                continue
            for entry in container.data.get("ports") or ():
                number = entry.get("containerPort") if isinstance(entry, dict) else None
                if isinstance(number, int) and not isinstance(number, bool):
                    name = entry.get("name")
                    protocol = str(entry.get("protocol") or "TCP").upper()
                    found.append(Port(number, protocol, str(name) if name else None))
        return tuple(found)


def describe_workloads(items: list[Workload], limit: int = 3) -> str:
    """`Deployment 'a', Job 'b' and 2 more` for messages."""
    labels = [w.label for w in items[:limit]] + ([f"{len(items) - limit} more"] if len(items) > limit else [])
    return ", ".join(labels[:-1]) + " and " + labels[-1] if len(labels) > 1 else "".join(labels)


def namespace_of(resource: Resource) -> str:
    """The namespace an object lands in when applied without `-n`: its own, or `default`."""
    return resource.namespace or DEFAULT_NAMESPACE


def workloads(resources: Iterable[Resource]) -> list[Workload]:
    """Every pod-bearing Kubernetes object with its pod template, in input order.

    An Argo Rollout with `workloadRef` and no template carries no pod of its own (its pods are
    the referenced Deployment's, judged there) and is not a workload here.
    """
    pods = ((r, pod_of(r.data)) for r in resources if r.family == "kubernetes")
    return [_workload(resource, pod) for resource, pod in pods if pod is not None]


def _workload(resource: Resource, pod: Pod) -> Workload:
    """The workload view of a Kubernetes object carrying `pod`."""
    meta_path = ("metadata",) if pod.path == ("spec",) else pod.path[:-1] + ("metadata",)
    node: Any = resource.data
    for key in meta_path:
        node = node.get(key) if isinstance(node, dict) else None
    labels = _labels(node.get("labels") if isinstance(node, dict) else None)
    return Workload(resource, pod, namespace_of(resource), labels, meta_path + ("labels",))


def _pod_selector(policy: Resource) -> Any:
    """The podSelector `selects` applies: an absent one is the empty selector."""
    selector = spec(policy).get("podSelector")
    return {} if selector is None else selector


class WorkloadIndex:
    """The workloads of one namespace by label, so the workloads a policy selects are found from its
    podSelector's first matchLabels pair instead of by testing every workload (a namespace of
    N workloads and N policies would otherwise cost N * N selector tests)."""

    def __init__(self, members: list[Workload]) -> None:
        self.members = members
        self.by_label: dict[tuple[str, str], list[Workload]] = {}
        for workload in members:
            for pair in workload.labels.items():
                self.by_label.setdefault(pair, []).append(workload)

    def selected_by(self, policy: Resource) -> list[Workload]:
        """Exactly `[w for w in members if selects(policy, w.labels)]`, in the same order."""
        selector = _pod_selector(policy)
        if not isinstance(selector, dict):
            return []  # a malformed selector selects nothing
        wanted = selector.get("matchLabels")
        candidates = self.members
        if isinstance(wanted, dict) and wanted:  # a workload lacking this pair cannot match
            key, value = next(iter(wanted.items()))
            candidates = self.by_label.get((str(key), str(value)), [])
        # Workload labels are strings already: test them as they are (what `selects` would do).
        return [w for w in candidates if _matches_labels(selector, w.labels)]


class PolicyIndex:
    """NetworkPolicies of one namespace by their podSelector's first matchLabels pair: the
    policies selecting a workload are found from its labels, not by testing every policy."""

    def __init__(self, policies: list[Resource]) -> None:
        self.policies = policies
        self.selectors = [_pod_selector(p) for p in policies]
        self.unindexed: list[int] = []  # empty, absent, expression-only or malformed selectors
        self.by_label: dict[tuple[str, str], list[int]] = {}
        for position, selector in enumerate(self.selectors):
            wanted = selector.get("matchLabels") if isinstance(selector, dict) else None
            if isinstance(wanted, dict) and wanted:
                key, value = next(iter(wanted.items()))
                self.by_label.setdefault((str(key), str(value)), []).append(position)
            else:
                self.unindexed.append(position)

    def selecting(self, labels: dict[str, str]) -> list[Resource]:
        """Exactly `[p for p in policies if selects(p, labels)]`, in the same order, for a label
        map of strings (a `Workload.labels`)."""
        positions = set(self.unindexed)
        for pair in labels.items():
            positions.update(self.by_label.get(pair, ()))
        return [
            self.policies[i] for i in sorted(positions)
            if isinstance(self.selectors[i], dict) and _matches_labels(self.selectors[i], labels)
        ]


def workloads_in(context: RuleContext) -> list[Workload]:
    """`workloads(context.resources)`, computed once per scan (from the shared `context.pods()`)
    for all the rules that ask."""
    return list(context.memo("workloads", lambda: [_workload(resource, pod) for resource, pod in context.pods()]))


def workloads_by_namespace(context: RuleContext) -> dict[str, list[Workload]]:
    """`by_namespace(workloads_in(context))`, once per scan. Read-only, like every shared view."""
    return context.memo("workloads-by-namespace", lambda: by_namespace(workloads_in(context)))


def by_namespace(items: Iterable[Workload]) -> dict[str, list[Workload]]:
    grouped: dict[str, list[Workload]] = {}
    for item in items:
        grouped.setdefault(item.namespace, []).append(item)
    return grouped


# --- NetworkPolicies ---------------------------------------------------------------------------


def policies_by_namespace(resources: Iterable[Resource]) -> dict[str, list[Resource]]:
    """NetworkPolicies (networking.k8s.io) grouped by the namespace they apply to."""
    grouped: dict[str, list[Resource]] = {}
    for resource in resources:
        if resource.family == "kubernetes" and resource.kind == "NetworkPolicy" and isinstance(resource.data.get("spec"), dict):
            grouped.setdefault(namespace_of(resource), []).append(resource)
    return grouped


def policies_in(context: RuleContext) -> dict[str, list[Resource]]:
    """`policies_by_namespace(context.resources)`, once per scan. Read-only, like every shared view."""
    return context.memo("netpols-by-namespace", lambda: policies_by_namespace(context.of_kind("NetworkPolicy")))


def spec(policy: Resource) -> dict[str, Any]:
    value = policy.data.get("spec")
    return value if isinstance(value, dict) else {}


def rules(policy: Resource, direction: str) -> list[Any]:
    """The policy's `ingress` or `egress` rules (an absent or null list is empty)."""
    value = spec(policy).get(direction)
    return value if isinstance(value, list) else []


def policy_types(policy: Resource) -> set[str]:
    """The directions the policy isolates, with the API server's defaulting.

    Without `policyTypes`, a policy always isolates Ingress, and Egress only when it has egress
    rules.
    """
    declared = spec(policy).get("policyTypes")
    if isinstance(declared, list):
        return {str(t) for t in declared}
    return {"Ingress", "Egress"} if rules(policy, "egress") else {"Ingress"}


def selects(policy: Resource, labels: dict[str, str]) -> bool:
    """True when the policy's podSelector selects pods with these labels.

    An absent podSelector decodes as the empty selector: it selects every pod of the namespace.
    """
    selector = spec(policy).get("podSelector")
    return matches({} if selector is None else selector, labels)


def types_path(policy: Resource, direction: str) -> Path:
    """Where a direction is declared: its `policyTypes` entry, else the rules that imply it."""
    declared = spec(policy).get("policyTypes")
    if isinstance(declared, list):
        for i, value in enumerate(declared):
            if value == direction:
                return ("spec", "policyTypes", i)
        return ("spec", "policyTypes")
    return ("spec", direction.lower())


def peers(rule: Any, direction: str) -> list[Any]:
    """A rule's `from` (ingress) or `to` (egress) peers; empty when absent."""
    if not isinstance(rule, dict):
        return []
    value = rule.get("from" if direction == "ingress" else "to")
    return value if isinstance(value, list) else []


def port_number(value: Any) -> int | str | None:
    """A NetworkPolicy port as an int, a port name, or None (absent: every port)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    return int(text) if text.isdigit() else text


def describe_port(entry: Any) -> str:
    if not isinstance(entry, dict):
        return str(entry)
    protocol = str(entry.get("protocol") or "TCP").upper()
    port = port_number(entry.get("port"))
    end = entry.get("endPort")
    where = "every port" if port is None else f"{port}-{end}" if isinstance(end, int) and isinstance(port, int) else str(port)
    return f"{where}/{protocol}"


def port_allows(entry: Any, port: Port) -> bool:
    """True when a NetworkPolicy port entry admits traffic to a container's declared port."""
    if not isinstance(entry, dict):
        return False
    if str(entry.get("protocol") or "TCP").upper() != port.protocol:
        return False
    wanted = port_number(entry.get("port"))
    if wanted is None:
        return True
    if isinstance(wanted, str):
        return wanted == port.name
    end = entry.get("endPort")
    if isinstance(end, int) and not isinstance(end, bool):
        return wanted <= port.number <= end
    return wanted == port.number
