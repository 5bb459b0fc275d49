package astra.rules.kubernetes.run_as_non_root_test

import data.astra.rules.kubernetes.run_as_non_root

deployment(pod_sc, container_sc) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {
		"securityContext": pod_sc,
		"containers": [{"name": "app", "image": "r/app:1", "securityContext": container_sc}],
	}}},
}

findings(obj) := v if {
	v := run_as_non_root.violation with input as {"review": {"object": obj}, "parameters": {}}
}

test_pod_level_non_root_passes if {
	count(findings(deployment({"runAsNonRoot": true}, {}))) == 0
}

test_missing_everywhere_fails_at_the_container if {
	some v in findings(deployment({}, {}))
	v.details.path == ["spec", "template", "spec", "containers", 0, "securityContext", "runAsNonRoot"]
}

test_container_overrides_pod if {
	some v in findings(deployment({"runAsNonRoot": true}, {"runAsNonRoot": false}))
	v.details.path == ["spec", "template", "spec", "containers", 0, "securityContext", "runAsNonRoot"]
	count(findings(deployment({"runAsNonRoot": false}, {"runAsNonRoot": true}))) == 0
}

test_uid_zero_fails_even_with_run_as_non_root if {
	some v in findings(deployment({"runAsNonRoot": true, "runAsUser": 0}, {}))
	v.details.path == ["spec", "template", "spec", "securityContext", "runAsUser"]
}

test_objects_without_pods_are_ignored if {
	count(findings({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}})) == 0
}
