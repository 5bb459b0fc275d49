# METADATA
# title: Workloads run under a dedicated ServiceAccount, not default
# description: >-
#   Every pod that names no ServiceAccount runs as its namespace's `default` one, which every
#   other such pod shares: a permission granted to one of them is granted to all, and a token
#   stolen from one speaks for all. A dedicated ServiceAccount per workload keeps its RBAC
#   bindings its own and auditable.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/service-accounts/
#   - ref: https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# custom:
#   id: k8s-rbac-default-service-account
#   severity: medium
#   checklist_item: 3
#   family: kubernetes
#   admission: true
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, Rollout]
#   remediation: >-
#     Create a ServiceAccount for the workload and set serviceAccountName to it in the pod
#     spec, binding it only to the read-only Role the workload needs.
package astra.rules.kubernetes.rbac_default_service_account

import data.lib.astra.k8s

# The ServiceAccount field the pod sets (serviceAccountName wins over the legacy serviceAccount).
account(p) := {"name": p.spec.serviceAccountName, "field": "serviceAccountName"} if {
	p.spec.serviceAccountName != ""
} else := {"name": p.spec.serviceAccount, "field": "serviceAccount"} if {
	p.spec.serviceAccount != ""
} else := {"name": "", "field": "serviceAccountName"}

violation contains {"msg": msg, "details": {"path": path}} if {
	p := k8s.pod(input.review.object)
	a := account(p)
	a.name in {"", "default"}
	path := array.concat(p.path, [a.field])
	msg := sprintf("the pod runs as the namespace's default ServiceAccount (%s): create a dedicated ServiceAccount and set serviceAccountName to it", [state(a)])
}

state(a) := "serviceAccountName is not set" if a.name == ""

state(a) := sprintf("%s: default", [a.field]) if a.name == "default"
