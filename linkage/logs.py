"""Logging: one JSON object per line (or plain text), each carrying the request or job it is for.

A line holds the time, level, logger and message, then the fields of what is being handled:
the request id (from a safe `X-Request-ID` header, else a new one, and echoed back) or the
import job id, and for the line ending a request its method, path, status and duration. Only the
fields named in SAFE_FIELDS are ever written: query strings, bodies, assessment answers and
client attributes have no field, and the path is written without its query string. An
exception is written as its type and stack, never its text. `configure` (called by the entry
points, wsgi.py and the indexer's worker, with LINKAGE_LOG_FORMAT) sends it all to stderr.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType

from flask import Flask, Response, g, request

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept only when it cannot forge or break a line: a short token.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# The only fields a line may carry besides time, level, logger and message.
SAFE_FIELDS = ("request_id", "job_id", "source", "method", "path", "status", "duration_ms")

# The fields of the request or job being handled, added to every line logged meanwhile.
_context: ContextVar[Mapping[str, object]] = ContextVar("log_context", default=MappingProxyType({}))
requests_log = logging.getLogger("linkage.requests")

# elastic_transport logs whole request bodies at DEBUG; match queries carry a client's
# location and eligibility, which must never reach a log, whatever level a deployer sets.
logging.getLogger("elastic_transport.node").setLevel(logging.INFO)


def fields(record: logging.LogRecord) -> dict:
    """The safe fields of a record: those of its context, then those given in `extra`."""
    found = dict(_context.get())
    found.update({name: record.__dict__[name] for name in SAFE_FIELDS if name in record.__dict__})
    return found


def _exception(record: logging.LogRecord) -> dict:
    # The type and the stack, not the message: an exception's text may quote a client's value.
    kind, _, tb = record.exc_info
    return {"exception": kind.__name__, "stack": "".join(traceback.format_tb(tb)).rstrip()}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, safe fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **fields(record),
        }
        if record.exc_info:
            line.update(_exception(record))
        return json.dumps(line, default=str)


class TextFormatter(logging.Formatter):
    """`time level logger message key=value...`, for a person reading a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        pairs = "".join(f" {name}={value}" for name, value in fields(record).items())
        line = f"{self.formatTime(record)} {record.levelname} {record.name} {record.getMessage()}"
        if record.exc_info:
            found = _exception(record)
            return f"{line}{pairs}\n{found['stack']}\n{found['exception']}"
        return line + pairs


FORMATTERS = {"json": JsonFormatter, "text": TextFormatter}


class _Handler(logging.StreamHandler):
    """The handler `configure` installs, so that configuring again replaces it."""


def configure(log_format: str = "json", level: int = logging.INFO) -> None:
    """Send every logger's lines to stderr in `log_format` ("json" or "text")."""
    if log_format not in FORMATTERS:
        raise ValueError(f"log format {log_format!r}: expected one of {', '.join(FORMATTERS)}")
    handler = _Handler(sys.stderr)
    handler.setFormatter(FORMATTERS[log_format]())
    root = logging.getLogger()
    # Ours from an earlier call, and the plain one a library's import-time basicConfig() adds
    # (wordllama's does): that one would print every line again, tracebacks and all, unfiltered.
    for old in [h for h in root.handlers if type(h) in (_Handler, logging.StreamHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Werkzeug's development server logs each request line with its query string.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # One line a request (or job), not one per Elasticsearch call; failures still show.
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)


@contextmanager
def context(**values) -> Iterator[None]:
    """Add these fields (SAFE_FIELDS only) to every line logged inside the block."""
    unsafe = set(values) - set(SAFE_FIELDS)
    if unsafe:
        raise ValueError(f"not a safe log field: {', '.join(sorted(unsafe))}")
    token = _context.set({**_context.get(), **values})
    try:
        yield
    finally:
        _context.reset(token)


def request_id_from(header: str | None) -> str:
    """The caller's id when it is a safe short token, else a new one."""
    if header and SAFE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def init_app(app: Flask) -> None:
    """Give each request an id, put it on its log lines and its response, log its end."""

    @app.before_request
    def start() -> None:
        g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        g.request_started = time.perf_counter()
        g.log_context = _context.set({"request_id": g.request_id})

    @app.after_request
    def finish(response: Response) -> Response:
        if "request_id" not in g:  # a request that failed before `start` (413 on the body)
            return response
        response.headers[REQUEST_ID_HEADER] = g.request_id
        requests_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,  # never the query string: searches carry age and words
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 1),
            },
        )
        return response

    @app.teardown_request
    def forget(_exc) -> None:
        if "log_context" in g:
            _context.reset(g.pop("log_context"))
