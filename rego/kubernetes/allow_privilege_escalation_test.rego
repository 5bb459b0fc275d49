package astra.rules.kubernetes.allow_privilege_escalation_test

import data.astra.rules.kubernetes.allow_privilege_escalation

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

container(name, sc) := {"name": name, "image": "r/app:1", "securityContext": sc}

findings(obj) := v if {
	v := allow_privilege_escalation.violation with input as {"review": {"object": obj}, "parameters": {}}
}

paths(obj) := {v.details.path | some v in findings(obj)}

app_field := ["spec", "containers", 0, "securityContext", "allowPrivilegeEscalation"]

test_explicit_false_passes if {
	count(findings(pod({"containers": [container("app", {"allowPrivilegeEscalation": false})]}))) == 0
}

test_unset_fails_because_the_default_is_true if {
	obj := pod({"containers": [container("app", {})]})
	paths(obj) == {app_field}
	some v in findings(obj)
	contains(v.msg, "allowPrivilegeEscalation is not set, so true")
}

test_explicit_true_fails if {
	paths(pod({"containers": [container("app", {"allowPrivilegeEscalation": true})]})) == {app_field}
}

test_a_pod_level_value_does_not_count if {
	# PodSecurityContext has no such field: only the container's setting counts.
	obj := pod({"securityContext": {"allowPrivilegeEscalation": false}, "containers": [container("app", {})]})
	paths(obj) == {app_field}
}

test_init_containers_are_judged if {
	obj := pod({
		"initContainers": [container("init", {})],
		"containers": [container("app", {"allowPrivilegeEscalation": false})],
	})
	paths(obj) == {["spec", "initContainers", 0, "securityContext", "allowPrivilegeEscalation"]}
}
