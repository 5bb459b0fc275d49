"""JUnit XML, read back with junitparser: a case per control and resource, failures with file:line."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from junitparser import Failure, JUnitXml, Skipped

from astra_guard.report import junit
from astra_guard.rules.catalog import load_catalog
from astra_guard.scan import ScanOptions, scan


def parse(tmp_path: Path, text: str) -> JUnitXml:
    (tmp_path / "junit.xml").write_text(text, encoding="utf-8")
    return JUnitXml.fromfile(str(tmp_path / "junit.xml"))


def cases(xml: JUnitXml) -> dict[tuple[str, str], object]:
    return {(case.classname, case.name): case for suite in xml for case in suite}


def test_failures_carry_file_line_and_remediation_and_passing_controls_are_cases(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nUSER root\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "Dockerfile").write_text('FROM alpine@sha256:' + "0" * 64 + '\n# astra-guard:ignore docker-user-not-root reason="build stage"\nUSER root\n')
    result = scan([tmp_path / "Dockerfile", tmp_path / "b"], ScanOptions(root=tmp_path))
    xml = parse(tmp_path, junit.render(result, load_catalog()))
    found = cases(xml)

    (failure,) = found[("docker-user-not-root", "Dockerfile Dockerfile (Dockerfile)")].result
    assert isinstance(failure, Failure) and failure.type == "high"
    assert failure.text.splitlines()[0].startswith("Dockerfile:2 [high] the final stage runs as USER root")
    assert failure.text.splitlines()[-1] == "Remediation: " + load_catalog().get("docker-user-not-root").remediation

    (skipped,) = found[("docker-user-not-root", "Dockerfile b/Dockerfile (b/Dockerfile)")].result
    assert isinstance(skipped, Skipped) and skipped.message == "suppressed: build stage"
    assert found[("k8s-run-as-non-root", "no findings")].result == []

    total = len(found)
    assert (xml.tests, xml.failures, xml.skipped, xml.errors) == (total, 2, 1, 0)
    assert sum(suite.tests for suite in xml) == total
    assert {suite.name for suite in xml} >= {"release checklist item 1", "outside the release checklist"}


def test_control_characters_in_a_message_still_give_well_formed_xml(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nUSER root\n")
    result = scan([tmp_path])
    result.findings = [dataclasses.replace(f, message=f.message + " \x01\x1b[31m") for f in result.findings]
    xml = parse(tmp_path, junit.render(result, load_catalog()))
    failures = [r for case in cases(xml).values() for r in case.result if isinstance(r, Failure)]
    assert failures and all("\ufffd[31m" in f.message for f in failures)
