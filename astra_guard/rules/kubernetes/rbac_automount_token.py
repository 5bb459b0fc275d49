"""A ServiceAccount with no bindings does not mount its token into the pods that use it."""

from __future__ import annotations

from collections.abc import Iterator

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.rules.kubernetes._rbac import build_index, names
from astra_guard.rules.meta import RuleMeta

META = RuleMeta(
    id="k8s-rbac-automount-token",
    title="ServiceAccounts without bindings do not automount their token",
    severity=Severity.LOW,
    checklist_item=3,
    rationale=(
        "A ServiceAccount that no RoleBinding or ClusterRoleBinding names gives its pods no use for "
        "the API server, yet by default its token is still mounted into every container, ready for "
        "whoever compromises one (and for any permission granted to it later). With no binding among "
        "the inputs, the token should not be mounted: automountServiceAccountToken: false on the "
        "ServiceAccount, or on every pod that uses it (the pod's setting wins). A workload's "
        "implicit default ServiceAccount is the rule k8s-rbac-default-service-account."
    ),
    remediation=(
        "Set automountServiceAccountToken: false on the ServiceAccount (or in the pod spec of every "
        "workload that uses it), or bind it to the read-only Role the workload needs."
    ),
    family="kubernetes",
    engine="python",
    source="astra_guard/rules/kubernetes/rbac_automount_token.py",
    references=(
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting",
        "https://kubernetes.io/docs/concepts/security/service-accounts/",
    ),
    kinds=("ServiceAccount",),
)


def check(context: RuleContext) -> Iterator[Violation]:
    index = build_index(context)
    for key, account in index.service_accounts.items():
        workloads = index.workloads_by_sa.get(key)
        if not workloads or index.subjects_of(key):
            continue
        label = f"ServiceAccount {key[0]}/{key[1]}"
        if account.data.get("automountServiceAccountToken") is False:
            for workload in workloads:
                if workload.automount is True:  # the pod's setting overrides the ServiceAccount's
                    yield Violation(workload.resource, workload.pod.path + ("automountServiceAccountToken",), (
                        f"the pod mounts the token of {label}, which no binding grants anything, although the "
                        "ServiceAccount opts out: set automountServiceAccountToken: false or remove it from the pod spec"))
            continue
        mounting = [w for w in workloads if w.automount is not False]
        if mounting:
            yield Violation(account, ("automountServiceAccountToken",), (
                f"{label} has no RoleBinding or ClusterRoleBinding, yet its token is mounted into the pods of "
                f"{names(mounting)}: set automountServiceAccountToken: false on the ServiceAccount"))
