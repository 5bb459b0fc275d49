package astra.rules.kubernetes.seccomp_profile_test

import data.astra.rules.kubernetes.seccomp_profile

pod(annotations, pod_sc, container_sc) := {
	"apiVersion": "v1", "kind": "Pod",
	"metadata": {"name": "p", "annotations": annotations},
	"spec": {"securityContext": pod_sc, "containers": [{"name": "app", "image": "r/a:1", "securityContext": container_sc}]},
}

findings(obj) := v if {
	v := seccomp_profile.violation with input as {"review": {"object": obj}, "parameters": {}}
}

test_pod_runtime_default_passes if {
	count(findings(pod({}, {"seccompProfile": {"type": "RuntimeDefault"}}, {}))) == 0
}

test_container_unconfined_overrides_pod_runtime_default if {
	count(findings(pod({}, {"seccompProfile": {"type": "RuntimeDefault"}}, {"seccompProfile": {"type": "Unconfined"}}))) == 1
}

test_legacy_pod_annotation_counts if {
	count(findings(pod({"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"}, {}, {}))) == 0
	count(findings(pod({"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}, {}, {}))) == 1
}

test_container_annotation_beats_pod_field if {
	annotations := {"container.seccomp.security.alpha.kubernetes.io/app": "localhost/profiles/app.json"}
	count(findings(pod(annotations, {"seccompProfile": {"type": "Unconfined"}}, {}))) == 0
}

paths(obj) := {v.details.path | some v in findings(obj)}

test_localhost_passes if {
	count(findings(pod({}, {}, {"seccompProfile": {"type": "Localhost", "localhostProfile": "profiles/app.json"}}))) == 0
}

test_no_profile_anywhere_fails_at_the_containers_field if {
	obj := pod({}, {}, {})
	paths(obj) == {["spec", "containers", 0, "securityContext", "seccompProfile", "type"]}
	some v in findings(obj)
	contains(v.msg, "container 'app' sets no seccomp profile, so the kubelet runs it Unconfined")
}

test_each_source_fails_where_it_is_set if {
	paths(pod({}, {}, {"seccompProfile": {"type": "Unconfined"}})) == {["spec", "containers", 0, "securityContext", "seccompProfile", "type"]}
	paths(pod({}, {"seccompProfile": {"type": "Unconfined"}}, {})) == {["spec", "securityContext", "seccompProfile", "type"]}
	paths(pod({"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}, {}, {})) == {["metadata", "annotations", "seccomp.security.alpha.kubernetes.io/pod"]}
	paths(pod({"container.seccomp.security.alpha.kubernetes.io/app": "unconfined"}, {}, {})) == {["metadata", "annotations", "container.seccomp.security.alpha.kubernetes.io/app"]}
}
