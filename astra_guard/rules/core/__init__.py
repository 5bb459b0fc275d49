"""Python rules for core."""
