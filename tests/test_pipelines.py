"""Pipeline steps in order, and the shell lists of their scripts (astra_guard/pipelines.py)."""

from __future__ import annotations

from astra_guard.loaders import GITHUB_ACTIONS, JENKINSFILE, load_text
from astra_guard.pipelines import image_builds, pipeline_steps, script_commands
from astra_guard.rules.pipelines._events import job_needs, pipeline_events, runs_before
from astra_guard.scan import scan
from tests.conftest import SEED

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
