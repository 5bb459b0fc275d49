"""The Terraform loader: HCL blocks, tfvars, JSON forms and plans, with exact lines."""

from __future__ import annotations

import json
from pathlib import Path

from astra_guard.loaders import terraform
from astra_guard.loaders.terraform import load, load_plan, looks_like_plan
from astra_guard.model import Span

SEED = Path(__file__).resolve().parents[2] / "examples" / "astradesk-seed" / "infra" / "eks"

RESOURCE = """\
resource "aws_s3_bucket" "logs" {
  bucket = "${var.env}-logs"
  count  = 3
  ratio  = 1.5
  owner  = null
  tags = {
    Name  = "logs"
    "k.y" = var.z
  }
  zones = ["a",
    2, var.q]
  policy = <<EOF
{"Version": "2012-10-17"}
EOF
  body = jsonencode({ a = 1 })
  mode = var.x ? "a" : "b"
  dynamic "ingress" {
    for_each = var.rules
    content { from_port = ingress.value }
  }
}
"""

PLAN = {
    "format_version": "1.2",
    "terraform_version": "1.9.5",
    "planned_values": {},
    "resource_changes": [
        {
            "address": "module.eks.aws_eks_cluster.this[0]",
            "module_address": "module.eks",
            "mode": "managed",
            "type": "aws_eks_cluster",
            "name": "this",
            "change": {
                "actions": ["create"],
                "before": None,
                "after": {"name": "demo", "version": "1.29", "access": {"public": True}},
            },
        },
        {
            "address": "aws_s3_bucket.logs",
            "mode": "managed",
            "type": "aws_s3_bucket",
            "name": "logs",
            "change": {"actions": ["delete"], "before": {"bucket": "x"}, "after": None},
        },
    ],
    "configuration": {
        "root_module": {
            "module_calls": {
                "eks": {
                    "source": "terraform-aws-modules/eks/aws",
                    "version_constraint": "~> 20.0",
                    "expressions": {
                        "cluster_version": {"constant_value": "1.29"},
                        "vpc_id": {"references": ["var.vpc_id", "var"]},
                    },
                }
            }
        }
    },
}


def _by_kind_name(result) -> dict:
    return {(r.kind, r.name): r for r in result.resources}


def test_seed_main_tf() -> None:
    result = load((SEED / "main.tf").read_text(encoding="utf-8"), "infra/eks/main.tf")
    assert result.errors == []
    assert [(r.family, r.kind, r.name) for r in result.resources] == [
        ("terraform", "terraform", ""),
        ("terraform", "provider", "aws"),
        ("terraform", "module", "eks"),
        ("terraform", "output", "cluster_name"),
    ]
    tf, provider, module, output = result.resources
    assert module.data == {
        "source": "terraform-aws-modules/eks/aws",
        "version": "~> 20.0",
        "cluster_name": "${var.cluster_name}",
        "cluster_version": "1.29",
        "vpc_id": "${var.vpc_id}",
        "subnet_ids": "${var.subnet_ids}",
        "manage_aws_auth": True,
    }
    assert module.spans[()] == Span("infra/eks/main.tf", 11, 1, 19, 2)
    assert module.spans[("source",)].line == 12
    assert module.spans[("version",)] == Span("infra/eks/main.tf", 13, 3, 13, 29)
    assert module.spans[("cluster_version",)] == Span("infra/eks/main.tf", 15, 3, 15, 26)
    assert module.spans[("manage_aws_auth",)].line == 18
    assert module.locate(("inputs", "missing")) == (module.spans[()], ())

    assert tf.data == {
        "required_version": ">= 1.6.0",
        "required_providers": [{"aws": {"source": "hashicorp/aws", "version": "~> 5.0"}}],
    }
    assert tf.spans[()].line == 2
    assert tf.spans[("required_version",)].line == 3
    assert tf.spans[("required_providers", 0)] == Span("infra/eks/main.tf", 4, 3, 6, 4)
    assert tf.spans[("required_providers", 0, "aws")].line == 5
    version = tf.spans[("required_providers", 0, "aws", "version")]
    assert version == Span("infra/eks/main.tf", 5, 39, 5, 57)

    assert provider.data == {"region": "${var.region}"}
    assert provider.spans[("region",)] == Span("infra/eks/main.tf", 9, 18, 9, 37)
    assert output.data == {"value": "${module.eks.cluster_name}"}
    assert output.spans[()].line == 21


def test_seed_variables_tf() -> None:
    result = load((SEED / "variables.tf").read_text(encoding="utf-8"), "infra/eks/variables.tf")
    assert result.errors == []
    assert [(r.kind, r.name, r.data) for r in result.resources] == [
        ("variable", "region", {"type": "string"}),
        ("variable", "cluster_name", {"type": "string"}),
        ("variable", "vpc_id", {"type": "string"}),
        ("variable", "subnet_ids", {"type": "${list(string)}"}),
    ]
    assert [r.spans[()].line for r in result.resources] == [2, 3, 4, 5]


def test_values_nested_blocks_and_spans() -> None:
    result = load(RESOURCE, "s3.tf")
    assert result.errors == []
    (bucket,) = result.resources
    assert (bucket.kind, bucket.name) == ("resource", "aws_s3_bucket.logs")
    assert bucket.data == {
        "bucket": "${var.env}-logs",
        "count": 3,
        "ratio": 1.5,
        "owner": None,
        "tags": {"Name": "logs", "k.y": "${var.z}"},
        "zones": ["a", 2, "${var.q}"],
        "policy": '{"Version": "2012-10-17"}',
        "body": "${jsonencode({a = 1})}",
        "mode": '${var.x ? "a" : "b"}',
        "dynamic": [
            {
                "ingress": {
                    "for_each": "${var.rules}",
                    "content": [{"from_port": "${ingress.value}"}],
                },
            },
        ],
    }
    spans = bucket.spans
    assert spans[()] == Span("s3.tf", 1, 1, 21, 2)
    assert spans[("tags",)] == Span("s3.tf", 6, 3, 9, 4)
    assert spans[("tags", "Name")] == Span("s3.tf", 7, 5, 7, 19)
    assert spans[("tags", "k.y")].line == 8
    assert spans[("zones", 0)] == Span("s3.tf", 10, 12, 10, 15)
    assert spans[("zones", 2)] == Span("s3.tf", 11, 8, 11, 13)
    assert spans[("policy",)] == Span("s3.tf", 12, 3, 14, 4)  # the heredoc ends on its marker line
    assert spans[("dynamic", 0)].line == 17
    assert spans[("dynamic", 0, "ingress")].line == 17
    assert spans[("dynamic", 0, "ingress", "for_each")].line == 18
    from_port = spans[("dynamic", 0, "ingress", "content", 0, "from_port")]
    assert from_port == Span("s3.tf", 19, 15, 19, 40)


def test_variable_default_is_an_attribute() -> None:
    text = 'variable "nodes" {\n  type    = number\n  default = 3\n}\nlocals {\n  a = "b"\n}\n'
    result = load(text, "v.tf")
    assert result.errors == []
    variable, local = result.resources
    assert (variable.kind, variable.name) == ("variable", "nodes")
    assert variable.data == {"type": "number", "default": 3}
    assert variable.spans[("default",)].line == 3
    assert (local.kind, local.name, local.data) == ("locals", "", {"a": "b"})


def test_syntax_error_has_its_line() -> None:
    text = 'variable "x" {\n  default = 1\n}\nresource "a" "b" {\n  x = = 2\n}\n'
    result = load(text, "bad.tf")
    assert result.resources == []
    (error,) = result.errors
    assert (error.file, error.line, error.column) == ("bad.tf", 5, 7)
    assert error.message.startswith(
        "invalid HCL: unexpected '= 2' at line 5, column 7; expected one of"
    )


def test_unclosed_block_is_an_error_at_the_end() -> None:
    result = load('resource "a" "b" {\n  x = 1\n', "open.tf")
    assert [(e.line, e.message) for e in result.errors] == [
        (3, "invalid HCL: unexpected end of file at line 3, column 1; expected one of RBRACE"),
    ]


def test_duplicates_misplaced_attributes_and_label_counts() -> None:
    text = (
        'resource "a" "b" {\n  x = 1\n  x = 2\n  tags {}\n  tags = 3\n}\n'
        'foo = 1\nresource "x" {}\n'
    )
    result = load(text, "dup.tf")
    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (7, 1, "an attribute at the top level of a .tf file: only blocks belong here"),
        (3, 3, "'x' is defined more than once (first as an attribute on line 2); Terraform rejects "
               "this, the value read here is the last one"),
        (5, 3, "'tags' is defined more than once (first as a block on line 4); Terraform rejects "
               "this, the value read here is the last one"),
        (8, 1, "a 'resource' block takes 2 label(s), this one has 1"),
    ]
    assert result.resources[0].data == {"x": 2, "tags": 3}


def test_tfvars() -> None:
    text = 'region = "eu-west-1"\nnodes  = 3\ntags = {\n  env = "prod"\n}\nzones = ["a", "b"]\n'
    result = load(text, "env/prod.tfvars")
    assert result.errors == []
    (resource,) = result.resources
    assert (resource.family, resource.kind) == ("terraform", "tfvars")
    assert resource.name == "env/prod.tfvars"
    assert resource.data == {
        "region": "eu-west-1", "nodes": 3, "tags": {"env": "prod"}, "zones": ["a", "b"],
    }
    assert resource.spans[("region",)] == Span("env/prod.tfvars", 1, 1, 1, 21)
    assert resource.spans[("nodes",)].line == 2
    assert resource.spans[("tags", "env")].line == 4
    assert resource.spans[("zones", 1)] == Span("env/prod.tfvars", 6, 15, 6, 18)


def test_tfvars_with_a_block_is_an_error() -> None:
    result = load("a = 1\nblock {}\n", "x.tfvars")
    assert [(e.line, e.message) for e in result.errors] == [
        (2, "a block in a .tfvars file: only variable assignments belong here"),
    ]
    assert result.resources[0].data == {"a": 1}


def test_tfvars_json() -> None:
    result = load('{\n  "region": "eu-west-1",\n  "nodes": 3\n}\n', "x.tfvars.json")
    assert result.errors == []
    (resource,) = result.resources
    assert (resource.kind, resource.name) == ("tfvars", "x.tfvars.json")
    assert resource.data == {"region": "eu-west-1", "nodes": 3}
    assert resource.spans[("nodes",)].line == 3


def test_tf_json() -> None:
    text = """\
{
  "terraform": {"required_version": ">= 1.6"},
  "resource": {
    "aws_s3_bucket": {
      "logs": {
        "bucket": "logs-${var.env}",
        "tags": {"env": "prod"}
      }
    }
  },
  "variable": {"region": {"default": "eu-west-1"}},
  "provider": {"aws": [{"region": "eu-west-1"}, {"alias": "us", "region": "us-east-1"}]}
}
"""
    result = load(text, "main.tf.json")
    assert result.errors == []
    assert [(r.kind, r.name, r.data) for r in result.resources] == [
        ("terraform", "", {"required_version": ">= 1.6"}),
        ("resource", "aws_s3_bucket.logs", {"bucket": "logs-${var.env}", "tags": {"env": "prod"}}),
        ("variable", "region", {"default": "eu-west-1"}),
        ("provider", "aws", {"region": "eu-west-1"}),
        ("provider", "aws", {"alias": "us", "region": "us-east-1"}),
    ]
    bucket = result.resources[1]
    assert bucket.spans[()].line == 5
    assert bucket.spans[("bucket",)] == Span("main.tf.json", 6, 9, 6, 36)
    assert bucket.spans[("tags", "env")].line == 7
    assert result.resources[4].spans[("alias",)].line == 12


def test_invalid_json_and_duplicate_keys() -> None:
    result = load('{"variable": {"a": {}},\n "x": }', "bad.tf.json")
    errors = [(e.line, e.column, e.message) for e in result.errors]
    assert errors == [(2, 7, "invalid JSON: Expecting value")]
    result = load('{"a": 1,\n "a": 2}', "dup.tfvars.json")
    assert [(e.line, e.message) for e in result.errors] == [
        (2, "duplicate key 'a' (first on line 1): Terraform rejects duplicate properties; "
            "the value read here is the last one"),
    ]
    assert result.resources[0].data == {"a": 2}


def test_looks_like_plan() -> None:
    assert looks_like_plan(json.dumps(PLAN, indent=2))
    assert looks_like_plan(json.dumps({"format_version": "1.2", "configuration": {}}))
    assert not looks_like_plan(json.dumps({"apiVersion": "v1", "kind": "ConfigMap"}))
    assert not looks_like_plan(json.dumps({"format_version": "1.0", "values": {}}))  # a state file
    assert not looks_like_plan('{"format_version": "1.2", "planned_values": ')  # not JSON


def test_load_plan() -> None:
    text = json.dumps(PLAN, indent=2)
    result = load_plan(text, "plan.json")
    assert result.errors == []
    assert [(r.family, r.kind, r.name) for r in result.resources] == [
        ("terraform", "plan_resource", "module.eks.aws_eks_cluster.this[0]"),
        ("terraform", "plan_resource", "aws_s3_bucket.logs"),
        ("terraform", "module", "eks"),
    ]
    cluster, bucket, module = result.resources
    assert cluster.data == {
        "type": "aws_eks_cluster",
        "name": "this",
        "address": "module.eks.aws_eks_cluster.this[0]",
        "mode": "managed",
        "actions": ["create"],
        "after": {"name": "demo", "version": "1.29", "access": {"public": True}},
        "module_address": "module.eks",
    }
    assert bucket.data["actions"] == ["delete"]
    assert bucket.data["after"] is None
    assert bucket.data["module_address"] is None
    lines = text.splitlines()
    assert lines[cluster.spans[()].line - 1].strip() == "{"
    assert cluster.spans[()].line == 6
    assert lines[cluster.spans[("after", "version")].line - 1].strip() == '"version": "1.29",'
    assert lines[cluster.spans[("after", "access", "public")].line - 1].strip() == '"public": true'
    assert lines[cluster.spans[("actions",)].line - 1].strip() == '"actions": ['
    assert lines[bucket.spans[("address",)].line - 1].strip() == '"address": "aws_s3_bucket.logs",'

    assert module.data == {
        "source": "terraform-aws-modules/eks/aws",
        "version_constraint": "~> 20.0",
        "cluster_version": "1.29",
    }
    assert lines[module.spans[()].line - 1].strip() == '"eks": {'
    assert lines[module.spans[("cluster_version",)].line - 1].strip() == '"cluster_version": {'
    constraint = lines[module.spans[("version_constraint",)].line - 1]
    assert constraint.strip() == '"version_constraint": "~> 20.0",'
    assert ("vpc_id",) not in module.spans


def test_load_plan_invalid_json() -> None:
    result = load_plan('{"format_version": "1.2",\n', "plan.json")
    assert result.resources == []
    assert result.errors[0].line == 2
    assert result.errors[0].message.startswith("invalid JSON:")


def test_no_exception_escapes(monkeypatch) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("walker broke")

    monkeypatch.setattr(terraform._HclWalker, "body", boom)
    result = load('resource "a" "b" {}\n', "x.tf")
    assert result.resources == []
    assert [(e.line, e.message) for e in result.errors] == [
        (1, "could not read the Terraform file: RuntimeError: walker broke"),
    ]
    monkeypatch.setattr(terraform.hcl2, "parses", boom)
    result = load('resource "a" "b" {}\n', "x.tf")
    errors = [(e.line, e.message) for e in result.errors]
    assert errors == [(1, "invalid HCL: RuntimeError: walker broke")]
