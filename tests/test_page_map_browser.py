"""The page's map (static/map.js on Leaflet served by the app), in real headless Chromium.

A case manager searches for shelters near ZIP 60619 in the sample directory (nine results, two of
them confidential shelters) and sees numbered markers like the cards, the client's point and the
radius. Without LINKAGE_MAP_TILES the markers sit on a plain background and nothing but this app
is contacted; with it, tiles come from the deployer's server (here a loopback test server on
another host name) with its attribution. Screenshots at desktop and phone widths go to
tests/.artifacts/screenshots/; axe-core checks the page with the map drawn.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import zlib
from dataclasses import replace
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from linkage.access.guard import tile_source
from linkage.app import create_app
from tests.browser import (
    axe_violations,
    drain_requests,
    outside_requests,
    resource_urls,
    screenshot,
    viewport,
    wait_until,
)
from tests.conftest import SAMPLE, TEST_ALIAS, WEDNESDAY_AFTERNOON, codes
from tests.servers import TEST_KEY, gunicorn, serve_loopback, stop_server

QUERY, ZIP, RADIUS_MILES = "shelter", "60619", 10
ATTRIBUTION = "Test tiles © Linkage's test tile server"
# Where the sample's confidential shelters really are: no marker may sit there.
CONFIDENTIAL_POINTS = [
    (location["latitude"], location["longitude"])
    for record in json.loads(SAMPLE.read_text(encoding="utf-8"))
    if "confidential-address" in codes(record, "linkage-flags")
    for location in record.get("locations") or ()
    if location.get("latitude") is not None
]


@pytest.fixture(scope="module")
def leaflet(settings):
    """Leaflet's folder; the test is skipped, with the reason, when it is not installed."""
    folder = Path(settings.leaflet_dir)
    if not (folder / "leaflet.js").is_file():
        pytest.skip(f"Leaflet is not installed ({folder} missing): run scripts/assets (make does)")
    return folder


# --- Without a browser: Leaflet's files, the note without them, the tile host in the CSP --------


@pytest.mark.usefixtures("leaflet")
def test_leaflet_is_served_by_the_app_and_nothing_else_of_its_folder(client):
    page = client.get("/").get_data(as_text=True)
    for name in ("leaflet.js", "leaflet.css"):
        url = re.search(rf'"(/static/vendor/leaflet/{name}\?v=\w+)"', page).group(1)
        with client.get(url) as response:
            assert response.status_code == 200 and response.content_length > 1000, url
    assert re.search(r'<script src="/static/map\.js\?v=\w+" defer>', page)
    with client.get("/static/vendor/leaflet/images/layers.png") as response:  # leaflet.css's
        assert response.status_code == 200 and response.mimetype == "image/png"
    for name in ("../package.json", "%2e%2e/package.json", "leaflet-src.js", "leaflet.js.map", ""):
        with client.get(f"/static/vendor/leaflet/{name}") as response:
            assert response.status_code == 404, name
    # No tiles configured: images from this app only.
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "img-src 'self' data:;" in policy


def test_without_leaflet_the_page_says_the_map_is_unavailable(settings, sample_index, tmp_path):
    app = create_app(
        {
            "SETTINGS": replace(settings, leaflet_dir=str(tmp_path)),
            "CLOCK": lambda: WEDNESDAY_AFTERNOON,
        }
    )
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    assert "The map is not available" in page
    assert "map.js" not in page and "/static/vendor/leaflet/" not in page
    assert 'id="search-results"' in page  # the search itself is there
    with client.get("/static/vendor/leaflet/leaflet.js") as response:
        assert response.status_code == 404


def test_leaflet_installed_while_the_app_runs_is_served_from_the_next_page(
    settings, sample_index, tmp_path, leaflet
):
    app = create_app(
        {
            "SETTINGS": replace(settings, leaflet_dir=str(tmp_path)),
            "CLOCK": lambda: WEDNESDAY_AFTERNOON,
        }
    )
    client = app.test_client()
    assert "The map is not available" in client.get("/").get_data(as_text=True)
    for name in ("leaflet.js", "leaflet.css"):  # scripts/assets, meanwhile
        shutil.copy(leaflet / name, tmp_path / name)
    page = client.get("/").get_data(as_text=True)
    assert "The map is not available" not in page and "map.js" in page
    with client.get("/static/vendor/leaflet/leaflet.js") as response:
        assert response.status_code == 200


def test_the_tile_host_is_allowed_for_images_only_when_configured(settings, sample_index):
    template = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    app = create_app(
        {"SETTINGS": replace(settings, map_tiles=template), "CLOCK": lambda: WEDNESDAY_AFTERNOON}
    )
    response = app.test_client().get("/")
    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["img-src"] == "'self' data: https://*.tiles.example.org"
    assert policy["connect-src"] == "'self'" and policy["default-src"] == "'self'"
    assert tile_source("/tiles/{z}/{x}/{y}.png") == ""  # this app's own host: 'self'
    for bad in ("ftp://tiles.example.org/{z}/{x}/{y}.png", "https://a.org; script-src *"):
        with pytest.raises(ValueError, match="LINKAGE_MAP_TILES"):
            tile_source(bad)


# --- In the browser -----------------------------------------------------------------------------


def png(width: int = 256, height: int = 256, rgb: tuple[int, int, int] = (200, 220, 200)) -> bytes:
    """A plain PNG tile."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def tile_server():
    """A loopback tile server (/tiles/{z}/{x}/{y}.png), reached by the name "localhost": to the
    browser another host than the app's 127.0.0.1. Yields (template, the paths it was asked)."""
    tile, asked = png(), []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            if not re.fullmatch(r"/tiles/\d+/\d+/\d+\.png", self.path):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args):
            pass

    server = serve_loopback(Tiles)
    yield f"http://localhost:{server.server_port}/tiles/{{z}}/{{x}}/{{y}}.png", asked
    stop_server(server)


@pytest.fixture(scope="module")
def tiled_server(sample_index, keys_file, tile_server):
    """The service with LINKAGE_MAP_TILES set to the test tile server."""
    env = {
        "LINKAGE_INDEX_ALIAS": TEST_ALIAS,
        "LINKAGE_PARTNER_KEYS": str(keys_file),
        "LINKAGE_MAP_TILES": tile_server[0],
        "LINKAGE_MAP_ATTRIBUTION": ATTRIBUTION,
    }
    with gunicorn(env) as url:
        yield url


def assert_accessible(driver, context: str | None = None) -> None:
    violations = axe_violations(driver, context)
    assert violations == [], json.dumps(violations, indent=1)


def search_results(base_url: str) -> dict:
    """The API's answer to the test search, as the page gets it."""
    response = requests.get(
        base_url + "/v1/search",
        params={"q": QUERY, "near": ZIP, "radius": RADIUS_MILES},
        headers={"Authorization": f"Bearer {TEST_KEY}"},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


@pytest.fixture
def driver(driver, leaflet):
    """The module's browser, for a page with the map: skipped without Leaflet."""
    return driver


def search_with_map(driver, base_url: str) -> dict:
    """Load the page and search through its form; the page draws the map with the results
    (folded behind "Show map" on a narrow screen). Returns the API's answer to that search."""
    from selenium.webdriver.common.by import By

    drain_requests(driver)
    driver.get(base_url + "/")
    wait_until(driver, lambda: driver.execute_script("return !!window.LinkageMap"), what="map.js")
    for css, value in (("#q", QUERY), ("#near", ZIP)):
        field = driver.find_element(By.CSS_SELECTOR, css)
        field.clear()
        field.send_keys(value)
    driver.find_element(By.ID, "search-submit").click()
    wait_until(
        driver,
        lambda: (
            driver.find_elements(By.CSS_SELECTOR, "#search-results article.result")
            and not driver.find_element(By.ID, "search-map-section").get_attribute("hidden")
            and (
                driver.find_elements(By.CSS_SELECTOR, "#search-map .map-marker")
                or driver.find_element(By.ID, "search-map-toggle").is_displayed()
            )
        ),
        what="the results and their map",
    )
    return search_results(base_url)


def drawn(driver) -> dict:
    """What the map shows: its markers (number, name, label, point), the client's point, the
    radius in metres, the tiles' URLs and the attribution text."""
    return driver.execute_script(
        """
        var state = document.getElementById('search-map').linkageMap, out = {markers: []};
        state.layers.eachLayer(function (layer) {
          if (layer.getRadius) { out.radius = layer.getRadius(); return; }
          var node = layer.getElement(), p = layer.getLatLng();
          if (node.classList.contains('map-center')) {
            out.center = {lat: p.lat, lon: p.lng, label: node.getAttribute('aria-label')};
          } else {
            out.markers.push({number: node.textContent, name: node.title, lat: p.lat,
                              lon: p.lng, label: node.getAttribute('aria-label'),
                              role: node.getAttribute('role'), tabindex: node.tabIndex});
          }
        });
        out.tiles = Array.from(document.querySelectorAll('#search-map img.leaflet-tile'))
          .map(function (img) { return img.complete && img.naturalWidth ? img.src : null; });
        var credit = document.querySelector('#search-map .leaflet-control-attribution');
        out.attribution = credit ? credit.textContent : null;
        return out;
        """
    )


def card_names(driver) -> dict[str, str]:
    """Card number -> the service name its card shows."""
    return driver.execute_script(
        "var out = {}; document.querySelectorAll('#panel-search article.result')"
        ".forEach(function (a) { var n = a.querySelector('.card-number');"
        " if (n) out[n.textContent] = a.querySelector('h3').textContent; }); return out;"
    )


def test_map_shows_numbered_markers_the_client_and_the_radius(driver, live_server):
    answer = search_with_map(driver, live_server)
    shown = drawn(driver)
    located = [r for r in answer["results"] if r["location"]]
    confidential = [r for r in answer["results"] if r["confidential_address"]]
    assert len(located) >= 5 and len(confidential) == 2, answer["results"]
    # One numbered marker per result with a location, numbered and named as its card.
    assert len(shown["markers"]) == len(located)
    cards = card_names(driver)
    for marker in shown["markers"]:
        assert cards[marker["number"]] == marker["name"], (marker, cards)
        assert marker["label"] == f"{marker['number']}. {marker['name']}: go to its card"
        assert marker["role"] == "button" and marker["tabindex"] == 0
    # The confidential shelters are cards with no marker, nowhere near where they really are.
    for lat, lon in CONFIDENTIAL_POINTS:
        for marker in shown["markers"]:
            assert abs(marker["lat"] - lat) > 1e-3 or abs(marker["lon"] - lon) > 1e-3
    assert len(cards) == len(answer["results"])
    # The client's point (the ZIP's centre) and the radius circle.
    assert (shown["center"]["lat"], shown["center"]["lon"]) == (
        answer["place"]["lat"],
        answer["place"]["lon"],
    )
    assert shown["center"]["label"] == "The client's location: Chicago, IL 60619"
    assert shown["radius"] == pytest.approx(RADIUS_MILES * 1609.344)
    # No tiles configured: a plain background, and nothing but this app was asked for anything.
    assert shown["tiles"] == [] and shown["attribution"] is None
    urls = [r["url"] for r in drain_requests(driver)] + resource_urls(driver)
    assert outside_requests(urls, live_server) == []
    assert_accessible(driver)
    screenshot(driver, "page-map-desktop")


def test_a_marker_takes_the_reader_to_its_card(driver, live_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    search_with_map(driver, live_server)
    markers = driver.find_elements(By.CSS_SELECTOR, "#search-map .map-marker")
    last = markers[-1]
    number = last.text
    focused = (
        "var n = document.activeElement.querySelector('.card-number'); return n && n.textContent;"
    )
    last.click()
    wait_until(driver, lambda: driver.execute_script(focused) == number, what="the card's focus")
    # In view once scrolling ends (a scroll may land a fraction of a pixel above the top).
    in_view = (
        "var top = document.activeElement.getBoundingClientRect().top;"
        "return top > -1 && top < window.innerHeight;"
    )
    wait_until(driver, lambda: driver.execute_script(in_view), what="the card in view")
    # From the keyboard: Tab reaches the markers, Enter goes to the card.
    first = markers[0]
    driver.execute_script("arguments[0].focus();", first)
    first.send_keys(Keys.ENTER)
    wait_until(
        driver, lambda: driver.execute_script(focused) == first.text, what="the card by keyboard"
    )


def test_a_phone_and_online_programme_gets_no_marker_at_its_far_office(driver, live_server):
    answer = search_with_map(driver, live_server)
    before = len(drawn(driver)["markers"])
    # The page's results and, numbered after them, a nationwide phone line whose record places
    # its head office in Washington, DC: its card says how to reach it, the map draws no marker.
    results = driver.execute_script(
        """
        var results = arguments[0].filter(function (r) { return r.location; })
          .map(function (r, i) { return Object.assign({}, r, {number: i + 1}); });
        results.push({number: results.length + 1, service_name: 'National Helpline',
                      reach: 'remote', location: {lat: 38.9, lon: -77.04}});
        LinkageMap.show(document.getElementById('search-map'),
                        {results: results, center: arguments[1], radius: arguments[2]});
        return results;
        """,
        answer["results"],
        answer["place"],
        RADIUS_MILES,
    )
    markers = drawn(driver)["markers"]
    assert len(markers) == before == len(results) - 1
    assert "National Helpline" not in {m["name"] for m in markers}
    assert all(abs(m["lat"] - 38.9) > 1 for m in markers)


def test_skip_to_results_passes_the_maps_markers(driver, live_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    search_with_map(driver, live_server)
    link = driver.find_element(By.CSS_SELECTOR, "#search-map-section a.skip-results")
    assert link.rect["x"] < 0  # off the screen until focused
    driver.execute_script("arguments[0].focus();", link)
    assert link.rect["x"] >= 0 and link.text == "Skip to results"
    assert link.rect["height"] >= 24
    # It comes before the first marker in the tab order, and Enter lands on the results.
    assert driver.execute_script(
        "return arguments[0].compareDocumentPosition("
        "document.querySelector('#search-map .map-marker')) & Node.DOCUMENT_POSITION_FOLLOWING;",
        link,
    )
    link.send_keys(Keys.ENTER)
    wait_until(
        driver,
        lambda: driver.execute_script("return document.activeElement.id") == "search-results",
        what="focus on the results",
    )
    driver.switch_to.active_element.send_keys(Keys.TAB)
    assert driver.execute_script("return !!document.activeElement.closest('#search-results');"), (
        "Tab after skipping goes into the results"
    )


def test_tiles_come_from_the_deployers_server_with_its_attribution(
    driver, tiled_server, tile_server
):
    template, asked = tile_server
    tile_host = urlsplit(template).netloc
    asked.clear()
    search_with_map(driver, tiled_server)
    wait_until(driver, lambda: [u for u in drawn(driver)["tiles"] if u], what="tiles to load")
    shown = drawn(driver)
    assert all(urlsplit(u).netloc == tile_host for u in shown["tiles"] if u)
    assert asked and all(re.fullmatch(r"/tiles/\d+/\d+/\d+\.png", p) for p in asked)
    assert shown["attribution"] == ATTRIBUTION
    urls = [r["url"] for r in drain_requests(driver)] + resource_urls(driver)
    assert {urlsplit(u).netloc for u in outside_requests(urls, tiled_server)} == {tile_host}
    assert_accessible(driver)
    screenshot(driver, "page-map-tiles-desktop")


def test_on_a_phone_the_results_come_first_and_the_map_opens_on_demand(driver, live_server):
    from selenium.webdriver.common.by import By

    with viewport(driver, 375, 740, mobile=True):
        search_with_map(driver, live_server)
        toggle = driver.find_element(By.ID, "search-map-toggle")
        box = driver.find_element(By.ID, "search-map")
        first_card = driver.find_element(By.CSS_SELECTOR, "#search-results article.result")
        assert toggle.is_displayed() and not box.is_displayed()
        assert toggle.get_attribute("aria-expanded") == "false"
        # Folded, the map costs the results only its button's line.
        gap = first_card.rect["y"] - (toggle.rect["y"] + toggle.rect["height"])
        assert gap < toggle.rect["height"] * 2, gap
        assert_accessible(driver)  # the whole page at phone width: cards' links are targets too
        screenshot(driver, "page-map-phone-folded", full_page=False)

        toggle.click()
        wait_until(driver, box.is_displayed, what="the map to open")
        assert toggle.get_attribute("aria-expanded") == "true" and toggle.text == "Hide map"
        assert 0 < box.rect["height"] <= 740 / 2
        # Opened, it is fitted to the radius: the markers inside it are on the map.
        inside = driver.execute_script(
            "var r = arguments[0].getBoundingClientRect();"
            "return Array.from(arguments[0].querySelectorAll('.map-marker')).filter(function (m) {"
            " var b = m.getBoundingClientRect(); return b.left >= r.left && b.right <= r.right"
            " && b.top >= r.top && b.bottom <= r.bottom; }).length;",
            box,
        )
        assert inside >= 3
        assert_accessible(driver)
        driver.execute_script("arguments[0].scrollIntoView();", toggle)
        screenshot(driver, "page-map-phone-open", full_page=False)
