"""NetworkPolicy namespaceSelector labels that no Namespace in the inputs carries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.model import Path, Resource
from astra_guard.rules.kubernetes._selectors import peers, rules
from astra_guard.rules.meta import RuleMeta

META = RuleMeta(
    id="k8s-netpol-unknown-namespace-label",
    title="NetworkPolicy namespaceSelector labels are carried by a Namespace",
    severity=Severity.LOW,
    checklist_item=2,
    rationale=(
        "A namespaceSelector matches namespaces by their labels, not by their names. A label no "
        "Namespace carries matches nothing, so the allowance silently admits no traffic (the gateway "
        "cannot reach the service) until someone labels the namespace by hand, outside review. The API "
        "server sets kubernetes.io/metadata.name=<name> on every namespace: it is the label to select a "
        "namespace by name, and it counts as carried by each Namespace of the inputs."
    ),
    remediation=(
        "Select the namespace by the label the API server sets, kubernetes.io/metadata.name: <name>, or "
        "add the selected label to the Namespace manifest in the same inputs."
    ),
    family="kubernetes",
    engine="python",
    source="astra_guard/rules/kubernetes/netpol_unknown_namespace_label.py",
    references=(
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-namespace-by-its-name",
        "https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name",
    ),
)

NAME_LABEL = "kubernetes.io/metadata.name"
BUILTIN_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
PEER_FIELDS = {"ingress": "from", "egress": "to"}


@dataclass
class Namespaces:
    """What the inputs show about namespaces and their labels."""

    declared: list[dict[str, str]]  # labels of each Namespace object, with kubernetes.io/metadata.name
    candidates: list[dict[str, str]]  # declared, plus a bare name label for every other known namespace
    values_of: dict[str, set[str]]  # label key -> every value some candidate carries

    def carries(self, key: str, value: str) -> bool:
        return value in self.values_of.get(key, ())


def namespaces_of(resources: list[Resource]) -> Namespaces:
    """Namespace objects' labels, plus the namespaces known to exist without one.

    The API server sets kubernetes.io/metadata.name on every namespace: a Namespace object of the
    inputs carries it, and so do the built-in namespaces and every namespace an object of the
    inputs is placed in (which must exist for the object to be created).
    """
    declared = []
    used = set(BUILTIN_NAMESPACES)
    for resource in resources:
        if resource.family != "kubernetes":
            continue
        if resource.namespace:
            used.add(resource.namespace)
        if resource.kind != "Namespace":
            continue
        metadata = resource.data.get("metadata")
        labels = metadata.get("labels") if isinstance(metadata, dict) else None
        carried = {str(k): str(v) for k, v in labels.items() if v is not None} if isinstance(labels, dict) else {}
        if resource.name:
            carried[NAME_LABEL] = resource.name
        declared.append(carried)
    names = {d.get(NAME_LABEL) for d in declared}
    candidates = declared + [{NAME_LABEL: n} for n in sorted(used - names)]
    values_of: dict[str, set[str]] = {}
    for labels in candidates:
        for key, value in labels.items():
            values_of.setdefault(key, set()).add(value)
    return Namespaces(declared, candidates, values_of)


def _why(key: str, known: Namespaces) -> str:
    """Why the label is unknown: no Namespace at all, other values only, or nobody carries the key."""
    if key == NAME_LABEL:
        return ("no namespace of that name is among the inputs (no Namespace object, no object placed in it, "
                "not a built-in namespace)")
    if not known.declared:
        return "the inputs hold no Namespace object, so none is shown to carry it"
    if known.values_of.get(key):
        return f"the inputs' Namespaces carry {key} only as {', '.join(sorted(known.values_of[key]))}"
    names = ", ".join(sorted(n.get(NAME_LABEL, "?") for n in known.declared))
    return f"none of the inputs' Namespaces ({names}) carries it"


def _fix(key: str, value: str) -> str:
    if key == NAME_LABEL:
        return f"add the Namespace '{value}' to the inputs, or correct the name"
    return (f"select by the label the API server sets on every namespace, {NAME_LABEL}: <name> "
            f"({NAME_LABEL}: {value} if the namespace is named {value}), or add {key}: {value} to the "
            "Namespace manifest")


def check(context: RuleContext) -> Iterator[Violation]:
    known = namespaces_of(context.resources)
    for policy in context.of_kind("NetworkPolicy"):
        for direction, field in PEER_FIELDS.items():
            for i, rule in enumerate(rules(policy, direction)):
                for j, peer in enumerate(peers(rule, direction)):
                    yield from _judge(policy, ("spec", direction, i, field, j), peer, known)


def _judge(policy: Resource, at: Path, peer: Any, known: Namespaces) -> Iterator[Violation]:
    selector = peer.get("namespaceSelector") if isinstance(peer, dict) else None
    wanted = selector.get("matchLabels") if isinstance(selector, dict) else None
    if not isinstance(wanted, dict) or not wanted:
        return
    wanted = {str(k): str(v) for k, v in wanted.items()}
    path = at + ("namespaceSelector", "matchLabels")
    unknown = [(k, v) for k, v in wanted.items() if not known.carries(k, v)]
    for key, value in unknown:
        yield Violation(policy, path + (key,), (
            f"NetworkPolicy '{policy.name}' selects namespaces labelled {key}={value}, but {_why(key, known)}: "
            f"unless {'it exists' if key == NAME_LABEL else 'a namespace is labelled so'} outside these inputs, "
            f"the peer matches no namespace and admits nothing; {_fix(key, value)}"))
    if unknown or not known.declared:
        return
    if not any(all(labels.get(k) == v for k, v in wanted.items()) for labels in known.candidates):
        shown = ", ".join(f"{k}={v}" for k, v in wanted.items())
        yield Violation(policy, path, (
            f"NetworkPolicy '{policy.name}' selects namespaces labelled {shown}: each label is carried by some "
            "Namespace of the inputs, but no single one carries them all, so the peer (which requires every "
            f"label) matches none of them; select by {NAME_LABEL}: <namespace name>, or give one Namespace all "
            "of these labels"))
