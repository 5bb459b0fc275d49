"""The error types the command line catches at its edge."""

from __future__ import annotations


class AstraGuardError(Exception):
    """Root of every error astra-guard raises on purpose."""


class UsageError(AstraGuardError):
    """The command line or the configuration asked for something impossible (exit 2)."""


class PolicyError(AstraGuardError):
    """A policy cannot be loaded: bad Rego, bad metadata, a builtin the engine lacks (exit 2)."""
