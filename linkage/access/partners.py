"""Who is calling: a partner from the deployer's keys file, the admin, or this app's own pages.

Keys are configured by the deployer in a JSON file (LINKAGE_PARTNER_KEYS) and stored only as
SHA-256 hashes:
    [{"name": "eastside-portal", "key_sha256": "<hex>", "origins": ["https://portal.example"],
      "rate_limit": "120/minute", "scopes": ["search", "match"]}]
A key that lists origins is a browser partner's: a request presenting it without an Origin header
(curl, a script) is refused, unless the entry says `"server_use": true` (the partner also calls
from its servers). A key without origins is a server-to-server partner's and may call from
anywhere.
`new_key()` makes a key and its hash for the file (the `new-key` command, linkage/access/cli.py).
A key is sent as `Authorization: Bearer <key>` or `X-API-Key: <key>`. This app's own pages
present a page token instead, and a partner's search frame an embed token (tokens.py).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from linkage.access import tokens

SCOPE_NAMES = frozenset({"search", "match", "import"})
PAGE_SCOPES = frozenset({"search", "match"})
DEFAULT_RATE_LIMIT = "120/minute"


@dataclass(frozen=True)
class Partner:
    name: str
    scopes: frozenset[str]
    origins: tuple[str, ...] = ()  # empty: any origin (server-to-server partners)
    rate_limit: str = DEFAULT_RATE_LIMIT
    # Count per client address rather than per partner: the page's many case managers share
    # one "partner" but each should get the page's limit.
    per_address: bool = False
    # A browser partner's key (origins listed, not marked server_use): no Origin header, no call.
    origin_required: bool = False
    # May take the whole directory in one response (the HSDS API's format=ndjson).
    bulk_export: bool = True


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """A new random partner key and its hash for the keys file."""
    key = secrets.token_urlsafe(32)
    return key, hash_key(key)


def load_partners(path: str) -> dict[str, Partner]:
    """Partners by key hash, from the deployer's file."""
    if not path:
        return {}
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    partners = {}
    for e in entries:
        unknown = set(e.get("scopes", ())) - SCOPE_NAMES
        if unknown:
            raise ValueError(
                f"{path}: partner {e.get('name')!r} has unknown scopes {sorted(unknown)}"
            )
        server_use = e.get("server_use", False)
        if not isinstance(server_use, bool):
            raise ValueError(f"{path}: partner {e.get('name')!r}: server_use must be true or false")
        origins = tuple(o.rstrip("/") for o in e.get("origins", ()))
        partners[e["key_sha256"].lower()] = Partner(
            name=e["name"],
            scopes=frozenset(e.get("scopes", ("search",))),
            origins=origins,
            rate_limit=e.get("rate_limit", DEFAULT_RATE_LIMIT),
            origin_required=bool(origins) and not server_use,
        )
    return partners


def presented_key(headers: Mapping[str, str]) -> str | None:
    """The key (or token) a request presents: `Authorization: Bearer <key>` or `X-API-Key`."""
    auth = headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        return auth.removeprefix("Bearer ").strip() or None
    return headers.get("X-API-Key") or None


@dataclass(frozen=True, eq=False)
class Callers:
    """Everyone who may call this app. `own_origin` below is this app's scheme://host, the only
    origin its own pages (and the frames it serves) call from."""

    partners: Mapping[str, Partner]  # by key hash
    secret: bytes  # signs page and embed tokens
    admin_key: str
    page_rate_limit: str

    @property
    def origins(self) -> list[str]:
        """Every partner's allowed origins, sorted."""
        return sorted({o for p in self.partners.values() for o in p.origins})

    def by_key(self, key: str) -> Partner | None:
        return self.partners.get(hash_key(key))

    def admin(self, key: str) -> Partner | None:
        if self.admin_key and key == self.admin_key:
            return Partner("admin", frozenset({"import"}))
        return None

    def by_page_token(self, token: str, own_origin: str) -> Partner | None:
        """This app's own pages, when `token` is a valid page token: what the page does (search
        and match, a page of results at a time), at the page's own limit per client address."""
        if not tokens.is_page_token(self.secret, token):
            return None
        return Partner(
            "case-manager-page",
            PAGE_SCOPES,
            (own_origin,),
            self.page_rate_limit,
            per_address=True,
            bulk_export=False,
        )

    def by_embed_token(self, token: str, own_origin: str) -> Partner | None:
        """The partner an embed token speaks for (search only, from this app's own frame)."""
        partner = self.partners.get(tokens.embed_token_key(self.secret, token) or "")
        if partner is None or "search" not in partner.scopes:
            return None
        return Partner(partner.name, frozenset({"search"}), (own_origin,), partner.rate_limit)

    def for_frame(self, key: str, own_origin: str) -> Partner | None:
        """Who a search frame's `?key=` belongs to: a partner key, or a page token of this app
        (the embed demo uses one where a partner would put its key); None when unknown or
        expired."""
        if not key:
            return None
        if tokens.kind_of(key) == tokens.PAGE:
            return self.by_page_token(key, own_origin)
        return self.by_key(key)

    def page_token(self) -> str:
        """A fresh token for one of this app's pages."""
        return tokens.page_token(self.secret)

    def frame_token(self, key: str) -> str:
        """The token a search frame opened with `?key=` talks to the API with: never the key. A
        page token (the embed demo's) is handed on as it is: the frame never renews it."""
        if tokens.kind_of(key) == tokens.PAGE:
            return key
        return tokens.embed_token(self.secret, hash_key(key))
