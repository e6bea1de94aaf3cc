"""Signed, expiring tokens this app gives its own pages in place of a partner key.

Two kinds, told apart by their first word and signed with a salt of their own, so that one kind
never passes for the other:
- a page token, `page.<issued>.<signature>`: the case-manager page and the embed demo present it;
  it may search and match. It lasts PAGE_TOKEN_SECONDS (an hour) and only loading one of this
  app's pages issues a new one: a frame opened with it keeps it (partners.Callers.frame_token).
- an embed token, `embed.<key sha256>.<issued>.<signature>`: the search frame a partner embeds
  presents it; it stands for that partner's key, so it is void once the key leaves the keys file.
  It lasts EMBED_TOKEN_SECONDS. Signing (HMAC-SHA256), the issue time and the constant-time check
  are itsdangerous's TimestampSigner.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from itsdangerous import BadData, TimestampSigner

from linkage.config import Settings

PAGE = "page"
EMBED = "embed"
# A page token is handed to anyone who loads the page: short-lived, so one copied into a script
# stops working soon. An embed token stands for a partner key whose frame may stay open all day.
PAGE_TOKEN_SECONDS = 3600
EMBED_TOKEN_SECONDS = 12 * 3600
_LIFE = {PAGE: PAGE_TOKEN_SECONDS, EMBED: EMBED_TOKEN_SECONDS}


class _Signer(TimestampSigner):
    """itsdangerous's timestamp signer for one kind of token, issuing at a given time if asked
    (tests make tokens issued in the past)."""

    def __init__(self, secret: bytes, kind: str, issued_at: float | None = None):
        super().__init__(secret, salt=f"linkage.{kind}-token", digest_method=hashlib.sha256)
        self.issued_at = issued_at

    def get_timestamp(self) -> int:
        return super().get_timestamp() if self.issued_at is None else int(self.issued_at)


def kind_of(token: str) -> str | None:
    """PAGE or EMBED for what looks like one of this app's tokens; None for anything else (a
    partner key)."""
    kind, dot, _ = token.partition(".")
    return kind if dot and kind in (PAGE, EMBED) else None


def page_token(secret: bytes, now: float | None = None) -> str:
    return _Signer(secret, PAGE, now).sign(PAGE).decode()


def embed_token(secret: bytes, key_sha256: str, now: float | None = None) -> str:
    """The token the search frame of the partner whose key hashes to `key_sha256` presents."""
    return _Signer(secret, EMBED, now).sign(f"{EMBED}.{key_sha256}").decode()


def is_page_token(secret: bytes, token: str) -> bool:
    """Whether `token` is a page token this app signed that has not expired."""
    return _read(secret, PAGE, token) == PAGE


def embed_token_key(secret: bytes, token: str) -> str | None:
    """The key hash an embed token speaks for; None when it is forged, altered or expired."""
    value = _read(secret, EMBED, token)
    if value is None or not value.startswith(f"{EMBED}."):
        return None
    return value.removeprefix(f"{EMBED}.")


def _read(secret: bytes, kind: str, token: str) -> str | None:
    if not token.isascii():  # tokens are ASCII; anything else was never one of ours
        return None
    try:
        return _Signer(secret, kind).unsign(token, max_age=_LIFE[kind]).decode()
    except BadData:
        return None


def signing_secret(settings: Settings) -> bytes:
    """The tokens' signing secret: configured, else one kept beside the upload folder so every
    gunicorn worker on the machine shares it."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = Path(settings.upload_dir).parent / "secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()
