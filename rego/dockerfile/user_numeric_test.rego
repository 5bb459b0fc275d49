package astra.rules.dockerfile.user_numeric_test

import data.astra.rules.dockerfile.user_numeric

# dockerfile(users): one stage per USER value (null: no USER); the last stage is the final one.
dockerfile(users) := {
	"final_stage": count(users) - 1,
	"stages": [{"index": i, "from": {"image": "alpine:3.20"}, "user": user} | some i, user in users],
}

findings(obj) := v if {
	v := user_numeric.violation with input as {"review": {"object": obj}, "parameters": {}}
}

paths(obj) := {v.details.path | some v in findings(obj)}

test_numeric_uid_and_gid_pass if {
	count(findings(dockerfile(["10001"]))) == 0
	count(findings(dockerfile(["10001:10001"]))) == 0
}

test_a_user_name_fails_at_the_final_stages_user if {
	obj := dockerfile(["builder", "app"])
	paths(obj) == {["stages", 1, "user"]}
	some v in findings(obj)
	contains(v.msg, "USER app is not numeric")
}

test_a_named_group_fails_too if {
	count(findings(dockerfile(["10001:app"]))) == 1
	count(findings(dockerfile(["app:10001"]))) == 1
}

test_only_the_final_stage_counts if {
	count(findings(dockerfile(["builder", "10001"]))) == 0
}

test_root_and_no_user_are_left_to_user_not_root if {
	count(findings(dockerfile([null]))) == 0
	count(findings(dockerfile(["root"]))) == 0
	count(findings(dockerfile(["0:0"]))) == 0
}
