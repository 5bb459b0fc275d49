"""astra-guard: a release checklist as policy-as-code, checked in CI and enforced at admission."""

__version__ = "0.1.0"
