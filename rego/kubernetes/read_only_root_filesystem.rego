# METADATA
# title: Containers have a read-only root filesystem
# description: >-
#   A writable root filesystem lets an intruder drop tools and persist changes inside the
#   container. With readOnlyRootFilesystem the image is immutable at run time; scratch space
#   comes from explicit emptyDir volumes.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
# custom:
#   id: k8s-read-only-root-filesystem
#   severity: high
#   checklist_item: 1
#   family: kubernetes
#   admission: true
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, Rollout]
#   remediation: >-
#     Set securityContext.readOnlyRootFilesystem to true on every container and mount an
#     emptyDir volume where the process must write (e.g. /tmp).
package astra.rules.kubernetes.read_only_root_filesystem

import data.lib.astra.k8s

violation contains {"msg": msg, "details": {"path": s.path}} if {
	p := k8s.pod(input.review.object)
	some c in k8s.containers(p)
	s := k8s.container_setting(c, "readOnlyRootFilesystem")
	s.value != true
	msg := sprintf("%s has a writable root filesystem: set securityContext.readOnlyRootFilesystem: true", [k8s.describe(c)])
}
