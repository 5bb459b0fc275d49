"""Every workload's pods admit ingress only from the gateway, on the ports they expose."""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from typing import Any

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.model import Resource
from astra_guard.rules.kubernetes._selectors import (
    Workload,
    WorkloadIndex,
    describe_labels,
    describe_port,
    describe_workloads,
    peers,
    policies_in,
    policy_types,
    port_allows,
    rules,
    workloads_by_namespace,
)
from astra_guard.rules.meta import Param, RuleMeta

NAME_LABEL = "kubernetes.io/metadata.name"

META = RuleMeta(
    id="k8s-netpol-gateway-ingress",
    title="Workload pods admit ingress only from the gateway, on the ports they expose",
    severity=Severity.MEDIUM,
    checklist_item=2,
    rationale=(
        "Behind a default deny-all policy, each workload needs one explicit allowance: traffic from the "
        "gateway's namespace to the ports its containers serve. Any other source (another namespace, "
        "same-namespace pods, an IP range) widens the attack surface, and a port no container declares "
        "is either a mistake or a hole for a process nobody reviewed. A workload whose containers "
        "declare no port serves nothing and needs no ingress allowance; the gateway's own namespace "
        "(a Namespace of the inputs carrying the gateway labels) is not judged. Namespaces listed "
        "under gateway.also_admit (a monitoring namespace whose Prometheus scrapes the pods) are "
        "accepted as peers too, on exposed ports; they never replace the gateway's allowance."
    ),
    remediation=(
        "Select the workload's pods with a NetworkPolicy whose only ingress peers are the gateway's "
        "namespaceSelector (optionally narrowed by a podSelector), on the containerPorts the pods declare."
    ),
    family="kubernetes",
    engine="python",
    source="astra_guard/rules/kubernetes/netpol_gateway_ingress.py",
    references=(
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors",
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-range-of-ports",
    ),
    params=(
        Param(
            "gateway_namespace_selector", "object", {"name": "astra-control"},
            "Labels of the namespace the gateway runs in; a peer is the gateway when its "
            "namespaceSelector.matchLabels include all of them.",
        ),
        Param(
            "also_admit_namespace_selectors", "array", [],
            "Label sets of other namespaces workloads may take ingress from (configuration "
            "gateway.also_admit), matched like the gateway's; they do not count as its allowance.",
            items="object",
        ),
    ),
)


def gateway_labels(params: dict[str, Any]) -> dict[str, str]:
    """The configured gateway namespace labels; an empty selector would match every namespace."""
    value = params.get("gateway_namespace_selector", META.default_params()["gateway_namespace_selector"])
    if not isinstance(value, dict) or not value:
        raise ValueError("parameter gateway_namespace_selector must be a non-empty mapping of namespace labels")
    return {str(k): str(v) for k, v in value.items()}


def gateway_namespaces(resources: list[Resource], gateway: dict[str, str]) -> set[str]:
    """Namespaces the gateway itself runs in: its workloads take traffic from outside, not from it.

    A Namespace object of the inputs whose labels (with kubernetes.io/metadata.name, which the API
    server sets) include the gateway's; or the namespace the selector names when it selects by name.
    """
    names = {gateway[NAME_LABEL]} if gateway.keys() == {NAME_LABEL} else set()
    for resource in resources:
        if resource.family != "kubernetes" or resource.kind != "Namespace":
            continue
        metadata = resource.data.get("metadata")
        labels = metadata.get("labels") if isinstance(metadata, dict) else None
        carried = {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}
        carried[NAME_LABEL] = resource.name
        if all(carried.get(k) == v for k, v in gateway.items()):
            names.add(resource.name)
    return names


def also_admitted(params: dict[str, Any]) -> list[dict[str, str]]:
    """The configured label sets of namespaces admitted besides the gateway (each non-empty)."""
    value = params.get("also_admit_namespace_selectors", [])
    if not isinstance(value, list) or not all(isinstance(v, dict) and v for v in value):
        raise ValueError("parameter also_admit_namespace_selectors must be a list of non-empty mappings of namespace labels")
    return [{str(k): str(v) for k, v in labels.items()} for labels in value]


def is_gateway(peer: Any, gateway: dict[str, str]) -> bool:
    """A `from` peer that admits only the gateway's namespace (optionally some of its pods)."""
    if not isinstance(peer, dict) or "ipBlock" in peer:
        return False
    selector = peer.get("namespaceSelector")
    labels = selector.get("matchLabels") if isinstance(selector, dict) else None
    if not isinstance(labels, dict):
        return False
    return all(k in labels and str(labels[k]) == v for k, v in gateway.items())


def describe_peer(peer: Any) -> str:
    if not isinstance(peer, dict):
        return f"peer {peer!r}"
    if isinstance(peer.get("ipBlock"), dict):
        return f"ipBlock {peer['ipBlock'].get('cidr', '?')}"
    parts = []
    if "namespaceSelector" in peer:
        ns = peer["namespaceSelector"]
        parts.append("every namespace" if ns in ({}, None) else f"namespaces {_selector_text(ns)}")
    if "podSelector" in peer:
        pods = peer["podSelector"]
        parts.append("every pod" if pods in ({}, None) else f"pods {_selector_text(pods)}")
    if "namespaceSelector" not in peer:
        parts.append("of the policy's own namespace")
    return ", ".join(parts) if "namespaceSelector" in peer else " ".join(parts)


def _selector_text(selector: Any) -> str:
    if not isinstance(selector, dict):
        return str(selector)
    text = describe_labels(selector.get("matchLabels"))
    if selector.get("matchExpressions"):
        text += " (plus matchExpressions)"
    return text


def _ports_text(members: list[Workload]) -> str:
    ports = sorted({str(p) for w in members for p in w.ports()})
    return ", ".join(ports) or "none"


def _judge_policy(
    policy: Resource, selected: list[Workload], gateway: dict[str, str], gateway_text: str,
    also: Sequence[dict[str, str]] = (),
) -> Generator[Violation, None, bool]:
    """Peers other than the gateway (and the namespaces `also` admitted), and ports the selected
    pods do not expose; returns whether some ingress peer is the gateway (each peer judged once)."""
    admits_gateway = False
    exposed = [p for w in selected for p in w.ports()]
    names = ""  # describe_workloads(selected), written when a message needs it
    for i, rule in enumerate(rules(policy, "ingress")):
        from_peers = peers(rule, "ingress")  # none for a rule that is not a mapping
        for j, peer in enumerate(from_peers):
            if is_gateway(peer, gateway):
                admits_gateway = True
                continue
            if any(is_gateway(peer, labels) for labels in also):
                continue
            names = names or describe_workloads(selected)
            yield Violation(policy, ("spec", "ingress", i, "from", j), (
                f"NetworkPolicy '{policy.name}' admits ingress to {names} from {describe_peer(peer)}, which "
                f"is not the gateway: remove this peer and admit only namespaceSelector matchLabels {gateway_text}"))
        if not from_peers:
            continue  # open to everything (or malformed): k8s-netpol-open-ingress reports it
        ports = rule.get("ports")
        if not isinstance(ports, list) or not ports:
            names = names or describe_workloads(selected)
            yield Violation(policy, ("spec", "ingress", i), (
                f"NetworkPolicy '{policy.name}' ingress rule {i} admits traffic to every port of {names}: "
                f"list only the ports the containers expose ({_ports_text(selected)}) under ports"))
            continue
        for k, entry in enumerate(ports):
            if not any(port_allows(entry, p) for p in exposed):
                names = names or describe_workloads(selected)
                yield Violation(policy, ("spec", "ingress", i, "ports", k), (
                    f"NetworkPolicy '{policy.name}' admits ingress on {describe_port(entry)}, which no container "
                    f"of {names} exposes (they expose {_ports_text(selected)}): remove the port or make it one "
                    "the containers declare"))
    return admits_gateway


def check(context: RuleContext) -> Iterator[Violation]:
    gateway = gateway_labels(context.params)
    also = also_admitted(context.params)
    gateway_text = describe_labels(gateway)
    policies = policies_in(context)
    exempt = gateway_namespaces(context.of_kind("Namespace"), gateway)
    for namespace, members in workloads_by_namespace(context).items():
        if namespace in exempt:
            continue
        ingress_policies = [p for p in policies.get(namespace, []) if "Ingress" in policy_types(p)]
        covered: set[int] = set()
        index = WorkloadIndex(members)
        for policy in ingress_policies:
            selected = index.selected_by(policy)
            if not selected:
                continue
            admits_gateway = yield from _judge_policy(policy, selected, gateway, gateway_text, also)
            if admits_gateway:
                covered.update(id(w) for w in selected)
        for workload in members:
            if id(workload) in covered or not workload.ports():
                continue
            yield Violation(workload.resource, workload.labels_path, (
                f"the pods of {workload.label} ({describe_labels(workload.labels)}) in namespace '{namespace}' are "
                f"selected by no NetworkPolicy admitting ingress from the gateway (namespaceSelector {gateway_text}): "
                f"add one whose podSelector matches these labels, with an ingress rule from namespaceSelector "
                f"matchLabels {gateway_text} on ports {_ports_text([workload])}"))
