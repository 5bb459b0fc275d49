# METADATA
# title: Every FROM is pinned by digest
# description: >-
#   A base image tag (python:3.13-slim) is rebuilt and moved by its publisher: the same
#   Dockerfile builds different images from one week to the next, and a compromised tag
#   reaches every build. A digest pins the exact base that was reviewed and scanned; a tool
#   such as Renovate or Dependabot keeps it current. `scratch` and references to earlier
#   build stages are not images and need no digest.
# related_resources:
#   - ref: https://docs.docker.com/reference/dockerfile/#from
#   - ref: https://docs.docker.com/build/building/best-practices/#pin-base-image-versions
# custom:
#   id: docker-from-digest
#   severity: medium
#   checklist_item: 4
#   family: dockerfile
#   remediation: >-
#     Pin the base image by digest and keep the tag for readers, e.g.
#     `FROM python:3.13-slim@sha256:<digest>` (docker buildx imagetools inspect python:3.13-slim
#     shows it), and let Renovate or Dependabot update the digest.
package astra.rules.dockerfile.from_digest

violation contains {"msg": msg, "details": {"path": ["stages", i, "from", "image"]}} if {
	some i, stage in input.review.object.stages
	stage.from.stage_ref == null
	image := stage.from.image
	lower(image) != "scratch"
	not regex.match(`@sha256:[a-fA-F0-9]{64}$`, image)
	msg := message(stage.from)
}

message(from) := sprintf("FROM %s takes its image from a build argument with no default, so the base is whatever the build passes and no digest pins it: give the ARG a default pinned by digest (ARG NAME=image@sha256:<digest>) and pass only digests to --build-arg", [from.raw]) if {
	contains(from.image, "$")
} else := sprintf("FROM %s has an incomplete digest (sha256 needs 64 hex characters): use the full digest, e.g. from docker buildx imagetools inspect %s", [shown(from), name(from.image)]) if {
	contains(from.image, "@")
} else := sprintf("FROM %s is not pinned by digest: use FROM %s@sha256:<digest> (docker buildx imagetools inspect %s shows it)", [shown(from), from.image, from.image])

name(image) := split(image, "@")[0]

shown(from) := from.image if from.raw == from.image

shown(from) := sprintf("%s (%s)", [from.raw, from.image]) if from.raw != from.image
