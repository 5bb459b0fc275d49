package astra.rules.kubernetes.rbac_default_service_account_test

import data.astra.rules.kubernetes.rbac_default_service_account

deployment(accounts) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": object.union({"containers": [{"name": "app", "image": "r/app:1"}]}, accounts)}},
}

findings(obj) := v if {
	v := rbac_default_service_account.violation with input as {"review": {"object": obj}, "parameters": {}}
}

paths(obj) := {v.details.path | some v in findings(obj)}

messages(obj) := {v.msg | some v in findings(obj)}

name_field := ["spec", "template", "spec", "serviceAccountName"]

test_a_dedicated_service_account_passes if {
	count(findings(deployment({"serviceAccountName": "web"}))) == 0
}

test_no_service_account_fails_at_service_account_name if {
	obj := deployment({})
	paths(obj) == {name_field}
	some msg in messages(obj)
	contains(msg, "(serviceAccountName is not set)")
}

test_the_default_service_account_fails if {
	obj := deployment({"serviceAccountName": "default"})
	paths(obj) == {name_field}
	some msg in messages(obj)
	contains(msg, "(serviceAccountName: default)")
}

test_the_legacy_field_counts_when_service_account_name_is_empty if {
	paths(deployment({"serviceAccount": "default"})) == {["spec", "template", "spec", "serviceAccount"]}
	count(findings(deployment({"serviceAccountName": "", "serviceAccount": "web"}))) == 0
}

test_service_account_name_wins_over_the_legacy_field if {
	count(findings(deployment({"serviceAccountName": "web", "serviceAccount": "default"}))) == 0
	paths(deployment({"serviceAccountName": "default", "serviceAccount": "web"})) == {name_field}
}

test_a_bare_pod_is_judged_and_other_kinds_are_not if {
	paths({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": []}}) == {["spec", "serviceAccountName"]}
	count(findings({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}})) == 0
}
