package astra.rules.kubernetes.netpol_open_ingress_test

import data.astra.rules.kubernetes.netpol_open_ingress

policy(ingress) := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "NetworkPolicy",
	"metadata": {"name": "np"},
	"spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": ingress},
}

gateway := {"namespaceSelector": {"matchLabels": {"name": "astra-control"}}}

findings(obj) := v if {
	v := netpol_open_ingress.violation with input as {"review": {"object": obj}, "parameters": {}}
}

paths(obj) := {v.details.path | some v in findings(obj)}

messages(obj) := {v.msg | some v in findings(obj)}

test_rules_with_named_peers_pass if {
	count(findings(policy([{"from": [gateway]}, {"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]))) == 0
}

test_a_rule_without_from_fails_at_the_rule if {
	paths(policy([{"from": [gateway]}, {"ports": [{"port": 8080}]}])) == {["spec", "ingress", 1]}
}

test_an_empty_from_fails_too if {
	obj := policy([{"from": []}])
	paths(obj) == {["spec", "ingress", 0]}
	some msg in messages(obj)
	contains(msg, "NetworkPolicy 'np' ingress rule 0 has no `from` peers")
}

test_an_ip_block_of_the_whole_internet_fails_at_its_cidr if {
	obj := policy([{"from": [gateway, {"ipBlock": {"cidr": "0.0.0.0/0", "except": []}}]}])
	paths(obj) == {["spec", "ingress", 0, "from", 1, "ipBlock", "cidr"]}
	some msg in messages(obj)
	contains(msg, "admits ipBlock 0.0.0.0/0, every IPv4 address (the whole internet):")
}

test_ipv6_and_exceptions_are_named if {
	some msg in messages(policy([{"from": [{"ipBlock": {"cidr": "::/0", "except": ["fd00::/8"]}}]}]))
	contains(msg, "every IPv6 address (the whole internet except fd00::/8)")
}

test_egress_only_policies_and_other_kinds_pass if {
	count(findings({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "e"}, "spec": {"podSelector": {}, "policyTypes": ["Egress"]}})) == 0
	count(findings({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ingress": [{}]}})) == 0
}
