# METADATA
# title: The image's final stage runs as a non-root USER
# description: >-
#   Without a USER instruction (or with USER root) the container's process runs as root
#   unless every pod that uses the image overrides it. The USER must come after the last
#   step that needs root (package installs, useradd), so the runtime user is the last word.
# related_resources:
#   - ref: https://docs.docker.com/reference/dockerfile/#user
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# custom:
#   id: docker-user-not-root
#   severity: high
#   checklist_item: 1
#   family: dockerfile
#   remediation: >-
#     Add `USER 10001:10001` (a non-root numeric UID and GID created in the image) after the
#     last RUN, COPY or ADD that needs root in the final stage.
package astra.rules.dockerfile.user_not_root

import data.lib.astra.docker

violation contains {"msg": msg, "details": {"path": ["stages", docker.final_stage_index]}} if {
	docker.final_stage.user == null
	msg := sprintf("the final stage (FROM %s) never sets USER, so the container runs as root: add USER 10001:10001 after the last step that needs root", [docker.final_stage.from.image])
}

violation contains {"msg": msg, "details": {"path": ["stages", docker.final_stage_index, "user"]}} if {
	user := docker.final_stage.user
	user != null
	docker.is_root(user)
	msg := sprintf("the final stage runs as USER %s (root): switch to a non-root numeric user such as USER 10001:10001", [user])
}
