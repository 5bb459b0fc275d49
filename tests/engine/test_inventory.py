from __future__ import annotations

from astra_guard.engine.inventory import build_inventory, synced_kinds
from astra_guard.loaders import kubernetes


def test_inventory_has_gatekeepers_shape_for_namespaced_and_cluster_objects() -> None:
    text = """apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: no-namespace}
"""
    inventory = build_inventory(kubernetes.load(text, "x.yaml").resources)
    assert set(inventory["cluster"]["v1"]["Namespace"]) == {"shop"}
    assert set(inventory["namespace"]["shop"]["networking.k8s.io/v1"]["NetworkPolicy"]) == {"deny"}
    assert set(inventory["namespace"]["default"]["v1"]["ConfigMap"]) == {"no-namespace"}


def test_given_the_synced_kinds_the_inventory_holds_only_those_as_gatekeeper_replicates_them() -> None:
    text = """apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
"""
    kinds = synced_kinds([{"group": "networking.k8s.io", "version": "v1", "kind": "NetworkPolicy"},
                          {"group": "", "version": "v1", "kind": "Namespace"}])
    assert kinds == {("networking.k8s.io/v1", "NetworkPolicy"), ("v1", "Namespace")}
    inventory = build_inventory(kubernetes.load(text, "x.yaml").resources, kinds)
    assert inventory == {
        "cluster": {"v1": {"Namespace": {"shop": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}}}},
        "namespace": {"shop": {"networking.k8s.io/v1": {"NetworkPolicy": {"deny": {
            "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny", "namespace": "shop"}}}}}},
    }
