# METADATA
# title: Argo canaries run an analysis that can abort them
# description: >-
#   A canary without an AnalysisTemplate run only pauses and proceeds: nothing checks error
#   rates or latency, so a bad version is promoted unless a person watches and aborts. A
#   background analysis (strategy.canary.analysis), an analysis step, or an experiment step
#   with analyses gives the Rollout an automated abort and rollback.
# related_resources:
#   - ref: https://argo-rollouts.readthedocs.io/en/stable/features/analysis/
#   - ref: https://argo-rollouts.readthedocs.io/en/stable/features/canary/
# custom:
#   id: argo-canary-analysis
#   severity: low
#   checklist_item: 6
#   family: kubernetes
#   admission: true
#   kinds: [Rollout]
#   remediation: >-
#     Add strategy.canary.analysis (a background analysis referencing an AnalysisTemplate) or an
#     analysis step between the setWeight steps, so failing metrics abort the rollout.
package astra.rules.kubernetes.canary_analysis

violation contains {"msg": msg, "details": {"path": ["spec", "strategy", "canary"]}} if {
	obj := input.review.object
	obj.kind == "Rollout"
	startswith(obj.apiVersion, "argoproj.io/")
	canary := obj.spec.strategy.canary
	is_object(canary)
	not is_object(object.get(canary, "analysis", null))
	not analysis_step(object.get(canary, "steps", []))
	name := object.get(object.get(obj, "metadata", {}), "name", "")
	msg := sprintf("Rollout '%v' runs a canary without analysis: nothing aborts or rolls back a failing version automatically; add strategy.canary.analysis or an analysis step referencing an AnalysisTemplate", [name])
}

analysis_step(steps) if {
	is_array(steps)
	some step in steps
	is_object(step)
	is_object(step.analysis)
}

analysis_step(steps) if {
	is_array(steps)
	some step in steps
	is_object(step.experiment)
	analyses := object.get(step.experiment, "analyses", [])
	is_array(analyses)
	count(analyses) > 0
}
