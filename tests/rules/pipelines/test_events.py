"""The supply-chain events of a pipeline: what neutralises a gate, what actions do, the seed's order (_events.py)."""

from __future__ import annotations

import pytest

from astra_guard.findings import Severity
from astra_guard.loaders import GITHUB_ACTIONS, load_text
from astra_guard.rules.pipelines._events import pipeline_events
from astra_guard.scan import scan
from tests.conftest import REPO, SEED
from tests.pipeline_inputs import jenkins, kinds, workflow

# --- neutralisers ---------------------------------------------------------------------------------


def scan_event(resource):
    (event,) = [e for e in pipeline_events(resource) if e.kind == "scan"]
    return event


def texts(event) -> list[str]:
    return [n.text for n in event.neutralisers]


@pytest.mark.parametrize(
    ("script", "shell", "expected"),
    [
        ("trivy image --exit-code 1 x || true", None, ["`|| true`"]),
        ("trivy image --exit-code 1 x || :", None, ["`|| :`"]),
        ("trivy image --exit-code 1 x || exit 0", None, ["`|| exit 0`"]),
        ("trivy image --exit-code 1 x || echo failed", None, ["`|| echo failed`"]),
        ("trivy image --exit-code 1 x || exit 1", None, []),
        ("trivy image --exit-code 1 x || { echo failed; exit 1; }", None, []),
        ("trivy image --exit-code 1 x; true", None, []),  # bash -e stops at the scan
        (
            "trivy image --exit-code 1 x; true",
            "bash {0}",
            ["`; true` (`shell: bash {0}` (no -e: the script goes on after a failing command))"],
        ),
        (
            "set +e\ntrivy image --exit-code 1 x\necho done",
            None,
            ["`set +e` (the script goes on after a failing command)"],
        ),
        ("set +e\nset -euo pipefail\ntrivy image --exit-code 1 x | tee r\necho done", None, []),
        (
            "trivy image --exit-code 1 x | tee r",
            None,
            ["`| tee r` (without pipefail a pipe's status is its last command's)"],
        ),
        ("trivy image --exit-code 1 x | tee r", "bash", []),
        (
            "trivy image --exit-code 1 x &",
            None,
            ["`&` (it runs in the background and nothing reads its status)"],
        ),
        (
            "trivy image --exit-code 1 x && echo ok\necho next",
            None,
            ["`&&` (set -e ignores a failure left of `&&`, and the script goes on)"],
        ),
        ("trivy image --exit-code 1 x && echo ok", None, []),
        ("if ! trivy image --exit-code 1 x; then exit 1; fi", None, []),
        ("trivy image --exit-code 1 x\necho done", None, []),
        ("trivy image --exit-code 1 x\necho done", "pwsh", []),
    ],
)
def test_shell_neutralisers(script: str, shell: str | None, expected: list[str]) -> None:
    indented = "\n".join("          " + line for line in script.split("\n"))
    extra = f"        shell: {shell}\n" if shell else ""
    resource = workflow(f"      - run: |\n{indented}\n{extra}")
    assert texts(scan_event(resource)) == expected


def test_continue_on_error_on_the_step_or_the_job() -> None:
    step = workflow("      - run: trivy image --exit-code 1 x\n        continue-on-error: true\n")
    assert texts(scan_event(step)) == ["`continue-on-error: true` on the step"]
    job = workflow(
        "      - run: trivy image --exit-code 1 x\n",
        "    continue-on-error: ${{ matrix.experimental }}\n",
    )
    assert texts(scan_event(job)) == ["`continue-on-error: ${{ matrix.experimental }}` on the job"]


@pytest.mark.parametrize(
    ("body", "expected", "doubtful"),
    [
        (
            "catchError(buildResult: 'SUCCESS', stageResult: 'FAILURE') { sh 'trivy image --exit-code 1 x' }",
            ["`catchError(buildResult: 'SUCCESS')`"],
            False,
        ),
        (
            "warnError('scan') { sh 'trivy image --exit-code 1 x' }",
            ["`warnError(buildResult: 'UNSTABLE')`"],
            False,
        ),
        ("catchError { sh 'trivy image --exit-code 1 x' }", [], False),  # nothing runs after it
        (
            "sh script: 'trivy image --exit-code 1 x', returnStatus: true",
            ["`returnStatus: true` (the exit status is returned and never read)"],
            False,
        ),
        (
            "script { def rc = sh(script: 'trivy image --exit-code 1 x', returnStatus: true) }",
            [
                "`returnStatus: true` (the exit status goes to `rc`; the build fails only if the Jenkinsfile tests it)"
            ],
            True,
        ),
        ("sh(script: 'trivy image --exit-code 1 x', returnStdout: true)", [], False),
        ("try { sh 'trivy image --exit-code 1 x' } catch (e) { error('scan failed') }", [], False),
        ("sh '''#!/bin/bash -e\ntrivy image --exit-code 1 x\necho done'''", [], False),
    ],
)
def test_jenkins_neutralisers(body: str, expected: list[str], doubtful: bool) -> None:
    event = scan_event(jenkins(body))
    assert texts(event) == expected and event.doubtful is doubtful


def test_catch_error_failure_neutralises_only_when_a_push_or_deploy_follows() -> None:
    resource = jenkins("catchError { sh 'trivy image --exit-code 1 x' }\nsh 'docker push x'")
    assert texts(scan_event(resource)) == [
        "`catchError` (the build is marked failed but the pipeline goes on to stage 'S')"
    ]


def test_a_returnstatus_that_may_be_tested_is_reported_low() -> None:
    case = (
        REPO
        / "tests"
        / "rules"
        / "pipelines"
        / "image_scan_gate"
        / "fail"
        / "return-status-assigned.jenkinsfile"
    )
    result = scan([case])
    (finding,) = [f for f in result.findings if f.rule_id == "ci-image-scan-gate"]
    assert finding.severity == Severity.LOW


# --- actions --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        (
            "uses: docker/build-push-action@v6\n        with: { tags: 'a:1,a:latest', push: true, sbom: true }",
            [("build", None), ("push", None), ("sbom", None)],
        ),
        (
            "uses: docker/build-push-action@v6\n        with: { tags: a:1, load: true }",
            [("build", None)],
        ),
        (
            "uses: aquasecurity/trivy-action@0.24.0\n        with: { image-ref: a:1 }",
            [("scan", "no-fail")],
        ),
        (
            "uses: aquasecurity/trivy-action@0.24.0\n        with: { image-ref: a:1, exit-code: 1 }",
            [("scan", None)],
        ),
        (
            "uses: aquasecurity/trivy-action@0.24.0\n        with: { image-ref: a:1, format: cyclonedx }",
            [("sbom", None)],
        ),
        ("uses: aquasecurity/trivy-action@0.24.0\n        with: { scan-type: fs }", []),
        (
            "uses: anchore/scan-action@v4\n        with: { image: a:1, fail-build: false }",
            [("scan", "no-fail")],
        ),
        ("uses: anchore/sbom-action@v0", [("sbom", None)]),
        ("uses: anchore/sbom-action/download-syft@v0", []),
        ("uses: snyk/actions/docker@master\n        with: { image: a:1 }", [("scan", None)]),
        (
            "uses: docker/scout-action@v1\n        with: { command: 'cves,sbom', exit-code: true }",
            [("sbom", None), ("scan", None)],
        ),
        (
            "uses: docker://aquasec/trivy:0.56.2\n        with: { args: image --exit-code 1 a:1 }",
            [("scan", None)],
        ),
        ("uses: azure/k8s-deploy@v5", [("deploy", None)]),
        ("uses: actions/checkout@v4", []),
    ],
)
def test_actions(step: str, expected: list[tuple[str, str | None]]) -> None:
    events = pipeline_events(workflow(f"      - {step}\n"))
    assert [(e.kind, "no-fail" if e.no_fail else None) for e in events] == expected


def test_seed_events_in_order() -> None:
    resources = {r.file: r for f in scan([SEED]).files for r in f.resources}
    assert kinds(resources["ci/Jenkinsfile"]) == [
        ("build", "docker build"),
        ("sbom", "syft"),
        ("scan", "trivy image"),
        ("push", "docker push"),
        ("deploy", "kubectl apply"),
        ("deploy", "kubectl apply"),
    ]
    assert kinds(resources[".github/workflows/ci.yml"]) == [
        ("build", "docker build"),
        ("push", "docker push"),
        ("deploy", "kubectl apply"),
        ("deploy", "kubectl apply"),
    ]


def test_a_missing_step_says_what_was_not_read() -> None:
    from astra_guard.engine.python_rules import RuleContext
    from astra_guard.rules.pipelines import image_scan_gate, sbom_step

    resource = jenkins("sh 'docker build -t x .'\nsh SCAN_SCRIPT\nsh 'docker push x'")
    context = RuleContext([resource])
    for rule in (sbom_step, image_scan_gate):
        (violation,) = rule.check(context)
        assert "(not read: 1 step(s) whose script is not a string literal)" in violation.message
    text = """name: w
on: push
jobs:
  scan: { uses: ./.github/workflows/scan.yml }
  push: { runs-on: x, steps: [{ run: docker push x }] }
"""
    (calls,) = load_text(text, ".github/workflows/w.yml", GITHUB_ACTIONS).resources
    (violation,) = image_scan_gate.check(RuleContext([calls]))
    assert "(not read: the reusable workflow ./.github/workflows/scan.yml)" in violation.message
