"""Python rules for terraform."""
