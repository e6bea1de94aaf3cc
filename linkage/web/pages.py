"""The case-manager page at `/`: a server-rendered page whose small script calls the JSON API.

Everything it needs is served from this app (linkage/templates, linkage/static): no CDN, no
web fonts; the map's Leaflet is served by the app too (linkage/web/vendor.py) and draws tiles
only from a host the deployer sets, so by default it works on a closed network. Screening answers travel only in the JSON
body of POST /v1/match; the page never puts them in a URL or in browser storage.

Partners embed the search in their own sites with `/widget.js` (a script that draws a search
box in a shadow root of a <div>, calling the API with the partner's key) or with an iframe of
`/embed/frame?key=<partner key>`, which only that key's origins may frame (`&near=` fills its
ZIP box). `/embed/demo` shows both.

Every page is in English or Spanish (linkage/web/i18n.py): the page embeds its scripts' words;
the widget fetches them from /embed/messages/<lang>.json, as its own URL cannot say a language.

The page and the widget share their DOM helpers (static/dom.js): the page loads it as a script
of its own; /widget.js is built from static/widget.js with dom.js inside its closure, so a
partner still includes one file and finds no new global on its page (`widget_script`).
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    jsonify,
    make_response,
    render_template,
    request,
)
from flask_babel import gettext as _

from linkage.access.guard import PAGE_PERMISSIONS_POLICY, current_access, own_origin
from linkage.languages import language_names
from linkage.runtime import runtime
from linkage.screening.needs import need_vocabulary
from linkage.screening.referral_bundle import letter_words
from linkage.web import i18n
from linkage.web.vendor import leaflet_version

blp = Blueprint("web", __name__)

STATIC = Path(__file__).resolve().parent / "static"
RADII_MILES = (1, 2, 5, 10, 25, 50, 100)


@cache
def asset_version() -> str:
    """A short hash of the page's static files, so browsers fetch them again after a change."""
    digest = hashlib.sha256()
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _page_token() -> str:
    """The signed, expiring token the page presents to the API."""
    return current_access().callers.page_token()


@cache
def list_words(data_dir: Path) -> dict:
    """The words of the printed, texted and emailed referral list in each client language (the
    letter's, data/referral-text.json) and the need labels in each: the list's language is the
    client's, which may differ from the page's."""
    vocabulary = need_vocabulary(data_dir)
    words = letter_words(data_dir)
    needs = {
        code: {lang: need.get("label_" + lang) or need["label"] for lang in words}
        for code, need in vocabulary.items()
    }
    return {"words": words, "needs": needs}


@blp.get("/")
def index():
    """The case-manager page: search, screening and the referral list."""
    settings = runtime().settings
    default_radius = settings.default_radius_miles
    radii = sorted({*RADII_MILES, default_radius})
    html = render_template(
        "index.html",
        languages=language_names(settings.data_dir),
        radii=radii,
        default_radius=default_radius,
        accepts_addresses=settings.geocoder != "none",
        directions_url=settings.directions_url,
        page_token=_page_token(),
        asset_version=asset_version(),
        leaflet_version=leaflet_version(),
        map_tiles=settings.map_tiles,
        map_attribution=settings.map_attribution,
        script_catalog=i18n.script_messages(i18n.locale()),
        list_words=list_words(settings.data_dir),
    )
    response = make_response(html)
    # The page carries a token for the API: never cached or stored by the browser or a proxy.
    response.headers["Cache-Control"] = "no-store"  # security headers: linkage.access.guard
    response.headers["Permissions-Policy"] = PAGE_PERMISSIONS_POLICY
    return response


# --- Embedding in partners' sites ---------------------------------------------------------------

# Partners' pages refer to /widget.js by that name, so it cannot be versioned in its URL: caches
# keep it an hour (and revalidate it by ETag after that).
WIDGET_MAX_AGE = 3600
# The search frame: scripts, styles and data from this app only; framed by the key's origins only.
FRAME_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors {ancestors}"
)
# What may stand in frame-ancestors: a scheme, a host (wildcard subdomain allowed), a port.
_ORIGIN = re.compile(
    r"https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9a-fA-F:.]+\](:[0-9]{1,5})?"
)


# What a frame may be asked to start with (`near`): a ZIP code or a short place name.
NEAR_MAX_LENGTH = 100


# The comment a script file opens with.
_LEADING_COMMENT = re.compile(r"\s*/\*.*?\*/\n", re.S)


def wrap_widget(widget: str, dom: str, service: dict) -> str:
    """The widget as served: its opening comment (how partners use it), then one closure around
    what the service tells it (`SERVICE`: its directions link template and languages), the DOM
    helpers (dom.js) and the widget's own code, which finds them as `LinkageDom`."""
    opening = _LEADING_COMMENT.match(widget)
    comment, code = (opening.group(0), widget[opening.end() :]) if opening else ("", widget)
    setting = f"var SERVICE = {json.dumps(service, ensure_ascii=False, sort_keys=True)};"
    return f"{comment}(function () {{\n{setting}\n{dom}\n{code}}})();\n"


@cache
def widget_script(directions_url: str) -> str:
    """/widget.js, built once per process from static/widget.js and static/dom.js."""
    return wrap_widget(
        (STATIC / "widget.js").read_text(encoding="utf-8"),
        (STATIC / "dom.js").read_text(encoding="utf-8"),
        {"directions_url": directions_url, "languages": i18n.NAMES},
    )


@blp.get("/embed/messages/<lang>.json")
def widget_messages(lang: str):
    """The widget's words in one language, for LinkageDom.useCatalog: fetched by /widget.js on
    a partner's page (its URL stays the same in every language), from any site."""
    if lang not in i18n.LANGUAGES:
        abort(404)
    response = jsonify(i18n.script_messages(lang, i18n.WIDGET_SCRIPTS))
    response.headers["Cache-Control"] = f"public, max-age={WIDGET_MAX_AGE}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.add_etag()
    return response.make_conditional(request)


@blp.get("/widget.js")
def widget():
    """The embeddable search widget, for partners' pages."""
    response = make_response(widget_script(runtime().settings.directions_url))
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Cache-Control"] = f"public, max-age={WIDGET_MAX_AGE}"
    # Any site may load it: as a plain script, with crossorigin + integrity, or under COEP.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.add_etag()  # caches revalidate it by ETag after the hour
    return response.make_conditional(request)


# The same at /static/widget.js (an exact rule: matched before the app's /static/<path:filename>).
blp.add_url_rule("/static/widget.js", "static_widget", widget)


def _refused(message: str):
    html = render_template("embed_refused.html", message=message, asset_version=asset_version())
    response = make_response(html, 403)
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.get("/embed/frame")
def embed_frame():
    """The search in a page of its own, for a partner's <iframe>; only the key's origins may
    frame it. The page talks to the API with its own token, never with the key."""
    callers = current_access().callers
    key = request.args.get("key", "")
    partner = callers.for_frame(key, own_origin())
    if partner is None:
        return _refused(_("The key in this frame's address is not known to this service."))
    if "search" not in partner.scopes:
        return _refused(_("The key in this frame's address may not search."))
    ancestors = [o for o in partner.origins if _ORIGIN.fullmatch(o)]
    if not ancestors:
        return _refused(
            _("The key in this frame's address lists no sites that may show the search.")
        )
    token = callers.frame_token(key)
    # The partner's starting place, as the script widget's data-zip: the partner's, not a client's.
    near = request.args.get("near", "").strip()[:NEAR_MAX_LENGTH]
    html = render_template(
        "embed_frame.html", token=token, near=near, asset_version=asset_version()
    )
    response = make_response(html)
    response.headers["Cache-Control"] = "no-store"  # it carries a token
    response.headers["Content-Security-Policy"] = FRAME_CONTENT_SECURITY_POLICY.format(
        ancestors=" ".join(ancestors)
    )
    return response


# The demo host page's theme for the widget, in static/embed.css.
_DEMO_THEME = re.compile(r"^\.themed \{\n(.*?)^\}", re.S | re.M)


@cache
def demo_theme() -> tuple[str, ...]:
    """The declarations the demo page themes its widget with, shown on it as the example."""
    rule = _DEMO_THEME.search((STATIC / "embed.css").read_text(encoding="utf-8"))
    return tuple(line.strip() for line in rule.group(1).splitlines() if line.strip())


@blp.get("/embed/demo")
def embed_demo():
    """A host page showing both ways to embed the search, with this page's token as the key."""
    html = render_template(
        "embed_demo.html",
        token=_page_token(),
        base_url=request.host_url.rstrip("/"),
        demo_theme=demo_theme(),
        asset_version=asset_version(),
    )
    response = make_response(html)
    response.headers["Cache-Control"] = "no-store"
    return response
