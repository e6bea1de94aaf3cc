"""The case-manager page and the embeddable widget (templates and static files beside it)."""
