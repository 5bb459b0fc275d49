package astra.rules.kubernetes.revision_history_test

import data.astra.rules.kubernetes.revision_history

workload(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "web"}, "spec": spec}

findings(obj) := v if {
	v := revision_history.violation with input as {"review": {"object": obj}, "parameters": {}}
}

paths(obj) := {v.details.path | some v in findings(obj)}

test_unset_or_positive_passes if {
	count(findings(workload("Deployment", {}))) == 0
	count(findings(workload("Deployment", {"revisionHistoryLimit": 10}))) == 0
}

test_zero_fails_at_the_field if {
	obj := workload("Deployment", {"revisionHistoryLimit": 0})
	paths(obj) == {["spec", "revisionHistoryLimit"]}
	some v in findings(obj)
	contains(v.msg, "Deployment 'web' keeps 0 old revisions")
}

test_a_negative_limit_fails if {
	paths(workload("StatefulSet", {"revisionHistoryLimit": -1})) == {["spec", "revisionHistoryLimit"]}
}

test_daemonsets_and_rollouts_are_judged if {
	count(findings(workload("DaemonSet", {"revisionHistoryLimit": 0}))) == 1
	count(findings(workload("Rollout", {"revisionHistoryLimit": 0}))) == 1
}

test_other_kinds_and_non_numbers_are_not_judged if {
	count(findings(workload("ReplicaSet", {"revisionHistoryLimit": 0}))) == 0
	count(findings(workload("Deployment", {"revisionHistoryLimit": "0"}))) == 0
}
