"""What a request may be, checked before its view reads it: the URL's length, a streamed
(chunked) body's size, and a JSON body's presence, encoding and nesting depth.

Each breach is answered in the one error shape (400, 413, 414 or 415) and none of them quotes
the caller's value: a body can hold a client's answers, which never reach a response or a log.
"""

from __future__ import annotations

import orjson
from flask import Flask, request
from flask_smorest import abort

from indexer.limits import depth, too_deep_for_orjson

# The longest path plus query string the app answers (bytes, as sent). gunicorn refuses a
# longer request line itself, in HTML, above its --limit-request-line (8190 in the Makefile
# and tests/servers.py), so the app's own 414 comes well before gunicorn's.
MAX_URL_BYTES = 4096
# The deepest a JSON body may nest (objects and arrays). A FHIR QuestionnaireResponse with
# items inside items, inside a list of assessments, inside the body, is well under it.
MAX_JSON_DEPTH = 32

BODY_REQUIRED = "a JSON body is required (Content-Type: application/json)"
NOT_JSON = "the body must be JSON (Content-Type: application/json)"


class BodyError(ValueError):
    """A request body that cannot be read as JSON; the reason never quotes the body."""


def parse_json(data: bytes, max_depth: int = MAX_JSON_DEPTH) -> object:
    """The JSON document in `data`: strict UTF-8 (a lone surrogate such as \\ud800 is refused,
    as RFC 8259 asks of interoperable text), nested at most `max_depth` deep."""
    try:
        # orjson refuses invalid UTF-8 and lone surrogates, and stops at 1024 levels without
        # the stack growing with the depth (the standard library's json recurses).
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if too_deep_for_orjson(exc):
            raise BodyError(f"the body nests deeper than {max_depth} levels") from None
        if "surrogate" in exc.msg or "UTF-8" in exc.msg:
            raise BodyError(
                f"the body is not valid UTF-8 JSON (line {exc.lineno}, column {exc.colno}): "
                "unpaired surrogates such as \\ud800 are not text"
            ) from None
        raise BodyError(
            f"the body is not valid JSON (line {exc.lineno}, column {exc.colno})"
        ) from None
    if depth(value) > max_depth:
        raise BodyError(f"the body nests deeper than {max_depth} levels")
    return value


def json_body() -> object:
    """The request's JSON body, for a view that needs one: 415 if it is not JSON, 400 if it is
    absent, malformed or too deep."""
    data = request.get_data(cache=True)
    if not data:
        abort(400, message=BODY_REQUIRED, errors={"json": [BODY_REQUIRED]})
    if not request.is_json:
        abort(415, message=NOT_JSON)
    try:
        return parse_json(data)
    except BodyError as exc:
        abort(400, message=str(exc), errors={"json": [str(exc)]})


def url_bytes() -> int:
    """The length of the path and query string as the client sent them."""
    raw = request.environ.get("RAW_URI")
    if raw is not None:
        return len(raw.encode("latin-1", "replace"))
    query = request.environ.get("QUERY_STRING", "")
    return len(request.environ.get("PATH_INFO", "").encode("latin-1", "replace")) + (
        len(query) + 1 if query else 0
    )


def check_url() -> None:
    if url_bytes() > MAX_URL_BYTES:
        abort(414, message=f"the URL is longer than {MAX_URL_BYTES} bytes; send a JSON body")


def read_streamed_body() -> None:
    """A chunked body has no Content-Length to refuse it by: read it now, up to the limit, so
    that one over the limit is a 413 (Werkzeug would hand the view the first `limit` bytes,
    and the view would answer 400 for a body cut short). A body of exactly the limit counts as
    over it: the stream cannot tell the two apart without reading past the limit."""
    limit = request.max_content_length
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if limit is None or not chunked or request.endpoint is None:
        return
    if request.endpoint == "imports.Imports":  # uploads are streamed to disk, never held whole
        return
    if len(request.get_data(cache=True)) >= limit:
        abort(413, message=f"the body is larger than {limit} bytes")


def init_app(app: Flask) -> None:
    """Check the URL and a streamed body before any view (after the upload limit is set)."""
    app.before_request(check_url)
    app.before_request(read_streamed_body)
