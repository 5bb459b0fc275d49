"""The image scan runs before the image is pushed or deployed."""

from __future__ import annotations

from collections.abc import Iterator

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.rules.meta import RuleMeta
from astra_guard.rules.pipelines._events import job_needs, pipeline_events, pipelines, runs_before
from astra_guard.rules.pipelines._shell import short

META = RuleMeta(
    id="ci-scan-before-push",
    title="The image is scanned before it is pushed or deployed",
    severity=Severity.MEDIUM,
    checklist_item=4,
    rationale=(
        "A scan that runs after `docker push` or `kubectl apply` can fail the pipeline, but the image "
        "is already in the registry, where the cluster and everyone else can pull it, or already "
        "running. In GitHub Actions, jobs run in parallel unless `needs:` orders them, so a scan in "
        "another job counts only when the pushing job needs it."
    ),
    remediation=(
        "Build the image locally (`docker build`, or `load: true` with docker/build-push-action), scan "
        "it, and push or deploy only after the scan passed; across jobs, make the push job `needs:` "
        "the scan job."
    ),
    family="pipelines",
    engine="python",
    source="astra_guard/rules/pipelines/scan_before_push.py",
    references=(
        "https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idneeds",
        "https://docs.docker.com/build/ci/github-actions/test-before-push/",
    ),
)


def check(context: RuleContext) -> Iterator[Violation]:
    for resource in pipelines(context.resources):
        events = pipeline_events(resource)
        scans = [e for e in events if e.kind == "scan"]
        scans = [e for e in scans if e.gates] or scans  # the gating scan is the one that matters
        if not scans:
            continue  # ci-image-scan-gate reports a pipeline without a scan
        needs = job_needs(resource)
        first = scans[0]
        seen = set()
        for event in events:
            if event.kind not in ("push", "deploy") or event.step.path in seen:
                continue
            if any(runs_before(scan, event, needs) for scan in scans):
                continue
            seen.add(event.step.path)
            verb = "pushes the image" if event.kind == "push" else "deploys"
            yield Violation(
                resource,
                event.step.path,
                (
                    f"{event.step.where} {verb} (`{short(event.text, 60)}`) before the image scan "
                    f"`{short(first.text, 60)}` ({first.step.where}) has run: scan first, then "
                    f"{'push' if event.kind == 'push' else 'deploy'} only an image that passed"
                ),
            )
