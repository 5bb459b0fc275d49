package astra.rules.kubernetes.capabilities_test

import data.astra.rules.kubernetes.capabilities

pod(caps) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [
	{"name": "app", "image": "r/app:1", "securityContext": {"capabilities": caps}},
]}}

findings(obj, allowed) := v if {
	v := capabilities.violation with input as {"review": {"object": obj}, "parameters": {"allowed_add": allowed}}
}

test_drop_all_and_allowed_add_passes if {
	count(findings(pod({"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}), ["NET_BIND_SERVICE"])) == 0
}

test_missing_drop_all_fails if {
	some v in findings(pod({"drop": ["NET_RAW"]}), [])
	v.details.path == ["spec", "containers", 0, "securityContext", "capabilities", "drop"]
}

test_added_capability_outside_the_allow_list_fails_at_its_item if {
	some v in findings(pod({"drop": ["ALL"], "add": ["NET_BIND_SERVICE", "SYS_ADMIN"]}), ["NET_BIND_SERVICE"])
	v.details.path == ["spec", "containers", 0, "securityContext", "capabilities", "add", 1]
}

test_the_allow_list_is_a_parameter if {
	count(findings(pod({"drop": ["ALL"], "add": ["SYS_ADMIN"]}), ["SYS_ADMIN"])) == 0
}
