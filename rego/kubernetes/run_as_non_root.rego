# METADATA
# title: Containers run as a non-root user
# description: >-
#   A container that may run as UID 0 owns its filesystem and is one kernel bug away from
#   the node. The kubelet refuses to start a container whose effective runAsNonRoot is true
#   and whose user is root, so the guarantee needs runAsNonRoot set (on the pod or the
#   container; the container wins) and no runAsUser of 0.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
# custom:
#   id: k8s-run-as-non-root
#   severity: high
#   checklist_item: 1
#   family: kubernetes
#   admission: true
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, Rollout]
#   remediation: >-
#     Set securityContext.runAsNonRoot to true on the pod (or on every container) and give
#     runAsUser a non-zero UID, e.g. 10001.
package astra.rules.kubernetes.run_as_non_root

import data.lib.astra.k8s

# The pod and its containers, computed once for every violation body.
pod := k8s.pod(input.review.object)

containers := k8s.containers(pod)

violation contains {"msg": msg, "details": {"path": s.path}} if {
	some c in containers
	s := k8s.effective(pod, c, "runAsNonRoot")
	s.value != true
	msg := sprintf("%s may run as root: runAsNonRoot is %s; set securityContext.runAsNonRoot: true", [k8s.describe(c), state(s.value)])
}

violation contains {"msg": msg, "details": {"path": s.path}} if {
	some c in containers
	s := k8s.effective(pod, c, "runAsUser")
	s.value == 0
	msg := sprintf("%s runs as UID 0 (root): set securityContext.runAsUser to a non-zero UID such as 10001", [k8s.describe(c)])
}

state(null) := "not set"

state(v) := sprintf("%v", [v]) if v != null
