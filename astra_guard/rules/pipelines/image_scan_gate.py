"""A pipeline that builds or pushes an image scans it for vulnerabilities, and the scan can fail it."""

from __future__ import annotations

from collections.abc import Iterator

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.rules.meta import RuleMeta
from astra_guard.rules.pipelines._events import Event, pipeline_events, pipelines, unread
from astra_guard.rules.pipelines._shell import short
from astra_guard.rules.pipelines.sbom_step import anchor

META = RuleMeta(
    id="ci-image-scan-gate",
    title="The image is scanned for vulnerabilities and the scan gates the release",
    severity=Severity.HIGH,
    checklist_item=4,
    rationale=(
        "A vulnerability scan protects the cluster only if its verdict can stop the release. A scan "
        "that cannot fail (trivy without a non-zero --exit-code, grype without --fail-on) or whose "
        "failure is ignored (`|| true`, a pipe without pipefail, `set +e`, `continue-on-error: true`, "
        "Jenkins catchError or an unread returnStatus) produces a report nobody has to read, and a "
        "vulnerable image ships anyway."
    ),
    remediation=(
        "Scan the built image with a command that fails on findings, e.g. `trivy image --exit-code 1 "
        "--severity HIGH,CRITICAL IMAGE` or `grype IMAGE --fail-on high`, and let its failure fail the "
        "pipeline: no `|| true`, no continue-on-error, no catchError that lets the build go on."
    ),
    family="pipelines",
    engine="python",
    source="astra_guard/rules/pipelines/image_scan_gate.py",
    references=(
        "https://trivy.dev/latest/docs/configuration/others/#exit-code",
        "https://github.com/anchore/grype#gating-on-severity-of-vulnerabilities",
        "https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idstepscontinue-on-error",
        "https://www.jenkins.io/doc/pipeline/steps/workflow-basic-steps/#catcherror-catch-error-and-set-build-result-to-failure",
    ),
)

NO_FAIL_FIX = {
    "trivy": "add `--exit-code 1` (with `--severity HIGH,CRITICAL` to choose what fails)",
    "aquasecurity/trivy-action": "set `exit-code: '1'` (with `severity: HIGH,CRITICAL`)",
    "grype": "add `--fail-on high`",
    "anchore/scan-action": "remove `fail-build: false`",
    "snyk": "run `snyk container test`",
    "docker": "add `--exit-code` to `docker scout cves`",
    "docker/scout-action": "set `exit-code: true` with `command: cves`",
    "crazy-max/ghaction-container-scan": "set `severity_threshold: HIGH`",
}
FIX = "run `trivy image --exit-code 1 --severity HIGH,CRITICAL {image}` (or `grype {image} --fail-on high`) before the image is pushed"


def _why(event: Event) -> str:
    parts = []
    if event.no_fail:
        parts.append(f"does not fail the build ({event.no_fail})")
    if event.neutralisers:
        verb = "may be neutralised" if event.doubtful else "is neutralised"
        parts.append(f"{verb} by {' and '.join(n.text for n in event.neutralisers)}")
    return " and ".join(parts)


def _fix(event: Event) -> str:
    fixes = [n.fix for n in event.neutralisers]
    if event.no_fail:
        fixes.insert(0, NO_FAIL_FIX.get(event.tool.split()[0], "make it fail on findings"))
    return "; ".join(fixes)


def check(context: RuleContext) -> Iterator[Violation]:
    for resource in pipelines(context.resources):
        events = pipeline_events(resource)
        at = anchor(events)
        if at is None:
            continue
        scans = [e for e in events if e.kind == "scan"]
        if any(e.gates for e in scans):
            continue
        if not scans:
            image = short(at.image or "IMAGE")
            yield Violation(
                resource,
                at.step.path,
                (
                    f"{at.step.where} {'pushes' if at.kind == 'push' else 'builds'} {image if at.image else 'an image'} that no step "
                    f"scans for vulnerabilities{unread(resource)}: {FIX.format(image=image)}"
                ),
            )
            deploy = next((e for e in events if e.kind == "deploy"), None)
            if deploy is not None and deploy.step.path != at.step.path:
                yield Violation(
                    resource,
                    deploy.step.path,
                    (
                        f"{deploy.step.where} deploys (`{short(deploy.text, 80)}`) an image that no step of the pipeline "
                        f"scanned for vulnerabilities{unread(resource)}: {FIX.format(image=image)}"
                    ),
                )
            continue
        seen = set()
        for event in scans:
            if event.step.path in seen:
                continue
            seen.add(event.step.path)
            yield Violation(
                resource,
                event.step.path,
                (
                    f"the image scan `{short(event.text)}` ({event.step.where}) {_why(event)}: a vulnerable image "
                    f"{'may pass' if event.doubtful and not event.no_fail else 'passes'}; {_fix(event)}"
                ),
                severity=Severity.LOW if event.doubtful and not event.no_fail else None,
            )
