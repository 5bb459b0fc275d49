"""Which Checkov checks speak to which of our controls, and how far.

`scope` says what a Checkov verdict proves about ours:

- `same`: the check asks what the control asks; a pass and a failure both count.
- `narrower`: the check catches a subset of what the control catches (a Checkov failure means
  ours must fail too; a Checkov pass says nothing).
- `broader`: the check asks more than the control (a Checkov pass means ours must pass too; a
  Checkov failure says nothing).

docs/checkov-mapping.md renders this table; a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass

SCOPES = ("same", "narrower", "broader")


@dataclass(frozen=True)
class CheckovMapping:
    rule_id: str
    check_ids: tuple[str, ...]
    scope: str
    note: str


MAPPINGS: tuple[CheckovMapping, ...] = (
    CheckovMapping("k8s-privileged-container", ("CKV_K8S_16",), "same", "Container should not be privileged."),
    CheckovMapping("k8s-host-namespaces", ("CKV_K8S_17", "CKV_K8S_18", "CKV_K8S_19"), "same",
                   "hostPID, hostIPC and hostNetwork, one check each."),
    CheckovMapping("k8s-allow-privilege-escalation", ("CKV_K8S_20",), "same", "allowPrivilegeEscalation."),
    CheckovMapping("k8s-read-only-root-filesystem", ("CKV_K8S_22",), "same", "readOnlyRootFilesystem."),
    CheckovMapping("k8s-run-as-non-root", ("CKV_K8S_23",), "narrower",
                   "Checkov also accepts a non-zero runAsUser without runAsNonRoot; ours asks for runAsNonRoot: true."),
    CheckovMapping("k8s-capabilities", ("CKV_K8S_37",), "narrower",
                   "Checkov asks for drop ALL; ours also limits what is added to the allow-list."),
    CheckovMapping("k8s-seccomp-profile", ("CKV_K8S_31",), "same", "RuntimeDefault (or docker/default) seccomp profile."),
    CheckovMapping("k8s-host-path-volume", ("CKV_K8S_27",), "narrower", "Checkov checks only the Docker socket hostPath."),
    CheckovMapping("k8s-readiness-probe", ("CKV_K8S_9",), "same", "Readiness probe configured."),
    CheckovMapping("k8s-image-digest", ("CKV_K8S_43",), "same", "Image referenced by digest."),
    CheckovMapping("k8s-rbac-wildcard", ("CKV_K8S_49",), "same", "Wildcards in Roles and ClusterRoles."),
    CheckovMapping("k8s-netpol-default-deny", ("CKV2_K8S_6",), "narrower",
                   "Checkov asks for any NetworkPolicy selecting the pod; ours for a default deny in its namespace."),
    CheckovMapping("docker-user-not-root", ("CKV_DOCKER_3", "CKV_DOCKER_8"), "same",
                   "A USER is set, and the last USER is not root."),
    CheckovMapping("docker-from-digest", ("CKV_DOCKER_7",), "narrower", "Checkov rejects only the latest (or no) tag."),
    CheckovMapping("tf-eks-control-plane-logs", ("CKV_AWS_37",), "broader", "Checkov asks for all five log types; ours for audit and api."),
    CheckovMapping("tf-eks-public-endpoint", ("CKV_AWS_38",), "same", "Public endpoint not open to 0.0.0.0/0."),
    CheckovMapping("tf-eks-secrets-encryption", ("CKV_AWS_58",), "narrower",
                   "Checkov asks for Secrets encryption; ours also for a customer-managed KMS key."),
)

BY_RULE = {m.rule_id: m for m in MAPPINGS}
