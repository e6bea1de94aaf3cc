"""The case-manager page at `/`: a server-rendered page whose small script calls the JSON API.

Everything it needs is served from this app (linkage/templates, linkage/static): no CDN, no
web fonts, no map, so it works on a closed network. Screening answers travel only in the JSON
body of POST /v1/match; the page never puts them in a URL or in browser storage.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Blueprint, current_app, make_response, render_template

from linkage.languages import language_names
from linkage.runtime import runtime

blp = Blueprint("web", __name__)

STATIC = Path(__file__).resolve().parent / "static"
RADII_MILES = (1, 2, 5, 10, 25, 50, 100)

# Used only when nothing else in the app sets a Content-Security-Policy on HTML responses:
# the page loads scripts, styles and data from its own origin and nowhere else.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)


@cache
def asset_version() -> str:
    """A short hash of the page's static files, so browsers fetch them again after a change."""
    digest = hashlib.sha256()
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _page_token() -> str | None:
    """The signed, expiring token the page presents to the API, when the app asks for keys."""
    state = current_app.extensions.get("linkage_access")
    if not state:
        return None
    from linkage.access import page_token

    return page_token(state["secret"])


@blp.get("/")
def index():
    """The case-manager page: search, screening and the referral list."""
    settings = runtime().settings
    default_radius = settings.default_radius_miles
    radii = sorted({*RADII_MILES, default_radius})
    html = render_template(
        "index.html",
        languages=language_names(),
        radii=radii,
        default_radius=default_radius,
        accepts_addresses=settings.geocoder != "none",
        page_token=_page_token(),
        asset_version=asset_version(),
    )
    response = make_response(html)
    # The page carries a token for the API: never cached or stored by the browser or a proxy.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if "linkage_access" not in current_app.extensions:
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response
