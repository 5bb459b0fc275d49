# METADATA
# title: Nothing is bound to cluster-admin
# description: >-
#   cluster-admin allows every verb on every resource of every namespace, and a RoleBinding to
#   it still gives full control of the namespace, Secrets and RBAC included. No application
#   subject needs it; the built-in binding of the `system:masters` group is the only one a
#   cluster has by design.
# related_resources:
#   - ref: https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles
#   - ref: https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# custom:
#   id: k8s-rbac-cluster-admin
#   severity: critical
#   checklist_item: 3
#   family: kubernetes
#   admission: true
#   kinds: [RoleBinding, ClusterRoleBinding]
#   remediation: >-
#     Bind the subject to a Role that lists only the verbs and resources it needs (get, list,
#     watch for a workload) instead of the cluster-admin ClusterRole.
package astra.rules.kubernetes.rbac_cluster_admin

binding_kinds := {"RoleBinding", "ClusterRoleBinding"}

# The bootstrap binding every cluster has: cluster-admin for the system:masters group only.
bootstrap(obj) if {
	count(object.get(obj, "subjects", [])) > 0
	every s in obj.subjects {
		s.kind == "Group"
		s.name == "system:masters"
	}
}

violation contains {"msg": msg, "details": {"path": ["roleRef", "name"]}} if {
	obj := input.review.object
	obj.kind in binding_kinds
	obj.roleRef.kind == "ClusterRole"
	obj.roleRef.name == "cluster-admin"
	not bootstrap(obj)
	msg := sprintf("%s '%v' binds the cluster-admin ClusterRole, which allows everything: bind its subjects to a Role with only the verbs and resources they need", [obj.kind, name(obj)])
}

name(obj) := object.get(object.get(obj, "metadata", {}), "name", "")
