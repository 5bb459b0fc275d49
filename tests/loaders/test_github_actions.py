"""GitHub Actions loader: one Resource per workflow, exact spans, and the typed step/job views."""

from __future__ import annotations

from pathlib import Path

import pytest

from astra_guard.loaders import (
    GITHUB_ACTIONS,
    KUBERNETES,
    family_by_name,
    github_actions,
    load_text,
)

SEED = Path(__file__).resolve().parents[2] / "examples" / "astradesk-seed" / ".github" / "workflows" / "ci.yml"
SEED_REL = ".github/workflows/ci.yml"
JOB = "build-test-deploy"


@pytest.fixture(scope="module")
def seed():
    result = github_actions.load(SEED.read_text(encoding="utf-8"), SEED_REL)
    assert result.errors == [] and result.skipped == []
    assert len(result.resources) == 1
    return result.resources[0]


def line(resource, path):
    span, found = resource.locate(path)
    assert found == tuple(path), f"{path} not in the span index (fell back to {found})"
    return span.line


def test_seed_resource_identity(seed):
    assert (seed.family, seed.kind, seed.name, seed.file) == ("github-actions", "Workflow", "astra-ci", SEED_REL)
    assert seed.document == 0 and seed.origin == ()
    assert seed.identity == "github-actions/Workflow//astra-ci"


def test_seed_on_stays_a_string_key(seed):
    assert list(seed.data) == ["name", "on", "jobs"]
    assert True not in seed.data
    assert seed.data["on"] == {"push": {"branches": ["main"]}, "pull_request": None}
    assert line(seed, ("on",)) == 3
    assert line(seed, ("on", "pull_request")) == 5


def test_seed_step_lines(seed):
    steps = ("jobs", JOB, "steps")
    assert line(seed, ("jobs", JOB)) == 7
    assert line(seed, ("jobs", JOB, "permissions", "packages")) == 11
    assert line(seed, steps + (0,)) == 14  # - uses: actions/checkout@v4
    assert line(seed, steps + (0, "uses")) == 14
    assert line(seed, steps + (6,)) == 29  # - name: Push
    assert line(seed, steps + (6, "run")) == 30
    assert line(seed, steps + (8, "run")) == 37  # block scalar: the key's line
    assert seed.data["jobs"][JOB]["steps"][6]["run"].startswith("docker push ghcr.io/org/astradesk/")


def test_seed_missing_field_falls_back_to_the_step(seed):
    span, found = seed.locate(("jobs", JOB, "steps", 6, "continue-on-error"))
    assert (span.line, found) == (29, ("jobs", JOB, "steps", 6))


def test_seed_iter_steps(seed):
    steps = list(github_actions.iter_steps(seed))
    assert [s.index for s in steps] == list(range(9))
    assert {s.job_id for s in steps} == {JOB}
    first, push, deploy = steps[0], steps[6], steps[8]
    assert (first.uses, first.run, first.name, first.path) == (
        "actions/checkout@v4", None, None, ("jobs", JOB, "steps", 0))
    assert push.name == "Push" and push.uses is None
    assert push.run == "docker push ghcr.io/org/astradesk/support-agent:${{ github.sha }}"
    assert push.path == ("jobs", JOB, "steps", 6) and push.field_path("run") == ("jobs", JOB, "steps", 6, "run")
    assert line(seed, push.path) == 29
    assert push.continue_on_error is None
    assert deploy.run.splitlines()[1] == "kubectl -n astra-agents apply -f k8s/10-deployment.yaml"
    assert steps[5].with_ == {"registry": "ghcr.io", "username": "${{ github.actor }}",
                              "password": "${{ secrets.GITHUB_TOKEN }}"}
    assert steps[1].with_ == {"python-version": "3.13"}
    assert first.with_ == {} and first.env == {}


def test_seed_iter_jobs(seed):
    (job,) = github_actions.iter_jobs(seed)
    assert job.job_id == JOB and job.path == ("jobs", JOB)
    assert job.runs_on == "ubuntu-latest" and job.uses is None and not job.is_reusable_call
    assert job.permissions == {"contents": "read", "packages": "write", "id-token": "write"}


WORKFLOW = """\
on: push
jobs:
  lint:
    runs-on: ubuntu-latest
    continue-on-error: true
    steps:
      - run: make lint
        continue-on-error: ${{ matrix.experimental }}
        shell: bash
        id: lint
      - "not a mapping"
      - uses: docker://alpine:3.20
        continue-on-error: true
        env: {A: "1"}
      - run: 42
  call:
    uses: org/repo/.github/workflows/deploy.yml@v1
    secrets: inherit
  broken: just a string
"""


def test_inline_workflow_without_name_is_named_by_its_file():
    result = github_actions.load(WORKFLOW, "wf.yml")
    (res,) = result.resources
    assert res.name == "wf.yml"
    assert res.data["on"] == "push"


def test_reusable_workflow_jobs_have_no_steps_and_odd_items_are_skipped():
    (res,) = github_actions.load(WORKFLOW, "wf.yml").resources
    jobs = list(github_actions.iter_jobs(res))
    assert [j.job_id for j in jobs] == ["lint", "call"]  # "broken" is not a mapping
    assert jobs[0].continue_on_error is True
    assert jobs[1].is_reusable_call and jobs[1].uses == "org/repo/.github/workflows/deploy.yml@v1"
    steps = list(github_actions.iter_steps(res))
    assert [(s.job_id, s.index) for s in steps] == [("lint", 0), ("lint", 2), ("lint", 3)]
    lint, docker, number = steps
    assert lint.continue_on_error == "${{ matrix.experimental }}"
    assert (lint.shell, lint.step_id, lint.run) == ("bash", "lint", "make lint")
    assert docker.uses == "docker://alpine:3.20" and docker.continue_on_error is True
    assert docker.env == {"A": "1"}
    assert number.run is None and number.data["run"] == 42  # not a string: left to the raw data
    assert res.locate(docker.path)[0].line == 12
    assert res.locate(docker.field_path("continue-on-error"))[0].line == 13


def test_non_workflow_documents_are_skipped_with_a_reason():
    text = "name: only a name\n---\n- a list\n---\non: push\njobs: {}\n---\non: push\njobs: []\n"
    result = github_actions.load(text, "multi.yml")
    assert [r.document for r in result.resources] == [2]
    reasons = [(s.line, s.reason) for s in result.skipped]
    assert reasons == [
        (1, "not a GitHub Actions workflow (no 'on' key and no 'jobs' key)"),
        (3, "not a GitHub Actions workflow (the document is a list, not a mapping)"),
        (8, "not a GitHub Actions workflow ('jobs' is not a mapping)"),
    ]


def test_looks_like_workflow():
    assert github_actions.looks_like_workflow({"on": None, "jobs": {}})
    assert not github_actions.looks_like_workflow({True: "push", "jobs": {}})
    assert not github_actions.looks_like_workflow({"on": "push", "jobs": []})
    assert not github_actions.looks_like_workflow(["on", "jobs"])
    assert not github_actions.looks_like_workflow(None)


def test_invalid_yaml_is_an_input_error_with_its_line():
    result = github_actions.load("on: push\njobs:\n  a:\n    steps: [\n", "bad.yml")
    assert result.resources == []
    assert len(result.errors) == 1 and result.errors[0].line == 5


def test_dispatch_by_name_and_by_content():
    assert family_by_name(".github/workflows/ci.yml") == GITHUB_ACTIONS
    assert family_by_name("ci/workflow.yaml") == KUBERNETES
    via_name = load_text(SEED.read_text(encoding="utf-8"), SEED_REL, GITHUB_ACTIONS)
    assert [r.kind for r in via_name.resources] == ["Workflow"]
    via_content = load_text(WORKFLOW, "ci/workflow.yaml", KUBERNETES)
    assert [(r.family, r.kind) for r in via_content.resources] == [("github-actions", "Workflow")]
