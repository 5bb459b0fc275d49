# METADATA
# title: Containers forbid privilege escalation
# description: >-
#   allowPrivilegeEscalation defaults to true: a setuid binary in the image can then gain
#   more privileges than its parent process. Only an explicit false sets no_new_privs.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# custom:
#   id: k8s-allow-privilege-escalation
#   severity: high
#   checklist_item: 1
#   family: kubernetes
#   admission: true
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, Rollout]
#   remediation: Set securityContext.allowPrivilegeEscalation to false on every container.
package astra.rules.kubernetes.allow_privilege_escalation

import data.lib.astra.k8s

violation contains {"msg": msg, "details": {"path": s.path}} if {
	p := k8s.pod(input.review.object)
	some c in k8s.containers(p)
	s := k8s.container_setting(c, "allowPrivilegeEscalation")
	s.value != false
	msg := sprintf("%s allows privilege escalation (allowPrivilegeEscalation is %s): set it to false", [k8s.describe(c), state(s.value)])
}

state(null) := "not set, so true"

state(v) := sprintf("%v", [v]) if v != null
