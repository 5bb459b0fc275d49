# METADATA
# title: Gatekeeper Constraints deny at admission
# description: >-
#   A Constraint with enforcementAction dryrun or warn only records or warns about violations:
#   the admission webhook lets the offending object in, so the release gate it stands for is
#   not enforced. An absent enforcementAction means deny. With enforcementAction scoped, each
#   scopedEnforcementActions entry must deny, and a deny must apply at the admission webhook
#   (enforcement point validation.gatekeeper.sh, or *).
# related_resources:
#   - ref: https://open-policy-agent.github.io/gatekeeper/website/docs/violations/
#   - ref: https://open-policy-agent.github.io/gatekeeper/website/docs/enforcement-points/
# custom:
#   id: gk-enforcement-action
#   severity: medium
#   checklist_item: 5
#   family: kubernetes
#   groups: [constraints.gatekeeper.sh]
#   remediation: >-
#     Set spec.enforcementAction to deny (or remove it: deny is the default); with scoped
#     enforcement, make every scopedEnforcementActions entry a deny that includes the
#     validation.gatekeeper.sh enforcement point.
package astra.rules.kubernetes.enforcement_action

admission_point := "validation.gatekeeper.sh"

constraint := input.review.object if {
	startswith(input.review.object.apiVersion, "constraints.gatekeeper.sh/")
}

label := sprintf("Constraint %s '%v'", [constraint.kind, object.get(object.get(constraint, "metadata", {}), "name", "")])

spec := s if {
	s := constraint.spec
	is_object(s)
}

meaning := {
	"dryrun": "violations are only recorded by the audit, admission lets them in",
	"warn": "admission only warns the client and lets violations in",
}

explain(action) := meaning[action]

explain(action) := "Gatekeeper knows no such action (deny, dryrun, warn, scoped)" if not meaning[action]

violation contains {"msg": msg, "details": {"path": ["spec", "enforcementAction"]}} if {
	action := spec.enforcementAction
	not action in {"deny", "scoped"}
	msg := sprintf("%s has enforcementAction: %v: %s; set enforcementAction: deny (or remove the field, deny is the default)", [label, action, explain(action)])
}

scoped_actions := a if {
	a := spec.scopedEnforcementActions
	is_array(a)
} else := []

violation contains {"msg": msg, "details": {"path": ["spec", "enforcementAction"]}} if {
	spec.enforcementAction == "scoped"
	count(scoped_actions) == 0
	msg := sprintf("%s has enforcementAction: scoped but no scopedEnforcementActions: nothing is enforced; add a scopedEnforcementActions entry with action: deny for %s", [label, admission_point])
}

violation contains {"msg": msg, "details": {"path": ["spec", "scopedEnforcementActions", i, "action"]}} if {
	spec.enforcementAction == "scoped"
	some i, entry in scoped_actions
	is_object(entry)
	action := object.get(entry, "action", "")
	action != "deny"
	msg := sprintf("%s has a scoped enforcement action %v: %s; make it action: deny", [label, action, explain(action)])
}

violation contains {"msg": msg, "details": {"path": ["spec", "scopedEnforcementActions", i, "enforcementPoints"]}} if {
	spec.enforcementAction == "scoped"
	not deny_at_admission
	some i, entry in scoped_actions
	entry.action == "deny"
	points := [name | some p in enforcement_points(entry); is_object(p); name := object.get(p, "name", "")]
	msg := sprintf("%s denies only at %v, not at admission: add the enforcement point %s", [label, points, admission_point])
}

# Some deny entry covers the webhook; an entry without enforcementPoints covers none.
deny_at_admission if {
	some entry in scoped_actions
	entry.action == "deny"
	some p in enforcement_points(entry)
	object.get(p, "name", "") in {admission_point, "*"}
}

enforcement_points(entry) := p if {
	p := entry.enforcementPoints
	is_array(p)
} else := []
