"""verification package (see docs/architecture.md)."""
