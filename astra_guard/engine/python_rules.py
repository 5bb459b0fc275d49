"""Run the Python rules: the ones whose logic spans resources (and files)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, TypeVar

from astra_guard.engine.rego_embedded import RuleFault
from astra_guard.findings import Violation
from astra_guard.model import Resource
from astra_guard.rules.catalog import PythonRule

T = TypeVar("T")


@dataclass
class RuleContext:
    """What a Python rule sees: every resource of the scan, indexed, and its own parameters.

    `shared` holds views of `resources` that several rules need (by family, by kind, the RBAC
    index, the workloads), computed by the first rule that asks and reused by the others: one
    scan, one index. Rules treat what `memo` returns as read-only.
    """

    resources: list[Resource]
    params: dict[str, Any] = field(default_factory=dict)
    shared: dict[Any, Any] = field(default_factory=dict)

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """`compute()`, once per scan for every rule that asks with the same key."""
        if key not in self.shared:
            self.shared[key] = compute()
        return self.shared[key]

    def of_family(self, family: str) -> list[Resource]:
        return list(self.memo(("family", family), lambda: [r for r in self.resources if r.family == family]))

    def of_kind(self, *kinds: str) -> list[Resource]:
        return list(self.memo(("kinds", kinds), lambda: [r for r in self.of_family("kubernetes") if r.kind in kinds]))


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
