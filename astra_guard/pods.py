"""Pods inside workloads, for Python code (the Rego rules use rego/lib/astra/k8s.rego)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterator

from astra_guard.model import Path

TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "Rollout"}
CONTAINER_FIELDS = ("initContainers", "containers", "ephemeralContainers")
# Where each pod-bearing kind holds its pod spec.
POD_PATHS: dict[str, Path] = {
    "Pod": ("spec",),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    **{kind: ("spec", "template", "spec") for kind in TEMPLATE_KINDS},
}


@dataclass(frozen=True)
class Container:
    path: Path
    data: dict[str, Any]
    name: str


@dataclass(frozen=True)
class Pod:
    path: Path  # to the pod spec
    spec: dict[str, Any]

    @cached_property
    def all_containers(self) -> tuple[Container, ...]:
        """Init, regular and ephemeral containers, in that order; built once per Pod (a Pod shared
        by several rules, see RuleContext.pods, lists them once; its spec is never changed)."""
        found = []
        for field in CONTAINER_FIELDS:
            for i, c in enumerate(self.spec.get(field) or ()):
                if isinstance(c, dict):
                    found.append(Container(self.path + (field, i), c, str(c.get("name", f"#{i}"))))
        return tuple(found)


def pod_of(obj: dict[str, Any]) -> Pod | None:
    """The pod spec a Kubernetes object carries, if any."""
    kind: Any = obj.get("kind")
    if not isinstance(obj.get("spec"), dict):
        return None
    path = POD_PATHS.get(kind)
    if path is None:
        return None
    node: Any = obj
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return Pod(path, node) if isinstance(node, dict) else None


def containers(pod: Pod) -> Iterator[Container]:
    """`pod.all_containers`, one by one."""
    return iter(pod.all_containers)


def effective(pod: Pod, container: Container, key: str) -> tuple[Any, Path]:
    """The kubelet's value for a pod-or-container securityContext field, and where it is set."""
    own = container.data.get("securityContext")
    if isinstance(own, dict) and key in own:
        return own[key], container.path + ("securityContext", key)
    shared = pod.spec.get("securityContext")
    if isinstance(shared, dict) and key in shared:
        return shared[key], pod.path + ("securityContext", key)
    return None, container.path + ("securityContext", key)
