package astra.rules.kubernetes.read_only_root_filesystem_test

import data.astra.rules.kubernetes.read_only_root_filesystem

deployment(containers) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {"containers": containers}}},
}

container(name, sc) := {"name": name, "image": "r/app:1", "securityContext": sc}

findings(obj) := v if {
	v := read_only_root_filesystem.violation with input as {"review": {"object": obj}, "parameters": {}}
}

paths(obj) := {v.details.path | some v in findings(obj)}

field(i) := ["spec", "template", "spec", "containers", i, "securityContext", "readOnlyRootFilesystem"]

test_read_only_passes if {
	count(findings(deployment([container("app", {"readOnlyRootFilesystem": true})]))) == 0
}

test_unset_fails_at_the_containers_field if {
	paths(deployment([container("app", {})])) == {field(0)}
}

test_false_fails_for_each_container if {
	obj := deployment([container("app", {"readOnlyRootFilesystem": true}), container("sidecar", {"readOnlyRootFilesystem": false})])
	paths(obj) == {field(1)}
}
