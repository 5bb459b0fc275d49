"""Console report: readable, grouped by file, and free of escape codes when plain."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from astra_guard.findings import Finding, ScanResult, Severity
from astra_guard.report.console import render
from astra_guard.rules.catalog import load_catalog
from astra_guard.scan import scan

REPO = Path(__file__).resolve().parents[2]
SEED_K8S = REPO / "examples/astradesk-seed/k8s"
ROLLOUT_RULES = [
    "k8s-allow-privilege-escalation",
    "k8s-capabilities",
    "k8s-read-only-root-filesystem",
    "k8s-run-as-non-root",
    "k8s-seccomp-profile",
]
SEVERITIES = ["critical", "high", "medium", "low", "info"]


@pytest.fixture(scope="module")
def seed() -> ScanResult:
    return scan([SEED_K8S])


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    root = tmp_path_factory.mktemp("broken")
    (root / "bad.yaml").write_text("kind: Pod\nmetadata:\n  name: x\n  labels: [a, b\nspec: {}\n")
    return scan([root])


def summary_counts(text: str) -> list[int]:
    (line,) = [line for line in text.splitlines() if line.startswith("reported")]
    return [int(cell) for cell in line.split()[1:]]


def test_plain_seed_report(seed: ScanResult) -> None:
    text = render(seed, load_catalog(), color=False)
    assert "\x1b" not in text
    assert text.endswith("\n")
    lines = text.splitlines()
    assert "40-rollout-argo.yaml" in lines  # the file heading
    for rule in ROLLOUT_RULES:
        (line,) = [line for line in lines if re.search(rf"\s{re.escape(rule)}\s", line)]
        assert re.match(r"^\s+16:\d+\s+(HIGH|MEDIUM)\s+", line), line
    assert "16:11" in text
    counts = Counter(f.severity.value for f in seed.findings)
    assert summary_counts(text) == [counts.get(s, 0) for s in SEVERITIES] + [len(seed.findings)]
    assert f"Scanned {len(seed.files)} files, {seed.resources} resources, 0 input errors" in text
    assert re.search(r"\d+\.\d\ds$", text.rstrip())


def test_plain_mode_respects_width_and_has_no_trailing_spaces(seed: ScanResult) -> None:
    for width in (60, 100, 160):
        text = render(seed, load_catalog(), color=False, width=width)
        assert "\x1b" not in text
        assert all(len(line) <= width for line in text.splitlines())
        assert all(line == line.rstrip() for line in text.splitlines())
        for rule in ROLLOUT_RULES:
            assert rule in text


def test_color_mode_uses_ansi(seed: ScanResult) -> None:
    text = render(seed, load_catalog(), color=True)
    assert "\x1b[" in text
    for rule in ROLLOUT_RULES:
        assert rule in text
    assert "\x1b[31mHIGH" in text and "\x1b[33mMEDIUM" in text


def test_stable_between_renders(seed: ScanResult) -> None:
    assert render(seed, load_catalog(), color=False) == render(seed, load_catalog(), color=False)


def test_input_errors_and_skipped_sections(seed: ScanResult, broken: ScanResult) -> None:
    text = render(broken, load_catalog(), color=False)
    assert "Input errors (1)" in text
    error = broken.errors[0]
    assert f"bad.yaml:{error.line}" in text
    assert "input-error" in text
    seed_text = render(seed, load_catalog(), color=False)
    assert "Skipped (" in seed_text
    for skipped in seed.skipped:
        assert f"{skipped.file}:{skipped.line}" in seed_text


def make_finding(message: str, *, file: str = "a.yaml", suppressed: bool = False,
                 severity: Severity = Severity.CRITICAL) -> Finding:
    return Finding(
        rule_id="k8s-privileged-container", title="t", severity=severity, checklist_item=1, message=message,
        file=file, line=7, end_line=7, column=3, resource_kind="Pod", resource_name="p",
        resource_namespace=None, path=(), fingerprint="f" * 32, suppressed=suppressed,
    )


def test_messages_are_not_rich_markup_and_suppressed_are_counted(tmp_path: Path) -> None:
    findings = [
        make_finding('set [bold]drop[/bold]: ["ALL"] :smile:'),
        make_finding("hidden", file="b.yaml", suppressed=True, severity=Severity.LOW),
    ]
    result = ScanResult(root=str(tmp_path), findings=findings, resources=1)
    text = render(result, load_catalog(), color=False)
    assert 'set [bold]drop[/bold]: ["ALL"] :smile:' in text
    assert "hidden" not in text and "b.yaml" not in text
    assert summary_counts(text) == [1, 0, 0, 0, 0, 1]
    assert "1 suppressed" in text
    assert "7:3" in text and "CRITICAL" in text


def test_no_findings(tmp_path: Path) -> None:
    text = render(ScanResult(root=str(tmp_path)), load_catalog(), color=False)
    assert "No findings." in text
    assert summary_counts(text) == [0, 0, 0, 0, 0, 0]


def test_rich_is_imported_lazily() -> None:
    code = "import sys, astra_guard.report.console; assert 'rich' not in sys.modules, 'rich imported eagerly'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_many_skipped_are_summarised(tmp_path: Path) -> None:
    from astra_guard.model import Skipped

    skipped = [Skipped(f"f{i:02}.yaml", 1, "not judged") for i in range(30)]
    text = render(ScanResult(root=str(tmp_path), skipped=skipped), load_catalog(), color=False)
    assert "Skipped (30)" in text and "f19.yaml:1" in text and "f20.yaml" not in text
    assert "... and 10 more" in text
