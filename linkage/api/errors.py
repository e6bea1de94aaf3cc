"""One error shape for every failure: {"code", "status", "message", "errors"?}.

flask-smorest already answers HTTP errors (404, 422, ...) in this shape; these handlers give
Elasticsearch failures the same shape, as 503 with Retry-After.
"""

from __future__ import annotations

from http import HTTPStatus

from elasticsearch import ApiError, ConnectionTimeout, NotFoundError, TransportError
from flask import Flask, current_app, jsonify

from linkage.referrals import SearchFailed

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
        current_app.logger.error("a search in _msearch failed: %s", exc)
        return error_response(503, "search failed inside Elasticsearch", {"Retry-After": "1"})

    @app.errorhandler(ApiError)
    def search_failed(exc: ApiError):
        current_app.logger.error("Elasticsearch error %s: %s", exc.meta.status, exc.message)
        return error_response(503, "search failed inside Elasticsearch", {"Retry-After": "1"})
