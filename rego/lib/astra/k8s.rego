# Shared helpers for Kubernetes rules: where the pod template of every pod-bearing kind sits,
# every container of every container list, and the kubelet's container-over-pod precedence.
# Package lib.* so Gatekeeper accepts it as a template lib.
package lib.astra.k8s

template_kinds := {
	"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
	"ReplicationController", "Job", "Rollout",
}

container_fields := ["initContainers", "containers", "ephemeralContainers"]

# pod(obj): {"path": path to the pod spec, "spec": the pod spec, "meta_path", "metadata"}.
# Undefined for objects that carry no pod (including an Argo Rollout with workloadRef,
# whose pods are those of the referenced Deployment, judged on its own).
pod(obj) := {"path": ["spec"], "spec": obj.spec, "meta_path": ["metadata"], "metadata": object.get(obj, "metadata", {})} if {
	obj.kind == "Pod"
	is_object(obj.spec)
}

pod(obj) := {
	"path": ["spec", "template", "spec"],
	"spec": obj.spec.template.spec,
	"meta_path": ["spec", "template", "metadata"],
	"metadata": object.get(obj.spec.template, "metadata", {}),
} if {
	obj.kind in template_kinds
	is_object(obj.spec.template.spec)
}

pod(obj) := {
	"path": ["spec", "jobTemplate", "spec", "template", "spec"],
	"spec": obj.spec.jobTemplate.spec.template.spec,
	"meta_path": ["spec", "jobTemplate", "spec", "template", "metadata"],
	"metadata": object.get(obj.spec.jobTemplate.spec.template, "metadata", {}),
} if {
	obj.kind == "CronJob"
	is_object(obj.spec.jobTemplate.spec.template.spec)
}

# containers(p): every container of every list, with its path and a label for messages.
containers(p) := [c |
	some field in container_fields
	some i, container in object.get(p.spec, field, [])
	c := {
		"path": array.concat(p.path, [field, i]),
		"container": container,
		"name": object.get(container, "name", sprintf("#%d", [i])),
		"list": field,
	}
]

security_context(c) := object.get(c.container, "securityContext", {})

pod_security_context(p) := object.get(p.spec, "securityContext", {})

# effective(p, c, field): the value the kubelet applies for a field that both the pod and the
# container securityContext can set (the container wins), and the path where it was set.
# When neither sets it, value is null and path points at the container's field.
effective(p, c, field) := {"value": v, "path": array.concat(c.path, ["securityContext", field])} if {
	v := security_context(c)[field]
} else := {"value": v, "path": array.concat(p.path, ["securityContext", field])} if {
	v := pod_security_context(p)[field]
} else := {"value": null, "path": array.concat(c.path, ["securityContext", field])}

# container_setting(c, field): a container-only securityContext field, with its path.
container_setting(c, field) := {"value": v, "path": array.concat(c.path, ["securityContext", field])} if {
	v := security_context(c)[field]
} else := {"value": null, "path": array.concat(c.path, ["securityContext", field])}

describe(c) := sprintf("%s '%v'", [kind_label[c.list], c.name])

kind_label := {
	"containers": "container",
	"initContainers": "init container",
	"ephemeralContainers": "ephemeral container",
}
