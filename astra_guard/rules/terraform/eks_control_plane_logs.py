"""EKS control-plane logs include audit and api, so admission decisions are recorded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

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

REQUIRED = ("audit", "api")
SUGGESTED = '["audit", "api", "authenticator"]'
EFFECTS = {"audit": "admission decisions (audit log)", "api": "API server requests and errors (api log)"}

META = RuleMeta(
    id="tf-eks-control-plane-logs",
    title="EKS control-plane logs include audit and api",
    severity=Severity.MEDIUM,
    checklist_item=5,
    rationale=(
        "Admission decisions, including every Gatekeeper denial, are recorded only in the "
        "Kubernetes audit log, and API server errors in the api log. EKS ships them to CloudWatch "
        "only for the log types enabled on the cluster: the AWS provider enables none by default, "
        "the terraform-aws-modules/eks module enables none before v18 and audit, api and "
        "authenticator from v18. The module's default is taken from the major its version "
        "constraint pins."
    ),
    remediation='Enable the audit and api control-plane log types: enabled_cluster_log_types on aws_eks_cluster, cluster_enabled_log_types (v17-v20) or enabled_log_types (v21) on the module, e.g. ["audit", "api", "authenticator"].',
    family="terraform",
    engine="python",
    source="astra_guard/rules/terraform/eks_control_plane_logs.py",
    references=(
        "https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html",
        "https://registry.terraform.io/modules/terraform-aws-modules/eks/aws/latest#input_enabled_log_types",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_cluster#enabled_cluster_log_types",
    ),
)


def log_types(cluster: Cluster, variables: Variables) -> Setting:
    if cluster.flavour == "module":
        return module_input(cluster, variables, "log_types", "log_types_default", ("cluster_enabled_log_types", "enabled_log_types"))
    return attribute(cluster, variables, "enabled_cluster_log_types", [])


def _show(value: Any) -> str:
    return json.dumps([v for v in value if isinstance(v, str)]) if isinstance(value, list) else json.dumps(value)


def check(context: RuleContext) -> Iterator[Violation]:
    variables = Variables(context.resources)
    for cluster in clusters(context.resources):
        setting = log_types(cluster, variables)
        if setting.value is UNKNOWN_DEFAULT:
            yield Violation(cluster.resource, setting.path, (
                f"{cluster.label}: {cluster.version_note}, so the default control-plane log types are unknown (v17 "
                "enables none, v18 and later audit, api and authenticator): pin the module version and set "
                f"cluster_enabled_log_types (v17-v20) or enabled_log_types (v21) to {SUGGESTED}"))
            continue
        value = [] if setting.value is None else list(setting.value) if isinstance(setting.value, tuple) else setting.value
        if not isinstance(value, list):
            continue
        missing = [t for t in REQUIRED if t not in value]
        if not missing or not known(value):
            continue
        lacking = " and ".join(f'"{t}"' for t in missing)
        effect = " and ".join(EFFECTS[t] for t in missing) + " are not recorded"
        if setting.explicit:
            what = f"sets {setting.name} to {_show(value)}, without {lacking}"
        elif cluster.flavour == "module":
            what = f"leaves {setting.name} at the v{cluster.major} default {_show(value)}, without {lacking}"
        else:
            what = f"does not set {setting.name}, and EKS enables no control-plane log type by default"
        yield Violation(cluster.resource, setting.path, (
            f"{cluster.label} {what}: {effect}; set {setting.name} = {SUGGESTED}"))
