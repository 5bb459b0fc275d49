package astra.rules.kubernetes.rollout_strategy_test

import data.astra.rules.kubernetes.rollout_strategy

deployment(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": spec}

rollout(strategy) := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "web"}, "spec": {"strategy": strategy}}

rolling(update) := {"replicas": 3, "strategy": {"type": "RollingUpdate", "rollingUpdate": update}}

findings(obj) := v if {
	v := rollout_strategy.violation with input as {"review": {"object": obj}, "parameters": {}}
}

paths(obj) := {v.details.path | some v in findings(obj)}

max_unavailable := ["spec", "strategy", "rollingUpdate", "maxUnavailable"]

# --- Deployments

test_rolling_update_with_max_unavailable_zero_passes if {
	count(findings(deployment(rolling({"maxUnavailable": 0, "maxSurge": 1})))) == 0
	count(findings(deployment(rolling({"maxUnavailable": "0%", "maxSurge": "25%"})))) == 0
}

test_max_surge_defaults_to_25_percent if {
	count(findings(deployment(rolling({"maxUnavailable": 0})))) == 0
}

test_the_type_defaults_to_rolling_update if {
	count(findings(deployment({"strategy": {"rollingUpdate": {"maxUnavailable": 0}}}))) == 0
	paths(deployment({})) == {max_unavailable}
}

test_recreate_fails_at_the_type if {
	paths(deployment({"strategy": {"type": "Recreate"}})) == {["spec", "strategy", "type"]}
}

test_an_unknown_type_fails_at_the_type if {
	obj := deployment({"strategy": {"type": "BlueGreen"}})
	paths(obj) == {["spec", "strategy", "type"]}
	some v in findings(obj)
	contains(v.msg, "strategy type BlueGreen, which the API server rejects")
}

test_max_unavailable_unset_or_non_zero_fails if {
	paths(deployment(rolling({"maxSurge": 1}))) == {max_unavailable}
	paths(deployment(rolling({"maxUnavailable": 1}))) == {max_unavailable}
	paths(deployment(rolling({"maxUnavailable": "25%"}))) == {max_unavailable}
	paths(deployment(rolling({"maxUnavailable": 1, "maxSurge": 0}))) == {max_unavailable}
}

test_both_zero_fails_at_max_surge if {
	paths(deployment(rolling({"maxUnavailable": 0, "maxSurge": "0%"}))) == {["spec", "strategy", "rollingUpdate", "maxSurge"]}
}

test_a_deployment_scaled_to_zero_is_not_judged if {
	count(findings(deployment({"replicas": 0, "strategy": {"type": "Recreate"}}))) == 0
	count(findings(deployment({"replicas": 0, "strategy": {"type": "BlueGreen"}}))) == 0
	count(findings(deployment({"replicas": 0, "strategy": {"rollingUpdate": {"maxUnavailable": 1}}}))) == 0
}

test_statefulsets_are_not_judged if {
	count(findings({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"}, "spec": {"replicas": 3}})) == 0
}

# --- Argo Rollouts

test_a_weighted_canary_or_blue_green_passes if {
	count(findings(rollout({"canary": {"steps": [{"setWeight": 20}, {"pause": {}}, {"setWeight": 50}]}}))) == 0
	count(findings(rollout({"blueGreen": {"activeService": "web"}}))) == 0
}

test_neither_canary_nor_blue_green_fails_at_the_strategy if {
	# strategy {} is the case where regorus alone and OPA disagreed on `not is_object(strategy.blueGreen)`.
	paths(rollout({})) == {["spec", "strategy"]}
	paths({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "web"}, "spec": {}}) == {["spec", "strategy"]}
}

test_a_canary_without_set_weight_fails_at_its_steps if {
	paths(rollout({"canary": {"steps": [{"pause": {}}]}})) == {["spec", "strategy", "canary", "steps"]}
	paths(rollout({"canary": {}})) == {["spec", "strategy", "canary", "steps"]}
}

test_only_argoproj_rollouts_are_judged if {
	count(findings({"apiVersion": "example.com/v1", "kind": "Rollout", "metadata": {"name": "web"}, "spec": {}})) == 0
	count(findings({"apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate", "metadata": {"name": "a"}, "spec": {}})) == 0
}
