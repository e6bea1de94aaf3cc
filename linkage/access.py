"""Partner access: API keys with scopes, allowed origins and rate limits; security headers.

Keys are configured by the deployer in a JSON file (LINKAGE_PARTNER_KEYS) and stored only as
SHA-256 hashes:
    [{"name": "eastside-portal", "key_sha256": "<hex>", "origins": ["https://portal.example"],
      "rate_limit": "120/minute", "scopes": ["search", "match"]}]
`python -m linkage.access new-key` makes a key and prints its hash for the file.

A key is sent as `Authorization: Bearer <key>` or `X-API-Key: <key>`. Missing or unknown key:
401; a scope or origin the key lacks: 403; over its rate limit: 429 with Retry-After. The
case-manager page served by the app gets a signed, expiring page token instead of a key; the
embeddable search frame (/embed/frame?key=...) gets an embed token: search only, counted against
its partner's rate limit, void once the partner's key leaves the file.
With public search on (LINKAGE_PUBLIC_SEARCH), search needs no key (limited per address).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_smorest import abort

from linkage.config import Settings

# Which scope each endpoint needs; endpoints not listed (health, docs, pages) need none.
SCOPES = {
    "search.Search": "search",
    "resources.Resource": "search",
    "resources.Categories": "search",
    "referrals.Instruments": "match",
    "referrals.Needs": "match",
    "referrals.Match": "match",
    "imports.Imports": "import",
    "imports.Import": "import",
    "imports.Sources": "import",
    "imports.Source": "import",
}
PAGE_SCOPES = frozenset({"search", "match"})
PAGE_TOKEN_SECONDS = 12 * 3600
DEFAULT_RATE_LIMIT = "120/minute"
PUBLIC_RATE_LIMIT = "60/minute"


@dataclass(frozen=True)
class Partner:
    name: str
    scopes: frozenset[str]
    origins: tuple[str, ...] = ()  # empty: any origin (server-to-server partners)
    rate_limit: str = DEFAULT_RATE_LIMIT
    # Count per client address rather than per partner: the page's many case managers share
    # one "partner" but each should get the page's limit.
    per_address: bool = False


def scope_of(endpoint: str | None) -> str | None:
    """The scope an endpoint needs; the HSDS API reads the directory, as search does."""
    if endpoint and endpoint.startswith("hsds."):
        return "search"
    return SCOPES.get(endpoint or "")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def load_partners(path: str) -> dict[str, Partner]:
    """Partners by key hash, from the deployer's file."""
    if not path:
        return {}
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    partners = {}
    for e in entries:
        unknown = set(e.get("scopes", ())) - {"search", "match", "import"}
        if unknown:
            raise ValueError(
                f"{path}: partner {e.get('name')!r} has unknown scopes {sorted(unknown)}"
            )
        partners[e["key_sha256"].lower()] = Partner(
            name=e["name"],
            scopes=frozenset(e.get("scopes", ("search",))),
            origins=tuple(o.rstrip("/") for o in e.get("origins", ())),
            rate_limit=e.get("rate_limit", DEFAULT_RATE_LIMIT),
        )
    return partners


def _secret(settings: Settings) -> bytes:
    """The page-token signing secret: configured, else one kept beside the upload folder so
    every gunicorn worker on the machine shares it."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = Path(settings.upload_dir).parent / "secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def page_token(secret: bytes, now: float | None = None) -> str:
    expires = int((now or time.time()) + PAGE_TOKEN_SECONDS)
    signature = hmac.new(secret, f"page.{expires}".encode(), hashlib.sha256).hexdigest()
    return f"page.{expires}.{signature}"


def _valid_page_token(secret: bytes, token: str) -> bool:
    try:
        _, expires, signature = token.split(".")
    except ValueError:
        return False
    expected = hmac.new(secret, f"page.{expires}".encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature, expected) and int(expires) > time.time()


def embed_token(secret: bytes, key_sha256: str, now: float | None = None) -> str:
    """The token the search frame of the partner whose key hashes to `key_sha256` presents."""
    expires = int((now or time.time()) + PAGE_TOKEN_SECONDS)
    payload = f"embed.{key_sha256}.{expires}"
    signature = hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{signature}"


def _embed_partner(state: dict, token: str) -> Partner | None:
    """The partner an embed token speaks for (search only, from this app's own pages)."""
    try:
        _, digest, expires, signature = token.split(".")
    except ValueError:
        return None
    if not token.isascii():  # compare_digest takes ASCII text only
        return None
    expected = hmac.new(
        state["secret"], f"embed.{digest}.{expires}".encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(signature, expected) or not expires.isdigit():
        return None
    partner = state["partners"].get(digest)
    if int(expires) <= time.time() or partner is None or "search" not in partner.scopes:
        return None
    return Partner(partner.name, frozenset({"search"}), (_own_origin(),), partner.rate_limit)


def partner_for_key(key: str) -> Partner | None:
    """Who a partner key, or a page token of this app, belongs to; None when unknown or expired.

    A page token stands for this app's own pages (their origin only): the embed demo uses one
    where a partner would put its key."""
    state = current_app.extensions.get("linkage_access")
    if not state or not key:
        return None
    if key.startswith("page."):
        if not key.isascii() or not _valid_page_token(state["secret"], key):
            return None
        return _page_partner(state)
    return state["partners"].get(hash_key(key))


def _page_partner(state: dict) -> Partner:
    """Who this app's own pages are, when they present a page token."""
    return Partner(
        "case-manager-page",
        PAGE_SCOPES,
        (_own_origin(),),
        state["page_rate_limit"],
        per_address=True,
    )


def _presented_key() -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        return auth.removeprefix("Bearer ").strip() or None
    return request.headers.get("X-API-Key") or None


def _origin_allowed(partner: Partner) -> bool:
    origin = request.headers.get("Origin")
    if not origin or not partner.origins:
        return True
    return origin.rstrip("/") in partner.origins


def _own_origin() -> str:
    parts = urlsplit(request.host_url)
    return f"{parts.scheme}://{parts.netloc}"


def check_access() -> None:
    """Before every request: who is asking, and may they?"""
    scope = scope_of(request.endpoint)
    if scope is None or request.method == "OPTIONS":
        return
    state = current_app.extensions["linkage_access"]
    key = _presented_key()
    if key is None:
        if scope == "search" and state["public_search"]:
            g.partner = None
            return
        abort(401, message="an API key is required (Authorization: Bearer <key>)")
    if key.startswith("page."):
        if not key.isascii() or not _valid_page_token(state["secret"], key):
            abort(401, message="the page token is invalid or expired: reload the page")
        partner = _page_partner(state)
    elif key.startswith("embed."):
        partner = _embed_partner(state, key)
        if partner is None:
            abort(401, message="the page token is invalid or expired: reload the page")
    elif key == state["admin_key"] and state["admin_key"]:
        partner = Partner("admin", frozenset({"import"}))
    else:
        partner = state["partners"].get(hash_key(key))
        if partner is None:
            abort(401, message="unknown API key")
    if scope not in partner.scopes:
        abort(
            403,
            message=f"this key may not use {scope} (its scopes: {', '.join(sorted(partner.scopes))})",
        )
    if not _origin_allowed(partner):
        abort(403, message=f"this key may not be used from {request.headers.get('Origin')}")
    g.partner = partner


def _rate_key() -> str:
    partner = g.get("partner")
    if partner is None:
        return f"address:{request.remote_addr}"
    if partner.per_address:
        return f"partner:{partner.name}:{request.remote_addr}"
    return f"partner:{partner.name}"


def _rate_limit() -> str:
    partner = g.get("partner")
    return partner.rate_limit if partner else PUBLIC_RATE_LIMIT


def _limited() -> bool:
    return scope_of(request.endpoint) is None or request.method == "OPTIONS"


def security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if response.mimetype == "text/html" and "Content-Security-Policy" not in response.headers:
        docs = request.path.startswith("/docs")  # Swagger UI starts itself with an inline script
        script = "'self' 'unsafe-inline'" if docs else "'self'"
        response.headers["Content-Security-Policy"] = (
            f"default-src 'self'; script-src {script}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
            f"frame-ancestors {current_app.extensions['linkage_access']['frame_ancestors']}"
        )
    return response


def init_app(app: Flask, settings: Settings) -> None:
    partners = load_partners(settings.partner_keys)
    origins = sorted({o for p in partners.values() for o in p.origins})
    app.extensions["linkage_access"] = {
        "partners": partners,
        "public_search": settings.public_search,
        "admin_key": settings.admin_api_key,
        "secret": _secret(settings),
        "page_rate_limit": settings.page_rate_limit,
        # Partners may embed the search in an iframe on their own sites.
        "frame_ancestors": " ".join(["'self'", *origins]),
    }
    app.before_request(check_access)
    # Preflight requests carry no key: any partner's origin passes CORS; the key's own
    # origins are checked on the request itself (403 otherwise).
    CORS(app, resources={r"/v1/*": {"origins": origins or []}, r"/hsds/*": {"origins": origins or []}},
         allow_headers=["Authorization", "X-API-Key", "Content-Type"],
         expose_headers=["Retry-After"], max_age=600)  # fmt: skip
    limiter = Limiter(
        _rate_key,
        app=app,
        default_limits=[_rate_limit],
        default_limits_exempt_when=_limited,
        storage_uri=settings.rate_limit_storage,
        headers_enabled=True,
        key_prefix="linkage",
    )
    app.extensions["linkage_limiter"] = limiter
    app.after_request(security_headers)

    @app.errorhandler(RateLimitExceeded)
    def too_many(exc: RateLimitExceeded):
        from linkage.api.errors import error_response

        current = limiter.current_limit
        retry = max(1, int(current.reset_at - time.time())) if current else 60
        headers = {"Retry-After": str(retry)}
        return error_response(429, f"rate limit exceeded ({exc.description}); retry later", headers)


def main() -> None:
    """`python -m linkage.access new-key`: a new random key and its hash for the keys file."""
    if sys.argv[1:] != ["new-key"]:
        sys.exit("usage: python -m linkage.access new-key")
    key = secrets.token_urlsafe(32)
    print(
        f"key (give it to the partner, once): {key}\nkey_sha256 (put in the keys file): {hash_key(key)}"
    )


if __name__ == "__main__":
    main()
