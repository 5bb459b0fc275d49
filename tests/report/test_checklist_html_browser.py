"""The HTML checklist report rendered by a real browser (headless Chromium).

The DOM Chromium builds is checked, not the HTML text: seven item sections with their
statuses and a working evidence link. A screenshot is kept in test-artifacts/ for people.
`.ci/run` installs Debian's chromium; elsewhere the test is skipped when no browser exists,
unless ASTRA_GUARD_REQUIRE_BROWSER=1 demands one.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from astra_guard.commands.checklist import make_report
from astra_guard.report import checklist_html
from astra_guard.scan import ScanOptions
from tests.conftest import REPO, SEED

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone.utc)
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
]


def browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("ASTRA_GUARD_REQUIRE_BROWSER"):
        pytest.fail("no Chromium on PATH, and ASTRA_GUARD_REQUIRE_BROWSER is set")
    pytest.skip("no Chromium on PATH (.ci/run installs Debian's chromium)")


class DomSummary(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, str]] = []
        self.evidence_links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and "item" in (a.get("class") or "").split():
            self.items.append((a.get("data-item") or "", a.get("data-status") or ""))
        if tag == "a" and "evidence" in (a.get("class") or "").split():
            self.evidence_links.append(a.get("href") or "")


def test_chromium_renders_seven_items_with_statuses_and_an_evidence_link(tmp_path: Path) -> None:
    chromium = browser()
    attestations = tmp_path / "attestations.yaml"
    attestations.write_text(
        "attestations:\n"
        "  - {item: 6, requirement: rollback-tested, statement: 'Rolled 1.0.1 back to 1.0.0 in staging',\n"
        "     evidence: 'https://wiki.example/astradesk/rollback-2026-11', by: jane.doe, date: 2026-11-20, expires: 2027-02-20}\n"
    )
    report = make_report([SEED], ScanOptions(root=SEED), attestations, None, NOW)
    page = tmp_path / "checklist.html"
    page.write_text(checklist_html.render(report), encoding="utf-8")
    profile = tmp_path / "profile"
    common = [chromium, *FLAGS, f"--user-data-dir={profile}"]

    dom = subprocess.run([*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    summary = DomSummary()
    summary.feed(dom.stdout)
    assert [i for i, _ in summary.items] == ["1", "2", "3", "4", "5", "6", "7"]
    assert dict(summary.items)["7"] == "needs-evidence"
    assert all(status in {"pass", "fail", "needs-evidence", "attested", "not-applicable"} for _, status in summary.items)
    assert "https://wiki.example/astradesk/rollback-2026-11" in summary.evidence_links

    artifacts = REPO / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    shot = artifacts / "checklist-report.png"
    shot.unlink(missing_ok=True)
    taken = subprocess.run([*common, f"--screenshot={shot}", "--window-size=1200,2400", page.as_uri()],
                           capture_output=True, text=True, timeout=120)
    assert taken.returncode == 0 and shot.stat().st_size > 10_000, taken.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
