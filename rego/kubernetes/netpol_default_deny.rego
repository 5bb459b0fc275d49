# METADATA
# title: Every workload namespace has a default deny-all NetworkPolicy
# description: >-
#   A pod that no NetworkPolicy selects accepts traffic from every pod in the cluster and may
#   connect anywhere. A policy with an empty podSelector, policyTypes Ingress and Egress, and no
#   rules isolates every pod of the namespace, so that only what later policies explicitly allow
#   gets through. Two select-all policies, one denying Ingress and one denying Egress, are
#   equivalent and accepted. The rule is referential: it reads the namespace's NetworkPolicies
#   from data.inventory, which the scan fills from its inputs and Gatekeeper from its synced
#   cache, so at admission a workload is refused until its namespace is locked down.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies
#   - ref: https://open-policy-agent.github.io/gatekeeper/website/docs/sync
# custom:
#   id: k8s-netpol-default-deny
#   severity: high
#   checklist_item: 2
#   family: kubernetes
#   admission: true
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, Rollout]
#   sync:
#     - {group: networking.k8s.io, version: v1, kind: NetworkPolicy}
#   remediation: >-
#     Add to the namespace a NetworkPolicy with podSelector: {}, policyTypes: [Ingress, Egress] and
#     no ingress or egress rules, then allow the needed traffic in separate policies.
package astra.rules.kubernetes.netpol_default_deny

import data.lib.astra.k8s

obj := input.review.object

metadata := object.get(obj, "metadata", {})

namespace := object.get(metadata, "namespace", "default")

ns_policies := object.get(object.get(object.get(object.get(data.inventory, "namespace", {}), namespace, {}), "networking.k8s.io/v1", {}), "NetworkPolicy", {})

types(p) := object.get(object.get(p, "spec", {}), "policyTypes", [])

# The policies that select every pod of the namespace: the only ones that can deny all traffic
# (selected once per object, not once per direction and per use; the test is inline, not a
# function, because the rule runs it on every policy of the namespace for every workload).
open_policies := [p |
	some p in ns_policies
	count(object.get(p, ["spec", "podSelector", "matchLabels"], {})) == 0 # most policies match labels: skip them in one call
	selector := object.get(object.get(p, "spec", {}), "podSelector", {})
	count(object.get(selector, "matchLabels", {})) == 0
	count(object.get(selector, "matchExpressions", [])) == 0
]

missing := [d | some d in ["Ingress", "Egress"]; not any_denies(d)]

# A policy denies a direction when it selects every pod, isolates the direction and allows nothing.
any_denies(direction) if {
	some p in open_policies
	direction in types(p)
	count(object.get(object.get(p, "spec", {}), lower(direction), [])) == 0
}

near_misses := [note |
	some p in open_policies
	some d in missing
	note := near_miss(p, d)
]

near_miss(p, d) := sprintf("NetworkPolicy '%v' selects every pod but lacks %s in policyTypes", [p.metadata.name, d]) if {
	not d in types(p)
}

near_miss(p, d) := sprintf("NetworkPolicy '%v' selects every pod but allows some %s", [p.metadata.name, lower(d)]) if {
	d in types(p)
	count(object.get(object.get(p, "spec", {}), lower(d), [])) > 0
}

detail := "" if count(near_misses) == 0

detail := sprintf(" (%s)", [concat("; ", sort(near_misses))]) if count(near_misses) > 0

path := ["metadata", "namespace"] if "namespace" in object.keys(metadata)

path := ["metadata"] if not "namespace" in object.keys(metadata)

violation contains {"msg": msg, "details": {"path": path}} if {
	k8s.pod(obj)
	count(missing) > 0
	msg := sprintf("%s '%v' runs in namespace '%v', where no NetworkPolicy denies all %s traffic%s: add a NetworkPolicy in '%v' with podSelector: {}, policyTypes: [Ingress, Egress] and no ingress or egress rules", [obj.kind, object.get(metadata, "name", ""), namespace, lower(concat(" and ", missing)), detail, namespace])
}
