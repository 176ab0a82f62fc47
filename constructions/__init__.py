"""constructions package (see docs/architecture.md)."""
