"""What a page token and an origin-bound partner key are good for away from their page or site:
page tokens do what the page does (an hour, renewed by loading the page only, no NDJSON
export); a key that lists origins needs an Origin header unless it is marked server_use."""

import json
import re
import time
from dataclasses import replace

import pytest

from linkage.access.guard import NO_BULK_EXPORT, NO_ORIGIN, access_of
from linkage.access.partners import hash_key, load_partners
from linkage.access.tokens import page_token
from linkage.app import create_app

PORTAL = "https://portal.example"


@pytest.fixture
def app(settings, sample_index, tmp_path):
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps([
        {"name": "browser-portal", "key_sha256": hash_key("browser"), "scopes": ["search"],
         "origins": [PORTAL]},
        {"name": "portal-backend", "key_sha256": hash_key("backend"), "scopes": ["search"],
         "origins": [PORTAL], "server_use": True},
        {"name": "server-only", "key_sha256": hash_key("server"), "scopes": ["search"]},
    ]))  # fmt: skip
    return create_app({"SETTINGS": replace(settings, partner_keys=str(keys))})


def get(app, path, key, **headers):
    return app.test_client().get(path, headers={"Authorization": f"Bearer {key}", **headers})


def test_a_key_that_lists_origins_is_refused_without_an_origin(app):
    refused = get(app, "/v1/search?q=food", "browser")  # curl, a script, another server
    assert refused.status_code == 403 and refused.json["message"] == NO_ORIGIN
    assert get(app, "/v1/search?q=food", "browser", Origin=PORTAL).status_code == 200


def test_a_key_marked_server_use_may_also_call_without_an_origin(app):
    assert get(app, "/v1/search?q=food", "backend").status_code == 200
    assert get(app, "/v1/search?q=food", "backend", Origin=PORTAL).status_code == 200
    elsewhere = get(app, "/v1/search?q=food", "backend", Origin="https://elsewhere.example")
    assert elsewhere.status_code == 403  # its origins still hold when an Origin is sent
    assert get(app, "/v1/search?q=food", "server").status_code == 200  # no origins: anywhere


def test_server_use_must_be_true_or_false(tmp_path):
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps([{"name": "p", "key_sha256": "ab", "server_use": "yes"}]))
    with pytest.raises(ValueError, match="server_use"):
        load_partners(str(keys))


def test_a_page_token_searches_a_page_at_a_time_but_never_exports(app):
    token = page_token(access_of(app).callers.secret)
    assert get(app, "/hsds/services?per_page=5", token).status_code == 200
    for path in ("/hsds/services", "/hsds/organizations", "/hsds/service_at_locations"):
        export = get(app, f"{path}?format=ndjson", token)
        assert export.status_code == 403 and export.json["message"] == NO_BULK_EXPORT, path
    partner = get(app, "/hsds/services?format=ndjson", "server")
    assert partner.status_code == 200 and partner.get_data(as_text=True).count("\n") > 5


def test_a_page_token_lasts_an_hour_and_loading_the_page_gives_a_new_one(app):
    secret = access_of(app).callers.secret
    expired = get(app, "/v1/search?q=food", page_token(secret, now=time.time() - 61 * 60))
    assert expired.status_code == 401 and "reload the page" in expired.json["message"]
    page = app.test_client().get("/").get_data(as_text=True)
    fresh = re.search(r'name="linkage-page-token" content="([^"]+)"', page).group(1)
    assert get(app, "/v1/search?q=food", fresh).status_code == 200


def test_the_search_frame_never_renews_a_page_token(app):
    secret = access_of(app).callers.secret
    token = page_token(secret, now=time.time() - 30 * 60)
    frame = app.test_client().get("/embed/frame", query_string={"key": token})
    assert frame.status_code == 200
    assert re.search(r'data-key="([^"]+)"', frame.get_data(as_text=True)).group(1) == token
    old = page_token(secret, now=time.time() - 61 * 60)
    refused = app.test_client().get("/embed/frame", query_string={"key": old})
    assert refused.status_code == 403 and "data-key" not in refused.get_data(as_text=True)
