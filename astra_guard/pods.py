"""Pods inside workloads, for Python code (the Rego rules use rego/lib/astra/k8s.rego)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from astra_guard.model import Path

TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "Rollout"}
CONTAINER_FIELDS = ("initContainers", "containers", "ephemeralContainers")


@dataclass(frozen=True)
class Pod:
    path: Path  # to the pod spec
    spec: dict[str, Any]


@dataclass(frozen=True)
class Container:
    path: Path
    data: dict[str, Any]
    name: str


def pod_of(obj: dict[str, Any]) -> Pod | None:
    """The pod spec a Kubernetes object carries, if any."""
    kind, spec = obj.get("kind"), obj.get("spec")
    if not isinstance(spec, dict):
        return None
    candidates: dict[str, Path] = {"Pod": ("spec",), "CronJob": ("spec", "jobTemplate", "spec", "template", "spec")}
    path = candidates.get(kind) if kind in candidates else ("spec", "template", "spec") if kind in TEMPLATE_KINDS else None
    node: Any = obj
    for key in path or ():
        node = node.get(key) if isinstance(node, dict) else None
    return Pod(path, node) if path and isinstance(node, dict) else None


def containers(pod: Pod) -> Iterator[Container]:
    for field in CONTAINER_FIELDS:
        for i, c in enumerate(pod.spec.get(field) or ()):
            if isinstance(c, dict):
                yield Container(pod.path + (field, i), c, str(c.get("name", f"#{i}")))


def effective(pod: Pod, container: Container, key: str) -> tuple[Any, Path]:
    """The kubelet's value for a pod-or-container securityContext field, and where it is set."""
    own = container.data.get("securityContext")
    if isinstance(own, dict) and key in own:
        return own[key], container.path + ("securityContext", key)
    shared = pod.spec.get("securityContext")
    if isinstance(shared, dict) and key in shared:
        return shared[key], pod.path + ("securityContext", key)
    return None, container.path + ("securityContext", key)
