"""Regenerate the generated parts of docs/: the rule reference and the commands' --help blocks.

    python scripts/gen_docs.py           # rewrite docs/rules.md and docs/commands/*.md
    python scripts/gen_docs.py --check   # exit 1 and name the stale files (tests/test_docs.py does the same)

docs/rules.md is exactly `astra-guard rules list --format markdown`; in docs/commands/*.md only
the blocks between `<!-- help: astra-guard ... -->` and `<!-- /help -->` are rewritten.
"""

from __future__ import annotations

import sys
from pathlib import Path

from astra_guard.docs import refresh_help_blocks, rules_markdown
from astra_guard.rules.catalog import load_catalog

DOCS = Path(__file__).resolve().parent.parent / "docs"


def expected() -> dict[Path, str]:
    """Every generated file with the content it should have."""
    files = {DOCS / "rules.md": rules_markdown(load_catalog())}
    for page in sorted((DOCS / "commands").glob("*.md")):
        files[page] = refresh_help_blocks(page.read_text(encoding="utf-8"))
    return files


def main(argv: list[str]) -> int:
    files = expected()
    stale = [p for p, text in files.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    if "--check" in argv:
        for path in stale:
            print(f"stale: {path.relative_to(DOCS.parent)} (run python scripts/gen_docs.py)", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(files[path], encoding="utf-8")
        print(f"wrote {path.relative_to(DOCS.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
