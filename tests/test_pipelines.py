"""Pipeline steps, shell lists, and the supply-chain events (build, SBOM, scan, push, deploy)."""

from __future__ import annotations

import pytest

from astra_guard.findings import Severity
from astra_guard.loaders import GITHUB_ACTIONS, JENKINSFILE, load_text
from astra_guard.pipelines import image_builds, pipeline_steps, script_commands
from astra_guard.rules.pipelines._commands import classify
from astra_guard.rules.pipelines._events import job_needs, pipeline_events, runs_before
from astra_guard.rules.pipelines._tools import unwrap
from astra_guard.scan import scan
from tests.conftest import REPO, SEED


def workflow(steps: str, extra: str = "") -> object:
    text = f"name: w\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n{extra}    steps:\n{steps}"
    (resource,) = load_text(text, ".github/workflows/w.yml", GITHUB_ACTIONS).resources
    return resource


def jenkins(body: str) -> object:
    text = (
        "pipeline {\n  agent any\n  stages {\n    stage('S') {\n      steps {\n"
        + body
        + "\n      }\n    }\n  }\n}\n"
    )
    result = load_text(text, "Jenkinsfile", JENKINSFILE)
    assert result.errors == []
    return result.resources[0]


def kinds(resource) -> list[tuple[str, str]]:
    return [(e.kind, e.tool) for e in pipeline_events(resource)]


# --- shell lists ---------------------------------------------------------------------------------


def test_script_commands_keep_the_operators_and_redirections() -> None:
    cmds = script_commands(
        "trivy image x > out 2>&1 || true\nset +e; a &>/dev/null &\nb |\n  tee c"
    )
    assert [(c.argv, c.before, c.after) for c in cmds] == [
        (("trivy", "image", "x", ">", "out", "2>&1"), "", "||"),
        (("true",), "||", "\n"),
        (("set", "+e"), "\n", ";"),
        (("a", "&>/dev/null"), ";", "&"),
        (("b",), "&", "|"),
        (("tee", "c"), "|", ""),
    ]


def test_script_commands_join_continuations_and_quotes_spanning_lines() -> None:
    cmds = script_commands('docker build \\\n  -t x .\necho "a\nb" && trivy image x')
    assert [c.argv[0] for c in cmds] == ["docker", "echo", "trivy"]
    assert cmds[0].argv == ("docker", "build", "-t", "x", ".")


def test_image_builds_on_the_seed_are_unchanged() -> None:
    resources = [r for f in scan([SEED]).files for r in f.resources]
    builds = sorted((b.step.resource.file, b.tag, b.dockerfile) for b in image_builds(resources))
    assert builds == [
        (
            ".github/workflows/ci.yml",
            "ghcr.io/org/astradesk/support-agent:${{github.sha}}",
            "docker/Dockerfile",
        ),
        (
            "ci/Jenkinsfile",
            "ghcr.io/org/astradesk/support-agent:1.0.${BUILD_NUMBER}",
            "docker/Dockerfile",
        ),
    ]


# --- steps in order -------------------------------------------------------------------------------


def test_jenkins_pipeline_level_post_runs_after_every_stage() -> None:
    text = """pipeline {
  agent any
  post { always { sh 'trivy image --exit-code 1 x' } }
  stages {
    stage('Push') { steps { sh 'docker push x' } }
  }
}
"""
    (resource,) = load_text(text, "Jenkinsfile", JENKINSFILE).resources
    assert [s.where for s in pipeline_steps(resource)] == ["stage 'Push'", "post { always }"]


def test_github_steps_merge_workflow_job_and_step_env_and_default_shells() -> None:
    text = """name: w
on: push
env: { A: workflow, B: workflow }
defaults: { run: { shell: "bash {0}" } }
jobs:
  one:
    runs-on: ubuntu-latest
    env: { B: job, C: job }
    steps:
      - run: echo
        env: { C: step }
  two:
    runs-on: windows-latest
    defaults: { run: { shell: bash } }
    steps:
      - run: echo
        shell: sh
"""
    (resource,) = load_text(text, ".github/workflows/w.yml", GITHUB_ACTIONS).resources
    one, two = pipeline_steps(resource)
    assert one.env == {"A": "workflow", "B": "job", "C": "step"} and one.shell == "bash {0}"
    assert two.shell == "sh" and two.job == "two"


def test_jobs_run_in_parallel_unless_needs_orders_them() -> None:
    text = """name: w
on: push
jobs:
  scan: { runs-on: x, steps: [{ run: "trivy image --exit-code 1 a" }] }
  build: { runs-on: x, needs: scan, steps: [{ run: "docker build -t a ." }] }
  push: { runs-on: x, needs: [build], steps: [{ run: "docker push a" }] }
  other: { runs-on: x, steps: [{ run: "kubectl apply -f k8s" }] }
"""
    (resource,) = load_text(text, ".github/workflows/w.yml", GITHUB_ACTIONS).resources
    needs = job_needs(resource)
    assert needs["push"] == {"build", "scan"} and needs["other"] == set()
    scan_, _, push, deploy = pipeline_events(resource)
    assert runs_before(scan_, push, needs) and not runs_before(scan_, deploy, needs)
    assert not runs_before(push, scan_, needs)


# --- what a command does ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("sudo -E trivy image --exit-code 1 x", [("scan", "trivy image")]),
        ("TRIVY_EXIT_CODE=1 timeout 600 trivy i x", [("scan", "trivy i")]),
        ("trivy --cache-dir /c image --format cyclonedx -o s.json x", [("sbom", "trivy image")]),
        (
            "trivy image --format spdx-json --scanners vuln x",
            [("sbom", "trivy image"), ("scan", "trivy image")],
        ),
        ("trivy sbom --exit-code 1 sbom.json", [("sbom", "trivy sbom"), ("scan", "trivy sbom")]),
        ("trivy fs --format cyclonedx .", [("sbom", "trivy fs")]),
        ("trivy fs .", []),
        ("python -m cyclonedx_py environment -o bom.json", [("sbom", "cyclonedx-py")]),
        ("pipx run cyclonedx-bom -o bom.json", [("sbom", "cyclonedx-bom")]),
        ("docker run --rm -v /x:/x anchore/grype:v0.80 x --fail-on high", [("scan", "grype")]),
        ("grype db update", []),
        ("syft version", []),
        (
            "docker buildx build --push --sbom=true -t x .",
            [
                ("build", "docker buildx build"),
                ("push", "docker buildx build --push"),
                ("sbom", "docker buildx build --sbom"),
            ],
        ),
        (
            "docker buildx build --output type=registry -t x .",
            [("build", "docker buildx build"), ("push", "docker buildx build --push")],
        ),
        ("docker --config /tmp/c image push x", [("push", "docker image push")]),
        ("docker scout cves --exit-code x", [("scan", "docker scout cves")]),
        ("snyk container test x", [("scan", "snyk container test")]),
        ("/kaniko/executor --destination x --context .", [("build", "kaniko"), ("push", "kaniko")]),
        ("skopeo copy docker-archive:a.tar docker://reg/x:1", [("push", "skopeo copy")]),
        ("crane push a.tar reg/x:1", [("push", "crane push")]),
        ("kubectl --context prod -n a apply -f k8s/", [("deploy", "kubectl apply")]),
        ("kubectl apply --dry-run=client -f k8s/", []),
        ("kubectl get pods", []),
        ("kubectl create secret generic x --from-literal=a=b", []),
        ("kubectl -n a set image deployment/api api=x@sha256:1", [("deploy", "kubectl set image")]),
        ("kubectl rollout status deployment/api", []),
        ("kubectl argo rollouts promote api", [("deploy", "kubectl argo rollouts promote")]),
        ("helm upgrade --install api chart", [("deploy", "helm upgrade")]),
        ("helm install api chart --dry-run", []),
        ("argocd app sync api", [("deploy", "argocd app sync")]),
    ],
)
def test_classify(command: str, expected: list[tuple[str, str]]) -> None:
    args, inline, _ = unwrap(command.split())
    assert [(h.kind, h.tool) for h in classify(args, inline)] == expected


@pytest.mark.parametrize(
    ("command", "no_fail"),
    [
        ("trivy image x", True),
        ("trivy image --exit-code 0 x", True),
        ("trivy image --exit-code=2 x", False),
        ("TRIVY_EXIT_CODE=1 trivy image x", False),
        ("trivy image --exit-code $CODE x", False),  # only known at run time: assumed to gate
        ("grype x", True),
        ("grype x -f high", False),
        ("GRYPE_FAIL_ON_SEVERITY=high grype x", False),
        ("docker scout cves x", True),
        ("snyk container monitor x", True),
    ],
)
def test_scans_that_cannot_fail(command: str, no_fail: bool) -> None:
    args, inline, _ = unwrap(command.split())
    (hit,) = [h for h in classify(args, inline) if h.kind == "scan"]
    assert (hit.no_fail is not None) is no_fail


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
