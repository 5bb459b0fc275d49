"""Every loader, on arbitrary text and bytes: its result, or its own input error; never an exception.

Inputs are random bytes and text, and text assembled from each format's own tokens (so the
parsers get past their first character). The property is the loaders' contract: a
`LoadResult` for the file, every error and skip inside the file's lines, every resource
span too.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from astra_guard.loaders import (
    DOCKERFILE,
    GITHUB_ACTIONS,
    JENKINSFILE,
    KUBERNETES,
    TERRAFORM,
    load_bytes,
    load_text,
)
from astra_guard.loaders.text import decode
from astra_guard.loaders.yaml_source import AUTO, YamlLimits, load_yaml_stream
from astra_guard.model import LoadResult

YAML_TOKENS = [
    "apiVersion: v1\n", "kind: Pod\n", "metadata:\n", "  name: x\n", "spec:\n", "  containers:\n", "- ", "  ",
    "key: ", "on: ", "jobs:\n", "steps:\n", "run: echo\n", "uses: a/b@v1\n", "continue-on-error: yes\n",
    "[", "]", "{", "}", ",", ":", "? ", "&a ", "*a", "<<: ", "!!int ", "!!str ", "!!bool ", "!!binary ", "!local ",
    "'", '"', "|\n", ">-\n", "#", "---\n", "...\n", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "\t", "\n", "\r\n", "\r",
    "0o17", "010", "1e3", "0x1F", "y", "~", "null", ".nan", "9" * 50, "1:20", "2026-01-01", "\ufeff", "\x85", "\u2028",
]
DOCKERFILE_TOKENS = [
    "FROM ", "alpine", " AS ", "build", "RUN ", "USER ", "root", "1000", "ARG ", "ENV ", "COPY ", "ADD ", "--from=",
    "--platform=", "${X}", "$X", "${X:-y}", "<<EOF", "<<-EOF", "EOF", "\\", "`", "# escape=`\n", "# syntax=x\n",
    "[", "]", '"', "'", "\n", "\r\n", "\r", " ", "\t", "#", "ONBUILD ", "HEALTHCHECK ", "CMD ", "\x0b", "\f", "\u2028",
]
HCL_TOKENS = [
    "resource ", "module ", "variable ", "locals ", "terraform ", '"aws_eks_cluster" ', '"x" ', "{", "}", "[", "]",
    "(", ")", " = ", "\n", "true", "null", "1.5", '"', "${var.x}", "%{ if x }", "%{ endif }", "<<EOT\n", "EOT\n",
    "<<-EOT\n", "#", "//", "/*", "*/", ",", ":", "=>", "for ", " in ", "?", "...", "-", "a.b[0]", "\t", "\r\n",
]
JSON_TOKENS = [
    "{", "}", "[", "]", ",", ":", '"format_version"', '"resource_changes"', '"configuration"', '"resource"',
    '"module"', '"x"', '"change"', '"after"', "1", "1e400", "null", "true", '"\\u0000"', " ", "\n", '"',
]
GROOVY_TOKENS = [
    "pipeline", "node", "stages", "stage", "steps", "script", "sh", "bat", "powershell", "environment", "post",
    "always", "catchError", "warnError", "try", "catch", "finally", "parallel", "(", ")", "{", "}", "[", "]", "'",
    '"', "'''", '"""', "$/", "/$", "/", "//", "/*", "*/", "${", "$x", "\\", "returnStatus: true", "script: ",
    "buildResult: 'SUCCESS'", ",", ".", "+", "=", "def ", "env.X", ".trim()", " ", "\n", "\r", "\t", "x",
]


def texts(tokens: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.text(), st.lists(st.sampled_from(tokens) | st.text(max_size=3), max_size=60).map("".join))


def check(result: LoadResult, rel_path: str, text: str | None) -> None:
    assert isinstance(result, LoadResult) and result.file == rel_path
    last_line = (text.count("\n") + text.count("\r") + 2) if text is not None else None
    for item in [*result.errors, *result.skipped]:
        assert item.file == rel_path and item.line >= 1
        if last_line is not None:
            assert item.line <= last_line, item
    for resource in result.resources:
        assert resource.file == rel_path and isinstance(resource.data, dict)
        for span in resource.spans.values():
            assert span.line >= 1 and (last_line is None or span.line <= last_line), span


@given(st.binary())
def test_text_decoding_of_any_bytes_is_text_or_a_reason(raw: bytes) -> None:
    decoded = decode(raw)
    assert decoded.binary or decoded.error is not None or "\r" not in decoded.text
    if decoded.error is not None:
        assert 1 <= decoded.error_line <= raw.count(b"\n") + 1


@given(st.binary(), st.sampled_from([("k.yaml", KUBERNETES), (".github/workflows/ci.yml", GITHUB_ACTIONS),
                                     ("Dockerfile", DOCKERFILE), ("main.tf", TERRAFORM), ("x.tf.json", TERRAFORM),
                                     ("Jenkinsfile", JENKINSFILE), ("plan.json", KUBERNETES)]))
def test_any_bytes_in_any_loader(raw: bytes, target: tuple[str, str]) -> None:
    rel_path, family = target
    check(load_bytes(raw, rel_path, family), rel_path, None)


@given(texts(YAML_TOKENS))
def test_kubernetes_yaml(text: str) -> None:
    check(load_text(text, "k8s/app.yaml", KUBERNETES), "k8s/app.yaml", text)


@given(texts(YAML_TOKENS), st.sampled_from(["kubernetes", "github-actions", "yaml-1.1", AUTO]))
def test_yaml_under_tight_limits(text: str, schema: str) -> None:
    """Small limits, so the counting composer, the expansion check and the document cap all run."""
    stream = load_yaml_stream(text, "f.yaml", YamlLimits(max_depth=4, max_nodes=12, max_documents=2), schema)
    last_line = text.count("\n") + text.count("\r") + 2
    assert len(stream.documents) <= 2
    assert all(1 <= e.line <= last_line and e.file == "f.yaml" for e in stream.errors)


@given(texts(YAML_TOKENS))
def test_github_actions(text: str) -> None:
    rel = ".github/workflows/ci.yml"
    check(load_text(text, rel, GITHUB_ACTIONS), rel, text)


@given(texts(DOCKERFILE_TOKENS))
def test_dockerfile(text: str) -> None:
    check(load_text(text, "Dockerfile", DOCKERFILE), "Dockerfile", text)


@given(texts(HCL_TOKENS), st.sampled_from(["main.tf", "terraform.tfvars"]))
def test_terraform_hcl(text: str, rel_path: str) -> None:
    check(load_text(text, rel_path, TERRAFORM), rel_path, text)


@given(texts(JSON_TOKENS), st.sampled_from([("x.tf.json", TERRAFORM), ("x.tfvars.json", TERRAFORM), ("plan.json", KUBERNETES)]))
def test_terraform_json_and_plans(text: str, target: tuple[str, str]) -> None:
    rel_path, family = target
    check(load_text(text, rel_path, family), rel_path, text)


@given(texts(GROOVY_TOKENS))
def test_jenkinsfile(text: str) -> None:
    check(load_text(text, "Jenkinsfile", JENKINSFILE), "Jenkinsfile", text)
