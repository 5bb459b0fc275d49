package astra.rules.kubernetes.readiness_probe_test

import data.astra.rules.kubernetes.readiness_probe

probe := {"httpGet": {"path": "/ready", "port": 8080}}

workload(kind, pod_spec) := {
	"apiVersion": "apps/v1",
	"kind": kind,
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": pod_spec}},
}

findings(obj) := v if {
	v := readiness_probe.violation with input as {"review": {"object": obj}, "parameters": {}}
}

paths(obj) := {v.details.path | some v in findings(obj)}

test_a_container_with_a_probe_passes if {
	count(findings(workload("Deployment", {"containers": [{"name": "app", "readinessProbe": probe}]}))) == 0
}

test_a_container_without_a_probe_fails_at_the_container if {
	obj := workload("Deployment", {"containers": [{"name": "app", "readinessProbe": probe}, {"name": "sidecar"}]})
	paths(obj) == {["spec", "template", "spec", "containers", 1]}
	some v in findings(obj)
	contains(v.msg, "container 'sidecar' of Deployment 'web' has no readinessProbe")
}

test_a_null_probe_fails if {
	count(findings(workload("StatefulSet", {"containers": [{"name": "app", "readinessProbe": null}]}))) == 1
}

test_init_and_ephemeral_containers_are_not_judged if {
	count(findings(workload("Deployment", {
		"initContainers": [{"name": "migrate"}],
		"containers": [{"name": "app", "readinessProbe": probe}],
		"ephemeralContainers": [{"name": "debug"}],
	}))) == 0
}

test_jobs_are_not_judged if {
	count(findings(workload("Job", {"containers": [{"name": "batch"}]}))) == 0
}

test_a_bare_pod_and_a_rollout_are_judged if {
	paths({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "app"}]}}) == {
		["spec", "containers", 0],
	}
	rollout := object.union(workload("Rollout", {"containers": [{"name": "app"}]}), {"apiVersion": "argoproj.io/v1alpha1"})
	paths(rollout) == {["spec", "template", "spec", "containers", 0]}
}
