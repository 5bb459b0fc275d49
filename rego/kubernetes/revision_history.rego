# METADATA
# title: Old revisions are kept so a rollback target exists
# description: >-
#   kubectl rollout undo (and an Argo Rollout's abort to the stable ReplicaSet history) needs
#   previous revisions. revisionHistoryLimit 0 deletes them as soon as a rollout completes,
#   leaving nothing to roll back to. Unset, it defaults to 10, which passes. Deployments,
#   StatefulSets, DaemonSets and Argo Rollouts all keep revisions this way.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#revision-history-limit
#   - ref: https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-back-a-deployment
#   - ref: https://argo-rollouts.readthedocs.io/en/stable/features/specification/
# custom:
#   id: k8s-revision-history
#   severity: medium
#   checklist_item: 6
#   family: kubernetes
#   admission: true
#   kinds: [Deployment, StatefulSet, DaemonSet, Rollout]
#   remediation: >-
#     Set spec.revisionHistoryLimit to a positive number (the default, 10, or at least 2), or
#     remove it.
package astra.rules.kubernetes.revision_history

kinds := {"Deployment", "StatefulSet", "DaemonSet", "Rollout"}

violation contains {"msg": msg, "details": {"path": ["spec", "revisionHistoryLimit"]}} if {
	obj := input.review.object
	obj.kind in kinds
	limit := obj.spec.revisionHistoryLimit
	is_number(limit)
	limit <= 0
	name := object.get(object.get(obj, "metadata", {}), "name", "")
	msg := sprintf("%s '%v' keeps %v old revisions (revisionHistoryLimit): there is nothing to roll back to; set revisionHistoryLimit to a positive number such as 10, or remove it", [obj.kind, name, limit])
}
