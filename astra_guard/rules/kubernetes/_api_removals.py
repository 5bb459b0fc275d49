"""Kubernetes API versions that were deprecated and then no longer served, 1.16 to 1.35.

Not a rule (the module name starts with `_`): the data `k8s-removed-api` judges against.
Source: the Deprecated API Migration Guide,
https://kubernetes.io/docs/reference/using-api/deprecation-guide/ ("Removed APIs by release":
v1.16, v1.22, v1.25, v1.26, v1.27, v1.29, v1.32). The `deprecated` release of each entry comes from the Kubernetes release notes,
cross-checked with the versions table of FairwindsOps/pluto (before v1.19 a deprecation was
documented only; from v1.19 the API server also answers with a warning). The guide lists no
removal after v1.32 up to v1.35, so `NEWEST` is the newest release this table speaks for.

PodSecurityPolicy `extensions/v1beta1` (removed in v1.16) is from the v1.16 removals announcement
(https://kubernetes.io/blog/2019/07/18/api-deprecations-in-1-16/), which the guide omits.
"""

from __future__ import annotations

from dataclasses import dataclass

NEWEST = "1.35"  # the newest release this table covers
OLDEST = "1.16"


@dataclass(frozen=True)
class Removal:
    """One kind in one group/version: when it was deprecated, when it stopped being served."""

    group: str  # "" for the core group
    version: str
    kind: str
    deprecated: str  # "1.21": the release that deprecated it
    removed: str  # "1.25": the first release that no longer serves it
    replacement: str  # the apiVersion to use, or what replaces the kind (after "use ...")

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


def _entries(group: str, version: str, kinds: str, deprecated: str, removed: str, replacement: str) -> list[Removal]:
    return [Removal(group, version, kind, deprecated, removed, replacement) for kind in kinds.split()]


_PSP_SUCCESSOR = (
    "Pod Security Admission namespace labels (pod-security.kubernetes.io/enforce) or admission "
    "policies (Gatekeeper, ValidatingAdmissionPolicy) instead, as PodSecurityPolicy has no "
    "successor API"
)

REMOVALS: tuple[Removal, ...] = (
        # v1.16
        *_entries("extensions", "v1beta1", "Deployment DaemonSet ReplicaSet", "1.9", "1.16", "apps/v1"),
        *_entries("apps", "v1beta1", "Deployment StatefulSet ReplicaSet", "1.9", "1.16", "apps/v1"),
        *_entries("apps", "v1beta2", "Deployment StatefulSet DaemonSet ReplicaSet", "1.9", "1.16", "apps/v1"),
        *_entries("extensions", "v1beta1", "NetworkPolicy", "1.9", "1.16", "networking.k8s.io/v1"),
        *_entries("extensions", "v1beta1", "PodSecurityPolicy", "1.10", "1.16", "policy/v1beta1 (itself removed in 1.25)"),
        # v1.22
        *_entries("admissionregistration.k8s.io", "v1beta1", "MutatingWebhookConfiguration ValidatingWebhookConfiguration",
                  "1.16", "1.22", "admissionregistration.k8s.io/v1"),
        *_entries("apiextensions.k8s.io", "v1beta1", "CustomResourceDefinition", "1.16", "1.22", "apiextensions.k8s.io/v1"),
        *_entries("apiregistration.k8s.io", "v1beta1", "APIService", "1.19", "1.22", "apiregistration.k8s.io/v1"),
        *_entries("authentication.k8s.io", "v1beta1", "TokenReview", "1.19", "1.22", "authentication.k8s.io/v1"),
        *_entries("authorization.k8s.io", "v1beta1", "LocalSubjectAccessReview SelfSubjectAccessReview SubjectAccessReview",
                  "1.19", "1.22", "authorization.k8s.io/v1"),
        *_entries("certificates.k8s.io", "v1beta1", "CertificateSigningRequest", "1.19", "1.22", "certificates.k8s.io/v1"),
        *_entries("coordination.k8s.io", "v1beta1", "Lease", "1.19", "1.22", "coordination.k8s.io/v1"),
        *_entries("extensions", "v1beta1", "Ingress", "1.14", "1.22", "networking.k8s.io/v1"),
        *_entries("networking.k8s.io", "v1beta1", "Ingress IngressClass", "1.19", "1.22", "networking.k8s.io/v1"),
        *_entries("rbac.authorization.k8s.io", "v1beta1", "ClusterRole ClusterRoleBinding Role RoleBinding",
                  "1.17", "1.22", "rbac.authorization.k8s.io/v1"),
        *_entries("scheduling.k8s.io", "v1beta1", "PriorityClass", "1.17", "1.22", "scheduling.k8s.io/v1"),
        *_entries("storage.k8s.io", "v1beta1", "CSINode", "1.17", "1.22", "storage.k8s.io/v1"),
        *_entries("storage.k8s.io", "v1beta1", "CSIDriver StorageClass VolumeAttachment", "1.19", "1.22", "storage.k8s.io/v1"),
        # v1.25
        *_entries("batch", "v1beta1", "CronJob", "1.21", "1.25", "batch/v1"),
        *_entries("discovery.k8s.io", "v1beta1", "EndpointSlice", "1.21", "1.25", "discovery.k8s.io/v1"),
        *_entries("events.k8s.io", "v1beta1", "Event", "1.19", "1.25", "events.k8s.io/v1"),
        *_entries("autoscaling", "v2beta1", "HorizontalPodAutoscaler", "1.22", "1.25", "autoscaling/v2"),
        *_entries("policy", "v1beta1", "PodDisruptionBudget", "1.21", "1.25", "policy/v1"),
        *_entries("policy", "v1beta1", "PodSecurityPolicy", "1.21", "1.25", _PSP_SUCCESSOR),
        *_entries("node.k8s.io", "v1beta1", "RuntimeClass", "1.22", "1.25", "node.k8s.io/v1"),
        # v1.26
        *_entries("flowcontrol.apiserver.k8s.io", "v1beta1", "FlowSchema PriorityLevelConfiguration", "1.23", "1.26",
                  "flowcontrol.apiserver.k8s.io/v1 (or v1beta3 before 1.29)"),
        *_entries("autoscaling", "v2beta2", "HorizontalPodAutoscaler", "1.23", "1.26", "autoscaling/v2"),
        # v1.27
        *_entries("storage.k8s.io", "v1beta1", "CSIStorageCapacity", "1.24", "1.27", "storage.k8s.io/v1"),
        # v1.29
        *_entries("flowcontrol.apiserver.k8s.io", "v1beta2", "FlowSchema PriorityLevelConfiguration", "1.26", "1.29",
                  "flowcontrol.apiserver.k8s.io/v1"),
        # v1.32
        *_entries("flowcontrol.apiserver.k8s.io", "v1beta3", "FlowSchema PriorityLevelConfiguration", "1.29", "1.32",
                  "flowcontrol.apiserver.k8s.io/v1"),
)

_INDEX: dict[tuple[str, str], Removal] = {(r.api_version, r.kind): r for r in REMOVALS}


def lookup(api_version: str, kind: str) -> Removal | None:
    """The removal entry for an object's apiVersion and kind, if that pair was ever removed."""
    return _INDEX.get((api_version.strip(), kind))


def parse_version(text: str) -> tuple[int, int] | None:
    """`1.29`, `v1.29`, `1.29.3` or `1.29-eks` -> (1, 29); None when it is not a version."""
    value = text.strip().lstrip("vV")
    parts = value.replace("-", ".").replace("+", ".").split(".")
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return int(parts[0]), int(parts[1])


def status(removal: Removal, target: str) -> str | None:
    """'removed' when `target` no longer serves it, 'deprecated' when it serves it with a warning,
    None when the target predates the deprecation."""
    wanted = parse_version(target)
    if wanted is None:
        raise ValueError(f"not a Kubernetes version: {target!r}")
    if wanted >= parse_version(removal.removed):  # type: ignore[operator]
        return "removed"
    if wanted >= parse_version(removal.deprecated):  # type: ignore[operator]
        return "deprecated"
    return None
