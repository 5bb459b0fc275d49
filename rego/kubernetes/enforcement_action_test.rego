package astra.rules.kubernetes.enforcement_action_test

import data.astra.rules.kubernetes.enforcement_action

constraint(spec) := {
	"apiVersion": "constraints.gatekeeper.sh/v1beta1",
	"kind": "K8sRequiredLabels",
	"metadata": {"name": "must-have-owner"},
	"spec": spec,
}

scoped(entries) := constraint({"enforcementAction": "scoped", "scopedEnforcementActions": entries})

findings(obj) := v if {
	v := enforcement_action.violation with input as {"review": {"object": obj}, "parameters": {}}
}

paths(obj) := {v.details.path | some v in findings(obj)}

messages(obj) := {v.msg | some v in findings(obj)}

action_field := ["spec", "enforcementAction"]

test_deny_and_an_absent_action_pass if {
	count(findings(constraint({"enforcementAction": "deny"}))) == 0
	count(findings(constraint({"match": {"kinds": [{"kinds": ["Pod"]}]}}))) == 0
}

test_dryrun_and_warn_fail_at_the_action if {
	paths(constraint({"enforcementAction": "dryrun"})) == {action_field}
	some dryrun in messages(constraint({"enforcementAction": "dryrun"}))
	contains(dryrun, "has enforcementAction: dryrun: violations are only recorded by the audit")
	some msg in messages(constraint({"enforcementAction": "warn"}))
	contains(msg, "Constraint K8sRequiredLabels 'must-have-owner' has enforcementAction: warn: admission only warns")
}

test_an_unknown_action_fails if {
	some msg in messages(constraint({"enforcementAction": "block"}))
	contains(msg, "Gatekeeper knows no such action")
}

test_scoped_without_entries_fails_at_the_action if {
	paths(constraint({"enforcementAction": "scoped"})) == {action_field}
	paths(scoped([])) == {action_field}
}

test_a_scoped_deny_at_admission_passes if {
	count(findings(scoped([{"action": "deny", "enforcementPoints": [{"name": "validation.gatekeeper.sh"}]}]))) == 0
	count(findings(scoped([{"action": "deny", "enforcementPoints": [{"name": "*"}]}]))) == 0
}

test_a_scoped_entry_that_does_not_deny_fails_at_its_action if {
	entries := [
		{"action": "deny", "enforcementPoints": [{"name": "*"}]},
		{"action": "warn", "enforcementPoints": [{"name": "audit.gatekeeper.sh"}]},
	]
	paths(scoped(entries)) == {["spec", "scopedEnforcementActions", 1, "action"]}
}

test_a_scoped_deny_only_at_other_points_fails_at_its_points if {
	obj := scoped([{"action": "deny", "enforcementPoints": [{"name": "audit.gatekeeper.sh"}]}])
	paths(obj) == {["spec", "scopedEnforcementActions", 0, "enforcementPoints"]}
	some msg in messages(obj)
	contains(msg, "denies only at [\"audit.gatekeeper.sh\"], not at admission")
}

test_scoped_entries_count_only_when_the_action_is_scoped if {
	count(findings(constraint({"enforcementAction": "deny", "scopedEnforcementActions": [{"action": "warn"}]}))) == 0
	audit_only := [{"action": "deny", "enforcementPoints": [{"name": "audit.gatekeeper.sh"}]}]
	count(findings(constraint({"scopedEnforcementActions": audit_only}))) == 0
}

test_objects_that_are_not_constraints_are_ignored if {
	count(findings({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "spec": {"enforcementAction": "warn"}})) == 0
}

test_a_scoped_deny_without_enforcement_points_enforces_nowhere if {
	paths(constraint({"enforcementAction": "scoped", "scopedEnforcementActions": [{"action": "deny"}]})) == {["spec", "scopedEnforcementActions", 0, "enforcementPoints"]}
}

test_a_deny_at_admission_in_another_entry_covers_the_constraint if {
	spec := {"enforcementAction": "scoped", "scopedEnforcementActions": [
		{"action": "deny", "enforcementPoints": [{"name": "audit.gatekeeper.sh"}]},
		{"action": "deny", "enforcementPoints": [{"name": "validation.gatekeeper.sh"}]},
	]}
	count(paths(constraint(spec))) == 0
}
