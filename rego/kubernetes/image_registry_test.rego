package astra.rules.kubernetes.image_registry_test

import data.astra.rules.kubernetes.image_registry

pod(image) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [
	{"name": "app", "image": image},
]}}

findings(obj, parameters) := v if {
	v := image_registry.violation with input as {"review": {"object": obj}, "parameters": parameters}
}

allowed(image, registries) if count(findings(pod(image), {"allowed_registries": registries})) == 0

test_an_image_under_an_allowed_prefix_passes if {
	allowed("ghcr.io/org/app:1", ["ghcr.io/org"])
	allowed("ghcr.io/org/app:1", ["ghcr.io/org/"])
	allowed("ghcr.io/org/app@sha256:0b6a", ["quay.io/x", "ghcr.io/org/app"])
}

test_another_registry_fails_at_the_image if {
	v := findings(pod("quay.io/org/app:1"), {"allowed_registries": ["ghcr.io/org/"]})
	{x.details.path | some x in v} == {["spec", "containers", 0, "image"]}
	some x in v
	contains(x.msg, "pulls quay.io/org/app:1 from a registry that is not allowed (allowed: ghcr.io/org/)")
}

test_a_prefix_matches_only_at_a_path_boundary if {
	not allowed("ghcr.io/organisation/app:1", ["ghcr.io/org"])
	allowed("registry.local:5000/app:1", ["registry.local:5000"])
	not allowed("registry.local:50001/app:1", ["registry.local:5000"])
}

test_docker_hub_short_names_match_their_full_form if {
	allowed("nginx:1.27", ["docker.io/library/"])
	allowed("bitnami/redis:7", ["docker.io/bitnami"])
	not allowed("nginx:1.27", ["ghcr.io/org/"])
	not allowed("localhost/app:1", ["docker.io/"])
	not allowed("quay.io/org/app:1", ["docker.io/"])
	not allowed("localhost:5000/app:1", ["docker.io/"])
}

test_an_empty_or_absent_list_disables_the_check if {
	allowed("anything.example/app:1", [])
	count(findings(pod("anything.example/app:1"), {})) == 0
}
