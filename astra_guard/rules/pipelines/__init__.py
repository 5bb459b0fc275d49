"""Python rules for pipelines."""
