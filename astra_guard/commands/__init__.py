"""One module per command: plain functions that return an exit code."""
