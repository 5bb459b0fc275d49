"""Python rules for dockerfile."""
