"""A suppression that cannot be honoured: no reason, bad syntax, a bad date or an unknown rule."""

from __future__ import annotations

from astra_guard.findings import Severity
from astra_guard.rules.meta import RuleMeta

META = RuleMeta(
    id="suppression-invalid",
    title="A suppression is malformed, so it suppresses nothing",
    severity=Severity.HIGH,
    checklist_item=None,
    rationale=(
        "Every accepted finding needs a written reason, so a reviewer and an auditor can see why "
        "it is accepted and until when. A suppression without a reason, with a date that is not "
        "a date, or naming a rule that does not exist would hide a finding silently or not work "
        "at all; it is ignored and reported instead, and the findings it meant to suppress stay."
    ),
    remediation=(
        'Write the suppression as `astra-guard:ignore RULE_ID[,RULE_ID] reason="why" '
        "until=YYYY-MM-DD` (annotation: `RULE_ID: why`), with a rule id from "
        "`astra-guard rules list`."
    ),
    family="*",
    engine="builtin",
    source="astra_guard/rules/core/suppression_invalid.py",
)
