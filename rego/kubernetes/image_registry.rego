# METADATA
# title: Container images come from allowed registries
# description: >-
#   Pulling from an arbitrary registry bypasses the organisation's scanning, signing and
#   retention: a typo-squatted or public image can run with the workload's ServiceAccount.
#   When allowed_registries is configured (registries.allowed in .astra-guard.yaml), every
#   image must start with one of its prefixes, at a path boundary (ghcr.io/org allows
#   ghcr.io/org/app but not ghcr.io/organisation/app). Docker Hub short names are compared in
#   their full form too (nginx is docker.io/library/nginx). An empty list disables the check.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/containers/images/#image-names
#   - ref: https://open-policy-agent.github.io/gatekeeper-library/website/validation/allowedrepos/
# custom:
#   id: k8s-image-registry
#   severity: medium
#   checklist_item: 4
#   family: kubernetes
#   admission: true
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, Rollout]
#   parameters:
#     allowed_registries:
#       type: array
#       items: string
#       default: []
#       description: Registry or repository prefixes images may come from (e.g. ghcr.io/org/); empty means any.
#   remediation: >-
#     Pull the image through an allowed registry (mirror it there), or add its registry to
#     registries.allowed in .astra-guard.yaml if it is trusted.
package astra.rules.kubernetes.image_registry

import data.lib.astra.k8s

allowed := object.get(input.parameters, "allowed_registries", [])

violation contains {"msg": msg, "details": {"path": array.concat(c.path, ["image"])}} if {
	count(allowed) > 0
	p := k8s.pod(input.review.object)
	some c in k8s.containers(p)
	image := c.container.image
	is_string(image)
	not allowed_image(image)
	msg := sprintf("%s pulls %s from a registry that is not allowed (allowed: %s): mirror it into an allowed registry and pull it from there, or add its registry to registries.allowed if it is trusted", [k8s.describe(c), image, concat(", ", allowed)])
}

allowed_image(image) if {
	some prefix in allowed
	some name in {image, normalized(image)}
	matches(name, prefix)
}

matches(name, prefix) if name == prefix

matches(name, prefix) if {
	endswith(prefix, "/")
	startswith(name, prefix)
}

matches(name, prefix) if {
	not endswith(prefix, "/")
	some sep in ["/", ":", "@"]
	startswith(name, concat("", [prefix, sep]))
}

# Docker Hub's implicit names: nginx -> docker.io/library/nginx, org/app -> docker.io/org/app.
normalized(image) := concat("/", ["docker.io", "library", image]) if {
	not contains(image, "/")
} else := concat("/", ["docker.io", image]) if {
	first := split(image, "/")[0]
	not contains(first, ".")
	not contains(first, ":")
	first != "localhost"
} else := image
