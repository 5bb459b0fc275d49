"""A Python rule that raises is an error finding for that rule; the other rules still run."""

from __future__ import annotations

from pathlib import Path

from astra_guard.findings import Severity
from astra_guard.scan import ScanOptions, scan

BROKEN_RULE = '''
from astra_guard.findings import Severity
from astra_guard.rules.meta import RuleMeta

META = RuleMeta(
    id="acme-broken", title="A rule with a bug", severity=Severity.LOW, checklist_item=None,
    rationale="Bugs happen.", remediation="Fix the rule.", family="kubernetes", engine="python",
    source="acme/broken.py",
)


def check(context):
    yield from ()
    raise KeyError("spec")
'''
POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: nginx}]\n"


def test_a_python_rule_that_raises_is_one_high_error_finding_and_the_rest_still_runs(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "broken.py").write_text(BROKEN_RULE)
    (tmp_path / "pod.yaml").write_text(POD)
    result = scan([tmp_path / "pod.yaml"], ScanOptions(root=tmp_path, policy_dirs=(tmp_path / "policies",)))
    broken = [f for f in result.findings if f.rule_id == "acme-broken"]
    assert [(f.file, f.line, f.severity, f.message) for f in broken] == [
        ("pod.yaml", 1, Severity.HIGH, "rule acme-broken could not be evaluated: KeyError: 'spec'")
    ]
    assert [(e.file, e.line) for e in result.errors] == [("pod.yaml", 1)]  # the scan fails closed
    assert any(f.rule_id == "k8s-run-as-non-root" for f in result.findings)  # the other rules ran
