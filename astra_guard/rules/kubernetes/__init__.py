"""Python rules for kubernetes."""
