"""Street addresses through geopy's Nominatim geocoder, served by a local Nominatim stand-in.

The stand-in answers Nominatim's /search protocol on loopback (the machine has no internet);
everything on Linkage's side, geopy included, runs for real.
"""

import json
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from linkage import create_app

KNOWN = {"1 n state st, chicago, il": ("41.8826", "-87.6278", "1 North State Street, Chicago, IL")}


class NominatimHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        query = parse_qs(urlparse(self.path).query)
        found = KNOWN.get(query.get("q", [""])[0].lower())
        body = [{"lat": found[0], "lon": found[1], "display_name": found[2]}] if found else []
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def nominatim():
    server = ThreadingHTTPServer(("127.0.0.1", 0), NominatimHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_port}"
    server.shutdown()


def geocoding_client(settings, domain):
    configured = replace(
        settings,
        geocoder="nominatim",
        geocoder_domain=domain,
        geocoder_scheme="http",
        geocoder_timeout=2.0,
    )
    return create_app({"SETTINGS": configured}).test_client()


def test_an_address_is_geocoded_and_searched_around(settings, sample_index, nominatim):
    client = geocoding_client(settings, nominatim)
    body = client.get(
        "/v1/search", query_string={"near": "1 N State St, Chicago, IL", "category": "food"}
    ).json
    assert body["place"]["precision"] == "address" and body["place"]["county"] == "Cook"
    assert body["total"] > 0 and body["results"][0]["distance"]["miles"] < 10


def test_an_address_that_cannot_be_found_is_a_400(settings, sample_index, nominatim):
    client = geocoding_client(settings, nominatim)
    response = client.get("/v1/search", query_string={"near": "99 Nowhere Lane, Atlantis"})
    assert response.status_code == 400 and "could not be found" in response.json["message"]


def test_a_geocoder_that_does_not_answer_is_a_503(settings, sample_index):
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    client = geocoding_client(settings, f"127.0.0.1:{port}")
    response = client.get("/v1/search", query_string={"near": "1 N State St, Chicago, IL"})
    assert response.status_code == 503 and "ZIP code" in response.json["message"]
    # A ZIP code never needs the geocoder.
    assert client.get("/v1/search", query_string={"near": "60623"}).status_code == 200
