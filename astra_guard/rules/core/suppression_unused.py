"""A suppression that suppresses nothing (reported with --strict-suppressions)."""

from __future__ import annotations

from astra_guard.findings import Severity
from astra_guard.rules.meta import RuleMeta

META = RuleMeta(
    id="suppression-unused",
    title="A suppression matches no finding",
    severity=Severity.LOW,
    checklist_item=None,
    rationale=(
        "A suppression left behind after its finding was fixed, or one on the wrong line, "
        "would silently accept the next finding of that rule there. With "
        "--strict-suppressions every suppression that matched nothing in the scan is reported."
    ),
    remediation="Delete the suppression, or move it to the line the finding is reported on (or the line above).",
    family="*",
    engine="builtin",
    source="astra_guard/rules/core/suppression_unused.py",
)
