"""The one Elasticsearch client factory: timeouts, retries and credentials from Settings.

The service's own client (`get_client`) is guarded, so that a node that stops answering (a
frozen process, a network partition) cannot tie up every gunicorn thread:
- a deadline: one call, every retry included, ends within `elasticsearch_deadline` seconds;
- a gate (`CallGate`): at most `elasticsearch_concurrency` calls wait on the node at once (keep
  it below gunicorn's threads, so a thread stays free for /healthz); a call finding every slot
  taken by a call that has waited longer than SLOW_SECONDS is refused at once, and once a call
  times out or cannot connect, one call at a time probes the node while the others are refused,
  until one succeeds. Refused calls raise the transport's own errors, answered as 503.
The indexer, tests and benchmarks use `make_client`, unguarded (bulk loads take their time).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator

import elastic_transport
import orjson
from elastic_transport import NdjsonSerializer, OrjsonSerializer, Transport
from elastic_transport.client_utils import DEFAULT
from elasticsearch import Elasticsearch

from linkage.config import Settings

# A call that has waited this long on a healthy node is rare (searches take milliseconds): when
# every slot is held by such calls, the node has stopped answering and waiting is pointless.
SLOW_SECONDS = 1.0
NODE_NOT_ANSWERING = "Elasticsearch is not answering: not waiting on it"


class SearchFailed(RuntimeError):
    """One search of a multi-search failed inside Elasticsearch (the others may have answered)."""


class CallGate:
    """How many calls of this process may wait on Elasticsearch, and whether it is failing."""

    def __init__(self, slots: int, slow_seconds: float = SLOW_SECONDS):
        self.slots = max(1, slots)
        self.slow_seconds = slow_seconds
        self._changed = threading.Condition()
        self._started: dict[object, float] = {}  # calls in flight: when each began
        self._failure: type[elastic_transport.TransportError] | None = None  # the last call's

    @contextlib.contextmanager
    def call(self) -> Iterator[None]:
        """One call to the node: admitted, or refused with the transport's error at once."""
        token = self._enter()
        failure = None
        try:
            yield
        except (elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout) as exc:
            failure = type(exc)
            raise
        finally:
            with self._changed:
                del self._started[token]
                # Any answer, even an error status, means the node is back.
                self._failure = failure
                self._changed.notify_all()

    def _enter(self) -> object:
        token = object()
        with self._changed:
            while True:
                if self._failure is not None and self._started:
                    # The node failed: the call in flight is the probe; the others need not wait.
                    raise self._failure(NODE_NOT_ANSWERING)
                if len(self._started) < self.slots:
                    self._started[token] = time.monotonic()
                    return token
                wait = min(self._started.values()) + self.slow_seconds - time.monotonic()
                if wait <= 0:
                    raise elastic_transport.ConnectionTimeout(NODE_NOT_ANSWERING)
                self._changed.wait(wait)


class GuardedTransport(Transport):
    """The transport with a deadline for each call and the gate in front (set by make_client)."""

    gate: CallGate | None = None
    deadline: float = 0.0
    default_timeout: float | None = None

    def perform_request(self, method, target, **kwargs):
        if self.gate is None:
            return super().perform_request(method, target, **kwargs)
        retries = kwargs.get("max_retries", DEFAULT)
        tries = 1 + (self.max_retries if retries is DEFAULT else retries)
        timeout = kwargs.get("request_timeout", DEFAULT)
        if timeout is DEFAULT or timeout is None:
            timeout = self.default_timeout
        # Every try shares the deadline: tries × per-try timeout never exceeds it.
        per_try = self.deadline / tries
        kwargs["request_timeout"] = per_try if timeout is None else min(timeout, per_try)
        with self.gate.call():
            return super().perform_request(method, target, **kwargs)


class OrjsonNdjsonSerializer(NdjsonSerializer):
    """NDJSON bodies (a match's _msearch) encoded by orjson, as JSON bodies are: the standard
    library's encoder was a tenth of a five-need match's time in the app."""

    def json_dumps(self, data) -> bytes:
        return orjson.dumps(data, default=self.default, option=orjson.OPT_SERIALIZE_NUMPY)

    def json_loads(self, data: bytes):
        return orjson.loads(data)


_clients: dict[tuple[int, Settings], Elasticsearch] = {}


def nodes(settings: Settings) -> list[str]:
    """The cluster's nodes: ELASTICSEARCH_URL is one URL or several, comma-separated. Given
    several, the client spreads calls over them and tries another when one cannot be reached
    (within `elasticsearch_retries`)."""
    return [url.strip() for url in settings.elasticsearch_url.split(",") if url.strip()]


def make_client(settings: Settings, guarded: bool = False) -> Elasticsearch:
    """A new client for the configured cluster; `guarded`: with the deadline and the gate."""
    options: dict = {
        "request_timeout": settings.elasticsearch_timeout,
        "max_retries": settings.elasticsearch_retries,
        "retry_on_timeout": True,
        # orjson decodes search responses several times faster than the standard library.
        "serializers": {
            OrjsonSerializer.mimetype: OrjsonSerializer(),
            OrjsonNdjsonSerializer.mimetype: OrjsonNdjsonSerializer(),
        },
        "transport_class": GuardedTransport,
    }
    if settings.elasticsearch_api_key:
        options["api_key"] = settings.elasticsearch_api_key
    elif settings.elasticsearch_username:
        options["basic_auth"] = (settings.elasticsearch_username, settings.elasticsearch_password)
    if settings.elasticsearch_ca_certs:
        options["ca_certs"] = settings.elasticsearch_ca_certs
    client = Elasticsearch(nodes(settings), **options)
    if guarded:
        transport = client.transport
        transport.gate = CallGate(settings.elasticsearch_concurrency)
        transport.deadline = settings.elasticsearch_deadline
        transport.default_timeout = settings.elasticsearch_timeout
    return client


def get_client(settings: Settings) -> Elasticsearch:
    """The service's guarded client for this process: gunicorn forks workers, and a client must
    not cross a fork."""
    key = (os.getpid(), settings)
    client = _clients.get(key)
    if client is None:
        client = _clients[key] = make_client(settings, guarded=True)
    return client
