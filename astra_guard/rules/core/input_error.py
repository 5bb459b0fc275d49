"""Input errors as findings, so a gate that reads only findings still fails closed."""

from __future__ import annotations

from astra_guard.findings import Severity
from astra_guard.rules.meta import RuleMeta

META = RuleMeta(
    id="input-error",
    title="A file could not be read, so it cannot be proven compliant",
    severity=Severity.HIGH,
    checklist_item=None,
    rationale=(
        "A file the checker cannot parse, or one that exceeds a safety limit, is not evaluated by "
        "any rule. Passing it silently would let a syntax trick bypass the gate, so the scan "
        "fails closed."
    ),
    remediation="Fix the syntax or encoding error at the reported line, or exclude the file in the configuration.",
    family="*",
    engine="builtin",
    source="astra_guard/rules/core/input_error.py",
)
