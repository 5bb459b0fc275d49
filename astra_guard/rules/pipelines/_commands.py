"""Which CI command builds, documents (SBOM), scans, pushes or deploys an image.

`classify(argv, env)` reads one simple command (wrappers removed, variables expanded) and returns
`Hit`s: (kind, tool, image, no_fail), where `no_fail` says why a scan cannot fail the build
however many vulnerabilities it finds (trivy without a non-zero `--exit-code`, grype without
`--fail-on`, `docker scout cves` without `--exit-code`, `snyk container monitor`).
"""

from __future__ import annotations

from astra_guard.pipelines import _build_args
from astra_guard.rules.pipelines._tools import (
    DOCKER_GLOBAL,
    KUBECTL_GLOBAL,
    NOT_SCANS,
    SBOM_FORMATS,
    TRIVY_SUBCOMMANDS,
    TRIVY_VALUES,
    Hit,
    nonzero,
    opt,
    split,
)


def _trivy(args: list[str], env: dict[str, str]) -> list[Hit]:
    (sub,), rest = split(args, {"--cache-dir", "--config", "-c"}, 1)
    target = TRIVY_SUBCOMMANDS.get(sub)
    if target is None:
        return []
    fmt = (opt(rest, "--format", "-f") or env.get("TRIVY_FORMAT") or "table").lower()
    scanners = opt(rest, "--scanners", "--security-checks") or env.get("TRIVY_SCANNERS")
    image = opt(rest, "--input", "-i") or split(rest, TRIVY_VALUES, 1)[0][0] or None
    code = opt(rest, "--exit-code") or env.get("TRIVY_EXIT_CODE")
    no_fail = (
        None
        if nonzero(code)
        else (
            "trivy exits 0 whatever it finds without --exit-code"
            if code is None
            else f"--exit-code {code} makes trivy pass whatever it finds"
        )
    )
    if target == "sbom":
        return [Hit("sbom", "trivy sbom", image), Hit("scan", "trivy sbom", image, no_fail)]
    hits = [Hit("sbom", f"trivy {sub}", image)] if fmt in SBOM_FORMATS else []
    vuln = "vuln" in scanners if scanners else fmt not in SBOM_FORMATS
    if target in ("image", "rootfs") and vuln:
        hits.append(Hit("scan", f"trivy {sub}", image, no_fail))
    return hits


def _docker(prog: str, args: list[str]) -> list[Hit]:
    (sub,), rest = split(args, DOCKER_GLOBAL, 1)
    if sub in ("image", "buildx", "builder", "manifest", "compose", "scout"):
        (word,), rest = split(rest, {"--builder"}, 1)
        sub = f"{sub} {word}"
    if sub == "buildx imagetools":
        (word,), rest = split(rest, set(), 1)
        sub = f"{sub} {word}"
    tool, (target,) = f"{prog} {sub}", split(rest, set(), 1)[0]
    if sub in ("build", "image build", "buildx build", "buildx b", "builder build"):
        tags = _build_args(rest)[0]
        image = tags[0] if tags else None
        hits = [Hit("build", tool, image)]
        output = opt(rest, "--output", "-o") or ""
        if "--push" in rest or "type=registry" in output or "push=true" in output:
            hits.append(Hit("push", f"{tool} --push", image))
        sbom = opt(rest, "--sbom")
        if (sbom is not None and sbom.lower() not in ("false", "0")) or "type=sbom" in (
            opt(rest, "--attest") or ""
        ):
            hits.append(Hit("sbom", f"{tool} --sbom", image))
        return hits
    if sub == "buildx bake":
        return [Hit("build", tool, None)] + (
            [Hit("push", f"{tool} --push", None)] if "--push" in rest else []
        )
    if sub in ("push", "image push", "manifest push", "compose push"):
        return [Hit("push", tool, target or None)]
    if sub == "buildx imagetools create" and "--dry-run" not in rest:
        return [Hit("push", tool, opt(rest, "--tag", "-t"))]
    if sub in ("sbom", "scout sbom"):
        return [Hit("sbom", tool, target or None)]
    if sub == "scout cves":
        gate = "--exit-code" in rest or "-e" in rest
        return [
            Hit(
                "scan",
                tool,
                target or None,
                None if gate else f"{tool} exits 0 whatever it finds without --exit-code",
            )
        ]
    if sub in ("scout quickview", "scout qv", "scout recommendations"):
        return [Hit("scan", tool, target or None, f"{tool} only reports; it never fails the build")]
    return []


def _kubectl(prog: str, args: list[str]) -> list[Hit]:
    subs, rest = split(args, KUBECTL_GLOBAL, 3)
    if any(a.startswith("--dry-run") and a != "--dry-run=none" for a in args):
        return []
    files = any(a.startswith(("-f", "--filename", "-k", "--kustomize")) for a in rest)
    if (
        subs[0] in ("apply", "replace")
        or (subs[0] == "create" and (files or subs[1] in ("deployment", "job", "cronjob")))
        or subs[:2] == ["set", "image"]
        or (subs[0] == "rollout" and subs[1] in ("restart", "resume", "undo"))
        or (
            subs[:2] == ["argo", "rollouts"]
            and subs[2] in ("set", "promote", "restart", "undo", "retry")
        )
    ):
        words = (
            subs[:3]
            if subs[0] == "argo"
            else subs[:2]
            if subs[0] in ("set", "rollout")
            else subs[:1]
        )
        return [Hit("deploy", " ".join([prog, *words]), None)]
    return []


def _simple(prog: str, args: list[str], env: dict[str, str]) -> list[Hit]:
    (sub,), rest = split(args, {"-c", "--config"}, 1)
    (sub2,), _ = split(rest, set(), 1)
    dry = any(a.startswith("--dry-run") for a in args)
    if prog == "grype" and sub and sub not in NOT_SCANS and not sub.startswith(("dir:", "file:")):
        fails = opt(args, "--fail-on", "-f") or env.get("GRYPE_FAIL_ON_SEVERITY")
        return [
            Hit(
                "scan",
                "grype",
                sub,
                None if fails else "grype exits 0 whatever it finds without --fail-on",
            )
        ]
    if prog == "syft" and sub not in NOT_SCANS:
        image: str | None = sub2 if sub in ("scan", "packages", "attest") else sub
        return [Hit("sbom", "syft", image or None)]
    if prog == "snyk" and sub == "container" and sub2 in ("test", "monitor"):
        no_fail = (
            None
            if sub2 == "test"
            else "snyk container monitor only records a snapshot and never fails the build"
        )
        return [Hit("scan", f"snyk container {sub2}", None, no_fail)]
    if (prog == "snyk" and "sbom" in (sub, sub2)) or (prog, sub) in (
        ("sbom-tool", "generate"),
        ("bom", "generate"),
    ):
        return [Hit("sbom", f"{prog} {sub}", None)]
    if (
        prog.startswith("cyclonedx")
        or prog in ("cdxgen", "spdx-sbom-generator")
        or (
            prog in ("mvn", "mvnw", "gradle", "gradlew")
            and any("cyclonedx" in a.lower() for a in args)
        )
    ):
        return [Hit("sbom", prog, None)]
    if (prog, sub, sub2) == ("twistcli", "images", "scan") or (prog, sub, sub2) == (
        "jf",
        "docker",
        "scan",
    ):
        return [Hit("scan", f"{prog} {sub} {sub2}", None)]
    if prog == "buildah" and sub in ("bud", "build", "push"):
        kind = "push" if sub == "push" else "build"
        return [
            Hit(
                kind,
                f"buildah {sub}",
                sub2 if kind == "push" else next(iter(_build_args(rest)[0]), None),
            )
        ]
    if prog == "kaniko":
        image = opt(args, "--destination", "-d")
        return [Hit("build", "kaniko", image)] + (
            [] if "--no-push" in args else [Hit("push", "kaniko", image)]
        )
    if prog in ("crane", "gcrane") and sub in ("push", "copy", "cp"):
        return [Hit("push", f"{prog} {sub}", None)]
    if (
        prog == "skopeo"
        and sub in ("copy", "sync")
        and any(a.startswith("docker://") for a in rest[1:])
    ):
        return [Hit("push", f"skopeo {sub}", None)]
    if prog == "ko" and sub in ("build", "publish"):
        local = "--local" in args or "-L" in args or "--push=false" in args
        return [Hit("build", f"ko {sub}", None)] + (
            [] if local else [Hit("push", f"ko {sub}", None)]
        )
    if not dry and (
        (prog == "helm" and sub in ("upgrade", "install"))
        or (prog == "helmfile" and sub in ("apply", "sync", "deploy"))
        or (prog == "argocd" and (sub, sub2) == ("app", "sync"))
        or (prog == "skaffold" and sub in ("run", "deploy"))
        or (prog == "kapp" and sub == "deploy")
    ):
        return [Hit("deploy", f"{prog} {sub}" + (f" {sub2}" if prog == "argocd" else ""), None)]
    return []


def classify(argv: list[str], env: dict[str, str]) -> list[Hit]:
    """What one simple command (wrappers already removed) does to an image."""
    if not argv:
        return []
    prog, args = argv[0], argv[1:]
    if prog == "trivy":
        return _trivy(args, env)
    if prog in ("docker", "podman", "nerdctl"):
        return _docker(prog, args)
    if prog in ("kubectl", "oc"):
        return _kubectl(prog, args)
    if prog == "kubectl-argo-rollouts":
        return _kubectl("kubectl", ["argo", "rollouts", *args])
    return _simple(prog, args, env)
