"""The hostile inputs, built at test time (nothing nasty is checked in), and what each must become.

Each builder writes one input into a directory and returns what the scan must report for it:
`("error", line, words)` for an input error on that line whose message contains `words`, or
`("skipped", line, words)` for a file passed over with that reason. `benchmarks/hostile_inputs.py`
measures the same inputs.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

Expectation = tuple[str, int, str]
MIB = 1024 * 1024

GOOD_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: good
  namespace: apps
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        runAsNonRoot: false
"""
GOOD_POD_FINDING = ("k8s-run-as-non-root", "good.yaml", 11)  # the rule, file and line the good file must keep


def alias_bomb(d: Path) -> Expectation:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]  # 10^10 nodes
    (d / "bomb.yaml").write_text("\n".join(lines) + "\n")
    return ("error", 6, "limits.max_yaml_nodes")  # a5, on line 6, is the first to expand past 10^6


def deep_flow_list(d: Path) -> Expectation:
    (d / "deep-flow.yaml").write_text("a: " + "[" * 20_000 + "]" * 20_000 + "\n")
    return ("error", 1, "exceeded maximum nesting depth")


def deep_block_list(d: Path) -> Expectation:
    (d / "deep-block.yaml").write_text("- " * 20_000 + "x\n")
    return ("error", 1, "exceeded maximum nesting depth")


def deep_but_parsable(d: Path) -> Expectation:
    (d / "deep-300.yaml").write_text("a: " + "[" * 300 + "]" * 300 + "\n")
    return ("error", 1, "limits.max_depth")


def recursive_alias(d: Path) -> Expectation:
    (d / "recursive.yaml").write_text("ok: 1\nloop: &a [1, *a]\n")
    return ("error", 2, "recursive alias")


def oversized(d: Path) -> Expectation:
    with (d / "huge.yaml").open("wb") as handle:
        handle.write(b"# filler\n" * (5 * MIB // 9 + 1))
    return ("error", 1, "over the 5242880-byte limit (limits.max_file_bytes)")


def many_documents(d: Path) -> Expectation:
    (d / "docs.yaml").write_text("---\na: 1\n" * 100_000)
    return ("error", 20_002, "more than 10000 YAML documents")  # document 10,001 starts on line 20,002


def random_bytes(d: Path) -> Expectation:
    (d / "random.yaml").write_bytes(random.Random(7).randbytes(64 * 1024))
    return ("skipped", 1, "binary content")


def random_high_bytes(d: Path) -> Expectation:
    rng = random.Random(11)
    (d / "high.yaml").write_bytes(b"a: 1\n" + bytes(rng.randrange(0x80, 0x100) for _ in range(4096)))
    return ("error", 2, "invalid UTF-8")


def truncated_utf8(d: Path) -> Expectation:
    (d / "truncated.yaml").write_bytes("apiVersion: v1\nkind: ConfigMap\ndata:\n  greeting: grüß".encode()[:-1])
    return ("error", 4, "invalid UTF-8 (byte 0xc3)")


def tab_indented_workflow(d: Path) -> Expectation:
    (d / ".github" / "workflows").mkdir(parents=True, exist_ok=True)
    (d / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs:\n  a:\n\truns-on: x\n")
    return ("error", 4, "found character that cannot start any token")


def terraform_cut_mid_block(d: Path) -> Expectation:
    (d / "cut.tf").write_text('resource "aws_eks_cluster" "x" {\n  name = "a"\n  vpc_config {\n    endpoint_public_access = true\n')
    return ("error", 5, "unexpected end of file")


def terraform_deep(d: Path) -> Expectation:
    (d / "deep.tfvars").write_text("a = " + "[" * 20_000 + "]" * 20_000 + "\n")
    return ("error", 1, "limits.max_depth")


def dockerfile_of_nonsense(d: Path) -> Expectation:
    rng = random.Random(3)
    words = ["".join(rng.choice("abcdefxyz:/\\$&{}") for _ in range(rng.randrange(1, 12))) for _ in range(2000)]
    (d / "Dockerfile").write_text("\n".join(" ".join(words[i:i + 5]) for i in range(0, 2000, 5)) + "\n")
    return ("error", 1, "no FROM instruction")


def dockerfile_endless_continuation(d: Path) -> Expectation:
    (d / "build.Dockerfile").write_text("FROM alpine\nRUN " + "x \\\n" * 200_000 + "\n")
    return ("error", 2, "continued over more than 5000 lines")


def jenkinsfile_deep(d: Path) -> Expectation:
    (d / "Jenkinsfile").write_text("node " + "{\n" * 20_000 + "}\n" * 20_000)
    return ("error", 201, "limits.max_depth")


def symlink_to_etc_passwd(d: Path) -> Expectation:
    (d / "passwd.yaml").symlink_to("/etc/passwd")
    return ("skipped", 1, "outside the scan root")


def symlink_loop(d: Path) -> Expectation:
    (d / "loop-a.yaml").symlink_to("loop-b.yaml")
    (d / "loop-b.yaml").symlink_to("loop-a.yaml")
    return ("skipped", 1, "(a loop)")


def directory_symlink_loop(d: Path) -> Expectation:
    (d / "again").symlink_to(".")
    return ("skipped", 1, "symbolic link to a directory; not followed")


def fifo(d: Path) -> Expectation:
    os.mkfifo(d / "pipe.yaml")
    return ("skipped", 1, "not a regular file")


def odd_file_name(d: Path) -> Expectation:
    (d / "new\nline ünï\x1b[31m.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata: [\n")
    return ("error", 4, "invalid YAML")  # where the file ends, inside the '['


BUILDERS: dict[str, Callable[[Path], Expectation]] = {
    f.__name__: f for f in (
        alias_bomb, deep_flow_list, deep_block_list, deep_but_parsable, recursive_alias, oversized, many_documents,
        random_bytes, random_high_bytes, truncated_utf8, tab_indented_workflow, terraform_cut_mid_block, terraform_deep,
        dockerfile_of_nonsense, dockerfile_endless_continuation, jenkinsfile_deep, symlink_to_etc_passwd, symlink_loop,
        directory_symlink_loop, fifo, odd_file_name,
    )
}
FILE_OF = {
    "alias_bomb": "bomb.yaml", "deep_flow_list": "deep-flow.yaml", "deep_block_list": "deep-block.yaml",
    "deep_but_parsable": "deep-300.yaml", "recursive_alias": "recursive.yaml", "oversized": "huge.yaml",
    "many_documents": "docs.yaml", "random_bytes": "random.yaml", "random_high_bytes": "high.yaml",
    "truncated_utf8": "truncated.yaml", "tab_indented_workflow": ".github/workflows/ci.yml", "terraform_cut_mid_block": "cut.tf",
    "terraform_deep": "deep.tfvars", "dockerfile_of_nonsense": "Dockerfile",
    "dockerfile_endless_continuation": "build.Dockerfile", "jenkinsfile_deep": "Jenkinsfile",
    "symlink_to_etc_passwd": "passwd.yaml", "symlink_loop": "loop-a.yaml", "directory_symlink_loop": "again",
    "fifo": "pipe.yaml", "odd_file_name": "new\nline ünï\x1b[31m.yaml",
}
