# METADATA
# title: Containers drop ALL capabilities and add only allowed ones
# description: >-
#   The default capability set of a container runtime includes NET_RAW, CHOWN, SETUID and
#   others a service does not need. Dropping ALL and adding back only an allow-listed few
#   (NET_BIND_SERVICE by default) keeps a compromised process from using them.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# custom:
#   id: k8s-capabilities
#   severity: medium
#   checklist_item: 1
#   family: kubernetes
#   admission: true
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, Rollout]
#   parameters:
#     allowed_add:
#       type: array
#       items: string
#       default: [NET_BIND_SERVICE]
#       description: Capabilities a container may add after dropping ALL.
#   remediation: >-
#     Set securityContext.capabilities.drop to ["ALL"] and add back only capabilities in the
#     allow-list (by default NET_BIND_SERVICE).
package astra.rules.kubernetes.capabilities

import data.lib.astra.k8s

# The pod and its containers, computed once for every violation body.
pod := k8s.pod(input.review.object)

containers := k8s.containers(pod)

caps(c) := object.get(k8s.security_context(c), "capabilities", {})

violation contains {"msg": msg, "details": {"path": path}} if {
	some c in containers
	not "ALL" in object.get(caps(c), "drop", [])
	path := array.concat(c.path, ["securityContext", "capabilities", "drop"])
	msg := sprintf("%s does not drop ALL capabilities: set securityContext.capabilities.drop: [\"ALL\"]", [k8s.describe(c)])
}

violation contains {"msg": msg, "details": {"path": path}} if {
	some c in containers
	some i, cap in object.get(caps(c), "add", [])
	not cap in object.get(input.parameters, "allowed_add", [])
	path := array.concat(c.path, ["securityContext", "capabilities", "add", i])
	msg := sprintf("%s adds capability %v, which is not in the allow-list %v: remove it", [k8s.describe(c), cap, object.get(input.parameters, "allowed_add", [])])
}
