# METADATA
# title: Pods do not share the node's network, PID or IPC namespace
# description: >-
#   hostNetwork, hostPID and hostIPC put the pod in the node's own namespaces: it can sniff
#   node traffic, signal node processes and read shared memory of other workloads.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: k8s-host-namespaces
#   severity: high
#   checklist_item: 1
#   family: kubernetes
#   admission: true
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, Rollout]
#   remediation: Remove hostNetwork, hostPID and hostIPC from the pod spec (or set them to false).
package astra.rules.kubernetes.host_namespaces

import data.lib.astra.k8s

violation contains {"msg": msg, "details": {"path": array.concat(p.path, [field])}} if {
	p := k8s.pod(input.review.object)
	some field in ["hostNetwork", "hostPID", "hostIPC"]
	p.spec[field] == true
	msg := sprintf("the pod sets %s: true, sharing the node's namespace; remove it", [field])
}
