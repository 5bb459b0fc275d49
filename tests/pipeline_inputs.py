"""Small pipelines for the pipeline tests: a GitHub workflow or a Jenkinsfile around some steps."""

from __future__ import annotations

from astra_guard.loaders import GITHUB_ACTIONS, JENKINSFILE, load_text
from astra_guard.rules.pipelines._events import pipeline_events


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
