# METADATA
# title: The image's USER is numeric
# description: >-
#   The kubelet can enforce runAsNonRoot only when it can read a numeric UID from the image:
#   with a named user (USER app) and a pod that sets no runAsUser, the pod fails to start
#   ("image has non-numeric user"), which pushes teams to drop runAsNonRoot instead.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
# custom:
#   id: docker-user-numeric
#   severity: medium
#   checklist_item: 1
#   family: dockerfile
#   remediation: >-
#     Use the numeric UID (and GID) instead of the name, e.g. `USER 10001:10001`, created
#     with `useradd -u 10001`.
package astra.rules.dockerfile.user_numeric

import data.lib.astra.docker

violation contains {"msg": msg, "details": {"path": ["stages", docker.final_stage_index, "user"]}} if {
	user := docker.final_stage.user
	user != null
	not docker.is_root(user)
	not numeric_user(user)
	msg := sprintf("USER %s is not numeric: the kubelet cannot check runAsNonRoot against a user name; use USER 10001:10001 (the numeric UID:GID)", [user])
}

numeric_user(user) if {
	regex.match(`^[0-9]+$`, docker.user_name(user))
	not docker.group_name(user)
}

numeric_user(user) if {
	regex.match(`^[0-9]+$`, docker.user_name(user))
	regex.match(`^[0-9]+$`, docker.group_name(user))
}
