"""What a GitHub Actions `uses:` step does to an image, by the action's documented defaults.

Recognised: docker/build-push-action and docker/bake-action (build; push with `push: true` or a
registry output; SBOM with `sbom: true`), aquasecurity/trivy-action (scan, or SBOM with a
CycloneDX/SPDX format; fails only with a non-zero `exit-code`), anchore/scan-action (fails unless
`fail-build: false`), anchore/sbom-action and other SBOM/CycloneDX actions, snyk/actions/docker,
docker/scout-action, crazy-max/ghaction-container-scan, Azure/container-scan, Azure/k8s-deploy,
redhat-actions/push-to-registry, and `docker://` actions run like the command of their image.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from astra_guard.pipelines import repository
from astra_guard.rules.pipelines._commands import classify
from astra_guard.rules.pipelines._tools import SBOM_FORMATS, Hit, basename, nonzero


def truthy(value: Any) -> bool:
    """An action input that is true, or an expression that may be (`${{ ... }}`)."""
    text = str(value).strip().lower()
    return text in ("true", "1", "yes") or "${{" in text


def action(uses: str, with_: dict[str, Any]) -> list[Hit]:
    """What a `uses:` step does to an image (the action's documented defaults apply)."""
    w = {str(k): str(v) for k, v in with_.items()}
    if uses.startswith("docker://"):
        ref = uses.removeprefix("docker://")
        try:
            args = shlex.split(w.get("args", ""))
        except ValueError:
            args = w.get("args", "").split()
        return classify([basename(repository(ref)), *args], {})
    parts = uses.split("@", 1)[0].lower().split("/")
    repo, sub = "/".join(parts[:2]), "/".join(parts[2:])
    if repo in ("docker/build-push-action", "docker/bake-action"):
        tags = [t.strip() for t in re.split(r"[,\n]", w.get("tags", "")) if t.strip()]
        image = tags[0] if tags else None
        hits = [Hit("build", repo, image)]
        if (
            truthy(w.get("push", "false"))
            or "type=registry" in w.get("outputs", "")
            or "push=true" in w.get("outputs", "")
        ):
            hits.append(Hit("push", f"{repo} (push: true)", image))
        if truthy(w.get("sbom", "false")) or "type=sbom" in w.get("attests", ""):
            hits.append(Hit("sbom", f"{repo} (sbom: true)", image))
        return hits
    if repo == "aquasecurity/trivy-action":
        scan_type, fmt = w.get("scan-type", "image").lower(), w.get("format", "table").lower()
        image = w.get("image-ref") or w.get("input") or None
        code = w.get("exit-code")
        no_fail = (
            None
            if nonzero(code)
            else (
                "trivy-action's exit-code defaults to 0, so it passes whatever it finds"
                if code is None
                else f"exit-code: {code} makes trivy-action pass whatever it finds"
            )
        )
        if scan_type == "sbom":
            return [Hit("sbom", repo, image), Hit("scan", repo, image, no_fail)]
        hits = [Hit("sbom", repo, image)] if fmt in SBOM_FORMATS else []
        vuln = "vuln" in w.get("scanners", "") if "scanners" in w else fmt not in SBOM_FORMATS
        return hits + (
            [Hit("scan", repo, image, no_fail)] if scan_type in ("image", "rootfs") and vuln else []
        )
    if repo == "anchore/scan-action" and not sub:
        off = w.get("fail-build", "true").strip().lower() == "false"
        return [
            Hit(
                "scan",
                repo,
                w.get("image"),
                "fail-build: false makes anchore/scan-action pass whatever it finds"
                if off
                else None,
            )
        ]
    if repo == "snyk/actions" and sub == "docker":
        monitor = w.get("command", "test").strip().lower() == "monitor"
        return [
            Hit(
                "scan",
                uses.split("@")[0],
                w.get("image"),
                "command: monitor only records a snapshot and never fails the build"
                if monitor
                else None,
            )
        ]
    if repo == "docker/scout-action":
        commands = w.get("command", "")
        hits = [Hit("sbom", repo, w.get("image"))] if "sbom" in commands else []
        if "cves" in commands:
            hits.append(
                Hit(
                    "scan",
                    repo,
                    w.get("image"),
                    None
                    if truthy(w.get("exit-code", "false"))
                    else "docker/scout-action passes whatever it finds without exit-code: true",
                )
            )
        elif "quickview" in commands or "recommendations" in commands:
            hits.append(
                Hit(
                    "scan",
                    repo,
                    w.get("image"),
                    f"command: {commands} only reports; it never fails the build",
                )
            )
        return hits
    if repo == "crazy-max/ghaction-container-scan":
        return [
            Hit(
                "scan",
                repo,
                w.get("image"),
                None
                if w.get("severity_threshold")
                else "ghaction-container-scan passes whatever it finds without severity_threshold",
            )
        ]
    if repo == "azure/container-scan":
        return [Hit("scan", repo, w.get("image-name"))]
    if repo == "azure/k8s-deploy":
        return [Hit("deploy", repo, None)]
    if repo == "redhat-actions/push-to-registry":
        return [Hit("push", repo, w.get("image"))]
    if ("sbom" in repo or "cyclonedx" in repo) and "download" not in sub:
        return [Hit("sbom", uses.split("@")[0], None)]
    return []
