"""Item statuses from real scans of small inputs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from astra_guard.commands.checklist import make_report
from astra_guard.scan import ScanOptions
from tests.conftest import SEED

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone.utc)
CLEAN_DOCKERFILE = "FROM python:3.13-slim@sha256:" + "a" * 64 + "\nUSER 10001:10001\n"


def statuses(paths: list[Path], root: Path, attestations: Path | None = None, gate: str | None = None) -> dict[int, str]:
    report = make_report(paths, ScanOptions(root=root), attestations, gate, NOW)
    return {it.item.id: it.status for it in report.items}


def test_the_seed_fails_items_1_to_6_and_item_7_needs_evidence() -> None:
    assert statuses([SEED], SEED) == {1: "fail", 2: "fail", 3: "fail", 4: "fail", 5: "fail", 6: "fail", 7: "needs-evidence"}


def test_a_clean_dockerfile_passes_item_1_and_leaves_the_rest_out_of_scope(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(CLEAN_DOCKERFILE)
    got = statuses([tmp_path], tmp_path)
    assert got[1] == "pass" and got[2] == "not-applicable" and got[3] == "not-applicable"
    assert got[6] == "needs-evidence" and got[7] == "needs-evidence"


def test_attested_evidence_turns_needs_evidence_into_attested(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(CLEAN_DOCKERFILE)
    (tmp_path / "att.yaml").write_text("""attestations:
  - {item: 7, requirement: dashboards-and-alerts, statement: Grafana board, evidence: "https://grafana.example/d/agent", by: ops, date: 2026-11-01}
  - {item: 7, requirement: kpi-contract-loaded, statement: loaded, evidence: "https://astraops.example/kpi/1", by: ops, date: 2026-11-01}
""")
    assert statuses([tmp_path / "Dockerfile"], tmp_path, tmp_path / "att.yaml")[7] == "attested"


def test_an_unreadable_input_fails_the_items_whose_controls_read_it(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(CLEAN_DOCKERFILE)
    (tmp_path / "broken.yaml").write_text("kind: [\n")
    got = statuses([tmp_path], tmp_path)
    assert got[1] == "fail" and got[3] == "fail"  # Kubernetes controls cannot prove anything about broken.yaml


def test_the_gate_decides_which_findings_fail_an_item(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.13-slim@sha256:" + "a" * 64 + "\nUSER app\n")  # medium only
    assert statuses([tmp_path], tmp_path)[1] == "fail"
    assert statuses([tmp_path], tmp_path, gate="high")[1] == "pass"
