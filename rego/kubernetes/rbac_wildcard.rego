# METADATA
# title: RBAC rules name their verbs, resources and API groups (no wildcards)
# description: >-
#   A `*` in verbs, resources or apiGroups grants everything of its kind, including what the
#   API server adds later (new resources, subresources, CRDs): the rule can never be
#   reviewed as least privilege. Each grant should spell out what it allows.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/rbac-good-practices/
#   - ref: https://kubernetes.io/docs/reference/access-authn-authz/rbac/
# custom:
#   id: k8s-rbac-wildcard
#   severity: high
#   checklist_item: 3
#   family: kubernetes
#   admission: true
#   kinds: [Role, ClusterRole]
#   remediation: >-
#     Replace each `*` in a rule's verbs, resources or apiGroups with the explicit list the
#     workload needs, e.g. verbs get, list, watch on configmaps in the core ("") group.
package astra.rules.kubernetes.rbac_wildcard

role_kinds := {"Role", "ClusterRole"}

fields := ["apiGroups", "resources", "verbs"]

violation contains {"msg": msg, "details": {"path": ["rules", i, field, j]}} if {
	obj := input.review.object
	obj.kind in role_kinds
	some i, rule in rules(obj)
	some field in fields
	some j, item in list(rule, field)
	is_string(item)
	contains(item, "*")
	msg := sprintf("%s '%v' rule %d grants the wildcard %s \"%s\": list the %s it needs explicitly", [obj.kind, name(obj), i, singular[field], item, field])
}

singular := {"apiGroups": "API group", "resources": "resource", "verbs": "verb"}

name(obj) := object.get(object.get(obj, "metadata", {}), "name", "")

rules(obj) := [r | some r in object.get(obj, "rules", [])] if is_array(object.get(obj, "rules", []))

rules(obj) := [] if not is_array(object.get(obj, "rules", []))

list(rule, field) := rule[field] if {
	is_object(rule)
	is_array(rule[field])
} else := []
