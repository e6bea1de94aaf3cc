"""Partner keys: 401, 403 (scope, origin), 429 with Retry-After, CORS, public mode, page tokens,
security headers. The rate-limit test runs through gunicorn with two workers sharing memcached."""

import json
import subprocess
import time
import uuid
from dataclasses import replace

import pytest
import requests

from linkage.access.guard import access_of
from linkage.access.partners import hash_key
from linkage.access.tokens import page_token
from linkage.app import create_app
from tests.conftest import ROOT
from tests.servers import gunicorn

PORTAL = "https://portal.example"
KEYS = {
    "search-only": {"scopes": ["search"], "origins": [PORTAL]},
    "everything": {"scopes": ["search", "match", "import"]},
    "slow": {"scopes": ["search"], "rate_limit": "5/minute"},
}


@pytest.fixture(scope="module")
def keys_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("access") / "keys.json"
    run = uuid.uuid4().hex[:8]  # fresh names: rate-limit counters in memcached outlive a run
    entries = [
        {"name": f"{name}-{run}", "key_sha256": hash_key(name), **spec}
        for name, spec in KEYS.items()
    ]
    path.write_text(json.dumps(entries))
    return path


@pytest.fixture
def app_for(settings, sample_index, keys_path):
    def make(**overrides):
        return create_app({"SETTINGS": replace(settings, partner_keys=str(keys_path), **overrides)})

    return make


def get(app, path, key=None, **headers):
    if key:
        headers["Authorization"] = f"Bearer {key}"
    return app.test_client().get(path, headers=headers)


def test_missing_and_unknown_keys_are_401(app_for):
    app = app_for()
    missing = get(app, "/v1/search?q=food")
    assert (
        missing.status_code == 401
        and missing.json["code"] == 401
        and "API key" in missing.json["message"]
    )
    assert get(app, "/v1/search?q=food", key="nope").status_code == 401
    assert get(app, "/healthz").status_code == 200  # no key needed to see the process is up


def test_a_key_is_accepted_as_bearer_or_x_api_key(app_for):
    app = app_for()
    assert get(app, "/v1/search?q=food", key="everything").status_code == 200
    assert get(app, "/v1/search?q=food", **{"X-API-Key": "everything"}).status_code == 200


def test_a_scope_the_key_lacks_is_403(app_for):
    app = app_for()
    response = app.test_client().post(
        "/v1/match", json={"needs": ["food"]}, headers={"Authorization": "Bearer search-only"}
    )
    assert response.status_code == 403 and "may not use match" in response.json["message"]


def test_an_origin_the_key_lacks_is_403_and_its_own_gets_cors(app_for):
    app = app_for()
    other = get(app, "/v1/search?q=food", key="search-only", Origin="https://elsewhere.example")
    assert other.status_code == 403 and "elsewhere.example" in other.json["message"]
    own = get(app, "/v1/search?q=food", key="search-only", Origin=PORTAL)
    assert own.status_code == 200 and own.headers["Access-Control-Allow-Origin"] == PORTAL


def test_preflight_allows_partner_origins_only(app_for):
    client = app_for().test_client()
    ok = client.options("/v1/search", headers={"Origin": PORTAL, "Access-Control-Request-Method": "GET",
                                                "Access-Control-Request-Headers": "Authorization"})  # fmt: skip
    assert ok.headers.get("Access-Control-Allow-Origin") == PORTAL
    assert "authorization" in ok.headers.get("Access-Control-Allow-Headers", "").lower()
    no = client.options(
        "/v1/search",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"},
    )
    assert "Access-Control-Allow-Origin" not in no.headers


def test_public_mode_opens_search_only(app_for):
    app = app_for(public_search=True)
    assert get(app, "/v1/search?q=food").status_code == 200
    assert app.test_client().post("/v1/match", json={"needs": ["food"]}).status_code == 401


def test_page_tokens_allow_search_and_match_and_expire(app_for):
    app = app_for()
    secret = access_of(app).callers.secret
    token = page_token(secret)
    assert get(app, "/v1/search?q=food", key=token).status_code == 200
    assert (
        app.test_client()
        .post("/v1/match", json={"needs": ["food"]}, headers={"Authorization": f"Bearer {token}"})
        .status_code
        == 200
    )
    assert (
        get(
            app, "/v1/search?q=food", key=page_token(secret, now=time.time() - 13 * 3600)
        ).status_code
        == 401
    )
    assert get(app, "/v1/search?q=food", key=token[:-2] + "00").status_code == 401
    imports = app.test_client().get("/v1/imports/x", headers={"Authorization": f"Bearer {token}"})
    assert imports.status_code == 403  # a page token never imports


def test_security_headers_on_every_response(app_for, client):
    app = app_for()
    for path in ("/healthz", "/v1/search?q=food", "/docs/"):
        response = get(app, path, key="everything")
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "no-referrer", path
    docs = get(app, "/docs/")
    assert "default-src 'self'" in docs.headers["Content-Security-Policy"]
    assert (
        "frame-ancestors 'self' https://portal.example" in docs.headers["Content-Security-Policy"]
    )


def test_rate_limits_are_shared_by_all_workers(keys_path, sample_index, settings):
    """Two gunicorn workers, one memcached: the partner gets its 5 a minute, not 5 per worker."""
    started = subprocess.run(
        [str(ROOT / "scripts" / "memcached"), "start"], capture_output=True, text=True, check=False
    )
    if started.returncode != 0:
        pytest.skip(f"no memcached here: {started.stderr.strip()}")
    env = {
        "LINKAGE_INDEX_ALIAS": settings.index_alias,
        "LINKAGE_PARTNER_KEYS": str(keys_path),
        "LINKAGE_RATE_LIMIT_STORAGE": "memcached://127.0.0.1:11311",
    }
    with gunicorn(env, workers=2, threads=2) as base:
        session_key = {"Authorization": "Bearer slow"}
        # A fresh connection each time, so the requests spread over both workers.
        codes = [
            requests.get(f"{base}/v1/search?q=food+{i}", headers=session_key, timeout=10)
            for i in range(8)
        ]
    assert [r.status_code for r in codes] == [200] * 5 + [429] * 3
    limited = codes[-1]
    assert limited.json()["code"] == 429 and int(limited.headers["Retry-After"]) > 0


def test_the_hsds_api_needs_a_search_key(app_for):
    app = app_for()
    assert get(app, "/hsds/services").status_code == 401
    assert get(app, "/hsds/services", key="search-only", Origin=PORTAL).status_code == 200


def test_the_page_limit_counts_each_case_manager_separately(app_for):
    app = app_for(page_rate_limit=f"2/minute;{uuid.uuid4().int % 1000 + 3}/hour")
    token = page_token(access_of(app).callers.secret)
    client = app.test_client()

    def search(address):
        environ = {"REMOTE_ADDR": address}
        return client.get(
            "/v1/search?q=food", headers={"Authorization": f"Bearer {token}"}, environ_base=environ
        )

    first = f"10.9.{uuid.uuid4().int % 250}.1"
    assert [search(first).status_code for _ in range(3)] == [200, 200, 429]
    assert search(first.replace(".1", ".2")).status_code == 200
