"""`new-key`: a new random partner key and its hash for the keys file.

A flask command (`flask --app wsgi new-key`) and, as before, `python -m linkage.access new-key`.
"""

from __future__ import annotations

import sys

import click

from linkage.access.partners import new_key


def _new_key_text() -> str:
    key, digest = new_key()
    return f"key (give it to the partner, once): {key}\nkey_sha256 (put in the keys file): {digest}"


@click.command("new-key")
def new_key_command() -> None:
    """Print a new partner key (give it to the partner, once) and its hash (for the keys file)."""
    click.echo(_new_key_text())


def main() -> None:
    """`python -m linkage.access new-key`."""
    if sys.argv[1:] != ["new-key"]:
        sys.exit("usage: python -m linkage.access new-key")
    print(_new_key_text())
