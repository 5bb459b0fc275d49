package astra.rules.kubernetes.rbac_cluster_admin_test

import data.astra.rules.kubernetes.rbac_cluster_admin

binding(kind, role_kind, role, subjects) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "b"},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
	"subjects": subjects,
}

agent := {"kind": "ServiceAccount", "name": "agent", "namespace": "astra"}

masters := {"kind": "Group", "name": "system:masters", "apiGroup": "rbac.authorization.k8s.io"}

findings(obj) := v if {
	v := rbac_cluster_admin.violation with input as {"review": {"object": obj}, "parameters": {}}
}

paths(obj) := {v.details.path | some v in findings(obj)}

test_a_binding_to_another_role_passes if {
	count(findings(binding("ClusterRoleBinding", "ClusterRole", "view", [agent]))) == 0
}

test_cluster_admin_fails_at_the_role_name if {
	obj := binding("ClusterRoleBinding", "ClusterRole", "cluster-admin", [agent])
	paths(obj) == {["roleRef", "name"]}
	some v in findings(obj)
	contains(v.msg, "ClusterRoleBinding 'b' binds the cluster-admin ClusterRole")
}

test_a_role_binding_to_cluster_admin_fails_too if {
	paths(binding("RoleBinding", "ClusterRole", "cluster-admin", [agent])) == {["roleRef", "name"]}
}

test_the_bootstrap_system_masters_binding_passes if {
	count(findings(binding("ClusterRoleBinding", "ClusterRole", "cluster-admin", [masters]))) == 0
}

test_anything_but_the_system_masters_group_fails if {
	count(findings(binding("ClusterRoleBinding", "ClusterRole", "cluster-admin", [masters, agent]))) == 1
	count(findings(binding("ClusterRoleBinding", "ClusterRole", "cluster-admin", [{"kind": "User", "name": "system:masters"}]))) == 1
	count(findings(binding("ClusterRoleBinding", "ClusterRole", "cluster-admin", [{"kind": "Group", "name": "devs"}]))) == 1
}

test_a_binding_without_subjects_fails if {
	count(findings(binding("ClusterRoleBinding", "ClusterRole", "cluster-admin", []))) == 1
}

test_a_namespaced_role_named_cluster_admin_passes if {
	count(findings(binding("RoleBinding", "Role", "cluster-admin", [agent]))) == 0
}
