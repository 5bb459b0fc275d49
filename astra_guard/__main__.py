"""`python -m astra_guard`."""

from astra_guard.cli import main

raise SystemExit(main())
