"""Item 2 (NetworkPolicy default deny, gateway-only ingress) on the seed: exactly the expected findings."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from astra_guard.findings import Finding, Severity
from astra_guard.scan import ScanOptions, scan
from tests.conftest import SEED

NETPOL_RULES = {
    "k8s-netpol-default-deny", "k8s-netpol-gateway-ingress", "k8s-netpol-open-ingress",
    "k8s-netpol-unknown-namespace-label", "k8s-netpol-egress-allowance",
}
FIXTURES = Path(__file__).resolve().parent / "kubernetes"


@cache
def netpol_findings() -> tuple[Finding, ...]:
    result = scan([SEED])
    assert result.errors == []
    return tuple(f for f in result.findings if f.rule_id in NETPOL_RULES)


def test_the_seed_produces_exactly_the_networkpolicy_findings_of_the_checklist() -> None:
    assert sorted((f.file, f.line, f.rule_id) for f in netpol_findings()) == [
        # policyTypes: ["Ingress","Egress"] with egress: []: no DNS for the Deployment nor the Rollout
        ("k8s/20-networkpolicy.yaml", 9, "k8s-netpol-egress-allowance"),
        # matchLabels: { name: astra-control }: no Namespace of the inputs carries it
        ("k8s/20-networkpolicy.yaml", 25, "k8s-netpol-unknown-namespace-label"),
    ]


def test_the_egress_finding_names_both_workloads_and_the_missing_dns_allowance() -> None:
    (egress,) = [f for f in netpol_findings() if f.rule_id == "k8s-netpol-egress-allowance"]
    assert egress.severity is Severity.LOW
    assert "Deployment 'support-agent' and Rollout 'support-agent' have no egress allowance at all" in egress.message
    assert "port 53" in egress.message and "kube-system" in egress.message


def test_the_gateway_label_finding_hints_at_the_name_label_the_api_server_sets() -> None:
    (label,) = [f for f in netpol_findings() if f.rule_id == "k8s-netpol-unknown-namespace-label"]
    assert "name=astra-control" in label.message and "kubernetes.io/metadata.name" in label.message
    assert "astra-agents" in label.message


def test_nothing_of_item_2_points_into_the_strategy_patch() -> None:
    assert [f for f in netpol_findings() if f.file == "k8s/40-rollout-kubernetes.yaml"] == []


def test_an_outbound_endpoint_raises_the_egress_finding_to_medium() -> None:
    case = FIXTURES / "netpol_egress_allowance" / "fail" / "no-egress"
    result = scan([case], ScanOptions(root=case))
    assert [f.severity for f in result.findings if f.rule_id == "k8s-netpol-egress-allowance"] == [Severity.MEDIUM]


def test_the_gateway_selector_is_a_parameter() -> None:
    case = FIXTURES / "netpol_gateway_ingress" / "pass" / "gateway-only"
    params = {"k8s-netpol-gateway-ingress": {"gateway_namespace_selector": {"name": "edge"}}}
    result = scan([case], ScanOptions(root=case, params=params))
    assert sorted((f.file, f.line) for f in result.findings if f.rule_id == "k8s-netpol-gateway-ingress") == [
        ("policies.yaml", 21),  # the astra-control peer is no longer the gateway
        ("workloads.yaml", 11),  # and Deployment api is left with no gateway allowance
    ]
