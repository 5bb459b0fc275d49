"""Suppressions that cannot be honoured become findings; expiry against an injected day."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.suppressions.scanning import only, rows, scan_tree

DOCKERFILE = "FROM alpine:3.20\n{comment}\nUSER root\n"


def dockerfile(comment: str) -> dict[str, str]:
    return {"Dockerfile": DOCKERFILE.format(comment=comment)}


@pytest.mark.parametrize(("comment", "problem"), [
    ("# astra-guard:ignore docker-user-not-root", 'it has no reason: add reason="why this is accepted"'),
    ('# astra-guard:ignore docker-user-not-root reason="  "', 'it has no reason: add reason="why this is accepted"'),
    ('# astra-guard:ignore reason="no rule"', "it names no rule id"),
    ('# astra-guard:ignore docker-user-not-root reason="r" until=31.12.2026', "until=31.12.2026 is not a day written YYYY-MM-DD"),
    ('# astra-guard:ignore docker-user-is-root reason="r"', "unknown rule id 'docker-user-is-root' (see astra-guard rules list)"),
    ('# astra-guard:ignore docker-user-not-root,input-error reason="r"',
     "'input-error' cannot be suppressed: fix the input or the suppression instead"),
])
def test_a_malformed_suppression_is_a_finding_on_its_line_and_suppresses_nothing(tmp_path: Path, comment: str, problem: str) -> None:
    result = scan_tree(tmp_path, dockerfile(comment))
    assert rows(result, "docker-user-not-root", "suppression-invalid") == [
        ("suppression-invalid", "Dockerfile", 2, False), ("docker-user-not-root", "Dockerfile", 3, False)]
    invalid = only(result, "suppression-invalid")
    assert invalid.message.endswith(f"is ignored: {problem}")
    assert (invalid.severity.value, invalid.checklist_item, invalid.column) == ("high", None, 1)


def test_an_expired_suppression_counts_through_its_last_day_then_is_reported(tmp_path: Path) -> None:
    files = dockerfile('# astra-guard:ignore docker-user-not-root reason="rebuild in May" until=2026-05-31')
    last_day = scan_tree(tmp_path, files, today=date(2026, 5, 31))
    assert rows(last_day, "docker-user-not-root", "suppression-expired") == [("docker-user-not-root", "Dockerfile", 3, True)]
    after = scan_tree(tmp_path, files, today=date(2026, 6, 1))
    assert rows(after, "docker-user-not-root", "suppression-expired") == [
        ("suppression-expired", "Dockerfile", 2, False), ("docker-user-not-root", "Dockerfile", 3, False)]
    assert only(after, "suppression-expired").message == (
        "the inline suppression of docker-user-not-root expired after 2026-05-31 (reason: rebuild in May); "
        "its findings count again: fix them, or renew it with a new reason and date")


def test_suppression_findings_cannot_themselves_be_suppressed(tmp_path: Path) -> None:
    text = ('FROM alpine:3.20\n# astra-guard:ignore suppression-invalid reason="hide the next one"\n'
            "# astra-guard:ignore docker-user-not-root\nUSER root\n")
    result = scan_tree(tmp_path, {"Dockerfile": text})
    assert rows(result, "docker-user-not-root", "suppression-invalid") == [
        ("suppression-invalid", "Dockerfile", 2, False), ("suppression-invalid", "Dockerfile", 3, False),
        ("docker-user-not-root", "Dockerfile", 4, False)]


def test_a_severity_override_and_disabling_apply_to_suppression_rules(tmp_path: Path) -> None:
    files = {**dockerfile("# astra-guard:ignore docker-user-not-root"),
             ".astra-guard.yaml": "rules:\n  severity: {suppression-invalid: low}\n"}
    assert only(scan_tree(tmp_path, files), "suppression-invalid").severity.value == "low"
    files[".astra-guard.yaml"] = "rules:\n  disabled: [suppression-invalid]\n"
    assert rows(scan_tree(tmp_path, files), "suppression-invalid") == []


def test_an_input_error_is_never_suppressed(tmp_path: Path) -> None:
    result = scan_tree(tmp_path, {
        "bad.yaml": "# astra-guard:ignore input-error reason=\"template\"\nkind: [\n",
        ".astra-guard.yaml": "waivers:\n  - {rule: input-error, reason: helm template}\n",
    })
    assert [(r, f, s) for r, f, _, s in rows(result, "input-error", "suppression-invalid")] == [
        ("suppression-invalid", ".astra-guard.yaml", False), ("suppression-invalid", "bad.yaml", False),
        ("input-error", "bad.yaml", False)]
    assert result.errors
