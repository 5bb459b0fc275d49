# METADATA
# title: Serving containers have a readiness probe
# description: >-
#   Without a readinessProbe a pod counts as ready as soon as its containers start, so a
#   rolling update or a canary moves on (and a Service sends traffic) before the new version
#   can serve. Progressive delivery, maxUnavailable 0 and automated rollback all rely on
#   readiness. Every container in `containers` is judged; init and ephemeral containers do not
#   serve and are not.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#define-readiness-probes
#   - ref: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-probes
# custom:
#   id: k8s-readiness-probe
#   severity: medium
#   checklist_item: 6
#   family: kubernetes
#   admission: true
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Rollout]
#   remediation: >-
#     Add a readinessProbe (httpGet on the service's readiness endpoint, or tcpSocket/grpc on
#     its port) to every container in containers.
package astra.rules.kubernetes.readiness_probe

import data.lib.astra.k8s

kinds := {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Rollout"}

violation contains {"msg": msg, "details": {"path": c.path}} if {
	obj := input.review.object
	obj.kind in kinds
	p := k8s.pod(obj)
	some c in k8s.containers(p)
	c.list == "containers"
	not is_object(object.get(c.container, "readinessProbe", null))
	msg := sprintf("%s of %s '%v' has no readinessProbe: it counts as ready as soon as it starts, so rollouts and traffic do not wait for it; add a readinessProbe", [k8s.describe(c), obj.kind, object.get(object.get(obj, "metadata", {}), "name", "")])
}
