# METADATA
# title: No NetworkPolicy ingress rule is open to everything
# description: >-
#   NetworkPolicy rules are allowances, and they add up: one ingress rule without peers (no
#   `from`, or an empty one) admits every pod of every namespace and every outside address to
#   the selected pods, and an ipBlock of 0.0.0.0/0 or ::/0 admits the whole internet. Either
#   undoes the default deny-all for those pods, whatever the other rules say.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
#   - ref: https://kubernetes.io/docs/concepts/services-networking/network-policies/#allow-all-ingress-traffic
# custom:
#   id: k8s-netpol-open-ingress
#   severity: high
#   checklist_item: 2
#   family: kubernetes
#   admission: true
#   kinds: [NetworkPolicy]
#   remediation: >-
#     Give every ingress rule explicit `from` peers (for a service behind the gateway, the
#     gateway's namespaceSelector) and replace 0.0.0.0/0 or ::/0 with the narrowest CIDR that
#     needs access.
package astra.rules.kubernetes.netpol_open_ingress

ingress_rules contains [i, rule] if {
	input.review.object.kind == "NetworkPolicy"
	spec := object.get(input.review.object, "spec", {})
	is_object(spec)
	some i, rule in object.get(spec, "ingress", [])
}

peers(rule) := rule.from if {
	is_object(rule)
	is_array(rule.from)
} else := []

name := object.get(object.get(input.review.object, "metadata", {}), "name", "")

violation contains {"msg": msg, "details": {"path": ["spec", "ingress", i]}} if {
	some [i, rule] in ingress_rules
	count(peers(rule)) == 0
	msg := sprintf("NetworkPolicy '%v' ingress rule %d has no `from` peers, so it admits traffic from every pod in the cluster and from outside it: list the allowed sources under from (e.g. the gateway's namespaceSelector)", [name, i])
}

violation contains {"msg": msg, "details": {"path": ["spec", "ingress", i, "from", j, "ipBlock", "cidr"]}} if {
	some [i, rule] in ingress_rules
	some j, peer in peers(rule)
	cidr := peer.ipBlock.cidr
	is_string(cidr)
	endswith(cidr, "/0")
	msg := sprintf("NetworkPolicy '%v' ingress rule %d admits ipBlock %v, every %s address (the whole internet%s): replace it with the narrowest CIDR that needs access", [name, i, cidr, family(cidr), excepted(peer.ipBlock)])
}

family(cidr) := "IPv6" if contains(cidr, ":") else := "IPv4"

excepted(block) := sprintf(" except %s", [concat(", ", [sprintf("%v", [e]) | some e in block.except])]) if {
	is_array(block.except)
	count(block.except) > 0
} else := ""
