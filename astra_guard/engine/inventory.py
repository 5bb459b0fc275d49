"""`data.inventory` in Gatekeeper's shape, built from the scanned Kubernetes objects.

Referential rules read the other objects of the cluster through `data.inventory`, which
Gatekeeper fills from the kinds its `Config` syncs. The scan fills it from the inputs, so one
Rego source decides the same way in CI and at admission:

    data.inventory.cluster[<groupVersion>][<Kind>][<name>]
    data.inventory.namespace[<namespace>][<groupVersion>][<Kind>][<name>]

groupVersion is `v1` for the core group. Objects without a namespace of a namespaced kind
count as in `default`, as `kubectl apply` would place them. Given the kinds the rules sync
(their `sync` metadata, what Gatekeeper's Config replicates), only those are filled: the rules
see what they would see at admission, and a large repository's other objects are not copied
into the engine again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from astra_guard.model import Resource

CLUSTER_SCOPED = frozenset({
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "StorageClass",
    "CustomResourceDefinition", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
    "PriorityClass", "PodSecurityPolicy", "ConstraintTemplate", "IngressClass", "RuntimeClass",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "APIService",
})


def is_cluster_scoped(resource: Resource) -> bool:
    return resource.kind in CLUSTER_SCOPED or (resource.api_version or "").startswith("constraints.gatekeeper.sh/")


def synced_kinds(sync: Iterable[dict[str, str]]) -> set[tuple[str, str]]:
    """(groupVersion, kind) pairs from `sync` metadata entries ({group, version, kind})."""
    return {(f"{k['group']}/{k['version']}" if k.get("group") else k["version"], k["kind"]) for k in sync}


def build_inventory(resources: list[Resource], kinds: set[tuple[str, str]] | None = None) -> dict[str, Any]:
    """data.inventory of `resources`; with `kinds` ((groupVersion, kind) pairs), of those kinds only."""
    cluster: dict[str, Any] = {}
    namespaced: dict[str, Any] = {}
    for r in resources:
        if r.family != "kubernetes" or not r.api_version or not r.name:
            continue
        if kinds is not None and (r.api_version, r.kind) not in kinds:
            continue
        if is_cluster_scoped(r):
            cluster.setdefault(r.api_version, {}).setdefault(r.kind, {})[r.name] = r.data
        else:
            ns = namespaced.setdefault(r.namespace or "default", {})
            ns.setdefault(r.api_version, {}).setdefault(r.kind, {})[r.name] = r.data
    return {"cluster": cluster, "namespace": namespaced}
