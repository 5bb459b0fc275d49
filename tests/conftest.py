"""Shared test helpers: paths to the repository, the shared specs and the seed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# The shared specs and schemas sit beside the checkout (../shared), in CI too.
SHARED = Path(os.environ.get("ASTRA_GUARD_SHARED", REPO.parent / "shared"))
SEED = REPO / "examples" / "astradesk-seed"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-expected", action="store_true", help="rewrite rule fixtures' .expected files")


@pytest.fixture
def update_expected(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-expected"))
