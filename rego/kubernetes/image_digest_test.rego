package astra.rules.kubernetes.image_digest_test

import data.astra.rules.kubernetes.image_digest

pinned := "ghcr.io/org/app@sha256:0b6a5a1d2e8a0c0d6f4b8d7d3e2f1a9c8b7a6d5e4f3c2b1a0f9e8d7c6b5a4f3e"

pinned_with_tag := "ghcr.io/org/app:1.0.0@sha256:0b6a5a1d2e8a0c0d6f4b8d7d3e2f1a9c8b7a6d5e4f3c2b1a0f9e8d7c6b5a4f3e"

pod(images) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": containers(images)}}

containers(images) := [{"name": sprintf("c%d", [i]), "image": image} | some i, image in images]

findings(obj) := v if {
	v := image_digest.violation with input as {"review": {"object": obj}, "parameters": {}}
}

paths(obj) := {v.details.path | some v in findings(obj)}

messages(obj) := {v.msg | some v in findings(obj)}

test_a_full_digest_passes_with_or_without_a_tag if {
	count(findings(pod([pinned_with_tag, pinned]))) == 0
}

test_a_tag_fails_at_the_image if {
	obj := pod([pinned, "ghcr.io/org/app:1.0.0"])
	paths(obj) == {["spec", "containers", 1, "image"]}
	some msg in messages(obj)
	contains(msg, "a tag that can be moved to other bytes")
	contains(msg, "e.g. ghcr.io/org/app:1.0.0@sha256:<digest>")
}

test_no_tag_means_latest if {
	some msg in messages(pod(["nginx"]))
	contains(msg, "with no tag or digest (so :latest)")
}

test_a_registry_port_is_not_a_tag if {
	some msg in messages(pod(["registry.local:5000/app"]))
	contains(msg, "with no tag or digest (so :latest)")
}

test_a_short_digest_fails if {
	some msg in messages(pod(["ghcr.io/org/app:1.0.0@sha256:0b6a5a1d"]))
	contains(msg, "whose digest is not a full sha256 (64 hex characters)")
	contains(msg, "e.g. ghcr.io/org/app:1.0.0@sha256:<digest>")
}
