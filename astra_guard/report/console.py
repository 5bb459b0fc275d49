"""The human report: findings grouped by file, input errors, skipped files, then a summary.

`rich` is imported inside `render` only, so `astra-guard --version` never pays for it. With
`color=False` the text is plain: no ANSI escape codes, whatever the terminal.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from itertools import groupby
from typing import TYPE_CHECKING, Any

from astra_guard.findings import Finding, ScanResult, Severity

if TYPE_CHECKING:  # pragma: no cover
    from astra_guard.rules.catalog import RuleCatalog

STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO)
MAX_SKIPPED = 20  # skipped files are listed briefly: the rest is a count
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]")



def printable(name: str) -> str:
    """A file name as one line of plain text: a newline or escape in a name cannot fake report lines."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)

def render(result: ScanResult, catalog: RuleCatalog, *, color: bool, width: int = 100) -> str:
    """The console report as a string (ANSI-coloured only when `color`).

    `catalog` is accepted for the common reporter signature; findings already carry what is shown.
    """
    from rich.console import Console

    buffer = io.StringIO()
    common: dict[str, Any] = {"file": buffer, "width": width, "highlight": False, "emoji": False,
                              "markup": False, "legacy_windows": False, "force_jupyter": False}
    if color:
        console = Console(force_terminal=True, color_system="standard", **common)
    else:
        console = Console(force_terminal=False, color_system=None, no_color=True, **common)
    shown = [f for f in result.findings if not f.suppressed]
    _findings(console, shown)
    _errors(console, result)
    _skipped(console, result)
    _summary(console, result, shown)
    text = buffer.getvalue()
    if not color:
        text = _ANSI.sub("", text)  # belt and braces: plain output never carries escape codes
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"


def _severity_text(severity: Severity) -> Any:
    from rich.text import Text

    return Text(severity.value.upper(), style=STYLE[severity])


def _findings(console: Any, findings: list[Finding]) -> None:
    from rich.table import Table
    from rich.text import Text

    if not findings:
        console.print(Text("No findings.", style="bold green"))
        console.print()
        return
    for file, group in groupby(findings, key=lambda f: f.file):
        console.print(Text(printable(file) or "(no file)", style="bold underline"))
        table = Table.grid(padding=(0, 2), pad_edge=False)
        table.add_column(justify="right", no_wrap=True)  # LINE:COL
        table.add_column(no_wrap=True)  # SEVERITY
        table.add_column(no_wrap=True)  # rule id
        table.add_column(overflow="fold", ratio=1)  # message
        for finding in group:
            table.add_row(
                Text(f"{finding.line}:{finding.column}"),
                _severity_text(finding.severity),
                Text(finding.rule_id, style="bold"),
                Text(finding.message),
            )
        console.print(_indent(table))
        console.print()


def _indent(renderable: Any) -> Any:
    from rich.padding import Padding

    return Padding(renderable, (0, 0, 0, 2))


def _located_table(rows: list[tuple[str, str]], style: str) -> Any:
    from rich.table import Table
    from rich.text import Text

    table = Table.grid(padding=(0, 2), pad_edge=False)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold", ratio=1)
    for where, text in rows:
        table.add_row(Text(where, style=style), Text(text))
    return _indent(table)


def _errors(console: Any, result: ScanResult) -> None:
    from rich.text import Text

    if not result.errors:
        return
    heading = f"Input errors ({len(result.errors)}): not evaluated, the scan fails closed"
    console.print(Text(heading, style="bold red"))
    console.print(_located_table([(f"{printable(e.file)}:{e.line}", e.message) for e in result.errors], "red"))
    console.print()


def _skipped(console: Any, result: ScanResult) -> None:
    from rich.text import Text

    if not result.skipped:
        return
    console.print(Text(f"Skipped ({len(result.skipped)})", style="bold"))
    rows = [(f"{printable(s.file)}:{s.line}", s.reason) for s in result.skipped[:MAX_SKIPPED]]
    console.print(_located_table(rows, "dim"))
    if len(result.skipped) > MAX_SKIPPED:
        console.print(Text(f"  ... and {len(result.skipped) - MAX_SKIPPED} more", style="dim"))
    console.print()


def _summary(console: Any, result: ScanResult, shown: list[Finding]) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    counts = Counter(f.severity for f in shown)
    table = Table(title="Summary", title_justify="left", title_style="bold", box=box.SIMPLE_HEAD,
                  show_edge=False, pad_edge=False)
    table.add_column("findings", no_wrap=True)
    for severity in ORDER:
        table.add_column(severity.value, justify="right", header_style=STYLE[severity],
                         no_wrap=True)
    table.add_column("total", justify="right", header_style="bold", no_wrap=True)
    cells = [Text(str(counts.get(s, 0)), style=STYLE[s] if counts.get(s) else "") for s in ORDER]
    table.add_row(Text("reported"), *cells, Text(str(len(shown)), style="bold"))
    console.print(table)
    suppressed = sum(1 for f in result.findings if f.suppressed)
    stats = [
        f"{len(result.files)} files",
        f"{result.resources} resources",
        f"{len(result.errors)} input errors",
        f"{suppressed} suppressed",
        f"{result.duration_seconds:.2f}s",
    ]
    console.print(Text("Scanned " + ", ".join(stats)))
