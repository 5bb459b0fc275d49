"""A pipeline that builds or pushes an image generates an SBOM, and nothing neutralises that step."""

from __future__ import annotations

from collections.abc import Iterator

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.rules.meta import RuleMeta
from astra_guard.rules.pipelines._events import Event, pipeline_events, pipelines, unread
from astra_guard.rules.pipelines._shell import short

META = RuleMeta(
    id="ci-sbom-step",
    title="The pipeline that builds the image generates its SBOM",
    severity=Severity.HIGH,
    checklist_item=4,
    rationale=(
        "A software bill of materials lists every package in the released image, so that when the "
        "next CVE is published the question 'are we affected?' is a query, not an investigation. "
        "It must be produced by the pipeline that builds the image, for that image, and a failing "
        "SBOM step must stop the release: `|| true`, `continue-on-error` or a catchError turn it "
        "into a step that may silently produce nothing."
    ),
    remediation=(
        "Add an SBOM step after the image is built, e.g. `syft IMAGE -o cyclonedx-json=sbom.cdx.json`, "
        "`trivy image --format cyclonedx --output sbom.cdx.json IMAGE`, `docker buildx build --sbom=true`, "
        "or the anchore/sbom-action, keep the SBOM with the release, and remove anything that ignores "
        "its failure."
    ),
    family="pipelines",
    engine="python",
    source="astra_guard/rules/pipelines/sbom_step.py",
    references=(
        "https://github.com/anchore/syft#readme",
        "https://trivy.dev/latest/docs/supply-chain/sbom/",
        "https://docs.docker.com/build/metadata/attestations/sbom/",
        "https://cyclonedx.org/",
    ),
)


def anchor(events: list[Event]) -> Event | None:
    """Where a missing step is reported: the first push, else the first build."""
    return next((e for e in events if e.kind == "push"), None) or next(
        (e for e in events if e.kind == "build"), None
    )


def check(context: RuleContext) -> Iterator[Violation]:
    for resource in pipelines(context.resources):
        events = pipeline_events(resource)
        at = anchor(events)
        if at is None:
            continue
        sboms = [e for e in events if e.kind == "sbom"]
        if any(not e.neutralisers for e in sboms):
            continue
        if not sboms:
            image = f" {short(at.image)}" if at.image else " an image"
            yield Violation(
                resource,
                at.step.path,
                (
                    f"{at.step.where} {'pushes' if at.kind == 'push' else 'builds'}{image} but no step of the pipeline "
                    f"generates an SBOM{unread(resource)}: add one after the build, e.g. `syft {short(at.image or 'IMAGE')} -o cyclonedx-json=sbom.cdx.json` "
                    "(or `docker buildx build --sbom=true`, anchore/sbom-action) and keep the SBOM with the release"
                ),
            )
            continue
        seen = set()
        for event in sboms:
            if event.step.path in seen:
                continue
            seen.add(event.step.path)
            yield Violation(
                resource,
                event.step.path,
                (
                    f"the SBOM step `{short(event.text)}` ({event.step.where}) is neutralised by "
                    f"{' and '.join(n.text for n in event.neutralisers)}: when it fails the release goes on without "
                    f"an SBOM; {'; '.join(n.fix for n in event.neutralisers)}"
                ),
                severity=Severity.LOW if event.doubtful else None,
            )
