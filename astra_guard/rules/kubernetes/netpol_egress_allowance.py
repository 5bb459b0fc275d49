"""Workloads whose egress is denied keep at least DNS (and their telemetry endpoint)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.model import Resource
from astra_guard.rules.kubernetes._selectors import (
    PolicyIndex,
    Workload,
    describe_workloads,
    peers,
    policies_in,
    policy_types,
    port_number,
    rules,
    types_path,
    workloads_by_namespace,
)
from astra_guard.rules.meta import RuleMeta

META = RuleMeta(
    id="k8s-netpol-egress-allowance",
    title="Workloads under an egress deny keep DNS and their telemetry egress",
    severity=Severity.LOW,
    checklist_item=2,
    rationale=(
        "A default deny-all policy cuts egress too. A pod left with no egress allowance cannot resolve a "
        "single name, so every outbound call fails, including the export of its traces and metrics: the "
        "service looks healthy while its telemetry goes dark. DNS needs UDP and TCP port 53 to the cluster "
        "DNS (kube-dns in kube-system). The finding is medium when a container sets "
        "OTEL_EXPORTER_OTLP_ENDPOINT or another *_ENDPOINT, *_URL or *_HOST variable pointing outside the "
        "cluster, since that traffic is then certainly lost. It is reported once per denying policy, at "
        "its Egress entry in policyTypes, naming every workload concerned."
    ),
    remediation=(
        "Add a NetworkPolicy selecting the workload's pods that allows egress to namespace kube-system "
        "(pods k8s-app: kube-dns) on UDP and TCP port 53, plus egress to the telemetry collector and the "
        "other endpoints the pods call."
    ),
    family="kubernetes",
    engine="python",
    source="astra_guard/rules/kubernetes/netpol_egress_allowance.py",
    references=(
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic",
        "https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/",
        "https://opentelemetry.io/docs/specs/otel/protocol/exporter/",
    ),
)

OTEL_PREFIX = "OTEL_EXPORTER_OTLP_"
ENDPOINT_SUFFIXES = ("_ENDPOINT", "_URL", "_HOST")
CLUSTER_SUFFIXES = (".svc", ".svc.cluster.local", ".cluster.local")
DNS_TEXT = "DNS (UDP and TCP port 53 to kube-system, pods k8s-app: kube-dns)"


def _host(value: str) -> str | None:
    """The host of a URL or host[:port] value, or None when the value names no host."""
    text = value.strip()
    if not text or "$(" in text:
        return None
    try:
        host = urlsplit(text if "://" in text else "//" + text).hostname
    except ValueError:  # a malformed URL (e.g. an unclosed IPv6 bracket) names no host we can judge
        return None
    return host or None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _in_cluster(host: str) -> bool:
    """Loopback, a bare Service name, or a cluster DNS name: not an endpoint outside the cluster."""
    if _loopback(host):
        return True
    try:
        ipaddress.ip_address(host)
        return False
    except ValueError:
        return "." not in host or host.endswith(CLUSTER_SUFFIXES)


def outbound_endpoints(workload: Workload) -> list[str]:
    """Env vars that send traffic out: the OTLP exporter's endpoint (unless on loopback, a sidecar),
    or any *_ENDPOINT / *_URL / *_HOST holding a URL or host outside the cluster."""
    found = []
    for container in workload.containers():
        for var in container.data.get("env") or ():
            if not isinstance(var, dict) or not isinstance(var.get("name"), str):
                continue
            name, value = var["name"], var.get("value")
            upper = name.upper()
            if not upper.endswith(ENDPOINT_SUFFIXES):
                continue
            host = _host(value) if isinstance(value, str) else None
            if upper.startswith(OTEL_PREFIX) and upper.endswith("_ENDPOINT"):
                if not isinstance(value, str):
                    found.append(f"{name} (set from valueFrom)")
                elif host is None or not _loopback(host):
                    found.append(f"{name}={value}")
            elif host is not None and not _in_cluster(host):
                found.append(f"{name}={value}")
    return found


def _allows_port_53(rule: dict[str, Any]) -> bool:
    ports = rule.get("ports")
    if not isinstance(ports, list) or not ports:
        return True
    for entry in ports:
        if not isinstance(entry, dict):
            continue
        port, end = port_number(entry.get("port")), entry.get("endPort")
        if port is None or port == 53 or port in ("dns", "dns-tcp"):
            return True
        if isinstance(port, int) and isinstance(end, int) and port <= 53 <= end:
            return True
    return False


def _reaches_dns(rule: dict[str, Any]) -> bool:
    """Some destination could be the cluster DNS: anywhere, another namespace, or an IP range.

    A peer with only a podSelector stays in the policy's own namespace, which is not kube-system.
    """
    to = peers(rule, "egress")
    return not to or any(isinstance(p, dict) and ("namespaceSelector" in p or "ipBlock" in p) for p in to)


def allows_dns(rule: Any, namespace: str) -> bool:
    if not isinstance(rule, dict):
        return False
    return _allows_port_53(rule) and (namespace == "kube-system" or _reaches_dns(rule))


@dataclass
class Gap:
    """What one workload under an egress deny lacks."""

    workload: Workload
    no_egress: bool
    endpoints: list[str]


def _names(gaps: list[Gap]) -> str:
    return describe_workloads([g.workload for g in gaps])


def _message(policy: Resource, gaps: list[Gap]) -> str:
    cut = [g for g in gaps if g.no_egress]
    no_dns = [g for g in gaps if not g.no_egress]
    parts = ([f"{_names(cut)} {'has' if len(cut) == 1 else 'have'} no egress allowance at all"] if cut else []) + (
        [f"{_names(no_dns)} may egress somewhere, but not to DNS"] if no_dns else [])
    endpoints = "; ".join(f"{g.workload.label}: {', '.join(g.endpoints)}" for g in gaps if g.endpoints)
    reach = f", nor reach the endpoints they call ({endpoints})" if endpoints else ""
    return (
        f"NetworkPolicy '{policy.name}' denies egress, and {'; '.join(parts)}: missing {DNS_TEXT}, so the pods "
        f"cannot resolve any name{reach}; add a NetworkPolicy selecting them that allows egress to namespace "
        "kube-system (pods k8s-app: kube-dns) on UDP and TCP port 53" + (", and to those endpoints" if endpoints else "")
    )


def check(context: RuleContext) -> Iterator[Violation]:
    policies = policies_in(context)
    by_policy: dict[int, tuple[Resource, list[Gap]]] = {}
    for namespace, members in workloads_by_namespace(context).items():
        egress_policies = PolicyIndex([p for p in policies.get(namespace, []) if "Egress" in policy_types(p)])
        for workload in members:
            selecting = egress_policies.selecting(workload.labels)
            if not selecting:
                continue  # egress not isolated: k8s-netpol-default-deny speaks for it
            allowed = [r for p in selecting for r in rules(p, "egress")]
            if any(allows_dns(r, namespace) for r in allowed):
                continue
            gap = Gap(workload, not allowed, outbound_endpoints(workload))
            by_policy.setdefault(id(selecting[0]), (selecting[0], []))[1].append(gap)
    for policy, gaps in by_policy.values():
        telemetry = any(g.endpoints for g in gaps)
        yield Violation(policy, types_path(policy, "Egress"), _message(policy, gaps),
                        severity=Severity.MEDIUM if telemetry else Severity.LOW)
