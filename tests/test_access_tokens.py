"""The page and embed tokens (linkage/access/tokens.py) on their own, and the `new-key` command."""

import subprocess
import sys
import time

from linkage.access import tokens
from linkage.access.partners import hash_key
from linkage.app import create_app
from tests.conftest import ROOT

SECRET = b"a secret for these tests only"
KEY_HASH = hash_key("a partner key")


def test_a_page_token_is_good_for_an_hour_and_only_under_its_secret():
    assert tokens.is_page_token(SECRET, tokens.page_token(SECRET))
    assert tokens.is_page_token(SECRET, tokens.page_token(SECRET, now=time.time() - 59 * 60))
    assert not tokens.is_page_token(SECRET, tokens.page_token(SECRET, now=time.time() - 61 * 60))
    assert not tokens.is_page_token(b"another secret", tokens.page_token(SECRET))


def test_an_altered_or_foreign_token_is_refused():
    token = tokens.page_token(SECRET)
    head, issued, signature = token.split(".")
    other = "A" if signature[0] != "A" else "B"
    assert not tokens.is_page_token(SECRET, f"{head}.{issued}.{other}{signature[1:]}")
    assert not tokens.is_page_token(SECRET, "page.é.x")
    assert not tokens.is_page_token(SECRET, "page")


def test_an_embed_token_speaks_for_one_key_and_is_no_page_token():
    token = tokens.embed_token(SECRET, KEY_HASH)
    assert tokens.kind_of(token) == tokens.EMBED
    assert tokens.embed_token_key(SECRET, token) == KEY_HASH
    assert not tokens.is_page_token(SECRET, token)
    assert tokens.embed_token_key(SECRET, tokens.page_token(SECRET)) is None
    forged = token.replace(KEY_HASH, hash_key("someone else's key"))
    assert tokens.embed_token_key(SECRET, forged) is None
    expired = tokens.embed_token(SECRET, KEY_HASH, now=time.time() - 13 * 3600)
    assert tokens.embed_token_key(SECRET, expired) is None


def test_a_partner_key_is_no_token():
    assert tokens.kind_of("test-partner-key-with-every-scope") is None
    assert tokens.kind_of(tokens.page_token(SECRET)) == tokens.PAGE


def key_and_hash(output: str) -> tuple[str, str]:
    lines = dict(line.split(": ", 1) for line in output.strip().splitlines())
    return (
        lines["key (give it to the partner, once)"],
        lines["key_sha256 (put in the keys file)"],
    )


def test_new_key_as_a_flask_command_and_as_python_m(settings):
    app = create_app({"SETTINGS": settings})
    result = app.test_cli_runner().invoke(args=["new-key"])
    key, digest = key_and_hash(result.output)
    assert result.exit_code == 0 and digest == hash_key(key) and len(key) >= 32
    printed = subprocess.run(
        [sys.executable, "-m", "linkage.access", "new-key"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    other_key, other_digest = key_and_hash(printed.stdout)
    assert other_digest == hash_key(other_key) and other_key != key
