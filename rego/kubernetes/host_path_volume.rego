# METADATA
# title: Pods do not mount hostPath volumes
# description: >-
#   A hostPath volume exposes the node's filesystem to the pod; with a writable mount of
#   the wrong directory (the container runtime socket, /etc, kubelet credentials) the pod
#   takes over the node.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
# custom:
#   id: k8s-host-path-volume
#   severity: high
#   checklist_item: 1
#   family: kubernetes
#   admission: true
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, Rollout]
#   remediation: Replace the hostPath volume with an emptyDir, a ConfigMap/Secret, or a PersistentVolumeClaim.
package astra.rules.kubernetes.host_path_volume

import data.lib.astra.k8s

violation contains {"msg": msg, "details": {"path": array.concat(p.path, ["volumes", i, "hostPath"])}} if {
	p := k8s.pod(input.review.object)
	some i, volume in object.get(p.spec, "volumes", [])
	volume.hostPath
	msg := sprintf("volume '%v' mounts hostPath %v from the node: use an emptyDir, ConfigMap, Secret or PVC instead", [object.get(volume, "name", i), object.get(volume.hostPath, "path", "?")])
}
