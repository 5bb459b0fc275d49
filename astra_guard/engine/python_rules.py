"""Run the Python rules: the ones whose logic spans resources (and files)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, TypeVar

from astra_guard.engine.rego_embedded import RuleFault
from astra_guard.findings import Violation
from astra_guard.model import Resource
from astra_guard.pods import POD_PATHS, Pod, pod_of
from astra_guard.rules.catalog import PythonRule

T = TypeVar("T")


@dataclass
class RuleContext:
    """What a Python rule sees: every resource of the scan, indexed, and its own parameters.

    `shared` holds views of `resources` that several rules need (by family, by kind, by API
    group, the pod specs, the RBAC index, the workloads), computed by the first rule that asks and
    reused by the others: one scan, one index. Rules treat what `memo` returns as read-only.
    """

    resources: list[Resource]
    params: dict[str, Any] = field(default_factory=dict)
    shared: dict[Any, Any] = field(default_factory=dict)

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """`compute()`, once per scan for every rule that asks with the same key."""
        if key not in self.shared:
            self.shared[key] = compute()
        return self.shared[key]

    def _grouped(self) -> _Groups:
        """The resources by family and the Kubernetes objects by kind, in one pass."""

        def group() -> _Groups:
            groups = _Groups()
            for resource in self.resources:
                groups.families.setdefault(resource.family, []).append(resource)
                if resource.family == "kubernetes":
                    groups.kinds.setdefault(resource.kind, []).append(resource)
            return groups

        return self.memo("grouped", group)

    def of_family(self, family: str) -> list[Resource]:
        """The resources of one family, in input order."""
        return list(self._grouped().families.get(family, ()))

    def of_kind(self, *kinds: str) -> list[Resource]:
        """The Kubernetes objects of these kinds, in input order (kinds interleaved as in the input)."""
        if len(kinds) == 1:
            return list(self._grouped().kinds.get(kinds[0], ()))
        by_kind = self._grouped().kinds
        return list(self.memo(("kinds", kinds), lambda: self.in_input_order(*(by_kind.get(k, []) for k in kinds))))

    def of_api_group(self, group: str) -> list[Resource]:
        """The Kubernetes objects of one API group ('' for the core group), in input order."""

        def by_group() -> dict[str, list[Resource]]:
            grouped: dict[str, list[Resource]] = {}
            for resource in self._grouped().families.get("kubernetes", ()):
                grouped.setdefault((resource.api_version or "").rpartition("/")[0], []).append(resource)
            return grouped

        return list(self.memo("api-groups", by_group).get(group, ()))

    def in_input_order(self, *selections: list[Resource]) -> list[Resource]:
        """The resources of these lists (each a selection of the scan's resources, in input order),
        once each, in input order."""
        position = self.memo("positions", lambda: {id(resource): i for i, resource in enumerate(self.resources)})
        return sorted({id(r): r for selection in selections for r in selection}.values(), key=lambda r: position[id(r)])

    def pods(self) -> list[tuple[Resource, Pod]]:
        """Every Kubernetes object that carries a pod spec (`pods.pod_of`), with it, in input order.

        Only the objects of a pod-bearing kind are read (`Resource.kind` of a Kubernetes object is
        its `kind` field: the loader takes it from there). The `Pod` objects are shared by every
        rule that asks (and cache their containers): rules read them, never change them.
        """
        return list(self.memo("pods", lambda: [
            (resource, pod) for resource in self.of_kind(*POD_PATHS) if (pod := pod_of(resource.data)) is not None
        ]))


@dataclass
class _Groups:
    """One pass over a scan's resources: by family, and the Kubernetes objects by kind."""

    families: dict[str, list[Resource]] = field(default_factory=dict)
    kinds: dict[str, list[Resource]] = field(default_factory=dict)


def run_python_rules(
    rules: Iterable[PythonRule], resources: list[Resource], params: dict[str, dict[str, Any]]
) -> tuple[list[tuple[str, Violation]], list[RuleFault]]:
    """Each rule's violations; an exception inside a rule is a fault of that rule only."""
    found: list[tuple[str, Violation]] = []
    faults: list[RuleFault] = []
    shared: dict[Any, Any] = {}
    for rule in rules:
        context = RuleContext(resources, params.get(rule.meta.id, rule.meta.default_params()), shared)
        try:
            found += [(rule.meta.id, v) for v in rule.module.check(context)]
        except Exception as exc:  # noqa: BLE001 - one broken rule must not stop the scan
            faults.append(RuleFault(rule.meta.id, None, f"{type(exc).__name__}: {exc}"))
    return found, faults
