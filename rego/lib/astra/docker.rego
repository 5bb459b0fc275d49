# Shared helpers for Dockerfile rules. The loader gives every stage its effective USER
# (inherited through `FROM <earlier stage>`), the index of the USER instruction that set it,
# and the last RUN/COPY/ADD that ran as root.
package lib.astra.docker

final_stage_index := input.review.object.final_stage

final_stage := input.review.object.stages[final_stage_index]

root_users := {"root", "0"}

# user_name("10001:10001") == "10001"
user_name(user) := trim_space(split(user, ":")[0])

group_name(user) := trim_space(split(user, ":")[1]) if contains(user, ":")

is_root(user) if user_name(user) in root_users

is_variable(user) if contains(user, "$")
