package astra.rules.kubernetes.host_path_volume_test

import data.astra.rules.kubernetes.host_path_volume

pod(volumes) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
	"containers": [{"name": "app", "image": "r/app:1"}],
	"volumes": volumes,
}}

cronjob(volumes) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {
	"schedule": "@daily",
	"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "job", "image": "r/job:1"}], "volumes": volumes}}}},
}}

findings(obj) := v if {
	v := host_path_volume.violation with input as {"review": {"object": obj}, "parameters": {}}
}

paths(obj) := {v.details.path | some v in findings(obj)}

test_other_volume_types_pass if {
	count(findings(pod([{"name": "tmp", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "cfg"}}]))) == 0
}

test_a_host_path_volume_fails_at_its_host_path if {
	obj := pod([{"name": "tmp", "emptyDir": {}}, {"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}}])
	paths(obj) == {["spec", "volumes", 1, "hostPath"]}
	some v in findings(obj)
	contains(v.msg, "volume 'sock' mounts hostPath /var/run/docker.sock")
}

test_a_host_path_without_a_path_still_fails if {
	paths(pod([{"name": "h", "hostPath": {}}])) == {["spec", "volumes", 0, "hostPath"]}
}

test_the_pod_template_of_a_cronjob_is_judged if {
	paths(cronjob([{"name": "etc", "hostPath": {"path": "/etc"}}])) == {
		["spec", "jobTemplate", "spec", "template", "spec", "volumes", 0, "hostPath"],
	}
}
