"""What every blueprint of the API shares."""

from __future__ import annotations

import flask_smorest
from webargs.flaskparser import FlaskParser

from linkage.api.limits import json_body


class SchemaDecidesParser(FlaskParser):
    """webargs drops unknown query parameters whatever the schema says; here the schema decides,
    as it already does for JSON bodies and forms (`api.schemas.common.StrictSchema` refuses
    them), so strictness is declared once, on the schema."""

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": None,
        "querystring": None,
    }

    def load_json(self, req, schema):
        # A view that reads a JSON body needs one, strictly encoded and of a bounded depth
        # (api.limits): webargs would read a missing body as {} and hand the standard library's
        # recursive parser any depth.
        return json_body()


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint, its arguments parsed by SchemaDecidesParser."""

    ARGUMENTS_PARSER = SchemaDecidesParser()
