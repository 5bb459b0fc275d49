"""Inline `astra-guard:ignore` comments on every file type astra-guard reads, through a real scan."""

from __future__ import annotations

from pathlib import Path

import pytest

from astra_guard.suppressions.comments import comment_leaders, inline_directives, parse_arguments
from tests.suppressions.scanning import DEPLOYMENT, only, rows, scan_tree

WORKFLOW = """\
name: ci
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
"""
TERRAFORM = """\
resource "aws_eks_cluster" "main" {
  name     = "prod"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  vpc_config {
    subnet_ids = ["subnet-0123456789abcdef0"]
  }
}
"""
JENKINSFILE = """\
pipeline {
  agent any
  stages {
    stage('Build') {
      steps {
        sh 'docker build -t registry.example.com/team/api:1 .'
      }
    }
  }
}
"""
DOCKERFILE = "FROM alpine:3.20\nUSER root\n"

# (file, text, rule, line of the finding, comment leader, trailing comments allowed)
CASES = {
    "kubernetes": ("deploy.yaml", DEPLOYMENT, "k8s-image-digest", 17, "#", True),
    "github-actions": (".github/workflows/ci.yml", WORKFLOW, "ci-action-pinned-sha", 7, "#", True),
    "dockerfile": ("Dockerfile", DOCKERFILE, "docker-user-not-root", 2, "#", False),
    "terraform-hash": ("main.tf", TERRAFORM, "tf-eks-public-endpoint", 4, "#", True),
    "terraform-slashes": ("main.tf", TERRAFORM, "tf-eks-public-endpoint", 4, "//", True),
    "jenkinsfile": ("Jenkinsfile", JENKINSFILE, "ci-sbom-step", 6, "//", True),
}
REASON = 'reason="accepted for the test" until=2026-12-31'


def insert_above(text: str, line: int, comment: str) -> str:
    lines = text.split("\n")
    indent = lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]
    return "\n".join([*lines[: line - 1], indent + comment, *lines[line - 1:]])


def append_to(text: str, line: int, comment: str) -> str:
    lines = text.split("\n")
    lines[line - 1] += "  " + comment
    return "\n".join(lines)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_input_really_has_the_finding_without_a_comment(tmp_path: Path, case: str) -> None:
    file, text, rule, line, _, _ = CASES[case]
    assert rows(scan_tree(tmp_path, {file: text}), rule) == [(rule, file, line, False)]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_comment_on_the_line_above_suppresses_with_its_reason(tmp_path: Path, case: str) -> None:
    file, text, rule, line, leader, _ = CASES[case]
    result = scan_tree(tmp_path, {file: insert_above(text, line, f"{leader} astra-guard:ignore {rule} {REASON}")})
    assert rows(result, rule) == [(rule, file, line + 1, True)]
    suppression = only(result, rule).suppression
    assert suppression is not None
    assert (suppression.kind, suppression.justification, suppression.where, suppression.expires) == (
        "inline", "accepted for the test", f"{file}:{line}", "2026-12-31")
    assert [f for f in result.findings if f.rule_id.startswith("suppression-")] == []


@pytest.mark.parametrize("case", [c for c in CASES if CASES[c][5]], ids=str)
def test_a_trailing_comment_on_the_line_suppresses(tmp_path: Path, case: str) -> None:
    file, text, rule, line, leader, _ = CASES[case]
    result = scan_tree(tmp_path, {file: append_to(text, line, f"{leader} astra-guard:ignore {rule} {REASON}")})
    assert rows(result, rule) == [(rule, file, line, True)]


@pytest.mark.parametrize("case", ["kubernetes", "dockerfile", "terraform-hash", "jenkinsfile"], ids=str)
def test_a_comment_two_lines_above_suppresses_nothing_and_strict_mode_says_so(tmp_path: Path, case: str) -> None:
    file, text, rule, line, leader, _ = CASES[case]
    moved = insert_above(insert_above(text, line, ""), line, f"{leader} astra-guard:ignore {rule} {REASON}")
    result = scan_tree(tmp_path, {file: moved}, strict_suppressions=True)
    assert rows(result, rule, "suppression-unused") == [
        ("suppression-unused", file, line, False), (rule, file, line + 2, False)]
    assert only(result, "suppression-unused").message == (
        f"the inline suppression of {rule} matches no finding on line {line + 1}: delete it")


def test_a_comment_in_another_file_does_not_suppress(tmp_path: Path) -> None:
    commented = insert_above(DOCKERFILE, 2, f"# astra-guard:ignore docker-user-not-root {REASON}")
    result = scan_tree(tmp_path, {"a/Dockerfile": commented, "b/Dockerfile": DOCKERFILE})
    assert rows(result, "docker-user-not-root") == [
        ("docker-user-not-root", "a/Dockerfile", 3, True), ("docker-user-not-root", "b/Dockerfile", 2, False)]


def test_a_dockerfile_trailing_comment_is_not_a_comment() -> None:
    # Docker passes `# ...` after an instruction to the instruction: it is not a comment there.
    directives = inline_directives(f"FROM alpine:3.20 # astra-guard:ignore docker-from-digest {REASON}\n", "Dockerfile", "dockerfile")
    assert directives == []


def test_stacked_comments_above_one_line_each_cover_it(tmp_path: Path) -> None:
    text = insert_above(DEPLOYMENT, 17, '# astra-guard:ignore k8s-image-digest reason="digest pinned at deploy"')
    text = insert_above(text, 17, '# astra-guard:ignore k8s-admission-digest-policy reason="policy lives in the platform repo"')
    result = scan_tree(tmp_path, {"deploy.yaml": text}, strict_suppressions=True)
    assert rows(result, "k8s-image-digest", "k8s-admission-digest-policy", "suppression-unused") == [
        ("k8s-admission-digest-policy", "deploy.yaml", 19, True), ("k8s-image-digest", "deploy.yaml", 19, True)]
    assert only(result, "k8s-image-digest").justification == "digest pinned at deploy"


def test_one_comment_names_several_rules(tmp_path: Path) -> None:
    text = insert_above(DEPLOYMENT, 16, '# astra-guard:ignore k8s-run-as-non-root,k8s-seccomp-profile reason="vendor image"')
    result = scan_tree(tmp_path, {"deploy.yaml": text})
    assert rows(result, "k8s-run-as-non-root", "k8s-seccomp-profile", "k8s-capabilities") == [
        ("k8s-capabilities", "deploy.yaml", 17, False), ("k8s-run-as-non-root", "deploy.yaml", 17, True),
        ("k8s-seccomp-profile", "deploy.yaml", 17, True)]


def test_the_marker_inside_a_json_file_is_not_a_comment() -> None:
    assert comment_leaders("k8s/app.json", "kubernetes") == ()
    assert comment_leaders("main.tf.json", "terraform") == ()
    assert inline_directives('{"a": "# astra-guard:ignore k8s-image-digest reason=\\"x\\""}', "a.json", "kubernetes") == []


def test_a_jenkinsfile_hash_is_not_a_comment_leader() -> None:
    assert inline_directives(f"# astra-guard:ignore ci-sbom-step {REASON}\n", "Jenkinsfile", "jenkinsfile") == []


@pytest.mark.parametrize(("arguments", "expected"), [
    (' k8s-a reason="two words" until=2027-01-31', (("k8s-a",), {"reason": "two words", "until": "2027-01-31"}, None)),
    (" k8s-a,k8s-b reason='single quotes'", (("k8s-a", "k8s-b"), {"reason": "single quotes"}, None)),
    (' k8s-a, k8s-b reason=x', (("k8s-a", "k8s-b"), {"reason": "x"}, None)),
    (' k8s-a reason="open', ((), {}, "its quotes are not balanced")),
    (" k8s-a because=legacy", (("k8s-a",), {}, "'because=' is not an option (use reason= and until=)")),
    (' k8s-a reason=legacy stuff', (("k8s-a",), {"reason": "legacy"},
                                    "'stuff' follows the options: quote the whole reason, reason=\"...\"")),
    (' k8s-a reason=a reason=b', (("k8s-a",), {"reason": "a"}, "'reason=' is given twice")),
])
def test_arguments(arguments: str, expected: tuple) -> None:
    assert parse_arguments(arguments) == expected


def test_directive_lines_and_columns() -> None:
    text = "a: 1\n  # astra-guard:ignore k8s-x reason=r\nb: 2  # astra-guard:ignore k8s-y reason=s\n"
    first, second = inline_directives(text, "x.yaml", "kubernetes")
    assert (first.line, first.column, sorted(first.lines), first.rules) == (2, 3, [2, 3], ("k8s-x",))
    assert (second.line, second.column, sorted(second.lines), second.rules) == (3, 7, [3], ("k8s-y",))


def test_a_comment_in_a_utf16_file_suppresses_though_its_bytes_hide_the_marker(tmp_path: Path) -> None:
    comment = '# astra-guard:ignore k8s-revision-history reason="kept for a migration"\n'
    text = DEPLOYMENT.replace("  revisionHistoryLimit: 0\n", "  " + comment + "  revisionHistoryLimit: 0\n")
    (tmp_path / "utf16.yaml").write_bytes(text.encode("utf-16"))  # with its BOM
    (tmp_path / "utf8.yaml").write_text(DEPLOYMENT.replace("name: api", "name: web"))
    result = scan_tree(tmp_path)
    assert rows(result, "k8s-revision-history") == [("k8s-revision-history", "utf16.yaml", 9, True),
                                                    ("k8s-revision-history", "utf8.yaml", 8, False)]
    assert [f.may_hold_inline_suppression for f in result.files] == [True, False]
