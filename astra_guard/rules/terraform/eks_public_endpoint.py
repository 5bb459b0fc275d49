"""The EKS API endpoint is not public to the whole internet."""

from __future__ import annotations

import json
from collections.abc import Iterator

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.rules.meta import RuleMeta
from astra_guard.rules.terraform._eks import (
    UNKNOWN_DEFAULT,
    Cluster,
    Setting,
    Variables,
    attribute,
    clusters,
    known,
    module_input,
)

OPEN = {"0.0.0.0/0", "::/0"}
WORLD = ["0.0.0.0/0"]

META = RuleMeta(
    id="tf-eks-public-endpoint",
    title="The EKS API endpoint is not open to the internet",
    severity=Severity.MEDIUM,
    checklist_item=None,
    rationale=(
        "A public cluster endpoint reachable from 0.0.0.0/0 exposes the Kubernetes API (and any "
        "credential or authentication flaw) to the whole internet. The AWS provider makes the "
        "endpoint public to 0.0.0.0/0 unless told otherwise; the terraform-aws-modules/eks module "
        "does so before v19 and keeps it private from v19. This hardens the cluster but is not one "
        "of the v1.0 checklist items."
    ),
    remediation="Turn the public endpoint off (endpoint_public_access = false, reaching the API through the VPC), or restrict public_access_cidrs to the administrators' and CI's address ranges.",
    family="terraform",
    engine="python",
    source="astra_guard/rules/terraform/eks_public_endpoint.py",
    references=(
        "https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_cluster#vpc_config",
    ),
)


def _settings(cluster: Cluster, variables: Variables) -> tuple[Setting, Setting]:
    if cluster.flavour == "module":
        public = module_input(cluster, variables, "public_access", "public_access_default",
                              ("cluster_endpoint_public_access", "endpoint_public_access"))
        cidrs = module_input(cluster, variables, "public_cidrs", None,
                             ("cluster_endpoint_public_access_cidrs", "endpoint_public_access_cidrs"))
        if cidrs.value is None or cidrs.value is UNKNOWN_DEFAULT:  # every major defaults to 0.0.0.0/0
            cidrs = Setting(cidrs.name, WORLD, cidrs.path, cidrs.explicit)
        return public, cidrs
    public = attribute(cluster, variables, "endpoint_public_access", True, within="vpc_config")
    cidrs = attribute(cluster, variables, "public_access_cidrs", WORLD, within="vpc_config")
    return public, cidrs


def check(context: RuleContext) -> Iterator[Violation]:
    variables = Variables(context.resources)
    for cluster in clusters(context.resources):
        public, cidrs = _settings(cluster, variables)
        if public.value is UNKNOWN_DEFAULT:
            if not cidrs.explicit:
                yield Violation(cluster.resource, public.path, (
                    f"{cluster.label}: {cluster.version_note}, so whether the API endpoint is public is unknown "
                    "(public to 0.0.0.0/0 before v19, private from v19): pin the module version or set "
                    "cluster_endpoint_public_access (v17-v20) / endpoint_public_access (v21) to false"))
            continue
        if public.value is not True:
            continue
        ranges = cidrs.value if isinstance(cidrs.value, list) else None
        if ranges is None or not known(ranges):
            continue
        opened = sorted(OPEN & set(ranges)) or ([] if ranges else ["every address (empty list)"])
        if not opened:
            continue
        how = f"sets {public.name} = true" if public.explicit else (
            f"leaves {public.name} at its default (public)" if cluster.flavour != "module"
            else f"leaves {public.name} at the v{cluster.major} default (true)")
        allowed = f"{cidrs.name} = {json.dumps(ranges)}" if cidrs.explicit else f"{cidrs.name} defaulting to {json.dumps(WORLD)}"
        yield Violation(cluster.resource, public.path, (
            f"{cluster.label} {how} with {allowed}: the Kubernetes API is reachable from {', '.join(opened)}; set "
            f"{public.name} = false or restrict {cidrs.name} to known address ranges"))
