"""Label selectors as the API server evaluates them, and the NetworkPolicy helpers built on them."""

from __future__ import annotations

from typing import Any

import pytest

from astra_guard.model import Resource
from astra_guard.rules.kubernetes._selectors import (
    Port,
    matches,
    policy_types,
    port_allows,
    selects,
    types_path,
    workloads,
)

LABELS = {"app": "api", "tier": "backend"}


@pytest.mark.parametrize(("selector", "expected"), [
    ({}, True),
    ({"matchLabels": {}}, True),
    ({"matchLabels": {"app": "api"}}, True),
    ({"matchLabels": {"app": "api", "tier": "backend"}}, True),
    ({"matchLabels": {"app": "web"}}, False),
    ({"matchLabels": {"missing": "x"}}, False),
    ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["api", "web"]}]}, True),
    ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]}, False),
    ({"matchExpressions": [{"key": "track", "operator": "In", "values": ["stable"]}]}, False),
    ({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]}, True),
    ({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["api"]}]}, False),
    # NotIn holds when the key is absent.
    ({"matchExpressions": [{"key": "track", "operator": "NotIn", "values": ["canary"]}]}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, True),
    ({"matchExpressions": [{"key": "track", "operator": "Exists"}]}, False),
    ({"matchExpressions": [{"key": "track", "operator": "DoesNotExist"}]}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, False),
    # matchLabels and matchExpressions are ANDed.
    ({"matchLabels": {"app": "api"}, "matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, False),
    ({"matchLabels": {"app": "api"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["backend"]}]}, True),
    ({"matchExpressions": [{"key": "app", "operator": "Bogus", "values": ["api"]}]}, False),
    (None, False),
    ("app=api", False),
])
def test_selector_matching(selector: Any, expected: bool) -> None:
    assert matches(selector, LABELS) is expected


def test_label_values_compare_as_strings() -> None:
    assert matches({"matchLabels": {"version": "2"}}, {"version": 2})
    assert matches({"matchExpressions": [{"key": "v", "operator": "In", "values": [1]}]}, {"v": "1"})


def policy(spec: dict[str, Any], namespace: str | None = "shop") -> Resource:
    data = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "p"}, "spec": spec}
    return Resource("kubernetes", "NetworkPolicy", "p", "p.yaml", data, {}, namespace=namespace)


def test_policy_types_default_as_the_api_server_does() -> None:
    assert policy_types(policy({"podSelector": {}})) == {"Ingress"}
    assert policy_types(policy({"podSelector": {}, "egress": [{}]})) == {"Ingress", "Egress"}
    assert policy_types(policy({"podSelector": {}, "policyTypes": ["Egress"]})) == {"Egress"}
    assert types_path(policy({"policyTypes": ["Ingress", "Egress"]}), "Egress") == ("spec", "policyTypes", 1)
    assert types_path(policy({"egress": [{}]}), "Egress") == ("spec", "egress")


def test_an_absent_pod_selector_selects_every_pod() -> None:
    assert selects(policy({}), {"app": "x"})
    assert not selects(policy({"podSelector": {"matchLabels": {"app": "y"}}}), {"app": "x"})


@pytest.mark.parametrize(("entry", "port", "expected"), [
    ({"port": 8080}, Port(8080, "TCP", None), True),
    ({"port": "8080"}, Port(8080, "TCP", None), True),
    ({"port": 8080, "protocol": "UDP"}, Port(8080, "TCP", None), False),
    ({"port": "http"}, Port(8080, "TCP", "http"), True),
    ({"port": "http"}, Port(8080, "TCP", None), False),
    ({"port": 8000, "endPort": 8100}, Port(8080, "TCP", None), True),
    ({"port": 8000, "endPort": 8050}, Port(8080, "TCP", None), False),
    ({"protocol": "TCP"}, Port(8080, "TCP", None), True),
    ({}, Port(53, "UDP", None), False),
])
def test_port_entries_against_declared_ports(entry: dict[str, Any], port: Port, expected: bool) -> None:
    assert port_allows(entry, port) is expected


def test_workloads_carry_their_pod_labels_namespace_and_ports() -> None:
    cron = {
        "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
        "spec": {"jobTemplate": {"spec": {"template": {
            "metadata": {"labels": {"app": "c"}},
            "spec": {"containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 9000, "protocol": "udp"}]}]},
        }}}},
    }
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"app": "p"}},
           "spec": {"containers": [{"name": "p", "image": "i"}]}}
    rollout_ref = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "r"},
                   "spec": {"workloadRef": {"kind": "Deployment", "name": "d"}}}
    found = workloads([
        Resource("kubernetes", "CronJob", "c", "c.yaml", cron, {}, namespace="jobs"),
        Resource("kubernetes", "Pod", "p", "p.yaml", pod, {}),
        Resource("kubernetes", "Rollout", "r", "r.yaml", rollout_ref, {}),
    ])
    assert [(w.label, w.namespace, w.labels, w.labels_path) for w in found] == [
        ("CronJob 'c'", "jobs", {"app": "c"}, ("spec", "jobTemplate", "spec", "template", "metadata", "labels")),
        ("Pod 'p'", "default", {"app": "p"}, ("metadata", "labels")),
    ]
    assert found[0].ports() == [Port(9000, "UDP", None)]
