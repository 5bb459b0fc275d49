"""The EKS module call passes no argument that its pinned major version removed."""

from __future__ import annotations

from collections.abc import Iterator

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.rules.meta import RuleMeta
from astra_guard.rules.terraform._eks import clusters
from astra_guard.rules.terraform._eks_module import META_ARGUMENTS, removed_in, replacement

META = RuleMeta(
    id="tf-eks-removed-argument",
    title="The EKS module call uses only inputs its pinned major accepts",
    severity=Severity.MEDIUM,
    checklist_item=5,
    rationale=(
        "Each major of terraform-aws-modules/eks removed or renamed inputs (aws-auth management in "
        "v18 and v20, the cluster_ prefix in v21). Terraform rejects a call that passes an input "
        "the module no longer declares, so the cluster (and its logging and access settings) "
        "cannot be planned, and the setting the author meant is not applied. The major is the "
        "lowest one the version constraint admits."
    ),
    remediation="Remove the argument or replace it with the input named in the finding, following the module's UPGRADE guide for the major in use.",
    family="terraform",
    engine="python",
    source="astra_guard/rules/terraform/eks_removed_argument.py",
    references=(
        "https://github.com/terraform-aws-modules/terraform-aws-eks/blob/master/docs/UPGRADE-18.0.md",
        "https://github.com/terraform-aws-modules/terraform-aws-eks/blob/master/docs/UPGRADE-20.0.md",
        "https://github.com/terraform-aws-modules/terraform-aws-eks/blob/master/docs/UPGRADE-21.0.md",
    ),
)


def check(context: RuleContext) -> Iterator[Violation]:
    for cluster in clusters(context.resources):
        if cluster.flavour != "module" or cluster.major is None:
            continue
        for name in cluster.resource.data:
            removed = removed_in(name)
            if name in META_ARGUMENTS or removed is None or removed > cluster.major:
                continue
            instead = replacement(name, cluster.major)
            if instead is None:
                advice = f"remove it (see docs/UPGRADE-{removed}.0.md of the module)"
            elif instead.startswith("nothing: "):
                advice = f"remove it: {instead.removeprefix('nothing: ')}"
            elif instead.isidentifier():
                advice = f"rename it to {instead}"
            else:
                advice = f"remove it and use {instead}"
            yield Violation(cluster.resource, (name,), (
                f"{cluster.label} passes {name}, which the module removed in v{removed}.0.0 ({cluster.version_note} "
                f"selects v{cluster.major}): terraform rejects the call; {advice}"))
