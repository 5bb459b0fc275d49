"""Every rule against its own fixtures, through the real loaders and the real engine.

Layout: tests/rules/<family>/<rule_name>/{pass,fail}/<case> where a case is one file or a
directory (for cross-file cases). A fail case has `<case>.expected` beside it: one line per
finding of that rule, `<file>:<line> <message>`, file relative to the case. Regenerate with
`pytest tests/rules --update-expected` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from astra_guard.rules.catalog import load_catalog
from astra_guard.scan import scan

HERE = Path(__file__).resolve().parent
FRAMEWORK_RULES = {"input-error", "suppression-invalid", "suppression-expired", "suppression-unused"}  # tests/suppressions


def rule_dir(rule_id: str) -> Path:
    meta = load_catalog().get(rule_id)
    name = rule_id.split("-", 1)[1].replace("-", "_")
    return HERE / meta.family / name


def cases(kind: str) -> list[tuple[str, Path]]:
    found = []
    for meta in load_catalog():
        folder = rule_dir(meta.id) / kind
        if folder.is_dir():
            found += [(meta.id, case) for case in sorted(folder.iterdir()) if case.suffix != ".expected"]
    return found


def findings_of(rule_id: str, case: Path) -> list[str]:
    root = case if case.is_dir() else case.parent
    paths = [case]
    result = scan(paths, _options(root))
    assert not result.errors, f"fixture {case} has input errors: {result.errors}"
    return sorted(f"{f.file}:{f.line} {f.message}" for f in result.findings if f.rule_id == rule_id)


def _options(root: Path):  # noqa: ANN202
    from astra_guard.scan import ScanOptions

    return ScanOptions(root=root)


@pytest.mark.parametrize(("rule_id", "case"), cases("fail"), ids=lambda v: v if isinstance(v, str) else v.name)
def test_fail_fixture_reports_exactly_the_expected_findings(rule_id: str, case: Path, update_expected: bool) -> None:
    got = findings_of(rule_id, case)
    expected_file = case.parent / f"{case.name.split('.')[0]}.expected"
    if update_expected:
        expected_file.write_text("\n".join(got) + "\n")
    assert expected_file.exists(), f"{expected_file} is missing (run pytest --update-expected and review it)"
    expected = sorted(line for line in expected_file.read_text().splitlines() if line.strip())
    assert expected, f"{expected_file} lists no finding: a fail fixture must fail"
    assert got == expected


@pytest.mark.parametrize(("rule_id", "case"), cases("pass"), ids=lambda v: v if isinstance(v, str) else v.name)
def test_pass_fixture_has_no_finding_of_its_rule(rule_id: str, case: Path) -> None:
    assert findings_of(rule_id, case) == []


def test_every_rule_has_pass_and_fail_fixtures() -> None:
    missing = [
        f"{meta.id} ({kind})"
        for meta in load_catalog()
        if meta.id not in FRAMEWORK_RULES
        for kind in ("pass", "fail")
        if not (rule_dir(meta.id) / kind).is_dir() or not any((rule_dir(meta.id) / kind).iterdir())
    ]
    assert missing == []
