# METADATA
# title: Containers are not privileged
# description: >-
#   A privileged container has every capability and every device of the node: it is root on
#   the node in all but name.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: k8s-privileged-container
#   severity: critical
#   checklist_item: 1
#   family: kubernetes
#   admission: true
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, Rollout]
#   remediation: Remove securityContext.privileged or set it to false; grant only the capabilities the process needs.
package astra.rules.kubernetes.privileged_container

import data.lib.astra.k8s

violation contains {"msg": msg, "details": {"path": s.path}} if {
	p := k8s.pod(input.review.object)
	some c in k8s.containers(p)
	s := k8s.container_setting(c, "privileged")
	s.value == true
	msg := sprintf("%s is privileged: remove securityContext.privileged or set it to false", [k8s.describe(c)])
}
