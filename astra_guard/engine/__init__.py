"""Policy engines: the embedded Rego engine and the Python rule runner."""
