package astra.rules.kubernetes.host_namespaces_test

import data.astra.rules.kubernetes.host_namespaces

pod_spec(settings) := object.union({"containers": [{"name": "app", "image": "r/app:1"}]}, settings)

pod(settings) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": pod_spec(settings)}

deployment(settings) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": pod_spec(settings)}},
}

findings(obj) := v if {
	v := host_namespaces.violation with input as {"review": {"object": obj}, "parameters": {}}
}

paths(obj) := {v.details.path | some v in findings(obj)}

test_unset_and_false_pass if {
	count(findings(pod({}))) == 0
	count(findings(pod({"hostNetwork": false, "hostPID": false, "hostIPC": false}))) == 0
}

test_other_pod_settings_are_not_namespaces if {
	count(findings(pod({"shareProcessNamespace": true, "hostUsers": true}))) == 0
}

test_each_host_namespace_fails_at_its_field if {
	paths(pod({"hostNetwork": true})) == {["spec", "hostNetwork"]}
	paths(pod({"hostPID": true})) == {["spec", "hostPID"]}
	paths(pod({"hostIPC": true})) == {["spec", "hostIPC"]}
}

test_the_pod_template_of_a_workload_is_judged if {
	paths(deployment({"hostNetwork": true, "hostIPC": true})) == {
		["spec", "template", "spec", "hostNetwork"],
		["spec", "template", "spec", "hostIPC"],
	}
}
