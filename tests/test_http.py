"""The service as users reach it: gunicorn on loopback, real HTTP, several requests at once."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.servers import TEST_KEY


@pytest.fixture
def http():
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TEST_KEY}"
    return session


def test_search_over_http_answers_json(live_server, http):
    response = http.get(
        f"{live_server}/v1/search", params={"q": "food bank", "near": "60623"}, timeout=10
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["total"] > 0


def test_concurrent_searches_all_succeed(live_server, http):
    queries = [
        {"q": "food bank", "near": "60623"},
        {"category": "shelter", "near": "60612"},
        {"q": "light bill", "near": "60608"},
        {"need": "food-insecurity", "near": "60629", "language": "es"},
    ] * 10

    def get(params):
        return http.get(f"{live_server}/v1/search", params=params, timeout=15)

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(get, queries))
    assert [r.status_code for r in responses] == [200] * len(queries)
    # The same query gives the same answer whichever worker served it.
    first = {r.url: r.json()["total"] for r in responses}
    assert all(first[r.url] == r.json()["total"] for r in responses)


def test_docs_and_openapi_are_served_without_outside_hosts(live_server):
    spec = requests.get(f"{live_server}/openapi.json", timeout=10).json()
    assert {
        "/v1/search",
        "/v1/resources/{resource_id}",
        "/v1/categories",
        "/healthz",
        "/readyz",
    } <= set(spec["paths"])
    page = requests.get(f"{live_server}/docs/", timeout=10)
    assert page.status_code == 200 and "swagger" in page.text.lower()
    assert "cdn" not in page.text.lower() and "unpkg" not in page.text.lower()


def test_errors_over_http_share_one_shape(live_server, http):
    for path, code in [
        ("/v1/search?near=00000", 400),
        ("/v1/search?per_page=500", 422),
        ("/v1/search?color=blue", 422),
        ("/v1/resources/does-not-exist", 404),
    ]:
        response = http.get(live_server + path, timeout=10)
        body = response.json()
        assert response.status_code == code, path
        assert body["code"] == code and body["status"] and body["message"], path
