package astra.rules.kubernetes.rbac_wildcard_test

import data.astra.rules.kubernetes.rbac_wildcard

role(kind, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "r"}, "rules": rules}

findings(obj) := v if {
	v := rbac_wildcard.violation with input as {"review": {"object": obj}, "parameters": {}}
}

paths(obj) := {v.details.path | some v in findings(obj)}

test_explicit_rules_pass if {
	count(findings(role("Role", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}]))) == 0
}

test_each_wildcard_fails_at_its_item if {
	obj := role("ClusterRole", [
		{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
		{"apiGroups": ["*"], "resources": ["deployments", "pods/*"], "verbs": ["get", "*"]},
	])
	paths(obj) == {["rules", 1, "apiGroups", 0], ["rules", 1, "resources", 1], ["rules", 1, "verbs", 1]}
	some v in findings(obj)
	v.details.path == ["rules", 1, "verbs", 1]
	contains(v.msg, "ClusterRole 'r' rule 1 grants the wildcard verb \"*\": list the verbs it needs explicitly")
}

test_other_kinds_and_malformed_rules_are_ignored if {
	count(findings({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "rules": [{"verbs": ["*"]}]})) == 0
	count(findings(role("Role", {"verbs": ["*"]}))) == 0
	count(findings(role("Role", [{"verbs": "*"}]))) == 0
}
