"""The pod's runAsUser and the image's USER agree (the image traced through the CI build)."""

from __future__ import annotations

from typing import Iterator

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.model import Resource
from astra_guard.pipelines import image_builds, repository
from astra_guard.pods import containers, effective
from astra_guard.rules.meta import RuleMeta

META = RuleMeta(
    id="k8s-image-user-mismatch",
    title="The pod's runAsUser matches the image's USER",
    severity=Severity.LOW,
    checklist_item=1,
    rationale=(
        "When the pod overrides the image's user with a different UID, files the image prepared "
        "for its own user (home directory, caches, writable paths) are not the process's; and a "
        "named image USER with runAsNonRoot but no runAsUser makes the kubelet refuse to start the "
        "pod. The image is traced from the manifest to its Dockerfile through the CI step that "
        "builds and tags it."
    ),
    remediation="Make securityContext.runAsUser equal to the numeric UID of the image's USER, or drop runAsUser and let the image's numeric USER apply.",
    family="kubernetes",
    engine="python",
    source="astra_guard/rules/kubernetes/image_user_mismatch.py",
    references=("https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",),
)


def _image_users(context: RuleContext) -> dict[str, tuple[str, Resource]]:
    """Image repository -> (final-stage USER, Dockerfile resource), for images CI builds."""
    dockerfiles = {r.file: r for r in context.of_family("dockerfile")}
    users: dict[str, tuple[str, Resource]] = {}
    for build in image_builds(context.resources):
        dockerfile = dockerfiles.get(build.dockerfile)
        if dockerfile is None:
            continue
        data = dockerfile.data
        user = data["stages"][data["final_stage"]].get("user")
        if isinstance(user, str) and "$" not in user:
            users[build.repository] = (user, dockerfile)
    return users


def check(context: RuleContext) -> Iterator[Violation]:
    users = _image_users(context)
    if not users:
        return
    for resource, pod in context.pods():
        for container in containers(pod):
            image = container.data.get("image")
            if not isinstance(image, str) or repository(image) not in users:
                continue
            image_user, dockerfile = users[repository(image)]
            uid = image_user.split(":", 1)[0].strip()
            run_as_user, where = effective(pod, container, "runAsUser")
            if run_as_user is None:
                non_root, _ = effective(pod, container, "runAsNonRoot")
                if non_root is True and not uid.isdigit():
                    yield Violation(resource, container.path, (
                        f"container '{container.name}' sets runAsNonRoot but no runAsUser, and its image "
                        f"({dockerfile.file}) has the named USER {image_user}: the kubelet will refuse to start it; "
                        "set runAsUser to the image's numeric UID or make the image's USER numeric"))
                continue
            if uid.isdigit() and isinstance(run_as_user, int) and run_as_user != int(uid):
                yield Violation(resource, where, (
                    f"container '{container.name}' runs as UID {run_as_user} but its image ({dockerfile.file}) "
                    f"sets USER {image_user}: set runAsUser: {uid} or change the image's USER"))
