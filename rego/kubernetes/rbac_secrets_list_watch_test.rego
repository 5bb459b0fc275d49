package astra.rules.kubernetes.rbac_secrets_list_watch_test

import data.astra.rules.kubernetes.rbac_secrets_list_watch

role(kind, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "r"}, "rules": rules}

findings(obj) := v if {
	v := rbac_secrets_list_watch.violation with input as {"review": {"object": obj}, "parameters": {}}
}

paths(obj) := {v.details.path | some v in findings(obj)}

test_get_on_named_secrets_and_list_on_other_resources_pass if {
	count(findings(role("Role", [
		{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["db-password"], "verbs": ["get"]},
		{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]},
	]))) == 0
}

test_list_and_watch_on_secrets_fail_at_each_verb if {
	obj := role("Role", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "watch"]}])
	paths(obj) == {["rules", 0, "verbs", 1], ["rules", 0, "verbs", 2]}
	some v in findings(obj)
	contains(v.msg, "Role 'r' rule 0 grants \"list\" on secrets without resourceNames")
}

test_wildcards_cover_secrets_and_reading if {
	paths(role("ClusterRole", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}])) == {["rules", 0, "verbs", 0]}
}

test_resource_names_restrict_the_rule if {
	count(findings(role("Role", [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["tls"], "verbs": ["list"]}]))) == 0
}

test_secrets_outside_the_core_group_are_other_resources if {
	count(findings(role("Role", [{"apiGroups": ["example.com"], "resources": ["secrets"], "verbs": ["list"]}]))) == 0
}

test_other_kinds_and_malformed_rules_are_ignored if {
	count(findings({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]})) == 0
	count(findings(role("Role", "not a list"))) == 0
	count(findings(role("Role", ["not an object", {"resources": "secrets", "verbs": ["list"]}]))) == 0
}
