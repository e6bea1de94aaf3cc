"""Partner access: who is calling (partners.py), the tokens of this app's own pages (tokens.py),
and the guard in front of every request (guard.py: scopes, CORS, rate limits, headers)."""

from __future__ import annotations

from flask import Flask

from linkage.access import guard
from linkage.access.cli import new_key_command
from linkage.config import Settings


def init_app(app: Flask, settings: Settings) -> None:
    """Guard every request of `app`, and give its command line `new-key`."""
    guard.init_app(app, settings)
    app.cli.add_command(new_key_command)
