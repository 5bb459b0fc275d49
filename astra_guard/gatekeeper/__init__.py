"""Gatekeeper: export of the rules as ConstraintTemplates and Constraints, and gator-compatible verification."""
