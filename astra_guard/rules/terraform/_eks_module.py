"""What the `terraform-aws-modules/eks/aws` module does by default, per major version 17-21.

Not a rule (the module name starts with `_`): the data the `tf-eks-*` rules judge a module call
against. Every fact was read from the module's own source (github.com/terraform-aws-modules/
terraform-aws-eks): `variables.tf` and `main.tf` at the first and the last release of each major
(the tags in `VERIFIED`), and the removals as the difference between the variables of the last
release of one major and the first release of the next, with the replacements named in
`docs/UPGRADE-<major>.0.md`. Inputs do not reappear in a later major once removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERIFIED = {
    17: ("v17.0.0", "v17.24.0"), 18: ("v18.0.0", "v18.31.2"), 19: ("v19.0.0", "v19.21.0"),
    20: ("v20.0.0", "v20.37.2"), 21: ("v21.0.0", "v21.19.0"),
}
MAJORS = tuple(VERIFIED)
# The root module only: submodules (`//modules/eks-managed-node-group`, `//modules/karpenter`...)
# are not clusters.
SOURCE = re.compile(r"^(registry\.terraform\.io/)?terraform-aws-modules/eks/aws$")
GIT_SOURCE = re.compile(r"github\.com[/:]terraform-aws-modules/terraform-aws-eks(\.git)?/?(\?ref=(?P<ref>[^&]+)(&.*)?)?$")
META_ARGUMENTS = frozenset({"source", "version", "providers", "count", "for_each", "depends_on"})
ALL_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")


@dataclass(frozen=True)
class Facts:
    """The inputs of one major that the rules read, with their defaults."""

    major: int
    log_types: str
    log_types_default: tuple[str, ...]
    public_access: str
    public_access_default: bool
    public_cidrs: str
    encryption: str
    encryption_shape: str  # "list": [{provider_key_arn, resources}]; "object": {provider_key_arn, resources}
    encryption_default: object  # the input's default ([] / {"resources": ["secrets"]} / {})
    encryption_off: str  # the value that turns secrets encryption off
    create_kms_key_default: bool | None  # None: the major has no create_kms_key input (v17, v18 < 18.25)

    @property
    def verified(self) -> str:
        return " and ".join(VERIFIED[self.major])


_LOGS = ("audit", "api", "authenticator")
FACTS: dict[int, Facts] = {
    # v17: no log types, public endpoint open to the world, no secrets encryption by default.
    17: Facts(17, "cluster_enabled_log_types", (), "cluster_endpoint_public_access", True,
              "cluster_endpoint_public_access_cidrs", "cluster_encryption_config", "list", [], "[]", None),
    # v18: audit/api/authenticator logs by default; create_kms_key appears in v18.25.0, default false.
    18: Facts(18, "cluster_enabled_log_types", _LOGS, "cluster_endpoint_public_access", True,
              "cluster_endpoint_public_access_cidrs", "cluster_encryption_config", "list", [], "[]", False),
    # v19: private endpoint and KMS secrets encryption by default (UPGRADE-19.0.md).
    19: Facts(19, "cluster_enabled_log_types", _LOGS, "cluster_endpoint_public_access", False,
              "cluster_endpoint_public_access_cidrs", "cluster_encryption_config", "object",
              {"resources": ["secrets"]}, "{}", True),
    20: Facts(20, "cluster_enabled_log_types", _LOGS, "cluster_endpoint_public_access", False,
              "cluster_endpoint_public_access_cidrs", "cluster_encryption_config", "object",
              {"resources": ["secrets"]}, "{}", True),
    # v21: cluster_* inputs renamed; encryption_config's resources default to ["secrets"], null = off.
    21: Facts(21, "enabled_log_types", _LOGS, "endpoint_public_access", False, "endpoint_public_access_cidrs",
              "encryption_config", "object", {}, "null", True),
}

# Inputs each major removed (variables of the last release of the previous major that its first
# release no longer declares).
REMOVED: dict[int, tuple[str, ...]] = {
    17: ("config_output_path",),
    18: (
        "attach_worker_cni_policy", "aws_auth_additional_labels",
        "cluster_create_endpoint_private_access_sg_rule", "cluster_create_security_group",
        "cluster_create_timeout", "cluster_delete_timeout", "cluster_egress_cidrs",
        "cluster_endpoint_private_access_cidrs", "cluster_endpoint_private_access_sg",
        "cluster_iam_role_name", "cluster_log_kms_key_id", "cluster_log_retention_in_days",
        "cluster_update_timeout", "create_eks", "create_fargate_pod_execution_role",
        "default_platform", "eks_oidc_root_ca_thumbprint", "fargate_pod_execution_role_name",
        "fargate_subnets", "iam_path", "kubeconfig_api_version",
        "kubeconfig_aws_authenticator_additional_args", "kubeconfig_aws_authenticator_command",
        "kubeconfig_aws_authenticator_command_args", "kubeconfig_aws_authenticator_env_variables",
        "kubeconfig_file_permission", "kubeconfig_name", "kubeconfig_output_path",
        "manage_aws_auth", "manage_cluster_iam_resources", "manage_worker_iam_resources",
        "map_accounts", "map_roles", "map_users", "node_groups", "node_groups_defaults",
        "permissions_boundary", "subnets", "wait_for_cluster_timeout",
        "worker_additional_security_group_ids", "worker_ami_name_filter",
        "worker_ami_name_filter_windows", "worker_ami_owner_id", "worker_ami_owner_id_windows",
        "worker_create_cluster_primary_security_group_rules",
        "worker_create_initial_lifecycle_hooks", "worker_create_security_group", "worker_groups",
        "worker_groups_launch_template", "worker_security_group_id", "worker_sg_ingress_from_port",
        "workers_additional_policies", "workers_egress_cidrs", "workers_group_defaults",
        "workers_role_name", "write_kubeconfig",
    ),
    19: (
        "node_security_group_ntp_ipv4_cidr_block", "node_security_group_ntp_ipv6_cidr_block",
    ),
    20: (
        "aws_auth_accounts", "aws_auth_fargate_profile_pod_execution_role_arns",
        "aws_auth_node_iam_role_arns_non_windows", "aws_auth_node_iam_role_arns_windows",
        "aws_auth_roles", "aws_auth_users", "cluster_iam_role_dns_suffix",
        "create_aws_auth_configmap", "manage_aws_auth_configmap",
    ),
    21: (
        "attach_cluster_encryption_policy", "bootstrap_self_managed_addons",
        "cluster_additional_security_group_ids", "cluster_addons", "cluster_addons_timeouts",
        "cluster_compute_config", "cluster_enabled_log_types", "cluster_encryption_config",
        "cluster_encryption_policy_description", "cluster_encryption_policy_name",
        "cluster_encryption_policy_path", "cluster_encryption_policy_tags",
        "cluster_encryption_policy_use_name_prefix", "cluster_endpoint_private_access",
        "cluster_endpoint_public_access", "cluster_endpoint_public_access_cidrs",
        "cluster_force_update_version", "cluster_identity_providers", "cluster_ip_family",
        "cluster_name", "cluster_remote_network_config", "cluster_security_group_additional_rules",
        "cluster_security_group_description", "cluster_security_group_id",
        "cluster_security_group_name", "cluster_security_group_tags",
        "cluster_security_group_use_name_prefix", "cluster_service_ipv4_cidr",
        "cluster_service_ipv6_cidr", "cluster_timeouts", "cluster_upgrade_policy",
        "cluster_version", "cluster_zonal_shift_config",
        "create_cluster_primary_security_group_tags", "create_cluster_security_group",
        "eks_managed_node_group_defaults", "enable_efa_support", "enable_security_groups_for_pods",
        "fargate_profile_defaults", "self_managed_node_group_defaults",
    ),
}
_REMOVED_IN = {name: major for major, names in REMOVED.items() for name in names}

_AWS_AUTH_V18 = "manage_aws_auth_configmap and aws_auth_roles/aws_auth_users/aws_auth_accounts (v18.20 to v19), then access_entries from v20"
_AWS_AUTH_V20 = ("access_entries (with authentication_mode), or the aws-auth submodule "
                 "terraform-aws-modules/eks/aws//modules/aws-auth (v20 only)")
_V21_RENAMED = {
    "cluster_name": "name", "cluster_version": "kubernetes_version", "cluster_timeouts": "timeouts",
    "cluster_compute_config": "compute_config", "create_cluster_security_group": "create_security_group",
    "create_cluster_primary_security_group_tags": "create_primary_security_group_tags",
    "attach_cluster_encryption_policy": "attach_encryption_policy",
}
REPLACEMENTS: dict[str, str] = {
    "config_output_path": "kubeconfig_output_path",
    "create_eks": "create", "subnets": "subnet_ids", "cluster_create_security_group": "create_cluster_security_group",
    "cluster_log_retention_in_days": "cloudwatch_log_group_retention_in_days",
    "cluster_log_kms_key_id": "cloudwatch_log_group_kms_key_id", "manage_cluster_iam_resources": "create_iam_role",
    "cluster_iam_role_name": "iam_role_name", "permissions_boundary": "iam_role_permissions_boundary",
    "iam_path": "iam_role_path", "worker_groups": "self_managed_node_groups",
    "workers_group_defaults": "self_managed_node_group_defaults", "node_groups": "eks_managed_node_groups",
    "node_groups_defaults": "eks_managed_node_group_defaults",
    "cluster_create_timeout": "cluster_timeouts", "cluster_update_timeout": "cluster_timeouts",
    "cluster_delete_timeout": "cluster_timeouts",
    "manage_aws_auth": _AWS_AUTH_V18, "map_roles": _AWS_AUTH_V18, "map_users": _AWS_AUTH_V18, "map_accounts": _AWS_AUTH_V18,
    "write_kubeconfig": "nothing: v18 no longer writes a kubeconfig (use aws eks update-kubeconfig)",
    "node_security_group_ntp_ipv4_cidr_block": "nothing: the default node security group rules allow all egress",
    "node_security_group_ntp_ipv6_cidr_block": "nothing: the default node security group rules allow all egress",
    "cluster_iam_role_dns_suffix": "nothing: v20 uses the static suffix amazonaws.com",
    **{name: _AWS_AUTH_V20 for name in REMOVED[20] if name != "cluster_iam_role_dns_suffix"},
    "bootstrap_self_managed_addons": "nothing: v21 hard-codes it to false (use addons)",
    "enable_efa_support": "the node group's own enable_efa_support",
    "enable_security_groups_for_pods": "iam_role_additional_policies with AmazonEKSVPCResourceController",
    "eks_managed_node_group_defaults": "the settings in each eks_managed_node_groups entry",
    "self_managed_node_group_defaults": "the settings in each self_managed_node_groups entry",
    "fargate_profile_defaults": "the settings in each fargate_profiles entry",
    **{name: _V21_RENAMED.get(name, name.removeprefix("cluster_"))
       for name in REMOVED[21] if name.startswith(("cluster_", "create_cluster_", "attach_cluster_"))},
}


def removed_in(name: str) -> int | None:
    """The major whose first release no longer accepts input `name`, if any."""
    return _REMOVED_IN.get(name)


def replacement(name: str, major: int) -> str | None:
    """What replaces a removed input, as seen from the pinned `major`."""
    hint = REPLACEMENTS.get(name)
    if hint == _AWS_AUTH_V18 and major >= 20:
        return _AWS_AUTH_V20
    return hint


def is_eks_source(source: object) -> bool:
    return isinstance(source, str) and bool(SOURCE.match(source.strip()) or GIT_SOURCE.search(source))


_CONSTRAINT = re.compile(r"^(=|!=|>=|<=|>|<|~>)?\s*v?(\d+)(\.\d+){0,2}([-+][0-9A-Za-z.+-]*)?$")


def major_of(source: object, constraint: object) -> tuple[int | None, str]:
    """The module major a call resolves to, and how it was decided (for messages).

    A registry source takes the lowest major its `version` constraint admits ("~> 20.0" -> 20,
    "20.8.4" -> 20, ">= 19, < 21" -> 19); a git source takes the major of its `?ref=vX.Y.Z`.
    """
    git = GIT_SOURCE.search(source) if isinstance(source, str) else None
    if git:
        ref = git.group("ref") or ""
        found = re.match(r"^v?(\d+)\.\d+", ref)
        return (int(found.group(1)), f"ref {ref}") if found else (None, f"git ref {ref or '(none)'} is not a release tag")
    if constraint is None or (isinstance(constraint, str) and not constraint.strip()):
        return None, "no version constraint (terraform init takes the newest release)"
    if not isinstance(constraint, str) or "${" in constraint:
        return None, f"version {constraint!r} is not a literal constraint"
    lowest: list[int] = []
    for part in constraint.split(","):
        found = _CONSTRAINT.match(part.strip())
        if found is None:
            return None, f"version constraint {constraint!r} is not understood"
        if (found.group(1) or "=") in ("=", ">=", ">", "~>"):
            lowest.append(int(found.group(2)))
    if not lowest:
        return None, f"version constraint {constraint!r} has no lower bound"
    return max(lowest), f'version "{constraint}"'
