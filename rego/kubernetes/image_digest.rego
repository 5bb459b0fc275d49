# METADATA
# title: Container images are referenced by digest
# description: >-
#   A tag such as :1.0.0 is a pointer the registry lets anyone with push rights move: the
#   node may pull different bytes than were scanned, signed and approved, and two replicas
#   may run different images. Only a digest (@sha256 followed by 64 hex characters) names
#   exactly one image. A tag may stay beside the digest (repo:1.0.0@sha256:...) for
#   readability; the runtime uses the digest.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/containers/images/#image-names
#   - ref: https://docs.docker.com/reference/cli/docker/image/pull/#pull-an-image-by-digest-immutable-identifier
# custom:
#   id: k8s-image-digest
#   severity: high
#   checklist_item: 4
#   family: kubernetes
#   admission: true
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, Rollout]
#   remediation: >-
#     Reference every container image by digest, e.g.
#     ghcr.io/org/app:1.0.0@sha256:<64 hex>, taking the digest from the build (docker buildx
#     --metadata-file, crane digest ghcr.io/org/app:1.0.0).
package astra.rules.kubernetes.image_digest

import data.lib.astra.k8s

violation contains {"msg": msg, "details": {"path": array.concat(c.path, ["image"])}} if {
	p := k8s.pod(input.review.object)
	some c in k8s.containers(p)
	image := c.container.image
	is_string(image)
	not regex.match(`@sha256:[a-fA-F0-9]{64}$`, image)
	msg := sprintf("%s uses the image %s, %s: reference it by digest, e.g. %s@sha256:<digest> (crane digest %s gives it)", [k8s.describe(c), image, problem(image), without_digest(image), without_digest(image)])
}

problem(image) := "whose digest is not a full sha256 (64 hex characters)" if contains(image, "@")

problem(image) := "a tag that can be moved to other bytes" if {
	not contains(image, "@")
	tagged(image)
}

problem(image) := "with no tag or digest (so :latest)" if {
	not contains(image, "@")
	not tagged(image)
}

# A tag is a ':' after the last '/' (a ':' before it is a registry port).
tagged(image) if {
	parts := split(image, "/")
	contains(parts[count(parts) - 1], ":")
}

without_digest(image) := split(image, "@")[0]
