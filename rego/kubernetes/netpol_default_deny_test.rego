package astra.rules.kubernetes.netpol_default_deny_test

import data.astra.rules.kubernetes.netpol_default_deny

deployment(metadata) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": metadata,
	"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "r/app:1"}]}}},
}

web := deployment({"name": "web", "namespace": "shop"})

netpol(name, selector, types, rules) := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "NetworkPolicy",
	"metadata": {"name": name},
	"spec": object.union({"podSelector": selector, "policyTypes": types}, rules),
}

deny_all := netpol("deny-all", {}, ["Ingress", "Egress"], {})

# data.inventory as Gatekeeper syncs it: namespace -> group/version -> kind -> name -> object.
inventory(namespace, policies) := {"namespace": {namespace: {"networking.k8s.io/v1": {"NetworkPolicy": {p.metadata.name: p | some p in policies}}}}}

findings(obj, inv) := v if {
	v := netpol_default_deny.violation with input as {"review": {"object": obj}, "parameters": {}} with data.inventory as inv
}

paths(obj, inv) := {v.details.path | some v in findings(obj, inv)}

messages(obj, inv) := {v.msg | some v in findings(obj, inv)}

test_a_deny_all_policy_in_the_namespace_passes if {
	count(findings(web, inventory("shop", [deny_all]))) == 0
}

test_split_ingress_and_egress_deny_policies_pass if {
	policies := [netpol("deny-in", {}, ["Ingress"], {}), netpol("deny-out", {}, ["Egress"], {})]
	count(findings(web, inventory("shop", policies))) == 0
}

test_no_policy_fails_at_the_namespace if {
	paths(web, {}) == {["metadata", "namespace"]}
	some msg in messages(web, {})
	contains(msg, "Deployment 'web' runs in namespace 'shop', where no NetworkPolicy denies all ingress and egress traffic")
}

test_a_policy_in_another_namespace_does_not_count if {
	paths(web, inventory("other", [deny_all])) == {["metadata", "namespace"]}
}

test_without_a_namespace_the_default_namespace_counts_and_the_path_is_metadata if {
	obj := deployment({"name": "web"})
	count(findings(obj, inventory("default", [deny_all]))) == 0
	paths(obj, {}) == {["metadata"]}
}

test_a_policy_that_selects_some_pods_does_not_count if {
	labels := netpol("deny-web-in", {"matchLabels": {"app": "web"}}, ["Ingress"], {})
	expressions := netpol("deny-tier", {"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, ["Ingress", "Egress"], {})
	paths(web, inventory("shop", [labels, expressions])) == {["metadata", "namespace"]}
	some msg in messages(web, inventory("shop", [labels, expressions]))
	not contains(msg, "selects every pod")
}

test_near_misses_are_explained if {
	ingress_only := netpol("deny-in", {}, ["Ingress"], {})
	some msg in messages(web, inventory("shop", [ingress_only]))
	contains(msg, "denies all egress traffic (NetworkPolicy 'deny-in' selects every pod but lacks Egress in policyTypes)")
	allows := netpol("all", {}, ["Ingress", "Egress"], {"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]})
	some msg2 in messages(web, inventory("shop", [allows]))
	contains(msg2, "(NetworkPolicy 'all' selects every pod but allows some egress)")
}

test_objects_without_pods_are_not_judged if {
	count(findings({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "shop"}}, {})) == 0
}
