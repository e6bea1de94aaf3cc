"""The one Elasticsearch client factory: timeouts, retries and credentials from Settings."""

from __future__ import annotations

import os

from elastic_transport import OrjsonSerializer
from elasticsearch import Elasticsearch

from linkage.config import Settings


class SearchFailed(RuntimeError):
    """One search of a multi-search failed inside Elasticsearch (the others may have answered)."""


_clients: dict[tuple[int, Settings], Elasticsearch] = {}


def make_client(settings: Settings) -> Elasticsearch:
    """A new client for the configured cluster."""
    options: dict = {
        "request_timeout": settings.elasticsearch_timeout,
        "max_retries": settings.elasticsearch_retries,
        "retry_on_timeout": True,
        # orjson decodes search responses several times faster than the standard library.
        "serializer": OrjsonSerializer(),
    }
    if settings.elasticsearch_api_key:
        options["api_key"] = settings.elasticsearch_api_key
    elif settings.elasticsearch_username:
        options["basic_auth"] = (settings.elasticsearch_username, settings.elasticsearch_password)
    if settings.elasticsearch_ca_certs:
        options["ca_certs"] = settings.elasticsearch_ca_certs
    return Elasticsearch(settings.elasticsearch_url, **options)


def get_client(settings: Settings) -> Elasticsearch:
    """The client for this process: gunicorn forks workers, and a client must not cross a fork."""
    key = (os.getpid(), settings)
    client = _clients.get(key)
    if client is None:
        client = _clients[key] = make_client(settings)
    return client
