from __future__ import annotations

import datetime as dt
from pathlib import Path

from astra_guard.checklist.attestations import load_attestations
from astra_guard.checklist.items import load_items

TODAY = dt.date(2026, 11, 27)


def write(root: Path, body: str) -> Path:
    path = root / ".astra-guard" / "attestations.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(body)
    return path


def test_valid_expired_malformed_and_unknown_attestations_are_each_judged(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "rollback.md").write_text("ok")
    write(tmp_path, """attestations:
  - {item: 6, requirement: rollback-tested, statement: rolled back, evidence: docs/rollback.md, by: jane, date: 2026-11-20, expires: 2027-02-20}
  - {item: 5, requirement: admission-logs-monitored, statement: alert, evidence: https://grafana.example/d/1, by: joe, date: 2026-01-02, expires: 2026-06-30}
  - {item: 7, requirement: dashboards-and-alerts, statement: x, by: joe, date: 2026-11-01}
  - {item: 9, requirement: x, statement: x, evidence: https://a, by: a, date: 2026-11-01}
  - {item: 6, requirement: rollback-tested, statement: s, evidence: docs/missing.md, by: a, date: 2026-11-01}
  - {item: 6, requirement: rollback-tested, statement: s, evidence: https://a, by: a, date: 2026-12-01}
""")
    judged = load_attestations(None, tmp_path, load_items(), TODAY)
    assert [(a.line, a.valid, a.problem) for a in judged.attestations] == [
        (2, True, None),
        (3, False, "expired on 2026-06-30"),
        (4, False, "missing evidence"),
        (5, False, "unknown checklist item 9"),
        (6, False, "evidence path 'docs/missing.md' does not exist in the repository"),
        (7, False, "dated in the future (2026-12-01)"),
    ]
    assert judged.attestations[0].age_days == 7


def test_no_default_file_means_no_attestations_but_a_missing_explicit_file_is_a_problem(tmp_path: Path) -> None:
    assert load_attestations(None, tmp_path, load_items(), TODAY).attestations == []
    explicit = load_attestations(tmp_path / "nope.yaml", tmp_path, load_items(), TODAY)
    assert explicit.problems == [f"attestations file {tmp_path / 'nope.yaml'} does not exist"]


def test_a_file_that_is_not_a_list_of_attestations_is_a_problem(tmp_path: Path) -> None:
    judged = load_attestations(write(tmp_path, "- item: 1\n"), tmp_path, load_items(), TODAY)
    assert judged.attestations == [] and "expected a mapping with an 'attestations' list" in judged.problems[0]
