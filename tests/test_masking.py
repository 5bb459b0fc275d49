"""Values of secret-looking names never reach a report: messages, errors and quoted lines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from astra_guard.commands.checklist import make_report
from astra_guard.loaders import load_text
from astra_guard.masking import Masker, looks_secret, secret_values
from astra_guard.report import checklist_html, json_report
from astra_guard.scan import ScanOptions, scan


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("TRIVY_PASSWORD=hunter2 trivy image x", "TRIVY_PASSWORD=**** trivy image x"),
        ("export AWS_SECRET_ACCESS_KEY=AKIA1234 && run", "export AWS_SECRET_ACCESS_KEY=**** && run"),
        ("password: hunter2", "password: ****"),
        ("password: !!str hunter2", "password: !!str ****"),
        ('"api_key": "abc123"', '"api_key": "****"'),
        ('db_password = "hunter2"', 'db_password = "****"'),
        ("docker login --password hunter2 reg", "docker login --password **** reg"),
        ("ENV API_TOKEN abcdef", "ENV API_TOKEN ****"),
        ("- {name: DB_PASSWORD, value: hunter2}", "- {name: DB_PASSWORD, value: ****}"),
        ('curl -H "Authorization: Bearer abcdefghijkl" x', 'curl -H "Authorization: Bearer ****" x'),
        ("git clone https://user:pw@host/x", "git clone https://user:****@host/x"),
        # references, booleans and names that only point at a secret stay
        ("token: ${{ secrets.GH_TOKEN }}", "token: ${{ secrets.GH_TOKEN }}"),
        ("GH_TOKEN=$TOKEN make", "GH_TOKEN=$TOKEN make"),
        ("SECRET_KEY = credentials('x')", "SECRET_KEY = credentials('x')"),
        ("automountServiceAccountToken: true", "automountServiceAccountToken: true"),
        ("secretKeyRef: {name: db, key: password}", "secretKeyRef: {name: db, key: password}"),
        ('kms_key_id = "arn:aws:kms:x"', 'kms_key_id = "arn:aws:kms:x"'),
        ("runAsNonRoot is false", "runAsNonRoot is false"),
        ("rule x could not be evaluated: KeyError: 'spec'", "rule x could not be evaluated: KeyError: 'spec'"),
    ],
)
def test_assignments_to_secret_looking_names_are_masked(text: str, masked: str) -> None:
    assert Masker().mask(text) == masked


def test_names() -> None:
    assert [looks_secret(n) for n in ("DB_PASSWORD", "apiKey", "Token", "passwd", "client_secret")] == [True] * 5
    assert [looks_secret(n) for n in ("secretName", "secretKeyRef", "key", "kms_key_id", "key_name", "image")] == [False] * 6


def test_values_read_under_secret_names_are_masked_wherever_they_appear() -> None:
    pod = load_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: nginx\n"
        "      env:\n        - {name: DB_PASSWORD, value: hunter2}\n        - {name: MODE, value: fast}\n",
        "pod.yaml", "kubernetes").resources
    secret = load_text("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {url: 'postgres://db/x'}\n",
                       "s.yaml", "kubernetes").resources
    docker = load_text("FROM alpine\nARG NPM_TOKEN=npm-abc\nENV API_KEY=key-123 LEVEL=debug\n", "Dockerfile", "dockerfile").resources
    values = {v for r in [*pod, *secret, *docker] for v in secret_values(r)}
    assert values == {"hunter2", "postgres://db/x", "npm-abc", "key-123"}
    masker = Masker(values)
    assert masker.mask("echo hunter2 npm-abc key-123 postgres://db/x fast debug") == "echo **** **** **** **** fast debug"
    assert Masker(["abc", "true"]).mask("abc true line 123") == "abc true line 123"  # too short, or not a value


WORKFLOW = """\
on: push
env:
  SCAN_PASSWORD: s3cr3t-value
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: docker build -t ghcr.io/org/app:1 .
      - run: TRIVY_PASSWORD=hunter2 trivy image --exit-code 0 --input s3cr3t-value ghcr.io/org/app:1
      - run: docker push ghcr.io/org/app:1
"""


def test_no_report_of_a_scan_carries_a_secret(tmp_path: Path) -> None:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    result = scan([tmp_path], ScanOptions())
    gate = [f for f in result.findings if f.rule_id == "ci-image-scan-gate"]
    assert gate and all("TRIVY_PASSWORD=**** trivy image --exit-code 0 --input ****" in f.message for f in gate)
    report = json_report.render(result)
    assert "hunter2" not in report and "s3cr3t-value" not in report


def test_the_html_checklist_masks_the_lines_it_quotes(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: apps}\nspec:\n  containers:\n"
        "    - {name: app, image: nginx, env: [{name: DB_PASSWORD, value: hunter2}]}\n"
    )
    report = make_report([tmp_path], ScanOptions(root=tmp_path), None, None, dt.datetime(2026, 11, 27, tzinfo=dt.UTC))
    html = checklist_html.render(report)
    assert "   6 | " in html and "{name: DB_PASSWORD, value: ****}" in html and "hunter2" not in html


def test_the_cheap_gates_before_the_patterns_miss_no_case_variant_the_patterns_catch() -> None:
    masker = Masker()
    assert masker.mask("ſecret=hunter22 (a long s folds to s, as the case-blind patterns read it)").startswith("ſecret=****")
    assert masker.mask("API_ToKeN: abcd1234") == "API_ToKeN: ****"
    assert masker.mask("Authorization: BEARER abcdefgh12345") == "Authorization: BEARER ****"
