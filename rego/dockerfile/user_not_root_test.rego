package astra.rules.dockerfile.user_not_root_test

import data.astra.rules.dockerfile.user_not_root

dockerfile(user) := {"final_stage": 0, "stages": [{"index": 0, "from": {"image": "alpine:3.20"}, "user": user}]}

findings(obj) := v if {
	v := user_not_root.violation with input as {"review": {"object": obj}, "parameters": {}}
}

test_numeric_non_root_user_passes if {
	count(findings(dockerfile("10001:10001"))) == 0
}

test_no_user_fails_at_the_final_stage if {
	some v in findings(dockerfile(null))
	v.details.path == ["stages", 0]
}

test_root_in_every_spelling_fails if {
	every user in ["root", "0", "0:0", "root:root"] {
		count(findings(dockerfile(user))) == 1
	}
}

test_root_fails_at_the_user_instruction if {
	some v in findings(dockerfile("root"))
	v.details.path == ["stages", 0, "user"]
}

test_only_the_final_stage_counts if {
	obj := {"final_stage": 1, "stages": [
		{"index": 0, "from": {"image": "golang:1.23"}, "user": "root"},
		{"index": 1, "from": {"image": "alpine:3.20"}, "user": "10001"},
	]}
	count(findings(obj)) == 0
}
