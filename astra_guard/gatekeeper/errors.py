"""How a gator test or case fails, and the quoting its messages share with gator's.

A TemplateError or a ConstraintError fails the test (`invalid: true` expects a ConstraintError that
is a schema error); a CaseError fails the case. A file a suite names that cannot be used at all is a
`suite.InputFileError` (exit 2).
"""

from __future__ import annotations

import json


def go_quote(value: object) -> str:
    """Quoted as Go's %q quotes (double quotes), for messages that match gator's."""
    return json.dumps(value if isinstance(value, str) else str(value), ensure_ascii=False)


class TemplateError(Exception):
    """The template cannot be added (gator: the test fails)."""


class ConstraintError(Exception):
    """The constraint cannot be added; `schema` when it is a schema validation error."""

    def __init__(self, message: str, schema: bool = False) -> None:
        super().__init__(message)
        self.schema = schema


class CaseError(Exception):
    """The case's review could not run (gator: the case fails)."""
