# METADATA
# title: Containers use the RuntimeDefault (or a Localhost) seccomp profile
# description: >-
#   Without a seccomp profile a container can call every system call the kernel offers,
#   including the ones most container escapes use. The kubelet applies the container's
#   seccompProfile, else the container's legacy annotation, else the pod's field, else the
#   pod's legacy annotation.
# related_resources:
#   - ref: https://kubernetes.io/docs/tutorials/security/seccomp/
# custom:
#   id: k8s-seccomp-profile
#   severity: high
#   checklist_item: 1
#   family: kubernetes
#   admission: true
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, Rollout]
#   remediation: >-
#     Set securityContext.seccompProfile.type to RuntimeDefault on the pod (or Localhost with
#     a reviewed profile).
package astra.rules.kubernetes.seccomp_profile

import data.lib.astra.k8s

allowed := {"RuntimeDefault", "Localhost"}

violation contains {"msg": msg, "details": {"path": s.path}} if {
	p := k8s.pod(input.review.object)
	some c in k8s.containers(p)
	s := profile(p, c)
	not s.value in allowed
	msg := sprintf("%s %s: set securityContext.seccompProfile.type: RuntimeDefault", [k8s.describe(c), label(s.value)])
}

annotations(p) := object.get(p.metadata, "annotations", {})

container_annotation(c) := concat("", ["container.seccomp.security.alpha.kubernetes.io/", c.name])

pod_annotation := "seccomp.security.alpha.kubernetes.io/pod"

profile(p, c) := {"value": v, "path": array.concat(c.path, ["securityContext", "seccompProfile", "type"])} if {
	v := k8s.security_context(c).seccompProfile.type
} else := {"value": from_annotation(v), "path": array.concat(p.meta_path, ["annotations", container_annotation(c)])} if {
	v := annotations(p)[container_annotation(c)]
} else := {"value": v, "path": array.concat(p.path, ["securityContext", "seccompProfile", "type"])} if {
	v := k8s.pod_security_context(p).seccompProfile.type
} else := {"value": from_annotation(v), "path": array.concat(p.meta_path, ["annotations", pod_annotation])} if {
	v := annotations(p)[pod_annotation]
} else := {"value": null, "path": array.concat(c.path, ["securityContext", "seccompProfile", "type"])}

from_annotation(v) := "RuntimeDefault" if v in {"runtime/default", "docker/default"}

from_annotation(v) := "Localhost" if startswith(v, "localhost/")

from_annotation(v) := "Unconfined" if {
	not v in {"runtime/default", "docker/default"}
	not startswith(v, "localhost/")
}

label(null) := "sets no seccomp profile, so the kubelet runs it Unconfined"

label(v) := sprintf("runs with seccomp profile %v", [v]) if v != null
