"""Configuration waivers (`waivers:` in .astra-guard.yaml), through a real scan."""

from __future__ import annotations

import json
from pathlib import Path

from astra_guard.report import json_report
from tests.suppressions.scanning import DEPLOYMENT, only, rows, scan_tree

DOCKERFILE = "FROM alpine:3.20\nUSER root\n"


def config(*waivers: str) -> str:
    return "waivers:\n" + "".join(waivers)


def test_a_waiver_by_rule_and_path_glob(tmp_path: Path) -> None:
    result = scan_tree(tmp_path, {
        ".astra-guard.yaml": config(
            "  - rule: docker-user-not-root\n"
            "    path: \"legacy/**\"\n"
            "    reason: build image, replaced by the distroless one\n"
            "    owner: platform@example.com\n"
            "    expires: 2026-09-30\n"),
        "legacy/Dockerfile": DOCKERFILE,
        "app/Dockerfile": DOCKERFILE,
    })
    assert rows(result, "docker-user-not-root") == [
        ("docker-user-not-root", "app/Dockerfile", 2, False), ("docker-user-not-root", "legacy/Dockerfile", 2, True)]
    entry = [f for f in json.loads(json_report.render(result))["findings"] if f["suppressed"]]
    assert [f["suppression"] for f in entry] == [{
        "kind": "waiver", "justification": "build image, replaced by the distroless one",
        "where": ".astra-guard.yaml:2", "expires": "2026-09-30", "owner": "platform@example.com"}]


def test_a_waiver_by_resource_kind_namespace_and_name(tmp_path: Path) -> None:
    result = scan_tree(tmp_path, {
        ".astra-guard.yaml": config(
            "  - {rule: k8s-revision-history, kind: Deployment, namespace: shop, name: api, reason: gitops rollbacks}\n"),
        "a.yaml": DEPLOYMENT,
        "b.yaml": DEPLOYMENT.replace("namespace: shop", "namespace: billing"),
        "c.yaml": DEPLOYMENT.replace("name: api", "name: web", 1),
    })
    assert rows(result, "k8s-revision-history") == [
        ("k8s-revision-history", "a.yaml", 8, True), ("k8s-revision-history", "b.yaml", 8, False),
        ("k8s-revision-history", "c.yaml", 8, False)]


def test_an_expired_waiver_is_reported_at_its_entry_and_its_findings_count_again(tmp_path: Path) -> None:
    result = scan_tree(tmp_path, {
        ".astra-guard.yaml": "# waivers\n" + config(
            "  - rule: docker-user-not-root\n    reason: until the rebuild\n    expires: 2026-05-31\n"),
        "Dockerfile": DOCKERFILE,
    })
    assert rows(result, "docker-user-not-root", "suppression-expired") == [
        ("suppression-expired", ".astra-guard.yaml", 3, False), ("docker-user-not-root", "Dockerfile", 2, False)]


def test_a_waiver_applies_through_its_last_day(tmp_path: Path) -> None:
    from datetime import date

    files = {".astra-guard.yaml": config("  - {rule: docker-user-not-root, reason: r, expires: 2026-05-31}\n"),
             "Dockerfile": DOCKERFILE}
    assert only(scan_tree(tmp_path, files, today=date(2026, 5, 31)), "docker-user-not-root").suppressed
    assert not only(scan_tree(tmp_path, files, today=date(2026, 6, 1)), "docker-user-not-root").suppressed


def test_a_waiver_with_an_impossible_date_or_an_unknown_rule_is_invalid(tmp_path: Path) -> None:
    result = scan_tree(tmp_path, {
        ".astra-guard.yaml": config(
            "  - {rule: docker-user-not-root, reason: r, expires: 2026-02-30}\n",
            "  - {rule: docker-user-is-root, reason: typo in the id}\n"),
        "Dockerfile": DOCKERFILE,
    })
    assert rows(result, "docker-user-not-root", "suppression-invalid") == [
        ("suppression-invalid", ".astra-guard.yaml", 2, False), ("suppression-invalid", ".astra-guard.yaml", 3, False),
        ("docker-user-not-root", "Dockerfile", 2, False)]
    assert [f.message for f in result.findings if f.rule_id == "suppression-invalid"] == [
        "the waiver of docker-user-not-root is ignored: expires: 2026-02-30 is not a day written YYYY-MM-DD",
        "the waiver of docker-user-is-root is ignored: unknown rule id 'docker-user-is-root' (see astra-guard rules list)",
    ]


def test_an_unused_waiver_is_reported_only_in_strict_mode(tmp_path: Path) -> None:
    files = {".astra-guard.yaml": config("  - {rule: k8s-image-digest, path: \"k8s/**\", reason: r}\n"),
             "Dockerfile": DOCKERFILE}
    assert rows(scan_tree(tmp_path, files), "suppression-unused") == []
    strict = scan_tree(tmp_path, files, strict_suppressions=True)
    assert rows(strict, "suppression-unused") == [("suppression-unused", ".astra-guard.yaml", 2, False)]
    assert only(strict, "suppression-unused").message == "the waiver of k8s-image-digest matches no finding: delete it"


def test_a_config_outside_the_root_is_named_relative_to_it(tmp_path: Path) -> None:
    from astra_guard.scan import ScanOptions, scan
    from tests.suppressions.scanning import TODAY, write

    write(tmp_path, {"ci/waivers.yaml": config("  - {rule: docker-user-not-root, reason: r, expires: 2026-01-01}\n"),
                     "repo/Dockerfile": DOCKERFILE})
    result = scan([tmp_path / "repo"], ScanOptions(root=tmp_path / "repo", config_path=tmp_path / "ci/waivers.yaml", today=TODAY))
    assert rows(result, "suppression-expired") == [("suppression-expired", "../ci/waivers.yaml", 2, False)]
