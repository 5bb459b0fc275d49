"""Run the Python rules: the ones whose logic spans resources (and files)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from astra_guard.engine.rego_embedded import RuleFault
from astra_guard.findings import Violation
from astra_guard.model import Resource
from astra_guard.rules.catalog import PythonRule


@dataclass
class RuleContext:
    """What a Python rule sees: every resource of the scan, indexed, and its own parameters."""

    resources: list[Resource]
    params: dict[str, Any] = field(default_factory=dict)

    def of_family(self, family: str) -> list[Resource]:
        return [r for r in self.resources if r.family == family]

    def of_kind(self, *kinds: str) -> list[Resource]:
        return [r for r in self.resources if r.family == "kubernetes" and r.kind in kinds]


def run_python_rules(
    rules: Iterable[PythonRule], resources: list[Resource], params: dict[str, dict[str, Any]]
) -> tuple[list[tuple[str, Violation]], list[RuleFault]]:
    """Each rule's violations; an exception inside a rule is a fault of that rule only."""
    found: list[tuple[str, Violation]] = []
    faults: list[RuleFault] = []
    for rule in rules:
        context = RuleContext(resources, params.get(rule.meta.id, rule.meta.default_params()))
        try:
            found += [(rule.meta.id, v) for v in rule.module.check(context)]
        except Exception as exc:  # noqa: BLE001 - one broken rule must not stop the scan
            faults.append(RuleFault(rule.meta.id, None, f"{type(exc).__name__}: {exc}"))
    return found, faults
