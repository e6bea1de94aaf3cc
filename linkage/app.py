"""The app factory: settings, runtime, the API blueprints and the page, in one Flask app."""

from __future__ import annotations

import orjson
from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Api
from flask_swagger_ui import get_swaggerui_blueprint

from linkage import access, logs
from linkage.api import errors, limits
from linkage.api.health import blp as health_blp
from linkage.api.hsds import blp as hsds_blp
from linkage.api.imports import blp as imports_blp
from linkage.api.openapi_rules import RulesPlugin
from linkage.api.referral_bundles import blp as referral_bundles_blp
from linkage.api.referrals import blp as referrals_blp
from linkage.api.resources import blp as resources_blp
from linkage.api.search import blp as search_blp
from linkage.config import Settings
from linkage.runtime import Runtime
from linkage.web import i18n
from linkage.web.pages import blp as web_blp
from linkage.web.vendor import blp as vendor_blp

API_TITLE = "Linkage"


class OrjsonProvider(DefaultJSONProvider):
    """Flask's JSON with orjson for encoding: responses are built on the search hot path."""

    def dumps(self, obj, **kwargs):
        return orjson.dumps(obj, default=self.default, option=orjson.OPT_NON_STR_KEYS).decode()

    def response(self, *args, **kwargs):
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(
            orjson.dumps(obj, default=self.default, option=orjson.OPT_NON_STR_KEYS),
            mimetype=self.mimetype,
        )


class LinkageApi(Api):
    """flask-smorest's Api, with a message on every error (422s come without one)."""

    def handle_http_exception(self, error):
        payload, code, headers = super().handle_http_exception(error)
        if "message" not in payload:
            fields = sorted(
                {name for where in (payload.get("errors") or {}).values() for name in where}
            )
            payload["message"] = (
                f"invalid parameters: {', '.join(fields)}" if fields else error.description
            )
        # Werkzeug's own headers for the error (Allow on a 405), which flask-smorest drops.
        found = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return payload, code, {**found, **(headers or {})}


API_VERSION = "1.0"


def create_app(config: dict | None = None) -> Flask:
    """Application factory. `config` may hold SETTINGS (a Settings) and CLOCK (for tests)."""
    app = Flask("linkage", static_folder="web/static", template_folder="web/templates")
    app.json = OrjsonProvider(app)
    logs.init_app(app)  # first: every other hook's lines carry the request id
    config = dict(config or {})
    settings: Settings = config.pop("SETTINGS", None) or Settings.from_env()
    app.config.update(
        API_TITLE=API_TITLE,
        API_VERSION=API_VERSION,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        JSON_SORT_KEYS=False,
    )
    app.config.update(config)
    app.extensions["linkage"] = Runtime(settings, clock=config.get("CLOCK"))
    app.config["API_SPEC_OPTIONS"] = {
        "info": {
            "description": "Search community resources by need and place, with the reason for each match."
        }
    }
    plugin = RulesPlugin(settings.max_request_bytes, settings.public_search)
    api = LinkageApi(app, spec_kwargs={"extra_plugins": [plugin]})
    # In the app's context: the OpenAPI document lists the codes of its own data directory
    # (api.schemas.common.TaxonomyCode).
    blueprints = (
        search_blp,
        referrals_blp,
        referral_bundles_blp,
        imports_blp,
        resources_blp,
        health_blp,
        hsds_blp,
    )
    with app.app_context():
        for blueprint in blueprints:
            api.register_blueprint(blueprint)
    errors.register(app)
    access.init_app(app, settings)

    @app.before_request
    def allow_large_uploads():
        # Uploads to the import API may be far larger than any other request body.
        if request.endpoint == "imports.Imports" and request.method == "POST":
            request.max_content_length = settings.max_upload_bytes

    limits.init_app(app)  # after the upload limit is set: a streamed body is read against it

    # Interactive docs from files the package ships: no outside host is needed.
    app.register_blueprint(
        get_swaggerui_blueprint("/docs", "/openapi.json", config={"app_name": API_TITLE}),
        url_prefix="/docs",
    )

    # The case-manager page at `/` (search, screening, referral list), in English or Spanish.
    i18n.init_app(app)
    app.register_blueprint(web_blp)
    app.register_blueprint(vendor_blp)  # Leaflet, for the page's map

    return app
