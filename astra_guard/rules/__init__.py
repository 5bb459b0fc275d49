"""Rules: metadata, catalogue and the Python rules (Rego rules live in `rego/`)."""
