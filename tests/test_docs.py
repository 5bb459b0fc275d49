"""docs/: the rule reference and the command pages are generated, and CI fails when they are stale."""

from __future__ import annotations

import dataclasses
import re

import pytest

from astra_guard.cli import main
from astra_guard.docs import (
    command_help,
    help_blocks,
    leaf_commands,
    refresh_help_blocks,
    rules_markdown,
)
from astra_guard.findings import Severity
from astra_guard.rules.catalog import load_catalog
from astra_guard.rules.meta import RuleMeta
from tests.conftest import REPO

RULES_DOC = REPO / "docs" / "rules.md"
COMMAND_PAGES = REPO / "docs" / "commands"
REGENERATE = "regenerate it: astra-guard rules list --format markdown > docs/rules.md (or python scripts/gen_docs.py)"


def test_docs_rules_md_is_the_catalogue_rendered_now() -> None:
    assert RULES_DOC.read_text(encoding="utf-8") == rules_markdown(load_catalog()), f"docs/rules.md is stale: {REGENERATE}"


def test_each_rule_has_one_section_headed_by_its_id_where_its_help_uri_points() -> None:
    text = RULES_DOC.read_text(encoding="utf-8")
    headings = re.findall(r"^### (.+)$", text, re.MULTILINE)
    catalog = load_catalog()
    assert sorted(headings) == sorted(m.id for m in catalog)
    for meta in catalog:
        assert meta.help_uri.endswith(f"docs/rules.md#{meta.id}")
        assert f"[`{meta.id}`](#{meta.id})" in text  # the index links to the section


def test_a_rule_added_to_the_catalogue_makes_the_checked_in_reference_stale() -> None:
    catalog = load_catalog()
    extra = RuleMeta(
        id="k8s-example-added", title="An example | with a pipe", severity=Severity.LOW, checklist_item=2,
        rationale="Why it matters.", remediation="Do this.", family="kubernetes", engine="python",
        source="astra_guard/rules/kubernetes/example_added.py",
    )
    grown = dataclasses.replace(catalog, rules={**catalog.rules, extra.id: extra})
    rendered = rules_markdown(grown)
    assert rendered != RULES_DOC.read_text(encoding="utf-8")
    section = rendered.split("### k8s-example-added\n", 1)[1].split("\n### ", 1)[0]
    assert "- severity: low\n- checklist item: 2\n" in section
    assert "- logic: python, `astra_guard/rules/kubernetes/example_added.py`" in section
    assert "**Why.** Why it matters.\n\n**Fix.** Do this." in section
    assert "| [`k8s-example-added`](#k8s-example-added) | low | 2 | An example \\| with a pipe |" in rendered


def test_rego_rules_name_their_file_in_the_repository_and_admission_rules_their_constraint_kind() -> None:
    text = RULES_DOC.read_text(encoding="utf-8")
    section = text.split("### k8s-run-as-non-root\n", 1)[1].split("\n### ", 1)[0]
    assert "- logic: rego, `rego/kubernetes/run_as_non_root.rego`" in section
    assert "- at admission: yes, Constraint kind `AstraK8sRunAsNonRoot`" in section
    joins = text.split("### k8s-netpol-gateway-ingress\n", 1)[1].split("\n### ", 1)[0]
    assert "- at admission: no, CI only: joins several objects across the inputs" in joins
    assert '- `gateway_namespace_selector` (object, default `{"name": "astra-control"}`)' in joins


def test_rules_list_markdown_prints_the_reference(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "list", "--format", "markdown"]) == 0
    assert capsys.readouterr().out == rules_markdown(load_catalog())


def test_rules_list_markdown_for_one_item_holds_only_its_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "list", "--format", "markdown", "--checklist", "6"]) == 0
    headings = re.findall(r"^### (.+)$", capsys.readouterr().out, re.MULTILINE)
    assert sorted(headings) == sorted(m.id for m in load_catalog() if m.checklist_item == 6)


def test_every_command_has_a_page_embedding_its_help() -> None:
    embedded = {c for page in COMMAND_PAGES.glob("*.md") for c in help_blocks(page.read_text(encoding="utf-8"))}
    assert set(leaf_commands()) <= embedded
    assert {"astra-guard scan", "astra-guard checklist", "astra-guard gatekeeper export",
            "astra-guard gatekeeper verify", "astra-guard policy test", "astra-guard parse",
            "astra-guard rules list", "astra-guard rules show"} <= set(leaf_commands())


@pytest.mark.parametrize("page", sorted(p.name for p in COMMAND_PAGES.glob("*.md")))
def test_command_pages_hold_the_current_help(page: str) -> None:
    text = (COMMAND_PAGES / page).read_text(encoding="utf-8")
    assert text == refresh_help_blocks(text), f"docs/commands/{page} is stale: run python scripts/gen_docs.py"


def test_a_stale_help_block_is_rewritten_and_the_prose_around_it_kept() -> None:
    page = "# parse\n\nProse.\n\n<!-- help: astra-guard parse -->\n```text\nold\n```\n<!-- /help -->\n\nMore.\n"
    refreshed = refresh_help_blocks(page)
    assert refreshed == (
        "# parse\n\nProse.\n\n<!-- help: astra-guard parse -->\n```text\n"
        + command_help("astra-guard parse") + "\n```\n<!-- /help -->\n\nMore.\n"
    )
    assert command_help("astra-guard parse").startswith("Usage: astra-guard parse [OPTIONS] FILE\n")
    assert "-h, --help" in command_help("astra-guard parse")


def test_help_does_not_depend_on_the_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    wide = command_help("astra-guard scan")
    monkeypatch.setenv("COLUMNS", "40")
    assert command_help("astra-guard scan") == wide
    assert max(len(line) for line in wide.splitlines()) <= 80


def test_an_unknown_command_in_a_help_block_is_an_error() -> None:
    with pytest.raises(ValueError, match="'astra-guard nope' is not an astra-guard command"):
        command_help("astra-guard nope")
