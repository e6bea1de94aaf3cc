"""Elasticsearch down or stalled: a 503 in bounded time, and recovery when the node is back.

The faults are real network faults, made by a loopback TCP proxy in front of the real node.
"""

from dataclasses import replace

import pytest

from linkage.app import create_app
from tests.conftest import WEDNESDAY_AFTERNOON, api_client


@pytest.fixture
def proxied_client(settings, proxy, sample_index):
    proxied = replace(
        settings, elasticsearch_url=proxy.url, elasticsearch_timeout=1.0, elasticsearch_retries=0
    )
    app = create_app({"SETTINGS": proxied, "CLOCK": lambda: WEDNESDAY_AFTERNOON})
    return api_client(app)


def test_node_down_gives_503_then_recovers_by_itself(proxy, proxied_client):
    assert proxied_client.get("/v1/search?q=food").status_code == 200
    proxy.set_mode("refuse")
    down = proxied_client.get("/v1/search?q=food")
    assert down.status_code == 503
    assert down.json["code"] == 503 and "cannot be reached" in down.json["message"]
    assert down.headers["Retry-After"]
    assert proxied_client.get("/readyz").status_code == 503
    assert proxied_client.get("/healthz").status_code == 200  # the process itself is fine
    proxy.set_mode("forward")
    assert proxied_client.get("/v1/search?q=food").status_code == 200
    assert proxied_client.get("/readyz").status_code == 200


def test_node_not_answering_gives_503_within_the_timeout(proxy, proxied_client):
    proxy.set_mode("stall")
    response = proxied_client.get("/v1/search?q=food")
    assert response.status_code == 503
    # The client's own request timeout ended the wait (not a refused connection).
    assert "did not answer in time" in response.json["message"]


def test_missing_index_is_a_clear_503(settings, sample_index):
    app = create_app({"SETTINGS": replace(settings, index_alias="linkage-no-such-alias")})
    response = api_client(app).get("/v1/search?q=food")
    assert response.status_code == 503
    assert "no resource index" in response.json["message"]
    ready = api_client(app).get("/readyz")
    assert ready.status_code == 503 and "does not exist" in ready.json["message"]
