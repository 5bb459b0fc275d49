"""A syntax error is an input error on its own line, in every format; a tab is one only in YAML."""

from __future__ import annotations

import pytest

from astra_guard.loaders import load_text


@pytest.mark.parametrize(
    ("path", "family", "text", "line", "words"),
    [
        ("k8s/a.yaml", "kubernetes", "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: p\n", 4, "cannot start any token"),
        (".github/workflows/ci.yml", "github-actions", "on: push\njobs:\n  a:\n    steps:\n\t- run: x\n", 5,
         "cannot start any token"),
        ("k8s/b.yaml", "kubernetes", "a: 1\nb: [1, 2\nc: 3\n", 3, "did not find expected ',' or ']'"),
        ("Dockerfile", "dockerfile", "FROM alpine\nRUN echo\nCOPPY . /app\n", 3, "unknown instruction 'COPPY'"),
        ("Dockerfile", "dockerfile", "FROM alpine\nRUN <<EOF\necho\n", 2, "heredoc <<EOF is never closed"),
        ("main.tf", "terraform", 'resource "a" "b" {\n  x = 1\n  y = = 2\n}\n', 3, "invalid HCL"),
        ("x.tf.json", "terraform", '{"resource": {\n  "a": 1,\n}}\n', 3, "invalid JSON"),
        ("Jenkinsfile", "jenkinsfile", "pipeline {\n  stages {\n    stage('a') {\n      sh 'x\n    }\n  }\n}\n", 4,
         "unterminated string"),
    ],
)
def test_a_syntax_error_points_at_its_line(path: str, family: str, text: str, line: int, words: str) -> None:
    result = load_text(text, path, family)
    assert result.resources == [] or family == "dockerfile"
    assert any(e.line == line and words in e.message for e in result.errors), result.errors


@pytest.mark.parametrize(
    ("path", "family", "text"),
    [
        ("Dockerfile", "dockerfile", "FROM alpine\n\tRUN echo \\\n\t\tok\n"),
        ("main.tf", "terraform", 'resource "a" "b" {\n\tx = 1\n}\n'),
        ("Jenkinsfile", "jenkinsfile", "node {\n\tsh 'x'\n}\n"),
        ("k8s/c.yaml", "kubernetes", "apiVersion: v1\nkind: ConfigMap\ndata: {a: \"tab\there\"}\n"),
    ],
)
def test_tabs_where_the_format_allows_them_are_no_error(path: str, family: str, text: str) -> None:
    result = load_text(text, path, family)
    assert result.errors == [] and len(result.resources) == 1
