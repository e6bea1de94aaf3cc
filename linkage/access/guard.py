"""The guard in front of every request: scopes, allowed origins (CORS), rate limits, security
headers.

Missing or unknown key: 401; a scope or origin the key lacks, or no Origin with a key that lists
origins and is not marked server_use: 403; over its rate limit: 429 with Retry-After
(RateLimitExceeded, answered in the one error shape by linkage/api/errors.py).
The case-manager page served by the app gets a signed page token (an hour; search and match, a
page at a time: no NDJSON export; its own limit per address) instead of a key; the
embeddable search frame (/embed/frame?key=...) gets an embed token: search only, counted against
its partner's rate limit, void once the partner's key leaves the file (partners.py, tokens.py).
With public search on (LINKAGE_PUBLIC_SEARCH), search needs no key (limited per address).
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask_cors import CORS
from flask_limiter import Limiter
from flask_smorest import abort
from limits import RateLimitItem
from limits.strategies import STRATEGIES, FixedWindowRateLimiter
from limits.util import WindowStats

from linkage.access import tokens
from linkage.access.partners import Callers, Partner, load_partners, presented_key
from linkage.config import Settings

# Which scope each endpoint needs; endpoints not listed (health, docs, pages) need none.
SCOPES = {
    "search.Search": "search",
    "resources.Resource": "search",
    "resources.Categories": "search",
    "referrals.Instruments": "match",
    "referrals.Needs": "match",
    "referrals.Match": "match",
    "referral_bundles.ReferralBundles": "match",
    "imports.Imports": "import",
    "imports.Import": "import",
    "imports.Sources": "import",
    "imports.Source": "import",
}
PUBLIC_RATE_LIMIT = "60/minute"
EXPIRED_TOKEN = "the page token is invalid or expired: reload the page"
NO_ORIGIN = (
    "this key may be used only from its partner's sites (no Origin header was sent); "
    "a key for server-side calls is marked server_use in the keys file"
)
NO_BULK_EXPORT = (
    "a page token may not export the whole directory (format=ndjson): use a partner key"
)


@dataclass(frozen=True, eq=False)
class Access:
    """One app's access state (app.extensions["linkage_access"])."""

    callers: Callers
    public_search: bool
    frame_ancestors: str  # who may frame this app's pages (CSP frame-ancestors)
    limiter: Limiter
    hsts: bool = False  # Strict-Transport-Security on plain-HTTP requests too (behind TLS)
    tile_source: str = ""  # the map tiles' host (CSP img-src), when LINKAGE_MAP_TILES is set


def access_of(app: Flask) -> Access:
    return app.extensions["linkage_access"]


def current_access() -> Access:
    return access_of(current_app)


def scope_of(endpoint: str | None) -> str | None:
    """The scope an endpoint needs; the HSDS API reads the directory, as search does."""
    if endpoint and endpoint.startswith("hsds."):
        return "search"
    return SCOPES.get(endpoint or "")


def own_origin() -> str:
    """This app's scheme://host, as the request reached it."""
    parts = urlsplit(request.host_url)
    return f"{parts.scheme}://{parts.netloc}"


def _calling_partner(callers: Callers, key: str) -> Partner:
    """Who presents `key`: a page or embed token, the admin key or a partner key; 401 if none."""
    kind = tokens.kind_of(key)
    if kind == tokens.PAGE:
        partner = callers.by_page_token(key, own_origin())
    elif kind == tokens.EMBED:
        partner = callers.by_embed_token(key, own_origin())
    else:
        partner = callers.admin(key) or callers.by_key(key)
        if partner is None:
            abort(401, message="unknown API key")
    if partner is None:
        abort(401, message=EXPIRED_TOKEN)
    return partner


def _check_origin(partner: Partner) -> None:
    """403 from an origin the key does not list, and for a browser partner's key (one that lists
    origins and is not marked server_use) without any Origin: curl, a script, another server."""
    origin = request.headers.get("Origin")
    if not origin:
        if partner.origin_required:
            abort(403, message=NO_ORIGIN)
        return
    if partner.origins and origin.rstrip("/") not in partner.origins:
        abort(403, message=f"this key may not be used from {origin}")


def _check_bulk_export(partner: Partner) -> None:
    """403 for the whole directory in one response (HSDS format=ndjson) to a caller who may not
    take it: the page's token is for a page of results at a time."""
    if (
        not partner.bulk_export
        and (request.endpoint or "").startswith("hsds.")
        and request.args.get("format") == "ndjson"
    ):
        abort(403, message=NO_BULK_EXPORT)


def _exempt_from_checks() -> bool:
    """Endpoints that need no scope (health, docs, pages) and CORS preflights."""
    return scope_of(request.endpoint) is None or request.method == "OPTIONS"


def check_access() -> None:
    """Before every request: who is asking, and may they?"""
    if _exempt_from_checks():
        return
    scope = scope_of(request.endpoint)
    access = current_access()
    key = presented_key(request.headers)
    if key is None:
        if scope == "search" and access.public_search:
            g.partner = None
            return
        abort(401, message="an API key is required (Authorization: Bearer <key>)")
    partner = _calling_partner(access.callers, key)
    if scope not in partner.scopes:
        abort(
            403,
            message=f"this key may not use {scope} (its scopes: {', '.join(sorted(partner.scopes))})",
        )
    _check_origin(partner)
    _check_bulk_export(partner)
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


class CountedFixedWindow(FixedWindowRateLimiter):
    """flask-limiter's fixed window, keeping what each request's hit counted (per thread) and
    when each window ends (per process): the X-RateLimit headers then cost the store no
    round trip beyond the count itself (one a request to memcached, where the stock strategy
    makes three: it reads the count and the window's end again)."""

    NAME = "linkage-fixed-window"
    KEPT_WINDOWS = 4096  # window ends kept before the ended ones are dropped

    def __init__(self, storage):
        super().__init__(storage)
        self._counted = threading.local()
        self._ends: dict[str, float] = {}
        self._ends_lock = threading.Lock()  # a gthread worker's threads share _ends

    def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        key = item.key_for(*identifiers)
        self._counted.last = None  # the store failing: no count of an earlier request stands
        count = self.storage.incr(key, item.get_expiry(), amount=cost)
        self._counted.last = (key, count)
        return count <= item.amount

    def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        key = item.key_for(*identifiers)
        last = getattr(self._counted, "last", None)
        if last is None or last[0] != key:
            return super().get_window_stats(item, *identifiers)
        now = time.time()
        with self._ends_lock:
            end = self._ends.get(key)
        if end is None or end <= now:
            end = self.storage.get_expiry(key)  # outside the lock: a round trip to the store
            with self._ends_lock:
                if len(self._ends) >= self.KEPT_WINDOWS:
                    self._ends = {k: v for k, v in self._ends.items() if v > now}
                self._ends[key] = end
        return WindowStats(end, max(0, item.amount - last[1]))


STRATEGIES[CountedFixedWindow.NAME] = CountedFixedWindow  # type: ignore[assignment]


def retry_after_seconds() -> int:
    """Seconds until the limit this request went over lets it through again (at least 1)."""
    current = current_access().limiter.current_limit
    return max(1, int(current.reset_at - time.time())) if current else 60


# Features no page of this app uses, refused to it and to whatever it frames.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)
# The case-manager page's own: its "Use my location" asks the browser, for this origin only.
PAGE_PERMISSIONS_POLICY = PERMISSIONS_POLICY.replace("geolocation=()", "geolocation=(self)")
# A map tile template's scheme and host, as CSP writes a source ({s}: any subdomain).
_TILE_SOURCE = re.compile(
    r"https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9a-fA-F:.]+\](:[0-9]{1,5})?"
)


def tile_source(template: str) -> str:
    """The CSP source that lets the page load the map tiles of `template` ("" for none, or for
    tiles on this app's own host); a template whose host CSP cannot name is refused."""
    parts = urlsplit(template)
    if not parts.scheme and not parts.netloc:
        return ""  # none, or a path on this app's host: 'self' covers it
    source = f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"
    if not _TILE_SOURCE.fullmatch(source):
        raise ValueError(
            f"LINKAGE_MAP_TILES must be an http(s) URL template such as "
            f"https://tiles.example.org/{{z}}/{{x}}/{{y}}.png, not {template!r}"
        )
    return source


HSTS = "max-age=31536000"  # a year; no includeSubDomains: the deployer's other hosts are theirs
API_PATHS = ("/v1/", "/hsds/")


def rate_limit_headers(response):
    """X-RateLimit-Limit, -Remaining and -Reset of the limit this request counted against.

    Written here rather than by flask-limiter (headers_enabled), which also puts its window on
    every response as Retry-After: on a 200, and over the 503's own 5 s. Retry-After is only
    ever sent by the 429 and 503 handlers (api/errors.py)."""
    current = current_access().limiter.current_limit
    if current is None:
        return response
    try:
        counts = {"Limit": current.limit.amount, "Remaining": current.remaining}
        counts["Reset"] = current.reset_at
    except Exception as exc:  # the store went away after counting: the answer stands
        current_app.logger.warning("rate-limit store unreachable: %s", type(exc).__name__)
        return response
    for name, value in counts.items():
        response.headers[f"X-RateLimit-{name}"] = str(value)
    return response


def security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if request.is_secure or current_access().hsts:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.path.startswith(API_PATHS):
        # Answers carry a directory search or a client's referrals: no cache keeps them.
        response.headers["Cache-Control"] = "no-store"
    if response.mimetype == "text/html" and "Content-Security-Policy" not in response.headers:
        docs = request.path.startswith("/docs")  # Swagger UI starts itself with an inline script
        script = "'self' 'unsafe-inline'" if docs else "'self'"
        images = " ".join(filter(None, ("'self' data:", current_access().tile_source)))
        response.headers["Content-Security-Policy"] = (
            f"default-src 'self'; script-src {script}; style-src 'self' 'unsafe-inline'; "
            f"img-src {images}; connect-src 'self'; object-src 'none'; base-uri 'self'; "
            f"frame-ancestors {current_access().frame_ancestors}"
        )
    return response


def init_app(app: Flask, settings: Settings) -> None:
    callers = Callers(
        partners=load_partners(settings.partner_keys),
        secret=tokens.signing_secret(settings),
        admin_key=settings.admin_api_key,
        page_rate_limit=settings.page_rate_limit,
    )
    origins = callers.origins
    limiter = Limiter(
        _rate_key,
        default_limits=[_rate_limit],
        default_limits_exempt_when=_exempt_from_checks,
        storage_uri=settings.rate_limit_storage,
        headers_enabled=False,  # rate_limit_headers writes them, without Retry-After
        key_prefix="linkage",
        strategy=CountedFixedWindow.NAME,
    )
    app.extensions["linkage_access"] = Access(
        callers=callers,
        public_search=settings.public_search,
        # Partners may embed the search in an iframe on their own sites.
        frame_ancestors=" ".join(["'self'", *origins]),
        limiter=limiter,
        hsts=settings.hsts,
        tile_source=tile_source(settings.map_tiles),
    )
    # Order matters: who is calling (g.partner) is known before the limiter counts the request.
    app.before_request(check_access)
    # Preflight requests carry no key: any partner's origin passes CORS; the key's own
    # origins are checked on the request itself (403 otherwise).
    CORS(app, resources={r"/v1/*": {"origins": origins or []}, r"/hsds/*": {"origins": origins or []}},
         allow_headers=["Authorization", "X-API-Key", "Content-Type"],
         expose_headers=["Retry-After"], max_age=600)  # fmt: skip
    limiter.init_app(app)
    app.after_request(rate_limit_headers)
    app.after_request(security_headers)
