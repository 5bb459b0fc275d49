"""The command line: parse arguments, call the library, map the outcome to an exit code.

Only this module knows about click. Heavy modules (the engine, rich, jsonschema) are
imported inside the commands so `astra-guard --version` stays instant.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from astra_guard import __version__
from astra_guard.errors import AstraGuardError

FORMATS = ("console", "json", "sarif", "gitlab", "junit", "markdown")
FAIL_ON = ("critical", "high", "medium", "low", "never")
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class _K8sVersion(click.ParamType):
    name = "VERSION"

    def convert(self, value: str, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = value[1:] if value.startswith("v") else value
        parts = text.split(".")
        if len(parts) < 2 or not all(p.isdigit() for p in parts[:2]):
            self.fail(f"'{value}' is not a Kubernetes version like 1.29", param, ctx)
        return ".".join(parts[:2])


K8S_VERSION = _K8sVersion()


def engine_options(command: Any) -> Any:
    """--engine, --opa-url, --opa-timeout and --corroborate, shared by scan and checklist."""
    options = [
        click.option("--engine", default="embedded", show_default=True, type=click.Choice(("embedded", "opa")),
                     help="Rego engine: embedded (regorus, in-process) or opa (an OPA server, --opa-url)."),
        click.option("--opa-url", help="The OPA server for --engine opa, e.g. http://127.0.0.1:8181."),
        click.option("--opa-timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.1),
                     help="Seconds to wait for each answer of the OPA server."),
        click.option("--corroborate", multiple=True, type=click.Choice(("checkov",)),
                     help="Set an independent scanner's verdict beside each control (repeatable)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def engine_settings(engine: str, opa_url: str | None, opa_timeout: float, corroborate: tuple[str, ...]) -> dict[str, Any]:
    """The ScanOptions fields the engine options fill."""
    if opa_url and engine != "opa":
        raise click.UsageError("--opa-url is used only with --engine opa")
    return {"engine": engine, "opa_url": opa_url, "opa_timeout": opa_timeout, "corroborate": tuple(dict.fromkeys(corroborate))}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="astra-guard", message="%(prog)s %(version)s")
def cli() -> None:
    """astra-guard: the release checklist as policy-as-code, for CI and for admission."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS), help="Report format (repeatable, paired with --output).")
@click.option("--output", "outputs", multiple=True, type=click.Path(path_type=Path, dir_okay=False), help="Write the report here, atomically.")
@click.option("--fail-on", default="high", show_default=True, type=click.Choice(FAIL_ON), help="Lowest severity that fails the scan.")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False, exists=True), help="Directory report paths are relative to (default: the scanned directory).")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False, exists=True), help="Configuration file (default: .astra-guard.yaml in the scan root).")
@click.option("--k8s-version", type=K8S_VERSION, help="Target cluster version, e.g. 1.29 (default: config, else Terraform).")
@click.option("--policy-dir", "policy_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False, exists=True), help="A directory of your own Rego/Python rules (repeatable).")
@click.option("--only-files", is_flag=True, help="Report only on the files among PATHS (pre-commit); rules still see the whole repository (a directory among PATHS, else the git work tree).")
@click.option("--baseline", type=click.Path(path_type=Path, dir_okay=False, exists=True), help="Report only findings not accepted in this baseline.")
@click.option("--create-baseline", type=click.Path(path_type=Path, dir_okay=False), help="Write today's findings to this baseline, and accept them.")
@click.option("--strict-suppressions", is_flag=True, help="Also report suppressions that match no finding.")
@click.option("--sarif-include-suppressed", is_flag=True, help="Put suppressed findings in SARIF, with their justification.")
@click.option("--no-cache", is_flag=True, help="Parse every file afresh (default: reuse parses of unchanged files, ~/.cache/astra-guard).")
@engine_options
def scan(paths: tuple[Path, ...], formats: tuple[str, ...], outputs: tuple[Path, ...], fail_on: str, root: Path | None,
         config_path: Path | None, k8s_version: str | None, policy_dirs: tuple[Path, ...], only_files: bool,
         baseline: Path | None, create_baseline: Path | None, strict_suppressions: bool, sarif_include_suppressed: bool,
         no_cache: bool, **engine: Any) -> None:
    """Scan files and directories (default: .) and report findings."""
    from astra_guard.commands.scan import run_scan, scoped
    from astra_guard.parse_cache import default_cache_dir
    from astra_guard.scan import ScanOptions

    options = ScanOptions(root=root, config_path=config_path, k8s_version=k8s_version, policy_dirs=policy_dirs,
                          baseline=baseline, create_baseline=create_baseline, strict_suppressions=strict_suppressions,
                          cache_dir=None if no_cache else default_cache_dir(), **engine_settings(**engine))
    targets, options = scoped(list(paths), options) if only_files else (list(paths) or [Path(".")], options)
    raise SystemExit(run_scan(targets, formats or ("console",), outputs, fail_on, options,
                              include_suppressed=sarif_include_suppressed))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", default="markdown", show_default=True, type=click.Choice(("markdown", "html", "json")))
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the report here, atomically.")
@click.option("--attestations", type=click.Path(path_type=Path, dir_okay=False), help="Attestations file (default: .astra-guard/attestations.yaml in the scan root).")
@click.option("--fail-on", "gate", type=click.Choice(FAIL_ON[:-1]), help="Lowest severity that fails an item (default: config, else low).")
@click.option("--require-evidence", is_flag=True, help="Exit 1 when an item still needs evidence, not only when one fails.")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False, exists=True), help="Directory report paths are relative to.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False, exists=True), help="Configuration file.")
@click.option("--k8s-version", type=K8S_VERSION, help="Target cluster version, e.g. 1.29.")
@click.option("--policy-dir", "policy_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False, exists=True), help="A directory of your own Rego/Python rules (repeatable).")
@engine_options
def checklist(paths: tuple[Path, ...], fmt: str, output: Path | None, attestations: Path | None, gate: str | None,
              require_evidence: bool, root: Path | None, config_path: Path | None, k8s_version: str | None,
              policy_dirs: tuple[Path, ...], **engine: Any) -> None:
    """The release checklist: each item's status, controls, findings and evidence."""
    from astra_guard.commands.checklist import run_checklist
    from astra_guard.scan import ScanOptions

    options = ScanOptions(root=root, config_path=config_path, k8s_version=k8s_version, policy_dirs=policy_dirs,
                          **engine_settings(**engine))
    raise SystemExit(run_checklist(list(paths) or [Path(".")], fmt, output, options, attestations, gate, require_evidence))


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--format", "fmt", default="text", type=click.Choice(("text", "json")), show_default=True)
def parse(file: Path, fmt: str) -> None:
    """Show what the loaders see in FILE: resources, paths and line spans."""
    from astra_guard.commands.parse import run_parse

    raise SystemExit(run_parse(file, fmt))


@cli.group()
def rules() -> None:
    """The rule catalogue."""


@rules.command("list")
@click.option("--checklist", type=click.IntRange(1, 7), help="Only rules of this checklist item.")
@click.option("--format", "fmt", default="text", type=click.Choice(("text", "json", "markdown")), show_default=True,
              help="markdown: the rule reference, docs/rules.md.")
@click.option("--policy-dir", "policy_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False, exists=True), help="A directory of your own Rego/Python rules (repeatable).")
def rules_list(checklist: int | None, fmt: str, policy_dirs: tuple[Path, ...]) -> None:
    """List every rule: id, severity, checklist item, title."""
    from astra_guard.commands.rules import run_list

    raise SystemExit(run_list(checklist, fmt, policy_dirs))


@rules.command("show")
@click.argument("rule_id")
@click.option("--policy-dir", "policy_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False, exists=True), help="A directory of your own Rego/Python rules (repeatable).")
def rules_show(rule_id: str, policy_dirs: tuple[Path, ...]) -> None:
    """Show one rule's metadata: rationale, remediation, parameters, references, source."""
    from astra_guard.commands.rules import run_show

    raise SystemExit(run_show(rule_id, policy_dirs))


@cli.group()
def policy() -> None:
    """The policies themselves: their unit tests."""


@policy.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, exists=True))
@click.option("-v", "--verbose", is_flag=True, help="List passing tests too.")
@click.option("--run", "run_filter", default="", help="Only tests whose name contains this text.")
def policy_test(paths: tuple[Path, ...], verbose: bool, run_filter: str) -> None:
    """Run *_test.rego files (test_ rules) like `opa test` (default: the built-in policies)."""
    from astra_guard.commands.policy_test import run_policy_test

    raise SystemExit(run_policy_test(list(paths), verbose, run_filter))


@cli.group()
def gatekeeper() -> None:
    """The same policy at admission: Gatekeeper export and gator-compatible verification."""


@gatekeeper.command("export")
@click.option("--output-dir", default=Path("constraints"), show_default=True, type=click.Path(path_type=Path, file_okay=False))
@click.option("--enforcement", default="deny", show_default=True, type=click.Choice(("deny", "dryrun", "warn")))
@click.option("--check", is_flag=True, help="Exit 1 when the output directory differs from a fresh export.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False, exists=True), help="Configuration file (parameters).")
@click.option("--policy-dir", "policy_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False, exists=True), help="A directory of your own Rego/Python rules (repeatable).")
def gatekeeper_export(output_dir: Path, enforcement: str, check: bool, config_path: Path | None,
                      policy_dirs: tuple[Path, ...]) -> None:
    """Write ConstraintTemplates and Constraints for every rule that can decide at admission."""
    from astra_guard.commands.gatekeeper_export import run_export

    raise SystemExit(run_export(output_dir, enforcement, check, config_path, policy_dirs))


@gatekeeper.command("verify")
@click.argument("targets", nargs=-1)
@click.option("--run", "-r", "run", default="", help="Regular expression on test/case names (gator's --run: TEST or TEST//CASE).")
@click.option("--verbose", "-v", is_flag=True, help="Print every test and case, and the compatibility rewrites applied.")
def gatekeeper_verify(targets: tuple[str, ...], run: str, verbose: bool) -> None:
    """Run gator verify suites (files or directories, default .) with the embedded Rego engine."""
    from astra_guard.commands.gatekeeper_verify import run_verify

    raise SystemExit(run_verify(list(targets), run, verbose))


def _interrupted() -> int:
    """Ctrl-C: reports were written atomically, so none is partial; a second Ctrl-C is ignored."""
    import signal

    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # nothing left to stop, and no traceback
    except ValueError:  # not the main thread: the caller owns the signals
        pass
    click.echo("astra-guard: interrupted", err=True)
    return EXIT_INTERRUPTED


def main(argv: list[str] | None = None) -> int:
    """Entry point: never lets a traceback reach the user."""
    try:
        cli.main(args=argv, prog_name="astra-guard", standalone_mode=False)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except click.exceptions.Abort:
        return _interrupted()
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except AstraGuardError as exc:
        click.echo(f"astra-guard: error: {exc}", err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return _interrupted()
    except BrokenPipeError:
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("ASTRA_GUARD_DEBUG"):
            raise
        click.echo(f"astra-guard: internal error: {type(exc).__name__}: {exc} (set ASTRA_GUARD_DEBUG=1 for details)", err=True)
        return EXIT_USAGE
    return EXIT_OK
