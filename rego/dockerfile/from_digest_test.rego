package astra.rules.dockerfile.from_digest_test

import data.astra.rules.dockerfile.from_digest

pinned := "python:3.13-slim@sha256:0b6a5a1d2e8a0c0d6f4b8d7d3e2f1a9c8b7a6d5e4f3c2b1a0f9e8d7c6b5a4f3e"

# from(raw, image): a FROM of an image; `raw` as written, `image` after ARG expansion.
from(raw, image) := {"image": image, "raw": raw, "platform": null, "stage_ref": null}

# A FROM of an earlier build stage, which the loader resolves to its index.
from_stage(name, index) := {"image": name, "raw": name, "platform": null, "stage_ref": index}

dockerfile(froms) := {
	"final_stage": count(froms) - 1,
	"stages": [{"index": i, "from": f, "user": "10001"} | some i, f in froms],
}

findings(obj) := v if {
	v := from_digest.violation with input as {"review": {"object": obj}, "parameters": {}}
}

paths(obj) := {v.details.path | some v in findings(obj)}

messages(obj) := {v.msg | some v in findings(obj)}

test_a_digest_scratch_and_earlier_stages_pass if {
	count(findings(dockerfile([from(pinned, pinned), from("scratch", "scratch"), from_stage("build", 0)]))) == 0
}

test_a_tag_fails_at_the_stages_image if {
	obj := dockerfile([from(pinned, pinned), from("python:3.13-slim", "python:3.13-slim")])
	paths(obj) == {["stages", 1, "from", "image"]}
	some msg in messages(obj)
	contains(msg, "FROM python:3.13-slim is not pinned by digest: use FROM python:3.13-slim@sha256:<digest>")
}

test_an_expanded_arg_shows_both_forms if {
	some msg in messages(dockerfile([from("golang:${GO_VERSION}", "golang:1.23")]))
	contains(msg, "FROM golang:${GO_VERSION} (golang:1.23) is not pinned by digest")
}

test_an_incomplete_digest_fails if {
	some msg in messages(dockerfile([from("alpine@sha256:0b6a5a1d", "alpine@sha256:0b6a5a1d")]))
	contains(msg, "has an incomplete digest (sha256 needs 64 hex characters)")
}

test_an_arg_without_default_fails if {
	obj := dockerfile([from("${BASE_IMAGE}", "${BASE_IMAGE}")])
	paths(obj) == {["stages", 0, "from", "image"]}
	some msg in messages(obj)
	contains(msg, "takes its image from a build argument with no default")
}
