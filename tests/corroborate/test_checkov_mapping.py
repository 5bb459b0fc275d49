"""The Checkov mapping: real rule ids, valid scopes, and docs/checkov-mapping.md equal to the code."""

from __future__ import annotations

import re

from astra_guard.corroborate.checkov_map import MAPPINGS, SCOPES
from astra_guard.rules.catalog import load_catalog
from tests.conftest import REPO


def test_every_mapping_names_a_rule_of_the_catalogue_and_a_known_scope() -> None:
    rules = {m.id for m in load_catalog()}
    assert [m.rule_id for m in MAPPINGS if m.rule_id not in rules] == []
    assert {m.scope for m in MAPPINGS} <= set(SCOPES)
    assert all(re.fullmatch(r"CKV2?_[A-Z0-9]+_\d+", c) for m in MAPPINGS for c in m.check_ids)
    assert len({m.rule_id for m in MAPPINGS}) == len(MAPPINGS)


def test_the_documented_table_is_the_code() -> None:
    catalog = load_catalog()
    rows = []
    for line in (REPO / "docs" / "checkov-mapping.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[1].startswith("`") and cells[2].startswith("`CKV"):
            rows.append((cells[0], cells[1].strip("`"), tuple(c.strip(" `") for c in cells[2].split(",")), cells[3], cells[4]))
    expected = [(str(catalog.get(m.rule_id).checklist_item or "–"), m.rule_id, m.check_ids, m.scope, m.note) for m in MAPPINGS]
    assert rows == expected
