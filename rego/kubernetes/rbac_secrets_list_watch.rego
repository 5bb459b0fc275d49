# METADATA
# title: No list or watch on Secrets without resourceNames
# description: >-
#   `list` and `watch` on secrets return the content of every Secret in the namespace (for a
#   ClusterRole bound cluster-wide, in every namespace), not only their names: it is read
#   access to every credential stored there. `get` restricted by resourceNames is the
#   least-privilege way to read a known Secret.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets
#   - ref: https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources
# custom:
#   id: k8s-rbac-secrets-list-watch
#   severity: high
#   checklist_item: 3
#   family: kubernetes
#   admission: true
#   kinds: [Role, ClusterRole]
#   remediation: >-
#     Remove list and watch from the rule that covers secrets; grant get on the named Secrets
#     the workload reads through resourceNames, in a rule of their own.
package astra.rules.kubernetes.rbac_secrets_list_watch

role_kinds := {"Role", "ClusterRole"}

reading_verbs := {"list", "watch", "*"}

covers_secrets(rule) if {
	some group in list(rule, "apiGroups")
	group in {"", "*"}
	some resource in list(rule, "resources")
	resource in {"secrets", "*"}
}

unrestricted(rule) if count(list(rule, "resourceNames")) == 0

violation contains {"msg": msg, "details": {"path": ["rules", i, "verbs", j]}} if {
	obj := input.review.object
	obj.kind in role_kinds
	some i, rule in rules(obj)
	covers_secrets(rule)
	unrestricted(rule)
	some j, verb in list(rule, "verbs")
	verb in reading_verbs
	msg := sprintf("%s '%v' rule %d grants \"%s\" on secrets without resourceNames, which reads every Secret it can see: remove %s from the rule that covers secrets and grant get on the named Secrets through resourceNames", [obj.kind, name(obj), i, verb, verb])
}

name(obj) := object.get(object.get(obj, "metadata", {}), "name", "")

rules(obj) := [r | some r in object.get(obj, "rules", [])] if is_array(object.get(obj, "rules", []))

rules(obj) := [] if not is_array(object.get(obj, "rules", []))

list(rule, field) := rule[field] if {
	is_object(rule)
	is_array(rule[field])
} else := []
