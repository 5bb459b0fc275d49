# METADATA
# title: Workloads roll out without losing capacity, or progressively
# description: >-
#   A release must be able to stop half-way without an outage. A Deployment does that with
#   RollingUpdate and maxUnavailable 0: new pods must become ready before old ones go (the
#   default, 25%, removes a quarter of the serving pods up front; Recreate removes all of them).
#   An Argo Rollout does it with a canary that shifts traffic in setWeight steps, or with
#   blueGreen. A Deployment scaled to zero replicas (as an Argo Rollout's workloadRef target is)
#   rolls nothing out and is not judged. StatefulSets and DaemonSets are not judged: their
#   update strategies (ordered, partitioned, OnDelete) are deliberate per-workload choices the
#   checklist does not prescribe.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#strategy
#   - ref: https://argo-rollouts.readthedocs.io/en/stable/features/canary/
#   - ref: https://argo-rollouts.readthedocs.io/en/stable/features/bluegreen/
# custom:
#   id: k8s-rollout-strategy
#   severity: medium
#   checklist_item: 6
#   family: kubernetes
#   admission: true
#   kinds: [Deployment, Rollout]
#   remediation: >-
#     Give Deployments strategy.type RollingUpdate with rollingUpdate.maxUnavailable 0 and a
#     non-zero maxSurge, or use an Argo Rollout with a canary strategy that has setWeight steps,
#     or a blueGreen strategy.
package astra.rules.kubernetes.rollout_strategy

obj := input.review.object

spec := s if {
	s := obj.spec
	is_object(s)
} else := {}

strategy := s if {
	s := spec.strategy
	is_object(s)
} else := {}

deployment if {
	obj.kind == "Deployment"
	spec.replicas != 0
}

deployment if {
	obj.kind == "Deployment"
	not "replicas" in object.keys(spec)
}

rolling if {
	deployment
	object.get(strategy, "type", "RollingUpdate") == "RollingUpdate"
}

rolling_update := r if {
	r := strategy.rollingUpdate
	is_object(r)
} else := {}

zero(v) if v == 0

zero(v) if v == "0%"

name := object.get(object.get(obj, "metadata", {}), "name", "")

violation contains {"msg": msg, "details": {"path": ["spec", "strategy", "type"]}} if {
	deployment
	strategy.type == "Recreate"
	msg := sprintf("Deployment '%v' uses the Recreate strategy: every pod stops before the new version starts; use type: RollingUpdate with rollingUpdate.maxUnavailable: 0", [name])
}

violation contains {"msg": msg, "details": {"path": ["spec", "strategy", "type"]}} if {
	deployment
	t := strategy.type
	not t in {"Recreate", "RollingUpdate"}
	msg := sprintf("Deployment '%v' has strategy type %v, which the API server rejects: use type: RollingUpdate with rollingUpdate.maxUnavailable: 0", [name, t])
}

violation contains {"msg": msg, "details": {"path": ["spec", "strategy", "rollingUpdate", "maxUnavailable"]}} if {
	rolling
	not "maxUnavailable" in object.keys(rolling_update)
	msg := sprintf("Deployment '%v' does not set rollingUpdate.maxUnavailable, which defaults to 25%%: a rollout removes serving pods before new ones are ready; set maxUnavailable: 0 (with maxSurge: 1 or more)", [name])
}

violation contains {"msg": msg, "details": {"path": ["spec", "strategy", "rollingUpdate", "maxUnavailable"]}} if {
	rolling
	value := rolling_update.maxUnavailable
	not zero(value)
	msg := sprintf("Deployment '%v' sets rollingUpdate.maxUnavailable to %v: a rollout removes serving pods before their replacements are ready; set maxUnavailable: 0 (with maxSurge: 1 or more)", [name, value])
}

violation contains {"msg": msg, "details": {"path": ["spec", "strategy", "rollingUpdate", "maxSurge"]}} if {
	rolling
	zero(rolling_update.maxUnavailable)
	zero(object.get(rolling_update, "maxSurge", "25%"))
	msg := sprintf("Deployment '%v' sets both maxUnavailable and maxSurge to 0, which the API server rejects: set maxSurge: 1 (or more)", [name])
}

rollout if {
	obj.kind == "Rollout"
	startswith(obj.apiVersion, "argoproj.io/")
}

canary := c if {
	c := strategy.canary
	is_object(c)
}

violation contains {"msg": msg, "details": {"path": ["spec", "strategy"]}} if {
	rollout
	not canary
	not is_object(object.get(strategy, "blueGreen", null))
	msg := sprintf("Rollout '%v' has neither a canary nor a blueGreen strategy: add strategy.canary with setWeight steps, or strategy.blueGreen", [name])
}

violation contains {"msg": msg, "details": {"path": ["spec", "strategy", "canary", "steps"]}} if {
	rollout
	steps := object.get(canary, "steps", [])
	not weighted(steps)
	msg := sprintf("Rollout '%v' has a canary strategy without any setWeight step: the new version takes all traffic at once; add steps such as setWeight: 20, pause, setWeight: 50", [name])
}

weighted(steps) if {
	is_array(steps)
	some step in steps
	is_object(step)
	"setWeight" in object.keys(step)
}
