"""Hostile and malformed requests through real HTTP (gunicorn): deep or badly encoded JSON,
no body, oversized chunked bodies, long URLs, wrong methods; the headers every answer carries
(rate limits without a stray Retry-After, Permissions-Policy, no-store, HSTS) and the OpenAPI
document's account of all this. Each error is the one shape, and no client value reaches a log.
"""

import json
import uuid
from dataclasses import replace

import pytest
import requests

from linkage.access.partners import hash_key
from linkage.api.limits import MAX_JSON_DEPTH, MAX_URL_BYTES
from linkage.app import create_app
from tests.conftest import TEST_ALIAS
from tests.servers import TEST_KEY, free_port, gunicorn

MAX_BODY = 20_000  # the server's LINKAGE_MAX_REQUEST_BYTES here: small, to send past it cheaply
SLOW_KEY = "slow-key-for-limit-tests"
AUTH = {"Authorization": f"Bearer {TEST_KEY}"}
# A value a client might send, recognisable in any log line that would carry it.
MARKER = "client-value-" + uuid.uuid4().hex[:8]


def keys_file(folder):
    run = uuid.uuid4().hex[:8]  # fresh names: no counter of an earlier run applies
    path = folder / "keys.json"
    path.write_text(json.dumps([
        {"name": f"all-{run}", "key_sha256": hash_key(TEST_KEY), "rate_limit": "100000/minute",
         "scopes": ["search", "match", "import"]},
        {"name": f"slow-{run}", "key_sha256": hash_key(SLOW_KEY), "rate_limit": "2/minute",
         "scopes": ["search"]},
    ]))  # fmt: skip
    return path


@pytest.fixture(scope="module")
def served(sample_index, tmp_path_factory):
    """gunicorn (one worker: the in-memory rate limit is per process) and its log file."""
    folder = tmp_path_factory.mktemp("limits")
    log = folder / "gunicorn.log"
    env = {
        "LINKAGE_INDEX_ALIAS": TEST_ALIAS,
        "LINKAGE_PARTNER_KEYS": str(keys_file(folder)),
        "LINKAGE_MAX_REQUEST_BYTES": str(MAX_BODY),
        "LINKAGE_LOG_FORMAT": "json",
    }
    with gunicorn(env, workers=1, threads=2, log_path=log) as base:
        yield base, log


@pytest.fixture(scope="module")
def base(served):
    return served[0]


def post_match(base, body: bytes | str, **headers):
    headers = {"Content-Type": "application/json", **AUTH, **headers}
    return requests.post(f"{base}/v1/match", data=body, headers=headers, timeout=30)


def assert_error_shape(response, code):
    assert response.status_code == code, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["status"] and body["message"]
    return body


# 1,000: the reported 500; 9,000: past the 1,024 at which orjson itself stops.
@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1_000, 9_000])
def test_a_deeply_nested_body_is_a_400(base, depth):
    for body in ("[" * depth + "]" * depth, '{"assessment":' + "[" * depth + "]" * depth + "}"):
        found = assert_error_shape(post_match(base, body), 400)
        assert "deeper" in found["message"]


def test_a_body_within_the_depth_limit_is_matched(base):
    body = {"needs": ["food-insecurity"], "client": {"near": "60623"}}
    response = post_match(base, json.dumps(body))
    assert response.status_code == 200 and response.json()["referrals"]


def test_a_lone_surrogate_is_a_400_and_never_reaches_the_log(served):
    base, log = served
    for body in (
        '{"needs":["\\ud800"]}',
        f'{{"needs":["{MARKER}\\ud800"]}}',
        f'{{"client":{{"near":"{MARKER}\\udfff"}}}}',
        # Raw bytes of an encoded surrogate (CESU-8), which no UTF-8 decoder accepts.
        f'{{"needs":["{MARKER}'.encode() + b"\xed\xa0\x80" + b'"]}',
    ):
        assert_error_shape(post_match(base, body), 400)
    # A request's log line is written before its answer is sent: these are all there.
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    mine = [line for line in lines if line.get("path") == "/v1/match" and line.get("status")]
    assert [line["status"] for line in mine[-4:]] == [400] * 4
    assert MARKER not in log.read_text()
    assert not [line for line in lines if line["level"] == "ERROR" or "exception" in line]


def test_a_json_endpoint_without_a_body_is_a_400_and_not_json_a_415(base):
    empty = requests.post(f"{base}/v1/match", headers=AUTH, timeout=10)
    assert "body is required" in assert_error_shape(empty, 400)["message"]
    form = requests.post(f"{base}/v1/match", data={"needs": "food"}, headers=AUTH, timeout=10)
    assert_error_shape(form, 415)
    assert post_match(base, "{}").status_code == 200  # a body, if empty of needs, is answered


def test_a_chunked_body_over_the_limit_is_a_413(base):
    def chunks(total):
        padding = json.dumps({"needs": ["food-insecurity"], "pad": "x" * total})
        yield from (padding[i : i + 4096].encode() for i in range(0, len(padding), 4096))

    # A generator body goes out chunked (Transfer-Encoding: chunked, no Content-Length).
    over = post_match(base, chunks(MAX_BODY + 5_000))
    assert "larger than" in assert_error_shape(over, 413)["message"]
    under = post_match(base, chunks(MAX_BODY // 2))  # read whole: the schema refuses `pad`
    assert_error_shape(under, 422)


def test_a_long_url_is_the_apps_own_414(base):
    long = requests.get(
        f"{base}/v1/search", params={"q": "food " * (MAX_URL_BYTES // 5)}, headers=AUTH, timeout=10
    )
    assert "longer than" in assert_error_shape(long, 414)["message"]
    fits = requests.get(
        f"{base}/v1/search", params={"q": "food " * 40, "near": "60623"}, headers=AUTH, timeout=10
    )
    assert fits.status_code == 200
    # Past gunicorn's --limit-request-line (8190) gunicorn answers before the app, in HTML.
    beyond = requests.get(f"{base}/v1/search?q={'a' * 9000}", headers=AUTH, timeout=10)
    assert beyond.status_code == 414


def test_a_wrong_method_is_a_405_with_allow(base):
    response = requests.delete(f"{base}/v1/match", headers=AUTH, timeout=10)
    assert_error_shape(response, 405)
    assert "POST" in response.headers["Allow"]
    search = requests.put(f"{base}/v1/search", headers=AUTH, timeout=10)
    assert {"GET", "POST"} <= {m.strip() for m in search.headers["Allow"].split(",")}


def test_retry_after_only_on_429_and_rate_headers_on_counted_requests(base):
    ok = requests.get(f"{base}/v1/categories", headers=AUTH, timeout=10)
    assert ok.status_code == 200 and "Retry-After" not in ok.headers
    assert int(ok.headers["X-RateLimit-Limit"]) == 100000
    slow = {"Authorization": f"Bearer {SLOW_KEY}"}
    codes = [requests.get(f"{base}/v1/categories", headers=slow, timeout=10) for _ in range(3)]
    assert [r.status_code for r in codes] == [200, 200, 429]
    assert (
        "Retry-After" not in codes[0].headers and codes[1].headers["X-RateLimit-Remaining"] == "0"
    )
    assert 0 < int(codes[2].headers["Retry-After"]) <= 60
    assert_error_shape(codes[2], 429)


def test_a_503_keeps_its_own_retry_after(tmp_path, sample_index):
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    env = {
        "LINKAGE_INDEX_ALIAS": TEST_ALIAS,
        "LINKAGE_PARTNER_KEYS": str(keys_file(tmp_path)),
        "ELASTICSEARCH_URL": dead,
    }
    with gunicorn(env, workers=1, threads=2) as down:
        response = requests.get(f"{down}/v1/search?q=food", headers=AUTH, timeout=30)
    assert_error_shape(response, 503)
    assert response.headers["Retry-After"] == "5"
    assert "X-RateLimit-Limit" in response.headers  # it counted, and says so


def test_security_and_cache_headers(base):
    for path in ("/v1/categories", "/hsds/services", "/healthz", "/docs/"):
        response = requests.get(base + path, headers=AUTH, timeout=10)
        assert response.status_code == 200, path
        assert "geolocation=()" in response.headers["Permissions-Policy"], path
        assert "Strict-Transport-Security" not in response.headers, path  # plain HTTP here
    for path in ("/v1/categories", "/hsds/services", "/v1/match"):
        response = requests.get(base + path, headers=AUTH, timeout=10)
        assert response.headers["Cache-Control"] == "no-store", path


def test_hsts_on_https_requests_or_when_set(settings, sample_index):
    app = create_app({"SETTINGS": settings})
    secure = app.test_client().get("/healthz", base_url="https://linkage.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = app.test_client().get("/healthz")
    assert "Strict-Transport-Security" not in plain.headers
    behind_tls = create_app({"SETTINGS": replace(settings, hsts=True)})
    assert "Strict-Transport-Security" in behind_tls.test_client().get("/healthz").headers


def test_the_openapi_document_states_the_enforced_rules(base):
    spec = requests.get(f"{base}/openapi.json", timeout=10).json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"]["scheme"] == "bearer" and schemes["apiKey"]["name"] == "X-API-Key"
    match = spec["paths"]["/v1/match"]["post"]
    assert {"bearer": []} in match["security"]
    assert {"400", "401", "403", "413", "414", "415", "429", "503"} <= set(match["responses"])
    assert match["requestBody"]["required"] is True
    assert f"{MAX_JSON_DEPTH} levels" in match["requestBody"]["description"]
    assert spec["paths"]["/healthz"]["get"]["security"] == []
