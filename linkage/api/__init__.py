"""HTTP API blueprints, one per concern."""
