package astra.rules.kubernetes.canary_analysis_test

import data.astra.rules.kubernetes.canary_analysis

rollout(strategy) := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "web"}, "spec": {"strategy": strategy}}

analysis := {"templates": [{"templateName": "success-rate"}]}

findings(obj) := v if {
	v := canary_analysis.violation with input as {"review": {"object": obj}, "parameters": {}}
}

paths(obj) := {v.details.path | some v in findings(obj)}

test_a_background_analysis_passes if {
	count(findings(rollout({"canary": {"analysis": analysis, "steps": [{"setWeight": 20}]}}))) == 0
}

test_an_analysis_step_passes if {
	count(findings(rollout({"canary": {"steps": [{"setWeight": 20}, {"analysis": analysis}]}}))) == 0
}

test_an_experiment_step_with_analyses_passes if {
	step := {"experiment": {"templates": [{"name": "c", "specRef": "canary"}], "analyses": [{"name": "a", "templateName": "success-rate"}]}}
	count(findings(rollout({"canary": {"steps": [step]}}))) == 0
}

test_a_canary_without_analysis_fails_at_the_canary if {
	obj := rollout({"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10m"}}]}})
	paths(obj) == {["spec", "strategy", "canary"]}
	some v in findings(obj)
	contains(v.msg, "Rollout 'web' runs a canary without analysis")
}

test_an_experiment_without_analyses_does_not_count if {
	step := {"experiment": {"templates": [{"name": "c", "specRef": "canary"}], "analyses": []}}
	paths(rollout({"canary": {"steps": [step]}})) == {["spec", "strategy", "canary"]}
}

test_blue_green_and_other_kinds_are_not_judged if {
	count(findings(rollout({"blueGreen": {"activeService": "web"}}))) == 0
	count(findings({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"strategy": {"canary": {}}}})) == 0
	count(findings(object.union(rollout({"canary": {}}), {"apiVersion": "example.com/v1"}))) == 0
}
