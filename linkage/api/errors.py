"""One error shape for every failure: {"code", "status", "message", "errors"?}.

flask-smorest already answers HTTP errors (404, 422, ...) in this shape; these handlers give
Elasticsearch failures the same shape, as 503 with Retry-After, and a partner over its rate
limit (the access guard's limiter raises RateLimitExceeded) as 429 with Retry-After.
"""

from __future__ import annotations

from http import HTTPStatus

from elasticsearch import ApiError, ConnectionTimeout, NotFoundError, TransportError
from flask import Flask, current_app, jsonify
from flask_limiter.errors import RateLimitExceeded

from linkage.access.guard import retry_after_seconds
from linkage.search.client import SearchFailed

RETRY_AFTER_SECONDS = 5


def error_response(code: int, message: str, headers: dict | None = None):
    body = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    return jsonify(body), code, headers or {}


def register(app: Flask) -> None:
    @app.errorhandler(TransportError)
    def search_unreachable(exc: TransportError):
        # Never echo the exception text: it can carry the cluster URL.
        current_app.logger.warning("Elasticsearch unreachable: %s", type(exc).__name__)
        if isinstance(exc, ConnectionTimeout):
            reason = "Elasticsearch did not answer in time"
        else:
            reason = "Elasticsearch cannot be reached"
        return error_response(
            503,
            f"search is temporarily unavailable: {reason}",
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.errorhandler(NotFoundError)
    def index_missing(exc: NotFoundError):
        return error_response(
            503, "no resource index is loaded yet", {"Retry-After": str(RETRY_AFTER_SECONDS)}
        )

    @app.errorhandler(SearchFailed)
    def one_search_failed(exc: SearchFailed):
        current_app.logger.error("a search of a multi-search failed: %s", exc)
        return error_response(503, "search failed inside Elasticsearch", {"Retry-After": "1"})

    @app.errorhandler(ApiError)
    def search_failed(exc: ApiError):
        # The error's type only: its reason text can quote the query, i.e. what was searched.
        error = exc.body.get("error") if isinstance(exc.body, dict) else None
        kind = error.get("type") if isinstance(error, dict) else "error"
        current_app.logger.error("Elasticsearch error %s: %s", exc.meta.status, kind)
        return error_response(503, "search failed inside Elasticsearch", {"Retry-After": "1"})

    @app.errorhandler(RateLimitExceeded)
    def too_many(exc: RateLimitExceeded):
        return error_response(
            429,
            f"rate limit exceeded ({exc.description}); retry later",
            {"Retry-After": str(retry_after_seconds())},
        )
