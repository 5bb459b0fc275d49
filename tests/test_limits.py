"""Every limit is configurable, and each one crossed is an input error on its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from astra_guard.config import load_config
from astra_guard.errors import UsageError
from astra_guard.limits import Limits
from astra_guard.scan import ScanOptions, scan

POD = "apiVersion: v1\nkind: Pod\nmetadata: {{name: p{n}}}\nspec: {{containers: [{{name: c, image: nginx}}]}}\n"


def errors(result) -> list[tuple[str, int, str]]:
    return [(e.file, e.line, e.message) for e in result.errors]


def test_the_configuration_sets_each_limit(tmp_path: Path) -> None:
    (tmp_path / ".astra-guard.yaml").write_text(
        "limits:\n  max_file_bytes: 100\n  max_yaml_nodes: 10\n  max_depth: 5\n  max_documents: 2\n  max_resources: 3\n"
        "  max_hcl_bytes: 50\n"
    )
    config = load_config(None, tmp_path)
    assert Limits.for_scan(config.limits) == Limits(100, 10, 5, 2, 3, 50)
    assert Limits.for_scan({}) == Limits()


def test_explicit_limits_win_over_the_configuration() -> None:
    assert Limits.for_scan({"max_depth": 5}, Limits(max_depth=7)).max_depth == 7
    assert Limits.for_scan({"max_file_bytes": 5}, None, max_file_bytes=9).max_file_bytes == 9


@pytest.mark.parametrize(
    ("text", "words"),
    [("limits:\n  max_nodes: 5\n", "unknown key 'limits.max_nodes'"), ("limits:\n  max_depth: 0\n", "limits.max_depth"),
     ("limits:\n  max_file_bytes: big\n", "limits.max_file_bytes")],
)
def test_a_bad_limit_is_a_usage_error_naming_it(tmp_path: Path, text: str, words: str) -> None:
    (tmp_path / ".astra-guard.yaml").write_text(text)
    with pytest.raises(UsageError, match=words):
        load_config(None, tmp_path)


def test_configured_limits_reach_the_loaders(tmp_path: Path) -> None:
    (tmp_path / ".astra-guard.yaml").write_text("limits: {max_file_bytes: 200, max_documents: 1, max_yaml_nodes: 30}\n")
    (tmp_path / "big.yaml").write_text("# padding\n" * 30)
    (tmp_path / "two.yaml").write_text(POD.format(n=1) + "---\n" + POD.format(n=2))
    (tmp_path / "wide.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata:\n" + "".join(f"  k{i}: v\n" for i in range(16)))
    result = scan([tmp_path], ScanOptions())
    assert errors(result) == [
        ("big.yaml", 1, "file is 300 bytes, over the 200-byte limit (limits.max_file_bytes); not evaluated"),
        ("two.yaml", 6, "more than 1 YAML documents in one file (limits.max_documents); the rest is not evaluated"),
        ("wide.yaml", 15, ("a YAML document of more than 30 nodes (limits.max_yaml_nodes); the rest of the file is "
                           "not evaluated")),  # node 31 is the key on line 15: composing stops there
    ]
    assert [f.rule_id for f in result.findings if f.file == "big.yaml"] == ["input-error"]


def test_resources_past_the_scan_limit_are_an_error_at_the_first_one_dropped(tmp_path: Path) -> None:
    (tmp_path / ".astra-guard.yaml").write_text("limits: {max_resources: 3}\n")
    (tmp_path / "a.yaml").write_text(POD.format(n=1) + "---\n" + POD.format(n=2))
    (tmp_path / "b.yaml").write_text(POD.format(n=3) + "---\n" + POD.format(n=4))
    (tmp_path / "c.yaml").write_text(POD.format(n=5))
    result = scan([tmp_path], ScanOptions())
    assert result.resources == 3
    assert errors(result) == [("b.yaml", 6, ("more than 3 resources in this scan (limits.max_resources): this one, the "
                                             "rest of this file and 1 more file(s) are not evaluated"))]
    assert [(s.file, s.reason) for s in result.skipped if s.file == "c.yaml"] == [
        ("c.yaml", "not read: the scan reached limits.max_resources (3)")
    ]
    assert {f.resource_name for f in result.findings if f.rule_id != "input-error"} == {"p1", "p2", "p3"}


def test_a_terraform_file_past_the_hcl_limit_is_not_parsed_json_terraform_is_bounded_by_file_bytes(tmp_path: Path) -> None:
    (tmp_path / ".astra-guard.yaml").write_text("limits: {max_hcl_bytes: 100}\n")
    block = 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n'
    (tmp_path / "big.tf").write_text(block * 3)
    (tmp_path / "small.tf").write_text(block)
    (tmp_path / "big.tf.json").write_text('{"resource": {"aws_s3_bucket": {"b": {"bucket": "' + "x" * 200 + '"}}}}')
    result = scan([tmp_path], ScanOptions())
    assert errors(result) == [("big.tf", 1, "Terraform file is 144 bytes, over the 100-byte limit for HCL "
                                           "(limits.max_hcl_bytes: its parser takes about 20 s per MiB); not evaluated")]
    assert {f.file for f in result.files if f.resources} == {"small.tf", "big.tf.json"}
