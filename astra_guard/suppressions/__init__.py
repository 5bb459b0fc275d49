"""Suppressions: accepted findings, each with a reason and an optional last day.

Three forms, each read by its own module into `Directive`s:

- `comments.py`: `# astra-guard:ignore RULE_ID[,RULE_ID] reason="..." until=YYYY-MM-DD` on the
  finding's line or the line above (`//` in Jenkinsfiles, `#` or `//` in Terraform);
- `annotations.py`: the Kubernetes annotation `astra-guard.io/ignore: "RULE_ID: reason"` on an
  object (all of it) or on its pod template (what lies under the template);
- `waivers.py`: the configuration's `waivers:` (rule, path glob, kind/namespace/name, reason,
  owner, expires).

`apply.py` matches them to findings and reports the ones that cannot be honoured.
"""
