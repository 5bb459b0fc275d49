"""A suppression past its expiry date: it no longer suppresses, and says so."""

from __future__ import annotations

from astra_guard.findings import Severity
from astra_guard.rules.meta import RuleMeta

META = RuleMeta(
    id="suppression-expired",
    title="A suppression has expired, so the findings it covered count again",
    severity=Severity.MEDIUM,
    checklist_item=None,
    rationale=(
        "An exception is accepted for a time: the date it ends is when the owner promised a fix "
        "or a new decision. After that day the suppression stops applying, the findings it "
        "covered are reported again, and the stale suppression itself is reported so it is "
        "renewed on purpose or removed."
    ),
    remediation="Fix the findings and delete the suppression, or renew it with a new reason and a later until= or expires: date.",
    family="*",
    engine="builtin",
    source="astra_guard/rules/core/suppression_expired.py",
)
