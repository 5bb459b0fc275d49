"""Report JSON: the same document as json.dumps, indented above a depth, one line per item below."""

from __future__ import annotations

import json

from astra_guard.report.json_text import dumps

DOCUMENT = {"summary": {"findings": 2, "by": {"high": 1}}, "findings": [{"message": "żółw \"quoted\"", "path": ["a", 0]},
                                                                       {"message": "b", "path": []}], "errors": [], "empty": {}}


def test_the_text_is_the_document_with_an_item_per_line() -> None:
    text = dumps(DOCUMENT)
    assert json.loads(text) == DOCUMENT and text.endswith("}\n")
    assert text.splitlines() == [
        "{",
        '  "summary": {',
        '    "findings": 2,',
        '    "by": {"high": 1}',
        "  },",
        '  "findings": [',
        '    {"message": "żółw \\"quoted\\"", "path": ["a", 0]},',
        '    {"message": "b", "path": []}',
        "  ],",
        '  "errors": [],',
        '  "empty": {}',
        "}",
    ]


def test_ascii_only_on_request_and_depth_chosen_by_the_caller() -> None:
    assert dumps(DOCUMENT, ensure_ascii=True).isascii()
    assert dumps([1, [2, 3]], flat_from=1) == "[\n  1,\n  [2, 3]\n]\n"
    assert dumps("scalar") == '"scalar"\n'
