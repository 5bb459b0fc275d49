"""Every Gatekeeper Constraint has its ConstraintTemplate among the inputs.

A Constraint's kind is a CRD that Gatekeeper creates from a ConstraintTemplate
(`spec.crd.spec.names.kind`). Without the template the Constraint cannot even be applied, and
nothing is enforced. The templates accepted are those in the scanned inputs and those of the
bundle `astra-guard gatekeeper export` writes (an `Astra*` kind for every catalogue rule that
can be enforced at admission): a Constraint of such a kind is whole once that bundle is applied.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.model import Resource
from astra_guard.rules.meta import RuleMeta

CONSTRAINT_GROUP = "constraints.gatekeeper.sh"
TEMPLATE_GROUP = "templates.gatekeeper.sh"

META = RuleMeta(
    id="gk-constraint-template-missing",
    title="Every Gatekeeper Constraint has its ConstraintTemplate",
    severity=Severity.HIGH,
    checklist_item=5,
    rationale=(
        "A Constraint is an instance of the CRD that Gatekeeper generates from a ConstraintTemplate. "
        "Without the template the API server does not know the Constraint's kind: applying it fails "
        "and the policy it promises is never enforced, while the repository suggests otherwise."
    ),
    remediation=(
        "Add the ConstraintTemplate whose spec.crd.spec.names.kind is the Constraint's kind (for "
        "example from the Gatekeeper policy library, or `astra-guard gatekeeper export` for Astra* "
        "kinds) to the deployed manifests, or remove the Constraint."
    ),
    family="kubernetes",
    engine="python",
    source="astra_guard/rules/kubernetes/constraint_template_missing.py",
    references=(
        "https://open-policy-agent.github.io/gatekeeper/website/docs/howto/",
        "https://open-policy-agent.github.io/gatekeeper/website/docs/constrainttemplates/",
    ),
)


def group_of(resource: Resource) -> str:
    """The API group of a Kubernetes object ('' for the core group)."""
    api_version = resource.api_version or ""
    return api_version.rpartition("/")[0]


def is_constraint(resource: Resource) -> bool:
    return resource.family == "kubernetes" and group_of(resource) == CONSTRAINT_GROUP


def template_kind(resource: Resource) -> str | None:
    """The Constraint kind a ConstraintTemplate defines, if it is one."""
    if resource.family != "kubernetes" or resource.kind != "ConstraintTemplate" or group_of(resource) != TEMPLATE_GROUP:
        return None
    node: Any = resource.data
    for key in ("spec", "crd", "spec", "names", "kind"):
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, str) and node else None


def exported_kinds() -> set[str]:
    """The Constraint kinds of the ConstraintTemplates astra-guard's own Gatekeeper export writes."""
    from astra_guard.gatekeeper.export import constraint_kind, exportable
    from astra_guard.rules.catalog import load_catalog

    return {constraint_kind(meta.id) for meta in load_catalog() if exportable(meta)}


def check(context: RuleContext) -> Iterator[Violation]:
    templates = {kind for r in context.of_kind("ConstraintTemplate") if (kind := template_kind(r))}
    constraints = context.of_api_group(CONSTRAINT_GROUP)  # is_constraint(r), for each of them
    if any(r.kind.startswith("Astra") for r in constraints):
        templates |= exported_kinds()
    for resource in constraints:
        if resource.kind in templates:
            continue
        near = sorted(k for k in templates if k.lower() == resource.kind.lower())
        hint = f" (a template defines '{near[0]}': kinds are case-sensitive)" if near else (
            " (nor does astra-guard's Gatekeeper export define it)" if resource.kind.startswith("Astra") else "")
        yield Violation(resource, ("kind",), (
            f"Constraint kind {resource.kind} has no ConstraintTemplate among the inputs{hint}: the API server "
            f"cannot create '{resource.name}' and nothing is enforced; add the ConstraintTemplate whose "
            f"spec.crd.spec.names.kind is {resource.kind}"))
