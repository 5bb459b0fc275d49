package astra.rules.kubernetes.privileged_container_test

import data.astra.rules.kubernetes.privileged_container

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

container(name, sc) := {"name": name, "image": "r/app:1", "securityContext": sc}

findings(obj) := v if {
	v := privileged_container.violation with input as {"review": {"object": obj}, "parameters": {}}
}

paths(obj) := {v.details.path | some v in findings(obj)}

test_unset_and_false_pass if {
	count(findings(pod({"containers": [container("app", {})]}))) == 0
	count(findings(pod({"containers": [container("app", {"privileged": false})]}))) == 0
}

test_privileged_fails_at_the_field if {
	obj := pod({"containers": [container("app", {"privileged": true})]})
	paths(obj) == {["spec", "containers", 0, "securityContext", "privileged"]}
}

test_every_container_list_is_judged if {
	obj := pod({
		"containers": [container("app", {})],
		"ephemeralContainers": [container("debug", {"privileged": true})],
	})
	paths(obj) == {["spec", "ephemeralContainers", 0, "securityContext", "privileged"]}
}
