"""Reporters: one module per output format, each a pure render(result, catalog) -> str."""
